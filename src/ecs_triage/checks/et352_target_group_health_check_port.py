"""The target group health-checks a port the container does not listen on.

What it detects:
    A target group used by a service whose `HealthCheckPort` is neither `traffic-port` nor a port the
    task maps: in awsvpc and host mode a `containerPort` of any container of the task (they share one network
    namespace, so a sidecar may serve the health check); in bridge mode a static `hostPort` of the registered
    container (with dynamic host ports only `traffic-port` can work).

Why it happens:
    The health-check port is set once on the target group (often to the application's old port, or to
    the load balancer's listener port 80/443) and drifts from the task definition. Every health check then
    fails, and ECS replaces the tasks: "(service web) (task ...) failed ELB health checks in (target-group
    ...)", although the application is fine.

How to fix:
    Set the target group's health-check port to `traffic-port` (the port ECS registers) or to a port the
    container really serves its health endpoint on.

References:
    - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
    - https://repost.aws/knowledge-center/ecs-task-fails-health-checks
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.elbv2_view import service_target_groups
from ecs_triage.evidence.lintview import is_awsvpc

CHECK = Check(
    id="ET352",
    slug="target-group-health-check-port",
    title="Target group health-check port is not a port of the container",
    category="load-balancing",
    severity="error",
    requires=("services", "task_definitions", "target_groups"),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for svc, td, lb, tg in service_target_groups(ev):
        awsvpc = is_awsvpc(td)
        if awsvpc is None:
            continue
        container = td.container(lb.container_name or "")
        if container is None or tg.health_check_port in (None, "traffic-port"):
            continue
        port = tg.health_check_port_number
        if port is None:
            continue
        if awsvpc or td.network_mode == "host":  # one network namespace: any container's port answers
            served = [pm.container_port for c in td.containers for pm in c.port_mappings]
        else:
            served = [pm.host_port for pm in container.port_mappings if pm.host_port]
        if None in served or port in served:
            continue
        mapped = ", ".join(str(p) for p in served) or "no static port"
        good = str(lb.container_port) if awsvpc and lb.container_port else "traffic-port"
        commands = (
            (aws_cli("elbv2", "modify-target-group", target_group_arn=tg.arn, health_check_port="traffic-port"),)
            if tg.arn.startswith("arn:aws")
            else ()
        )
        yield Hit(
            resource=tg.resource,
            message=(
                f"Target group {tg.name} health-checks port {port}, but {td.label} (service {svc.name}, "
                f"container {container.name}) maps {mapped}: every health check fails."
            ),
            cause="elb-health-check",
            confidence=0.85,
            evidence=(
                EvidenceRef(tg.resource, "/HealthCheckPort", tg.health_check_port),
                EvidenceRef(f"taskdef {td.label}", f"{container.pointer}/portMappings", served),
                EvidenceRef(f"service {svc.name}", f"{lb.pointer}/containerPort", lb.container_port),
            ),
            fix=Fix(
                summary=f"Set the health-check port of {tg.name} to traffic-port.",
                steps=(f"Or set it to {good} if the health endpoint is served there.",),
                commands=commands,
                snippet={"HealthCheckPort": "traffic-port"},
                snippet_title="target group",
                docs=(DOCS,),
                risk="safe",
            ),
            pointer="/HealthCheckPort",
            signature="elb.health-check-port",
        )
