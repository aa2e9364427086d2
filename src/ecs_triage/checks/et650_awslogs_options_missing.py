"""The awslogs log configuration lacks a required option.

What it detects:
    A container using the `awslogs` log driver whose `options` lack `awslogs-group` or `awslogs-region`,
    or, on Fargate, `awslogs-stream-prefix`. Options set to template expressions count as set.

Why it happens:
    The awslogs driver needs to know where to write; Fargate also needs the stream prefix to name streams
    `prefix/container/task-id`. Missing options make `RegisterTaskDefinition` fail or the container fail to
    start with `CannotStartContainerError ... failed to initialize logging driver`.

How to fix:
    Set all three options; the log group must exist (or set `awslogs-create-group` and allow
    `logs:CreateLogGroup`).

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import is_intrinsic, taskdef_resource

CHECK = Check(
    id="ET650",
    slug="awslogs-options-missing",
    title="awslogs log configuration lacks a required option",
    category="logging",
    severity="error",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        resource = taskdef_resource(td)
        for c in td.containers:
            log = c.log_configuration
            if log is None or (log.driver or "") != "awslogs":
                continue
            raw_options = (
                c.raw.get("logConfiguration", {}).get("options")
                if isinstance(c.raw.get("logConfiguration"), dict)
                else None
            )
            if raw_options is not None and (not isinstance(raw_options, dict) or is_intrinsic(raw_options)):
                continue  # options come from a template expression: unknown
            required = ["awslogs-group", "awslogs-region"] + (["awslogs-stream-prefix"] if td.is_fargate else [])
            missing = [k for k in required if log.options.get(k) in (None, "")]
            if not missing:
                continue
            region = log.options.get("awslogs-region") if isinstance(log.options.get("awslogs-region"), str) else None
            group = log.options.get("awslogs-group") if isinstance(log.options.get("awslogs-group"), str) else None
            fixed = {
                "awslogs-group": group or f"/ecs/{td.family or c.name}",
                "awslogs-region": region or "us-east-1",
                "awslogs-stream-prefix": log.options.get("awslogs-stream-prefix") or c.name,
            }
            yield Hit(
                resource=resource,
                message=f"Container {c.name}: awslogs options lack {', '.join(missing)}.",
                cause="log-config",
                confidence=0.9,
                evidence=(EvidenceRef(resource, f"{log.pointer}/options", dict(log.options)),),
                fix=Fix(
                    summary=f"Add {', '.join(missing)} to the awslogs options of {c.name}.",
                    steps=("Use the Region the task runs in for awslogs-region.",),
                    snippet={"logDriver": "awslogs", "options": {**dict(log.options), **fixed}},
                    snippet_title=f"containerDefinitions[{c.name}].logConfiguration",
                    docs=(DOCS,),
                    risk="safe",
                ),
                pointer=f"{log.pointer}/options" if isinstance(raw_options, dict) else log.pointer,
                signature="logs.awslogs-option-missing",
            )
