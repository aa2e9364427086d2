"""A container was killed for exceeding its memory limit.

What it detects:
    A stopped task's container has `reason` `OutOfMemoryError: Container killed due to memory usage`, or
    exited with 137 (SIGKILL) when nothing else explains the kill. The check tells an OOM kill apart from
    the two other ways a container gets SIGKILL: a stop requested by a user, a deployment or scale-in
    (`stopCode` UserInitiated / ServiceSchedulerInitiated with `stoppingAt`: the container did not stop
    within `stopTimeout` and was killed) and a load balancer or container health-check kill. A
    non-essential sidecar that exits 137/143 after an essential container exited (any code, 0 included:
    `stopCode` EssentialContainerExited) was killed by the task stop, not by memory. The finding
    shows the memory settings that were hit (task `memory`, container `memory` / `memoryReservation`).

Why it happens:
    The process used more memory than the container's hard limit (`memory`) or, without one, the task's
    memory: a leak, a load spike, a JVM or Node.js heap sized beyond the limit, or a limit set too low.

How to fix:
    Raise the limit that was hit (the fix proposes double, rounded to a valid Fargate combination, and
    the matching cpu when Fargate needs it), or bound the runtime's heap below the limit
    (`-XX:MaxRAMPercentage`, `--max-old-space-size`). Watch `MemoryUtilized` in Container Insights.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
"""

from __future__ import annotations

from typing import Any

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.fargate import DOCS, cpu_units, is_fargate, memory_mib, nearest_pair
from ecs_triage.evidence.infra import name_of, service_of
from ecs_triage.evidence.model import Container, TaskDefinition

CHECK = Check(
    id="ET123",
    slug="oom-killed",
    title="A container was killed for exceeding its memory limit",
    category="task",
    severity="error",
    requires=("tasks", "task_definitions"),
    reads=("services",),
)

REQUESTED_STOPS = ("UserInitiated", "ServiceSchedulerInitiated", "SpotInterruption", "TerminationNotice")


def _killed_by_other(task: Any) -> str | None:
    reason = (task.stopped_reason or "").lower()
    if "elb health check" in reason or "failed elb" in reason:
        return "the load balancer health checks (stoppedReason)"
    if "container health check" in reason:
        return "a failed container health check (stoppedReason)"
    if task.stop_code in REQUESTED_STOPS and task.stopping_at is not None:
        return f"a requested stop ({task.stop_code}): SIGKILL after the stop timeout"
    if task.stop_code in REQUESTED_STOPS:
        return f"a requested stop ({task.stop_code})"
    return None


def _other_exit_first(task: Any, c: Container, td: TaskDefinition | None) -> bool:
    """This container was only killed while the task stopped: another container exited on its own (not 137),
    or, for a non-essential sidecar, an essential container exited (any code, 0 included: a normal end) and
    ECS stopped the task, sending SIGKILL to the sidecar after its stop timeout."""
    if any(o.name != c.name and o.exit_code not in (None, 0, 137, 143) for o in task.containers):
        return True
    cd = td.container(c.name) if td is not None else None
    if task.stop_code != "EssentialContainerExited" or cd is None or cd.essential or c.exit_code not in (137, 143):
        return False
    for o in task.containers:
        other = td.container(o.name) if td is not None else None
        if o.name != c.name and other is not None and other.essential and o.exit_code is not None:
            return True
    return False


def evaluate(ev: Evidence) -> Iterator[Hit]:
    seen: dict[tuple[str, str], list[str]] = {}
    for task in ev.stopped_tasks:
        td = ev.task_definition(task.task_definition_arn)
        for c in task.containers:
            oom_reason = "outofmemory" in (c.reason or "").lower() or "oom" in (c.reason or "").lower().split()
            if not oom_reason and (c.exit_code != 137 or _killed_by_other(task) or _other_exit_first(task, c, td)):
                continue
            key = (task.task_definition_arn, c.name)
            if key in seen:
                seen[key].append(task.arn)
                continue
            seen[key] = [task.arn]
            yield _hit(ev, task, c, td, oom_reason, seen[key])


