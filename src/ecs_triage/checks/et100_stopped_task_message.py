"""A stopped task or a service event names a known failure.

What it detects:
    Reads what ECS wrote when tasks stopped or could not start: each stopped task's `stopCode` and
    `stoppedReason`, each container's `reason` and `exitCode`, and the service's recent events. Each text
    is classified with the ecs-triage message catalog (the same reader as `ecs-triage explain`); service
    events count only since the service last reached a steady state. One
    finding per distinct message signature and container, with the number of tasks that showed it.

Why it happens:
    This is the catalog fallback. The message says what ECS saw, not always why: a
    `CannotPullContainerError ... 403` can be a role, a repository policy or a cross-account pull. The
    finding is a symptom: when another check confirms the same cause with evidence (the role really
    lacks the action, the subnet really has no route) it is folded under that finding; when nothing
    confirms it, it stands as the best explanation, with the catalog's confidence. Normal stops (a
    deployment, scale-in, a user) are not reported.

How to fix:
    Follow the fix printed with the finding: it is the catalog's fix for that signature, filled with the
    cluster, service, task definition, container, image and roles from the evidence. When the message
    alone cannot decide, the finding lists the evidence that would (collect it with
    `ecs-triage diagnose` rather than from a pasted message).

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.infra import (
    clip,
    error_lines,
    log_stream_for,
    missing_variables,
    name_of,
    network,
    service_of,
    unreachable_endpoints,
)
from ecs_triage.evidence.model import Service, Task
from ecs_triage.evidence.refs import parse_image, parse_value_from

try:  # the catalog is a separate piece; without it this check has nothing to read with
    from ecs_triage.knowledge import classify  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - only while the catalog is missing
    classify = None  # type: ignore[assignment]

CHECK = Check(
    id="ET100",
    slug="stopped-task-message",
    title="A stopped task or service event reports a known failure",
    category="task",
    severity="error",
    requires=("tasks",),
    reads=("task_definitions", "services", "subnets", "log_events"),
)

_STEADY = re.compile(r"has reached a steady state", re.I)
NORMAL = {"user-or-deployment-stop"}
MAX_EVENTS = 20


@dataclass
class _Group:
    match: Any
    resource: str
    container: str
    kind: str
    text: str
    evidence: list[EvidenceRef] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)


def _values(ev: Evidence, task: Task | None, service: Service | None, container: str) -> dict[str, Any]:
    td = ev.task_definition(task.task_definition_arn if task else service.task_definition_arn if service else None)
    cd = td.container(container) if td and container else None
    if td and cd is None and td.containers:
        cd = next((c for c in td.containers if c.essential), td.containers[0])
    cluster = name_of(task.cluster_arn if task else service.cluster_arn if service else ev.target.get("cluster"))
    values: dict[str, Any] = {
        "cluster": cluster,
        "service": service.name if service else (task.service_name if task else None),
        "task": task.id if task else None,
        "task_arn": task.arn if task else None,
        "region": ev.region,
        "account": ev.account,
    }
    if td is not None:
        values.update(
            task_definition=td.label,
            task_definition_arn=td.arn,
            family=td.family,
            execution_role_arn=td.execution_role_arn,
            execution_role=name_of(td.execution_role_arn),
            task_role_arn=td.task_role_arn,
            task_role=name_of(td.task_role_arn),
            cpu=td.cpu,
            memory=td.memory,
        )
        values.update(
            execution_role_name=name_of(td.execution_role_arn),
            role_name=name_of(td.execution_role_arn),
            account_id=ev.account,
            cpu_architecture=str((td.runtime_platform or {}).get("cpuArchitecture") or "X86_64"),
        )
        for volume in td.raw.get("volumes") or []:
            efs = volume.get("efsVolumeConfiguration") if isinstance(volume, dict) else None
            if isinstance(efs, dict) and efs.get("fileSystemId"):
                values.setdefault("file_system_id", efs["fileSystemId"])
    if service is not None and service.network is not None:
        values.update(
            subnet_id=service.network.subnets[0] if service.network.subnets else None,
            security_group_id=service.network.security_groups[0] if service.network.security_groups else None,
        )
    if task is not None and task.subnet_id:
        values["subnet_id"] = task.subnet_id
    subnet = network(ev).subnets.get(str(values.get("subnet_id"))) if values.get("subnet_id") else None
    if subnet is not None:
        values["vpc_id"] = subnet.vpc_id
    if service is not None and service.load_balancers:
        values["target_group_arn"] = service.load_balancers[0].target_group_arn
    if task is not None and task.container_instance_arn:
        values["container_instance"] = name_of(task.container_instance_arn)
    if cd is not None:
        values.update(container=cd.name, image=cd.image)
        image = parse_image(cd.image)
        if image is not None and image.is_ecr:
            values.update(repository=image.repository, tag=image.tag)
        secret = next(
            (r.value_from for r in cd.secrets if parse_value_from(r.value_from).service == "secretsmanager"), None
        )
        if secret:
            values["secret_arn"] = secret
        if cd.port_mappings and cd.port_mappings[0].container_port:
            values["port"] = cd.port_mappings[0].container_port
        log = cd.log_configuration
        if log is not None and log.options.get("awslogs-group"):
            values["log_group"] = log.options.get("awslogs-group")
            prefix = log.options.get("awslogs-stream-prefix")
            if prefix and task is not None:
                values["log_stream"] = f"{prefix}/{cd.name}/{task.id}"
    return {k: v for k, v in values.items() if v not in (None, "")}


def _render(match: Any, values: Mapping[str, Any]) -> Fix | None:
    if match.fix is None:
        return None
    merged = {**values, **{k: v for k, v in dict(match.captures).items() if v not in (None, "")}}
    try:
        fix: Fix = match.fix.render(**merged)
    except (TypeError, KeyError, ValueError):
        return None
    return fix


_LOG_MARKERS = ("exec format error", "address already in use", "eaddrinuse", "executable file not found")


def _log_explains(ev: Evidence, task: Task, container: str) -> bool:
    """The container's log tail holds what the application-exit checks read (a missing variable, an
    unreachable dependency, an error line, an exec or port failure)."""
    stream = log_stream_for(ev, task, container)
    if stream is None:
        return False
    lines = stream.lines
    if missing_variables(lines) or unreachable_endpoints(lines) or error_lines(lines):
        return True
    return any(marker in line.lower() for line in lines for marker in _LOG_MARKERS)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    if classify is None:
        return
    groups: dict[tuple[str, str], _Group] = {}

    def add(
        text: str | None,
        kind: str,
        resource: str,
        pointer: str,
        container: str,
        task: Task | None,
        service: Service | None,
        exit_code: int | None = None,
        floor: float | None = None,
    ) -> float | None:
        if not text and exit_code is None:
            return None
        m = classify(text or "", kind=kind, exit_code=exit_code)
        if not m.signature or m.cause in NORMAL or m.cause == "unknown":
            return None
        if floor is not None and m.confidence <= floor:
            return None  # a generic task-level wrapper of what a container already said more precisely
        key = (m.signature, container)
        g = groups.get(key)
        if g is None:
            g = groups[key] = _Group(m, resource, container, kind, text or f"exit code {exit_code}")
            g.values = _values(ev, task, service, container)
            g.values.update({k: v for k, v in dict(m.captures).items() if v not in (None, "")})
        if task is not None and task.arn not in g.tasks:
            g.tasks.append(task.arn)
        if len(g.evidence) < 3:
            g.evidence.append(EvidenceRef(resource, pointer, text if text else exit_code))
            if exit_code is not None and text:
                g.evidence.append(EvidenceRef(resource, pointer.rsplit("/", 1)[0] + "/exitCode", exit_code))
        return float(m.confidence)

    for task in ev.stopped_tasks:
        service = service_of(ev, task)
        # container reasons first: they name the container; the task reason often repeats them
        # An exit code alone is a consequence when the task's stop reason already names a specific cause
        # (a health-check kill, a requested stop) or when the container's log tail explains it (ET120-ET126).
        stop = classify(task.stopped_reason, kind="stopped_reason") if task.stopped_reason else None
        stop_explains = stop is not None and bool(stop.signature) and stop.confidence >= 0.5
        best: float | None = None
        logged = False
        for c in task.containers:
            if not c.reason and c.exit_code in (None, 0):
                continue
            if not c.reason and _log_explains(ev, task, c.name):
                logged = True
                continue
            if not c.reason and stop_explains:
                continue
            conf = add(
                c.reason, "container_reason", task.arn, f"{c.pointer}/reason", c.name, task, service, c.exit_code
            )
            if conf is not None:
                best = max(best or 0.0, conf)
        if task.stopped_reason and not (logged and not stop_explains):
            add(task.stopped_reason, "stopped_reason", task.arn, "/stoppedReason", "", task, service, floor=best)
    for service in ev.services:
        for i, event in enumerate(service.events[:MAX_EVENTS]):
            if _STEADY.search(event.message):
                break  # older events describe a state the service has since recovered from
            add(event.message, "service_event", service.arn, f"/events/{i}/message", "", None, service)

    for g in groups.values():
        m = g.match
        n = len(g.tasks)
        where = f" in container {g.container}" if g.container else ""
        count = f" ({n} stopped task{'s' if n != 1 else ''})" if n else ""
        message = f"{m.summary}{where}{count}: {clip(g.text)}"
        if m.decide:
            message += (" " if message.endswith((".", "…", "!", "?")) else ". ") + "To decide: " + "; ".join(m.decide)
        yield Hit(
            resource=g.resource,
            message=message,
            cause=m.cause,
            confidence=float(m.confidence),
            evidence=tuple(g.evidence),
            fix=_render(m, g.values),
            signature=m.signature + (f"@{g.container}" if g.container else ""),
            root=False,
            extra={"tasks": list(g.tasks), "kind": g.kind},
        )
