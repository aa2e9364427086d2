"""In bridge mode, a port mapping uses a static `hostPort`.

What it detects:
    A port mapping with a fixed, non-zero `hostPort` in a task definition using the bridge network mode
    (the default on EC2 when `networkMode` is not set).

Why it happens:
    A static host port can be bound by one task per instance. A second task of the service, or the new
    task of a rolling deployment, cannot be placed on the same instance: placement fails with
    `RESOURCE:PORTS` and deployments stall once the cluster has fewer instances than tasks; on a busy
    instance the container fails with "port is already allocated".

How to fix:
    Set `hostPort` to 0 (or omit it) for dynamic host ports, and register the tasks in an ALB/NLB target
    group (ECS registers the dynamic port), with the target group's health check on `traffic-port`.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
    - https://repost.aws/knowledge-center/dynamic-port-mapping-ecs
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import taskdef_resource, unknown

CHECK = Check(
    id="ET552",
    slug="bridge-static-host-port",
    title="Static hostPort in bridge network mode",
    category="network",
    severity="warning",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        if td.is_fargate or unknown(td.raw, "networkMode") or (td.network_mode or "bridge") != "bridge":
            continue
        resource = taskdef_resource(td)
        for c in td.containers:
            for pm in c.port_mappings:
                if not pm.host_port:
                    continue
                yield Hit(
                    resource=resource,
                    message=(
                        f"Container {c.name}: static hostPort {pm.host_port} in bridge mode allows one task per "
                        "instance; extra tasks and rolling deployments fail to place (RESOURCE:PORTS)."
                    ),
                    cause="insufficient-ports",
                    confidence=0.6,
                    evidence=(
                        EvidenceRef(resource, f"{pm.pointer}/hostPort", pm.host_port),
                        EvidenceRef(resource, "/networkMode", td.network_mode or "bridge (default)"),
                    ),
                    fix=Fix(
                        summary="Use a dynamic host port (hostPort 0) behind a load balancer.",
                        snippet={"containerPort": pm.container_port, "hostPort": 0, "protocol": pm.protocol},
                        snippet_title=f"containerDefinitions[{c.name}].portMappings[]",
                        docs=(DOCS,),
                        risk="review",
                    ),
                    pointer=f"{pm.pointer}/hostPort",
                    signature="taskdef.static-host-port",
                )
