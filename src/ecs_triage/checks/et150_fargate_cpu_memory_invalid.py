"""The task's cpu/memory pair is not a valid Fargate combination.

What it detects:
    A task definition that requires FARGATE whose task-level `cpu` and `memory` are missing or are not
    one of the combinations Fargate supports (8 and 16 vCPU included). Values may be given as CPU units
    and MiB (`"512"`, `"1024"`) or with units (`"0.5 vCPU"`, `"2 GB"`).

    | cpu | memory (MiB) |
    |---|---|
    | 256 (.25 vCPU) | 512, 1024, 2048 |
    | 512 (.5 vCPU) | 1024 to 4096 in 1024 steps |
    | 1024 (1 vCPU) | 2048 to 8192 in 1024 steps |
    | 2048 (2 vCPU) | 4096 to 16384 in 1024 steps |
    | 4096 (4 vCPU) | 8192 to 30720 in 1024 steps |
    | 8192 (8 vCPU) | 16384 to 61440 in 4096 steps |
    | 16384 (16 vCPU) | 32768 to 122880 in 8192 steps |

Why it happens:
    Fargate sizes the micro-VM from the task-level values; EC2 habits (container-level memory only, any
    number) do not carry over. `RegisterTaskDefinition` or `RunTask` then fail with "No Fargate
    configuration exists for given values" or "Fargate requires that 'cpu' be defined at the task level".

How to fix:
    Set task-level `cpu` and `memory` to a supported pair. The fix proposes the smallest valid pair that is
    at least as large as what was asked for.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.fargate import DOCS, SIZES, cpu_units, is_valid, memory_mib, nearest_pair
from ecs_triage.evidence.lintview import taskdef_resource, unknown

CHECK = Check(
    id="ET150",
    slug="fargate-cpu-memory-invalid",
    title="Task cpu/memory is not a valid Fargate combination",
    category="task",
    severity="error",
    requires=("task_definitions",),
    modes=("lint", "diagnose"),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        if not td.is_fargate or unknown(td.raw, "cpu") or unknown(td.raw, "memory"):
            continue
        cpu, memory = cpu_units(td.cpu), memory_mib(td.memory)
        if is_valid(cpu, memory):
            continue
        if td.cpu is None or td.memory is None:
            missing = [k for k, v in (("cpu", td.cpu), ("memory", td.memory)) if v is None]
            problem = f"task-level {' and '.join(missing)} not set (Fargate requires both)"
            pointer = ""
        elif cpu is None or memory is None:
            problem = f"cpu {td.cpu!r} / memory {td.memory!r} cannot be read as CPU units and MiB"
            pointer = "/cpu" if cpu is None else "/memory"
        else:
            problem = f"cpu {cpu} with memory {memory} MiB is not a Fargate combination"
            allowed = SIZES.get(cpu)
            if allowed:
                problem += f" (cpu {cpu} allows {allowed[0]}-{allowed[-1]} MiB)"
            pointer = "/memory" if cpu in SIZES else "/cpu"
        good_cpu, good_mem = nearest_pair(cpu, memory)
        resource = taskdef_resource(td)
        yield Hit(
            resource=resource,
            message=f"Task definition {td.label}: {problem}.",
            cause="fargate-invalid-cpu-memory",
            confidence=0.97,
            evidence=(
                EvidenceRef(resource, "/cpu", td.cpu),
                EvidenceRef(resource, "/memory", td.memory),
                EvidenceRef(resource, "/requiresCompatibilities", list(td.requires_compatibilities)),
            ),
            fix=Fix(
                summary=f"Use a valid Fargate size: cpu {good_cpu} with memory {good_mem} MiB.",
                steps=(
                    f'Set the task-level cpu to "{good_cpu}" and memory to "{good_mem}" in {td.label}.',
                    "Register the new revision and point the service at it.",
                ),
                snippet={"cpu": str(good_cpu), "memory": str(good_mem)},
                snippet_title="task definition (task level)",
                docs=(DOCS,),
                risk="safe",
            ),
            pointer=pointer,
            signature="fargate.invalid-cpu-memory",
        )
