"""A container on EC2 has neither `memory` nor `memoryReservation`, and the task sets no memory.

What it detects:
    A task definition that does not require FARGATE, has no task-level `memory`, and has a container with
    neither `memory` nor `memoryReservation`.

Why it happens:
    On EC2 (and external) capacity ECS needs a memory figure for each container to place the task, unless
    the task-level memory gives one. Definitions written for Fargate (task-level sizes) and then reused on
    EC2 without them, or trimmed by hand, hit this. `RegisterTaskDefinition` fails with "Invalid setting for
    container ... At least one of 'memory' or 'memoryReservation' must be specified."

How to fix:
    Add `memoryReservation` (the soft limit used for placement) and, if you want a hard cap, `memory`; or
    set a task-level `memory`.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import present, taskdef_resource

CHECK = Check(
    id="ET153",
    slug="container-memory-missing",
    title="EC2 container has no memory or memoryReservation",
    category="task",
    severity="error",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        if td.is_fargate or present(td.raw, "memory"):
            continue
        resource = taskdef_resource(td)
        for c in td.containers:
            if present(c.raw, "memory") or present(c.raw, "memoryReservation"):
                continue
            yield Hit(
                resource=resource,
                message=(
                    f"Container {c.name} of {td.label} has neither memory nor memoryReservation, and the task "
                    "sets no memory: ECS cannot size it on EC2."
                ),
                cause="invalid-task-definition",
                confidence=0.9,
                evidence=(
                    EvidenceRef(resource, f"{c.pointer}/memory", None, note="not set"),
                    EvidenceRef(resource, "/memory", None, note="not set"),
                ),
                fix=Fix(
                    summary=f"Give {c.name} a memoryReservation (and optionally a memory hard limit).",
                    snippet={"name": c.name, "memoryReservation": 256},
                    snippet_title=f"containerDefinitions[{c.name}] (size it to what the process uses)",
                    docs=(DOCS,),
                    risk="safe",
                ),
                pointer=c.pointer,
                signature="taskdef.container-memory-missing",
            )
