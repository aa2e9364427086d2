"""Small lookups over ECS evidence: names, a task's service, failing services, reservations, exited
containers with their log tails, placement failures from service events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ecs_triage.evidence.infra.logs import LogStream, log_stream_for
from ecs_triage.evidence.model import Container, ContainerDefinition, Evidence, Service, Task, TaskDefinition
from ecs_triage.evidence.parse import as_list, as_map, as_str

# ------------------------------------------------------------------------------------- small lookups


def name_of(arn: str | None) -> str:
    """`arn:aws:ecs:...:cluster/prod` -> `prod`; `.../service/prod/web` -> `web`;
    `.../task-definition/web:9` -> `web:9`; a name stays a name."""
    if not arn:
        return ""
    text = arn.rstrip("/")
    return text.rsplit("/", 1)[-1] if "/" in text else text.rsplit(":", 1)[-1]


def service_of(ev: Evidence, task: Task) -> Service | None:
    name = task.service_name
    return next((s for s in ev.services if s.name == name), None) if name else None


def failing_services(ev: Evidence) -> tuple[Service, ...]:
    """Services with fewer running tasks than desired or a failed/rolling-back deployment."""
    out = []
    for s in ev.services:
        failed = any(d.rollout_state == "FAILED" or d.failed_tasks for d in s.deployments if d.status == "PRIMARY")
        if s.running < s.desired or failed:
            out.append(s)
    return tuple(out)


def stopped_tasks_looked_for(ev: Evidence, svc: Service) -> bool:
    """Did the collection look for this service's stopped tasks? A task target (`diagnose --task`) holds
    that task (and its service) only, and a service target only that service's tasks: the absence of
    stopped tasks then proves nothing about what ECS still holds."""
    if not ev.has("tasks"):
        return False
    target = ev.target or {}
    if target.get("task"):
        return False
    wanted = target.get("service")
    return not wanted or wanted in (svc.name, svc.arn)


def task_memory_mib(td: TaskDefinition) -> int | None:
    """What the scheduler reserves: task-level memory, else the sum of container memory/memoryReservation."""
    if td.memory and td.memory.isdigit():
        return int(td.memory)
    total = 0
    for c in td.containers:
        value = c.memory_reservation or c.memory
        if value is None:
            return None
        total += value
    return total or None


def task_cpu_units(td: TaskDefinition) -> int | None:
    if td.cpu and td.cpu.isdigit():
        return int(td.cpu)
    total = sum(c.cpu or 0 for c in td.containers)
    return total or None


@dataclass(frozen=True)
class Exit:
    """A container of a stopped task that exited non-zero, with its definition and its collected log tail."""

    task: Task
    container: Container
    definition: ContainerDefinition | None
    task_definition: TaskDefinition | None
    service: Service | None
    stream: LogStream | None

    @property
    def lines(self) -> tuple[str, ...]:
        return self.stream.lines if self.stream else ()


@lru_cache(maxsize=64)
def exits(ev: Evidence) -> tuple[Exit, ...]:
    out = []
    for task in ev.stopped_tasks:
        td = ev.task_definition(task.task_definition_arn)
        for c in task.containers:
            if c.exit_code is None or c.exit_code == 0:
                continue
            out.append(
                Exit(
                    task,
                    c,
                    td.container(c.name) if td else None,
                    td,
                    service_of(ev, task),
                    log_stream_for(ev, task, c.name),
                )
            )
    return tuple(out)


def defined_names(cd: ContainerDefinition | None) -> set[str]:
    """Names set in a container's environment or secrets (environment files are opaque: not included)."""
    if cd is None:
        return set()
    return {e.name for e in cd.environment} | {s.name for s in cd.secrets}


def dotted(pointer: str) -> str:
    """`/containerDefinitions/0/environment` -> `containerDefinitions[0].environment`."""
    out = ""
    for part in pointer.strip("/").split("/"):
        if not part:
            continue
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


# ------------------------------------------------------------------------------------------ placement

_PLACE = re.compile(r"unable to place a task", re.I)
_STEADY = re.compile(r"has reached a steady state", re.I)
_PLACEMENT_KINDS = (
    ("insufficient-memory", re.compile(r"insufficient memory|RESOURCE:MEMORY", re.I)),
    ("insufficient-cpu", re.compile(r"insufficient CPU|RESOURCE:CPU", re.I)),
    ("insufficient-ports", re.compile(r"already using a port|RESOURCE:PORTS", re.I)),
    ("insufficient-eni", re.compile(r"RESOURCE:ENI|unable to attach network interface|insufficient ENI", re.I)),
    ("no-container-instances", re.compile(r"no container instances? (?:were|was) found|No Container Instances", re.I)),
    (
        "placement-constraint",
        re.compile(r"memberOf|distinctInstance|placement constraint|constraint unsatisfied|missing attribute", re.I),
    ),
    ("agent-disconnected", re.compile(r"agent connected|agent is not connected|agent disconnected", re.I)),
)


@dataclass(frozen=True)
class PlacementFailure:
    service: Service
    kind: str  # a taxonomy label, or "agent-disconnected"
    message: str
    pointer: str  # /events/N/message in the service payload
    count: int  # how many such events since the last steady state
    instance: str | None  # the "closest matching" container instance named in the event


_CLOSEST = re.compile(r"closest matching \(?container-instance ([^)\s]+)\)?", re.I)


def placement_failures(ev: Evidence) -> tuple[PlacementFailure, ...]:
    """Placement failures in each service's events since its last steady state, newest first, one per kind."""
    out: list[PlacementFailure] = []
    for svc in ev.services:
        found: dict[str, PlacementFailure] = {}
        counts: dict[str, int] = {}
        for i, e in enumerate(svc.events):
            if _STEADY.search(e.message):
                break
            if not _PLACE.search(e.message):
                continue
            for kind, pattern in _PLACEMENT_KINDS:
                if pattern.search(e.message):
                    counts[kind] = counts.get(kind, 0) + 1
                    if kind not in found:
                        m = _CLOSEST.search(e.message)
                        found[kind] = PlacementFailure(
                            svc, kind, e.message, f"/events/{i}/message", 0, m.group(1) if m else None
                        )
                    break
        out.extend(
            PlacementFailure(f.service, f.kind, f.message, f.pointer, counts[k], f.instance) for k, f in found.items()
        )
    return tuple(out)


def asg_of_instance(ev: Evidence, instance_id: str | None) -> str | None:
    """The Auto Scaling group an EC2 instance belongs to (its aws:autoscaling:groupName tag)."""
    for raw in map(as_map, as_list(ev.raw.get("ec2_instances"))):
        if instance_id and raw.get("InstanceId") == instance_id:
            for tag in map(as_map, as_list(raw.get("Tags"))):
                if tag.get("Key") == "aws:autoscaling:groupName":
                    return as_str(tag.get("Value"))
    return None


_NOT_LAUNCHED = re.compile(r"unable to place a task|failed to launch a task|unable to launch a task", re.I)


def launch_failures(svc: Service) -> tuple[tuple[int, str], ...]:
    """Service events since the last steady state saying tasks could not be placed or launched at all
    ((index, message), newest first): such tasks never existed, so there is no stopped task to read."""
    out = []
    for i, e in enumerate(svc.events):
        if _STEADY.search(e.message):
            break
        if _NOT_LAUNCHED.search(e.message):
            out.append((i, e.message))
    return tuple(out)