def _hit(ev: Evidence, task: Any, c: Container, td: TaskDefinition | None, confirmed: bool, tasks: list[str]) -> Hit:
    cd = td.container(c.name) if td else None
    settings = []
    evidence = [
        EvidenceRef(task.arn, f"{c.pointer}/reason", c.reason)
        if c.reason
        else EvidenceRef(
            task.arn, f"{c.pointer}/exitCode", c.exit_code, note="137 = SIGKILL, and no stop was requested"
        )
    ]
    label = td.label if td else task.task_definition_arn
    if td is not None and td.memory:
        settings.append(f"task memory {td.memory} MiB")
        evidence.append(EvidenceRef(label, "/memory", td.memory))
    if cd is not None:
        if cd.memory:
            settings.append(f"container memory (hard limit) {cd.memory} MiB")
            evidence.append(EvidenceRef(label, f"{cd.pointer}/memory", cd.memory))
        if cd.memory_reservation:
            settings.append(f"memoryReservation {cd.memory_reservation} MiB")
    how = "was killed for exceeding its memory limit" if confirmed else "was killed with SIGKILL (exit 137)"
    message = f"Container {c.name} {how}" + (f" ({', '.join(settings)})" if settings else "")
    if not confirmed:
        message += "; no stop was requested and no health check failed, so the kernel OOM killer is the likely cause"
    return Hit(
        resource=task.arn,
        message=message,
        cause="oom-killed",
        confidence=0.95 if confirmed else 0.6,
        evidence=tuple(evidence),
        fix=_fix(ev, task, c.name, td),
        signature="oom.container" if confirmed else "oom.exit-137",
        extra={"tasks": tasks},
    )


def _fix(ev: Evidence, task: Any, container: str, td: TaskDefinition | None) -> Fix | None:
    if td is None:
        return None
    cd = td.container(container)
    patch: dict[str, Any] = {}
    steps = []
    task_mem = memory_mib(td.memory)
    cpu = cpu_units(td.cpu)
    if cd is not None and cd.memory and (task_mem is None or cd.memory < task_mem):
        new_c = cd.memory * 2
        patch["containerDefinitions"] = [{"name": container, "memory": new_c}]
        steps.append(f"Raise the hard limit of container {container} from {cd.memory} to {new_c} MiB.")
        need_task = new_c
    else:
        need_task = (task_mem or 512) * 2
    if task_mem is not None and need_task > task_mem:
        if is_fargate(ev, task=task, td=td):
            size = nearest_pair(cpu, need_task)  # the largest Fargate size when none is that big
            if size[1] > task_mem:
                if size[0] != cpu:
                    patch["cpu"] = str(size[0])
                patch["memory"] = str(size[1])
                steps.append(
                    f"Raise the task memory from {task_mem} to {size[1]} MiB"
                    + (
                        f" (and cpu from {cpu} to {size[0]}: Fargate needs it for that memory)"
                        if size[0] != cpu
                        else ""
                    )
                    + "."
                )
        else:
            patch["memory"] = str(need_task)
            steps.append(f"Raise the task memory from {task_mem} to {need_task} MiB.")
    steps.append(f"Register the new revision of {td.family} and deploy it; or cap the runtime heap below the limit.")
    service = service_of(ev, task)
    commands = [aws_cli("ecs", "describe-task-definition", task_definition=td.label, query="taskDefinition")]
    if service is not None:
        commands.append(
            aws_cli(
                "ecs",
                "update-service",
                cluster=name_of(task.cluster_arn),
                service_=service.name,
                task_definition=td.family,
            )
        )
    return Fix(
        summary=f"Give container {container} of {td.label} more memory",
        steps=tuple(steps),
        commands=tuple(commands),
        snippet=patch or None,
        snippet_title=f"task-definition patch for {td.family}",
        docs=(DOCS,),
        risk="review",
    )
