"""Fargate facts in one place: the valid task sizes (cpu units -> memory MiB), the nearest valid size, the
cpu/memory notation of task definitions, and "does this service or task run on Fargate?". Pure: no I/O.

Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ecs_triage.evidence.model import Evidence, Service, Task, TaskDefinition

# cpu units -> the memory values (MiB) Fargate accepts with it.
SIZES: Mapping[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
VALID_PAIRS: tuple[tuple[int, int], ...] = tuple((c, m) for c, mems in SIZES.items() for m in mems)
DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size"

_UNIT = re.compile(r"^\s*(\d*\.?\d+)\s*([a-z]*)\s*$", re.I)


def is_valid(cpu: int | None, memory: int | None) -> bool:
    """Is (cpu units, memory MiB) a Fargate task size?"""
    return cpu is not None and memory is not None and memory in SIZES.get(cpu, ())


def nearest_pair(cpu: int | None, memory: int | None) -> tuple[int, int]:
    """The smallest valid (cpu, memory) with cpu >= `cpu` and memory >= `memory` (the largest pair if none is)."""
    want_cpu, want_mem = cpu or 0, memory or 0
    fits = [(c, m) for c, m in VALID_PAIRS if c >= want_cpu and m >= want_mem]
    if not fits:
        return VALID_PAIRS[-1]
    return min(fits)


def cpu_units(text: str | None) -> int | None:
    """A task definition's cpu: `"1024"` or `"1 vCPU"` -> 1024; None when unreadable."""
    m = _UNIT.match(text or "")
    if not m:
        return None
    number, unit = float(m.group(1)), m.group(2).lower()
    if unit in ("vcpu", "vcpus"):
        return int(number * 1024)
    return int(number) if unit == "" and number.is_integer() else None


def memory_mib(text: str | None) -> int | None:
    """A task definition's memory: `"2048"` or `"2 GB"` -> 2048; None when unreadable."""
    m = _UNIT.match(text or "")
    if not m:
        return None
    number, unit = float(m.group(1)), m.group(2).lower()
    if unit in ("gb", "gib"):
        return int(number * 1024)
    if unit in ("", "mb", "mib") and number.is_integer():
        return int(number)
    return None


def _fargate_provider(name: object) -> bool:
    return str(name or "").upper() in ("FARGATE", "FARGATE_SPOT")


def is_fargate(
    ev: Evidence | None = None,
    svc: Service | None = None,
    task: Task | None = None,
    td: TaskDefinition | None = None,
) -> bool:
    """Does this task (or service) run on Fargate? The task's launch type or capacity provider, else the
    service's launch type or capacity provider strategy, else a task definition compatible with Fargate only
    (`td`, or the task's / service's definition found in `ev`)."""
    if task is not None:
        if task.launch_type:
            return task.launch_type.upper() == "FARGATE"
        if task.capacity_provider:
            return _fargate_provider(task.capacity_provider)
    if svc is not None:
        if svc.launch_type:
            return svc.launch_type.upper() == "FARGATE"
        providers = [p.get("capacityProvider") for p in svc.capacity_provider_strategy]
        if providers:
            return all(_fargate_provider(p) for p in providers)
    if td is None and ev is not None:
        arn = svc.task_definition_arn if svc is not None else (task.task_definition_arn if task else None)
        td = ev.task_definition(arn)
    return td is not None and td.requires_compatibilities == ("FARGATE",)
