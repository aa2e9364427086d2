"""A Fargate task definition or service does not use the awsvpc network mode.

What it detects:
    A task definition that requires FARGATE (or is used by a service launched on Fargate) whose
    `networkMode` is not `awsvpc` (an absent `networkMode` means `bridge`).

Why it happens:
    Fargate only supports the awsvpc network mode. Definitions copied from EC2 tasks keep `bridge` or
    omit the field; `RegisterTaskDefinition` rejects them ("Fargate only supports network mode 'awsvpc'"),
    and a service on Fargate cannot use such a definition.

How to fix:
    Set `"networkMode": "awsvpc"` and give the service a `networkConfiguration.awsvpcConfiguration`
    (subnets, security groups). With awsvpc, `hostPort` must equal `containerPort` or be omitted.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#network_mode
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import taskdef_resource, unknown

CHECK = Check(
    id="ET550",
    slug="fargate-requires-awsvpc",
    title="Fargate task definition does not use the awsvpc network mode",
    category="network",
    severity="error",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html"


def _on_fargate_service(ev: Evidence, arn: str) -> str | None:
    for svc in ev.services:
        if svc.task_definition_arn != arn:
            continue
        if (svc.launch_type or "").upper() == "FARGATE":
            return svc.name
        if any(
            str(c.get("capacityProvider", "")).upper().startswith("FARGATE") for c in svc.capacity_provider_strategy
        ):
            return svc.name
    return None


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        if unknown(td.raw, "networkMode") or td.network_mode == "awsvpc":
            continue
        service = _on_fargate_service(ev, td.arn)
        if not td.is_fargate and service is None:
            continue
        why = "requires FARGATE" if td.is_fargate else f"is run on Fargate by service {service}"
        mode = td.network_mode or "bridge (default: networkMode not set)"
        resource = taskdef_resource(td)
        yield Hit(
            resource=resource,
            message=f"Task definition {td.label} {why} but its network mode is {mode}; Fargate needs awsvpc.",
            cause="invalid-task-definition",
            confidence=0.97,
            evidence=(
                EvidenceRef(resource, "/networkMode", td.network_mode),
                EvidenceRef(resource, "/requiresCompatibilities", list(td.requires_compatibilities)),
            ),
            fix=Fix(
                summary='Set "networkMode": "awsvpc".',
                steps=(
                    f'Set "networkMode": "awsvpc" in {td.label}.',
                    "Remove hostPort values that differ from containerPort.",
                    "Give the service networkConfiguration.awsvpcConfiguration with subnets and security groups.",
                ),
                snippet={"networkMode": "awsvpc"},
                snippet_title="task definition",
                docs=(DOCS,),
                risk="review",
            ),
            pointer="/networkMode" if td.network_mode else "/requiresCompatibilities",
            signature="fargate.network-mode",
        )
