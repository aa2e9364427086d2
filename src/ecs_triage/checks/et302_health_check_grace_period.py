"""The health-check grace period is shorter than the application's warm-up.

What it detects:
    A service behind a load balancer whose `healthCheckGracePeriodSeconds` (and, when the container has
    its own health check, the container `startPeriod`) is shorter than the time the application takes to
    be ready, measured from the task's `startedAt` (else its first log line) to the first `listening` /
    `started` / `ready` line of its log tail. Tasks stopped with `failed ELB health checks` confirm that the load balancer killed them before
    they were ready. The fix gives a concrete new grace period with margin.

Why it happens:
    ECS starts counting load balancer health checks after the grace period. An application that needs
    longer to start (JVM warm-up, migrations, cache loading) fails its first checks, turns unhealthy and
    is replaced before it ever serves, in a loop.

How to fix:
    Raise `healthCheckGracePeriodSeconds` above the warm-up (the fix proposes 1.5x the measured time,
    rounded up to 30 s) with `aws ecs update-service`, and the container health check's `startPeriod` in
    the task definition when it has one. Making the application start faster helps too.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_definition_parameters.html#sd-healthcheckgraceperiodseconds
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html
"""

from __future__ import annotations

import math
from typing import Any

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.infra import Readiness, lb_container, name_of, warmup_of
from ecs_triage.evidence.infra import elb_killed as elb_killed_tasks

CHECK = Check(
    id="ET302",
    slug="health-check-grace-period",
    title="The health-check grace period is shorter than the application's warm-up",
    category="load-balancing",
    severity="error",
    requires=("services", "tasks", "log_events"),
    reads=("task_definitions",),
)


def proposed(seconds: float) -> int:
    return max(60, math.ceil(seconds * 1.5 / 30.0) * 30)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for svc in ev.services:
        if not svc.load_balancers:
            continue
        grace = svc.health_check_grace_period or 0
        td = ev.task_definition(svc.task_definition_arn)
        cname = lb_container(ev, svc)
        cd = td.container(cname) if td else None
        elb_killed = list(elb_killed_tasks(ev, svc))
        warmup = warmup_of(ev, svc)
        best: tuple[Readiness, Any, str] | None = (
            (warmup.readiness, warmup.task, warmup.stream) if warmup is not None else None
        )
        evidence = [EvidenceRef(svc.arn, "/healthCheckGracePeriodSeconds", svc.health_check_grace_period)]
        if elb_killed:
            evidence.append(EvidenceRef(elb_killed[0].arn, "/stoppedReason", elb_killed[0].stopped_reason))
        start_period = cd.health_check.start_period if cd and cd.health_check else None
        if best is not None:
            ready = best[0].seconds
            if ready <= grace:
                continue
            if best[0].since == "startedAt":
                evidence.append(
                    EvidenceRef(best[1].arn, "/startedAt", best[1].raw.get("startedAt"), note="task started")
                )
            else:
                evidence.append(
                    EvidenceRef(best[2], best[0].first.pointer, best[0].first.message, note="first log line")
                )
            evidence.append(
                EvidenceRef(best[2], best[0].ready.pointer, best[0].ready.message, note=f"ready after {ready:.0f} s")
            )
            if not elb_killed and ready < grace + 30:
                continue  # barely over: the unhealthy threshold probably covers it
            new = proposed(ready)
            message = (
                f"Service {svc.name} gives its tasks {grace} s of health-check grace, but container {cname} takes "
                f"{ready:.0f} s to be ready (its log)"
            )
            confidence = 0.9 if elb_killed else 0.7
        elif elb_killed and grace == 0:
            new = 120
            message = (
                f"Service {svc.name} has no health-check grace period and {_n(len(elb_killed), 'task')} {'was' if len(elb_killed) == 1 else 'were'} stopped for "
                "failed ELB health checks: they are checked from their first second"
            )
            confidence = 0.55
        else:
            continue
        if elb_killed:
            n = len(elb_killed)
            message += f"; {n} task{'s were' if n != 1 else ' was'} stopped for failed ELB health checks"
        if start_period is not None and best is not None and start_period < best[0].seconds:
            message += f"; the container health check's startPeriod is {start_period} s"
        yield Hit(
            resource=svc.arn,
            message=message,
            cause="elb-health-check",
            confidence=confidence,
            evidence=tuple(evidence),
            fix=_fix(svc, td, cname, new, start_period),
            pointer="/healthCheckGracePeriodSeconds",
            signature="elb.grace-period-short",
        )


def _fix(svc: Any, td: Any, container: str, new: int, start_period: int | None) -> Fix:
    cluster = name_of(svc.cluster_arn)
    steps = [f"Raise healthCheckGracePeriodSeconds of service {svc.name} to {new} s."]
    snippet = None
    if start_period is not None and start_period < new:
        sp = min(new, 300)
        steps.append(f"Raise the health check startPeriod of container {container} in {td.family} to {sp} s.")
        snippet = {"containerDefinitions": [{"name": container, "healthCheck": {"startPeriod": sp}}]}
    return Fix(
        summary=f"Give {svc.name} a {new} s health-check grace period",
        steps=tuple(steps),
        commands=(
            aws_cli("ecs", "update-service", cluster=cluster, service_=svc.name, health_check_grace_period_seconds=new),
        ),
        snippet=snippet,
        snippet_title=f"task-definition patch for {td.family}" if snippet else "",
        risk="safe",
    )


def _n(count: int, noun: str) -> str:
    """`1 task`, `2 tasks`."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
