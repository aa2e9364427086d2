"""The task was stopped because a container's own health check failed.

What it detects:
    A stopped task whose `stoppedReason` says `Task failed container health checks`, or a container of a
    stopped task with `healthStatus` UNHEALTHY. The finding shows the container's `healthCheck` (command,
    interval, timeout, retries, `startPeriod`) and, when the log tail shows when the application became
    ready, compares that time with the window the health check allows before counting failures.

Why it happens:
    The health-check command fails inside the container: the tool it calls (`curl`, `wget`) is not in
    the image, the command is written without `CMD-SHELL` when it needs a shell, it checks the wrong port
    or path, or the application needs longer to start than `startPeriod` (plus retries x interval).

How to fix:
    Run the command yourself in the image (`docker run --entrypoint sh IMAGE -c '...'`), use a tool the
    image has, write `["CMD-SHELL", "curl -f http://localhost:PORT/health || exit 1"]`, and raise
    `startPeriod` (up to 300 s) above the application's warm-up.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html
    - https://aws.amazon.com/premiumsupport/knowledge-center/ecs-task-container-health-check-failures/
"""

from __future__ import annotations

import json
import math

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.infra import log_stream_for, time_to_ready

CHECK = Check(
    id="ET127",
    slug="container-health-check",
    title="The task was stopped because a container's health check failed",
    category="task",
    severity="error",
    requires=("tasks", "task_definitions"),
    reads=("log_events",),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    seen: set[tuple[str, str]] = set()
    for task in ev.stopped_tasks:
        reason_says = "container health check" in (task.stopped_reason or "").lower()
        td = ev.task_definition(task.task_definition_arn)
        for c in task.containers:
            cd = td.container(c.name) if td else None
            if cd is None or cd.health_check is None:
                continue
            if not (c.health_status == "UNHEALTHY" or (reason_says and c.health_status in (None, "UNHEALTHY"))):
                continue
            if (task.task_definition_arn, c.name) in seen:
                continue
            seen.add((task.task_definition_arn, c.name))
            hc = cd.health_check
            label = td.label if td else task.task_definition_arn
            interval, retries, start = hc.interval or 30, hc.retries or 3, hc.start_period or 0
            window = start + interval * retries
            evidence = [
                EvidenceRef(task.arn, "/stoppedReason", task.stopped_reason)
                if reason_says
                else EvidenceRef(task.arn, f"{c.pointer}/healthStatus", c.health_status),
                EvidenceRef(
                    label,
                    hc.pointer,
                    {
                        "command": list(hc.command),
                        "interval": hc.interval,
                        "retries": hc.retries,
                        "startPeriod": hc.start_period,
                    },
                ),
            ]
            message = (
                f"Container {c.name} failed its health check {json.dumps(list(hc.command))} (startPeriod {start} s, "
                f"{retries} retries every {interval} s: about {window} s before the task is stopped)"
            )
            stream = log_stream_for(ev, task, c.name) if ev.has("log_events") else None
            ready = time_to_ready(stream, task.started_at) if stream else None
            new_start = None
            if ready is not None and stream is not None:
                evidence.append(
                    EvidenceRef(
                        stream.resource,
                        ready.ready.pointer,
                        ready.ready.message,
                        note=f"ready after {ready.seconds:.0f} s",
                    )
                )
                if ready.seconds > start:
                    new_start = min(300, max(30, math.ceil(ready.seconds * 1.5 / 10) * 10))
                    message += f"; the application is ready only after {ready.seconds:.0f} s (its log): startPeriod is too short"
                else:
                    message += f"; the application was ready after {ready.seconds:.0f} s, so the command itself fails"
            tool = next((t for t in ("curl", "wget") if any(t in part for part in hc.command)), None)
            steps = []
            if new_start:
                steps.append(f"Raise startPeriod of {c.name} to {new_start} s.")
            if tool:
                steps.append(
                    f"Check that {tool} exists in {cd.image or 'the image'}: docker run --rm --entrypoint sh {cd.image or '<image>'} -c 'command -v {tool}'."
                )
            if hc.command and hc.command[0] == "CMD" and any(ch in " ".join(hc.command[1:]) for ch in "|&;$"):
                steps.append("The command uses shell syntax with CMD: use CMD-SHELL.")
            steps.append(
                "Run the health-check command inside the image yourself and make it exit 0 when the app is healthy."
            )
            snippet = (
                {"containerDefinitions": [{"name": c.name, "healthCheck": {"startPeriod": new_start}}]}
                if new_start
                else None
            )
            yield Hit(
                resource=task.arn,
                message=message,
                cause="container-health-check",
                confidence=0.9 if reason_says or c.health_status == "UNHEALTHY" else 0.7,
                evidence=tuple(evidence),
                fix=Fix(
                    summary=f"Make the health check of {c.name} pass"
                    + (f" (startPeriod {new_start} s)" if new_start else ""),
                    steps=tuple(steps),
                    snippet=snippet,
                    snippet_title=f"task-definition patch for {td.family}" if snippet and td else "",
                    risk="review",
                ),
                pointer=hc.pointer,
                signature="health.container",
            )
