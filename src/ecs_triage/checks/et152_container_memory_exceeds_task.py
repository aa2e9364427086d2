"""Container memory settings do not fit in the task's memory.

What it detects:
    With task-level `memory` set: a container `memory` (hard limit) or `memoryReservation` above the task
    memory, the sum of the containers' hard limits above the task memory, and in any task definition a
    container whose `memoryReservation` is above its own `memory`. Values may be `"2 GB"`-style.

Why it happens:
    Sidecars (log routers, proxies, agents) are added with their own limits and nobody re-adds the total;
    or the task size is reduced and the container limits stay. ECS rejects the registration ("The sum of
    all container memory ... must not exceed the task memory"), or containers get killed early.

How to fix:
    Raise the task memory (on Fargate, to a valid cpu/memory pair) or lower the container limits so that
    every limit, and the sum of hard limits, fits. The fix gives the numbers.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size
"""

from __future__ import annotations

import re

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import taskdef_resource, unknown

CHECK = Check(
    id="ET152",
    slug="container-memory-exceeds-task",
    title="Container memory limits exceed the task memory",
    category="task",
    severity="error",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size"
_MEM = re.compile(r"^\s*(\d*\.?\d+)\s*(gb|gib|mb|mib)?\s*$", re.I)


def _mib(text: str | None) -> int | None:
    m = _MEM.match(text or "")
    if not m:
        return None
    value = float(m.group(1))
    return int(value * 1024) if (m.group(2) or "").lower() in ("gb", "gib") else int(value)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        resource = taskdef_resource(td)
        task_mem = None if unknown(td.raw, "memory") else _mib(td.memory)
        for c in td.containers:
            if c.memory is not None and c.memory_reservation is not None and c.memory_reservation > c.memory:
                yield Hit(
                    resource=resource,
                    message=(
                        f"Container {c.name}: memoryReservation {c.memory_reservation} MiB is above its memory "
                        f"limit {c.memory} MiB."
                    ),
                    cause="invalid-task-definition",
                    confidence=0.95,
                    evidence=(
                        EvidenceRef(resource, f"{c.pointer}/memory", c.memory),
                        EvidenceRef(resource, f"{c.pointer}/memoryReservation", c.memory_reservation),
                    ),
                    fix=Fix(
                        summary=f"Make memoryReservation at most memory for {c.name}.",
                        snippet={"name": c.name, "memory": c.memory, "memoryReservation": c.memory},
                        snippet_title=f"containerDefinitions[{c.name}]",
                        docs=(DOCS,),
                        risk="safe",
                    ),
                    pointer=f"{c.pointer}/memoryReservation",
                    signature="taskdef.reservation-above-limit",
                )
            if task_mem is None:
                continue
            for field, value in (("memory", c.memory), ("memoryReservation", c.memory_reservation)):
                if value is not None and value > task_mem:
                    yield Hit(
                        resource=resource,
                        message=(
                            f"Container {c.name}: {field} {value} MiB is above the task memory {task_mem} MiB "
                            f"of {td.label}."
                        ),
                        cause="invalid-task-definition",
                        confidence=0.95,
                        evidence=(
                            EvidenceRef(resource, f"{c.pointer}/{field}", value),
                            EvidenceRef(resource, "/memory", td.memory),
                        ),
                        fix=Fix(
                            summary=f"Lower {c.name} {field} to at most {task_mem} MiB, or raise the task memory.",
                            snippet={"name": c.name, field: task_mem},
                            snippet_title=f"containerDefinitions[{c.name}]",
                            docs=(DOCS,),
                            risk="review",
                        ),
                        pointer=f"{c.pointer}/{field}",
                        signature="taskdef.container-memory-above-task",
                    )
                    break
        if task_mem is None:
            continue
        limits = [(c, c.memory) for c in td.containers if c.memory is not None]
        total = sum(v for _, v in limits)
        if len(limits) > 1 and total > task_mem and all(v <= task_mem for _, v in limits):
            parts = ", ".join(f"{c.name} {v}" for c, v in limits)
            yield Hit(
                resource=resource,
                message=(
                    f"Task definition {td.label}: the containers' hard memory limits add up to {total} MiB "
                    f"({parts}), above the task memory {task_mem} MiB."
                ),
                cause="invalid-task-definition",
                confidence=0.9,
                evidence=(
                    EvidenceRef(resource, "/memory", td.memory),
                    *(EvidenceRef(resource, f"{c.pointer}/memory", v) for c, v in limits),
                ),
                fix=Fix(
                    summary=f"Raise the task memory to at least {total} MiB or lower the container limits.",
                    steps=(
                        f"Either set the task memory to {total} MiB or more (on Fargate: a valid cpu/memory pair),",
                        "or use memoryReservation (a soft limit) for the sidecars instead of memory.",
                    ),
                    snippet={"memory": str(total)},
                    snippet_title="task definition (task level)",
                    docs=(DOCS,),
                    risk="review",
                ),
                pointer="/memory",
                signature="taskdef.container-memory-sum",
            )
