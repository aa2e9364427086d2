"""The target group health-checks a port the container does not listen on.

What it detects:
    For each load balancer of a service, the target group's `HealthCheckPort` is a fixed number that is
    neither `traffic-port` nor the `containerPort` the service registers (nor a port the container
    maps). The load balancer then probes a port where nothing answers, every target turns unhealthy and
    ECS replaces the tasks. Unhealthy targets with `Target.FailedHealthChecks` or `Target.Timeout`
    confirm it.

Why it happens:
    The target group was created for another service or an older port, copied from an EC2 setup, or
    the container port changed in the task definition without updating the target group.

How to fix:
    Set the health-check port to `traffic-port` (the port ECS registers for each task), or to the
    container port, with `aws elbv2 modify-target-group`.

References:
    - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/troubleshoot-service-load-balancers.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.infra import target_groups

CHECK = Check(
    id="ET301",
    slug="health-check-port",
    title="The target group health-checks a port the container does not listen on",
    category="load-balancing",
    severity="error",
    requires=("services", "target_groups"),
    reads=("task_definitions",),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    tgs = target_groups(ev)
    for svc in ev.services:
        td = ev.task_definition(svc.task_definition_arn)
        for lb in svc.load_balancers:
            tg = tgs.get(lb.target_group_arn or "")
            if tg is None or not tg.health_check_port or tg.health_check_port == "traffic-port":
                continue
            if not tg.health_check_port.isdigit() or lb.container_port is None:
                continue
            hc = int(tg.health_check_port)
            mapped: set[int] = set()
            if td is not None:
                cd = td.container(lb.container_name or "")
                for p in cd.port_mappings if cd else ():
                    mapped.update(x for x in (p.container_port, p.host_port) if x)
            if hc == lb.container_port or hc in mapped:
                continue
            failing = [t for t in tg.targets if t.state == "unhealthy"]
            evidence = [
                EvidenceRef(tg.arn, "/HealthCheckPort", tg.health_check_port),
                EvidenceRef(svc.arn, f"{lb.pointer}/containerPort", lb.container_port),
            ]
            evidence += [EvidenceRef(tg.arn, t.pointer, {"State": t.state, "Reason": t.reason}) for t in failing[:2]]
            yield Hit(
                resource=tg.arn,
                message=(
                    f"Target group {tg.name} health-checks port {hc}, but service {svc.name} registers container "
                    f"{lb.container_name} on port {lb.container_port}"
                    + (f"; {len(failing)} of {len(tg.targets)} targets are unhealthy" if failing else "")
                ),
                cause="elb-health-check",
                confidence=0.95 if failing else 0.85,
                evidence=tuple(evidence),
                fix=Fix(
                    summary=f"Health-check the traffic port of {tg.name}",
                    steps=(
                        f"Set the health-check port of {tg.name} to traffic-port (the container port {lb.container_port}).",
                    ),
                    commands=(
                        aws_cli(
                            "elbv2", "modify-target-group", target_group_arn=tg.arn, health_check_port="traffic-port"
                        ),
                    ),
                    risk="safe",
                ),
                pointer="/HealthCheckPort",
                signature="elb.health-check-port",
            )
