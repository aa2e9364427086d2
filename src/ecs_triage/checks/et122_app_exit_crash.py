"""The application crashed: its log tail ends in an exception, panic or fatal error.

What it detects:
    An essential container of a stopped task exited non-zero (not 137/139, not 126/127), its log tail
    shows error lines (a traceback, `panic:`, `FATAL`, an uncaught exception), and neither a missing
    variable (ET120) nor an unreachable dependency (ET121) explains it. The finding quotes the last error
    lines so the reader sees the application's own words.

Why it happens:
    A bug, a failed migration, a bad configuration file, a file the application expects in the image,
    a permission the task role lacks for an AWS call at start: the application says which in its log.

How to fix:
    Read the quoted lines and the full stream in CloudWatch Logs, reproduce locally with the same image
    and environment (`docker run` with the task definition's environment), fix, push a new image and
    deploy it.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html
    - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli

try:
    from ecs_triage.knowledge import classify  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - only while the catalog is missing
    classify = None  # type: ignore[assignment]

from ecs_triage.evidence.infra import clip, error_lines, exits, missing_variables, unreachable_endpoints

CHECK = Check(
    id="ET122",
    slug="app-exit-crash",
    title="The application crashed with an error in its log",
    category="task",
    severity="error",
    requires=("tasks", "log_events"),
    reads=("task_definitions", "services"),
)

_SPECIFIC = {
    "app-exit-missing-config",
    "app-exit-dependency-unreachable",
    "image-platform-mismatch",
    "exec-format",
    "port-conflict",
    "entrypoint-not-found",
    "oom-killed",
}
_OTHER_CAUSES = ("exec format error", "executable file not found", "address already in use", "port is already")


def evaluate(ev: Evidence) -> Iterator[Hit]:
    seen: dict[tuple[str, str, str], list[str]] = {}
    for ex in exits(ev):
        if ex.stream is None or ex.container.exit_code in (126, 127, 137, 139):
            continue
        if "outofmemory" in (ex.container.reason or "").lower():
            continue
        lines = ex.lines
        if missing_variables(lines) or unreachable_endpoints(lines):
            continue
        if any(marker in line.lower() for line in lines for marker in _OTHER_CAUSES):
            continue
        if classify is not None and any(classify(line, kind="log").cause in _SPECIFIC for line in lines[-20:]):
            continue  # a more specific reading exists (ET120, ET121, ET124-ET126 report it)
        errors = error_lines(lines)
        if not errors:
            continue
        last = errors[-1][1]
        key = (ex.task.task_definition_arn, ex.container.name, last[:200])
        if key in seen:
            seen[key].append(ex.task.arn)
            continue
        seen[key] = [ex.task.arn]
        quoted = " | ".join(clip(text, 200) for _, text in errors[-3:])
        evidence = [EvidenceRef(ex.task.arn, f"{ex.container.pointer}/exitCode", ex.container.exit_code)]
        evidence += [EvidenceRef(ex.stream.resource, ex.stream.events[i].pointer, text) for i, text in errors[-3:]]
        group, stream = ex.stream.group, ex.stream.stream
        yield Hit(
            resource=ex.task.arn,
            message=f"Container {ex.container.name} exited with code {ex.container.exit_code}; its log ends with: {quoted}",
            cause="app-exit-other",
            confidence=0.75,
            evidence=tuple(evidence),
            fix=Fix(
                summary=f"Fix the error container {ex.container.name} reports at start, then deploy a new image",
                steps=(
                    f"Read the full log stream {stream} in {group} around: {clip(last, 200)}",
                    "Reproduce locally with the same image and environment, fix, push a new image, deploy it.",
                ),
                commands=(aws_cli("logs", "get-log-events", log_group_name=group, log_stream_name=stream, limit=200),),
                risk="safe",
            ),
            signature="app.crash",
            extra={"tasks": seen[key]},
        )
