"""A container health check has no `startPeriod`.

What it detects:
    A container `healthCheck` with a command but no `startPeriod` (or `startPeriod: 0`).

Why it happens:
    Without a start period, failed probes count from the first second. An application that takes longer
    than `interval x retries` to warm up (JVM, migrations, cache loading) is marked UNHEALTHY and, if
    essential, the task is stopped before it ever served: "Task failed container health checks", in a loop.

How to fix:
    Set `startPeriod` to the time the application needs to become ready (up to 300 seconds); failures during
    that time are not counted.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_healthcheck
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import present, taskdef_resource, unknown

CHECK = Check(
    id="ET157",
    slug="health-check-no-start-period",
    title="Container health check has no startPeriod",
    category="task",
    severity="warning",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        resource = taskdef_resource(td)
        for c in td.containers:
            hc = c.health_check
            if hc is None or not hc.command:
                continue
            raw = c.raw.get("healthCheck")
            raw = raw if isinstance(raw, dict) else {}
            if unknown(raw, "startPeriod") or (present(raw, "startPeriod") and hc.start_period is None):
                continue
            if hc.start_period:
                continue
            interval, retries = hc.interval or 30, hc.retries or 3
            yield Hit(
                resource=resource,
                message=(
                    f"Container {c.name}: healthCheck has no startPeriod; the container is marked unhealthy "
                    f"after {interval * retries} s ({retries} x {interval} s) even while still starting."
                ),
                cause="container-health-check",
                confidence=0.5,
                evidence=(
                    EvidenceRef(resource, f"{hc.pointer}/startPeriod", hc.start_period, note="not set"),
                    EvidenceRef(resource, f"{hc.pointer}/interval", hc.interval),
                    EvidenceRef(resource, f"{hc.pointer}/retries", hc.retries),
                ),
                fix=Fix(
                    summary=f"Give {c.name}'s health check a startPeriod covering its warm-up.",
                    steps=("Measure the time to ready (first successful probe) and set startPeriod above it.",),
                    snippet={"healthCheck": {**{k: v for k, v in raw.items()}, "startPeriod": 60}},
                    snippet_title=f"containerDefinitions[{c.name}]",
                    docs=(DOCS,),
                    risk="safe",
                ),
                pointer=f"{hc.pointer}/startPeriod",
                signature="health.no-start-period",
            )
