"""In awsvpc or host network mode, a `hostPort` differs from its `containerPort`.

What it detects:
    A port mapping with a `hostPort` that is set, non-zero and different from `containerPort` in a task
    definition whose network mode is `awsvpc` (Fargate included) or `host`.

Why it happens:
    With awsvpc the task has its own network interface and with host mode it shares the instance's: there
    is no port translation, so ECS requires `hostPort` to equal `containerPort` (or be omitted). Mappings
    copied from bridge-mode definitions (`8080 -> 80`) are rejected by `RegisterTaskDefinition`.

How to fix:
    Remove `hostPort` or set it to the `containerPort`. Point the load balancer and health check at the
    `containerPort`.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import is_awsvpc, taskdef_resource

CHECK = Check(
    id="ET551",
    slug="host-port-mismatch",
    title="hostPort differs from containerPort in awsvpc or host mode",
    category="network",
    severity="error",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        mode = "awsvpc" if is_awsvpc(td) else ("host" if td.network_mode == "host" else None)
        if mode is None:
            continue
        resource = taskdef_resource(td)
        for c in td.containers:
            for pm in c.port_mappings:
                if pm.host_port in (None, 0) or pm.container_port is None or pm.host_port == pm.container_port:
                    continue
                yield Hit(
                    resource=resource,
                    message=(
                        f"Container {c.name}: hostPort {pm.host_port} differs from containerPort "
                        f"{pm.container_port}; in {mode} mode they must be equal."
                    ),
                    cause="invalid-task-definition",
                    confidence=0.95,
                    evidence=(
                        EvidenceRef(resource, f"{pm.pointer}/hostPort", pm.host_port),
                        EvidenceRef(resource, f"{pm.pointer}/containerPort", pm.container_port),
                        EvidenceRef(resource, "/networkMode", td.network_mode),
                    ),
                    fix=Fix(
                        summary=f"Use containerPort {pm.container_port} and drop hostPort (or set it equal).",
                        snippet={"containerPort": pm.container_port, "protocol": pm.protocol},
                        snippet_title=f"containerDefinitions[{c.name}].portMappings[]",
                        docs=(DOCS,),
                        risk="safe",
                    ),
                    pointer=f"{pm.pointer}/hostPort",
                    signature="taskdef.host-port-mismatch",
                )
