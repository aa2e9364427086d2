"""A service behind a load balancer has no health-check grace period.

What it detects:
    A service with `loadBalancers` whose `healthCheckGracePeriodSeconds` is not set or is 0.

Why it happens:
    Without a grace period ECS acts on the target group's health from the moment the task is registered.
    An application that needs longer to answer the health check than `interval x unhealthy threshold`
    (30 s x 2 by default) is deregistered and replaced before it is ready, forever: "service ... (task ...)
    failed ELB health checks" in the service events while the logs show a normal start.

How to fix:
    Set `healthCheckGracePeriodSeconds` to the application's time to ready plus a margin.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-healthCheckGracePeriodSeconds
    - https://repost.aws/knowledge-center/ecs-task-fails-health-checks
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.lintview import service_resource, unknown

CHECK = Check(
    id="ET350",
    slug="lb-no-health-check-grace-period",
    title="Load-balanced service has no health-check grace period",
    category="load-balancing",
    severity="warning",
    requires=("services",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_definition_parameters.html"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for svc in ev.services:
        if not svc.load_balancers or unknown(svc.raw, "healthCheckGracePeriodSeconds"):
            continue
        if svc.health_check_grace_period:
            continue
        raw_value = svc.raw.get("healthCheckGracePeriodSeconds")
        if raw_value not in (None, 0, "0", ""):
            continue  # set to something that is not a number we can read
        resource = service_resource(svc)
        cluster = svc.cluster_arn or (svc.raw.get("cluster") if isinstance(svc.raw.get("cluster"), str) else None)
        commands = (
            (
                aws_cli(
                    "ecs",
                    "update-service",
                    "--service",
                    svc.name,
                    cluster=cluster,
                    health_check_grace_period_seconds=60,
                ),
            )
            if cluster
            else ()
        )
        yield Hit(
            resource=resource,
            message=(
                f"Service {svc.name} registers tasks with a load balancer but healthCheckGracePeriodSeconds is "
                f"{'0' if raw_value in (0, '0') else 'not set'}: slow-starting tasks are killed by ELB health checks."
            ),
            cause="elb-health-check",
            confidence=0.5,
            evidence=(
                EvidenceRef(resource, "/healthCheckGracePeriodSeconds", raw_value),
                EvidenceRef(resource, "/loadBalancers", [lb.container_name for lb in svc.load_balancers]),
            ),
            fix=Fix(
                summary=f"Set healthCheckGracePeriodSeconds on {svc.name} above the application's warm-up time.",
                commands=commands,
                snippet={"healthCheckGracePeriodSeconds": 60},
                snippet_title="service (adjust to the measured time to ready)",
                docs=(DOCS,),
                risk="safe",
            ),
            pointer="/healthCheckGracePeriodSeconds" if raw_value is not None else "/loadBalancers",
            signature="elb.no-grace-period",
        )
