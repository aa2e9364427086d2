"""An awsvpc service is attached to a target group of target type `instance`.

What it detects:
    A service whose task definition uses the awsvpc network mode (Fargate included) with a load balancer
    target group whose `TargetType` is `instance` (the default when not set).

Why it happens:
    awsvpc tasks have their own network interface and are registered by IP address, so the target group
    must have target type `ip`. ECS rejects the service: "The provided target group ... has target type
    instance, which is incompatible with the awsvpc network mode specified in the task definition". The
    target type cannot be changed on an existing target group.

How to fix:
    Create a target group with `TargetType: ip` (and `traffic-port` health checks), point the listener at it
    and use it in the service.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb.html
    - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#target-type
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.elbv2_view import service_target_groups
from ecs_triage.evidence.lintview import is_awsvpc, unknown

CHECK = Check(
    id="ET353",
    slug="target-type-instance-with-awsvpc",
    title="awsvpc service uses a target group of type instance",
    category="load-balancing",
    severity="error",
    requires=("services", "task_definitions", "target_groups"),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb.html"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for svc, td, _lb, tg in service_target_groups(ev):
        if not is_awsvpc(td) or unknown(tg.raw, "TargetType") or tg.target_type != "instance":
            continue
        set_or_default = "TargetType instance" if "TargetType" in tg.raw else "no TargetType (default instance)"
        yield Hit(
            resource=tg.resource,
            message=(
                f"Target group {tg.name} has {set_or_default}, but service {svc.name} runs {td.label} in awsvpc "
                "mode, which registers tasks by IP: the service cannot be created."
            ),
            cause="invalid-task-definition",
            confidence=0.95,
            evidence=(
                EvidenceRef(tg.resource, "/TargetType", tg.raw.get("TargetType")),
                EvidenceRef(f"taskdef {td.label}", "/networkMode", td.network_mode or "awsvpc (Fargate)"),
            ),
            fix=Fix(
                summary=f"Use a target group with TargetType ip for {svc.name}.",
                steps=(
                    "The target type cannot be changed: create a new target group with TargetType ip "
                    "(a new name; CloudFormation replaces it when the property changes).",
                    "Point the listener rule at it and update the service's loadBalancers.",
                ),
                snippet={"TargetType": "ip"},
                snippet_title="target group",
                docs=(DOCS,),
                risk="disruptive",
            ),
            pointer="/TargetType" if "TargetType" in tg.raw else "",
            signature="elb.target-type-instance",
        )
