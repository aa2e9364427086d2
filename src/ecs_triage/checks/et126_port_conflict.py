"""A container could not bind its host port: the port is already allocated.

What it detects:
    A stopped task's container `reason`, the task's `stoppedReason` or the container's log tail says
    `port is already allocated`, `address already in use` or `EADDRINUSE`, and the task definition
    confirms why: a static `hostPort` in `bridge` mode, or `host` network mode (where the container port
    is the host port), so two tasks (or a task and another process) on one instance want the same port.
    In `awsvpc` mode it confirms two containers of the task mapping the same port. The port is read from
    the bind error itself (`0.0.0.0:8080`, `:::3000`, Go's `listen tcp :8080`), preferring one the
    container maps, never from a timestamp (`13:10:01`); the finding and the fix name it. The ECS scheduler
    never places a task where another task's declared host port is taken, so when no running task on the
    failed task's instance maps that port (or the service's tasks with it are fewer than the instances),
    the finding says a process outside ECS holds the port and the fix starts with finding it.

Why it happens:
    A static host port allows one task per instance. A deployment starts the new task before the old
    one stops, a second task is placed on the same instance, or a process outside ECS holds the port.

How to fix:
    In `bridge` mode use dynamic host ports (`hostPort` 0 or absent) and let the load balancer target
    group register the chosen port. In `host` mode switch to `awsvpc` (each task gets its own ENI) or to
    `bridge` with dynamic ports. Otherwise add a `distinctInstance` placement constraint and enough
    instances, or lower `minimumHealthyPercent` so old tasks stop first.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_portmappings
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/networking-networkmode.html
"""

from __future__ import annotations

import re
from typing import Any

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.infra import clip, log_stream_for, name_of, service_of
from ecs_triage.evidence.model import PortMapping

CHECK = Check(
    id="ET126",
    slug="port-conflict",
    title="A container could not bind its host port: the port is already allocated",
    category="task",
    severity="error",
    requires=("tasks", "task_definitions"),
    reads=("services", "log_events", "container_instances"),
)

_CONFLICT = re.compile(r"port is already allocated|address already in use|EADDRINUSE|bind: address in use", re.I)
_PORTS = (
    # an address before the port: 0.0.0.0:8080, [::]:8080, :::3000, *:80, localhost:80, 10.0.1.5:8080
    re.compile(r"(?:0\.0\.0\.0|\[::\]|::|\*|localhost|127\.0\.0\.1|\d{1,3}(?:\.\d{1,3}){3}):(\d{2,5})\b(?!:\d)"),
    # Go's empty host: "listen tcp :8080: bind" (never the minutes of a 13:10:01 clock: no digit before the colon)
    re.compile(r"(?<![\w:.]):(\d{2,5})\b(?![:.]\d)"),
    re.compile(r"\bport (\d{2,5})\b", re.I),
)


def _port(text: str, known: set[int] | None = None) -> int | None:
    """The port a bind error names. With `known` (the task definition's ports), a candidate that is one of
    them wins over the first one found; numbers inside a timestamp are never candidates."""
    found = [int(m.group(1)) for pattern in _PORTS for m in pattern.finditer(text)]
    found = [p for p in found if 0 < p < 65536]
    if known:
        for p in found:
            if p in known:
                return p
    return found[0] if found else None


def _conflict_text(ev: Evidence, task: Any) -> tuple[str, str, str, str] | None:
    """(resource, pointer, text, container name) of the first message that reports the conflict."""
    for c in task.containers:
        if c.reason and _CONFLICT.search(c.reason):
            return task.arn, f"{c.pointer}/reason", c.reason, c.name
    if task.stopped_reason and _CONFLICT.search(task.stopped_reason):
        name = next((c.name for c in task.containers if c.exit_code not in (None, 0)), "")
        return task.arn, "/stoppedReason", task.stopped_reason, name
    if ev.has("log_events"):
        for c in task.containers:
            stream = log_stream_for(ev, task, c.name)
            for e in stream.events if stream else ():
                if _CONFLICT.search(e.message):
                    assert stream is not None
                    return stream.resource, e.pointer, e.message, c.name
    return None


def evaluate(ev: Evidence) -> Iterator[Hit]:
    seen: set[tuple[str, str]] = set()
    for task in ev.stopped_tasks:
        found = _conflict_text(ev, task)
        td = ev.task_definition(task.task_definition_arn)
        if found is None or td is None:
            continue
        resource, pointer, text, cname = found
        mode = td.network_mode or "bridge"
        cd = td.container(cname) or next((c for c in td.containers if c.essential), None)
        if cd is None or (td.arn, cd.name) in seen:
            continue
        known = {p for pm_ in cd.port_mappings for p in (pm_.host_port, pm_.container_port) if p}
        port = _port(text, known)
        mappings = [p for p in cd.port_mappings if port is None or port in (p.host_port, p.container_port)]
        evidence = [EvidenceRef(resource, pointer, text), EvidenceRef(td.label, "/networkMode", td.network_mode)]
        pm: PortMapping | None
        outside: str | None = None
        if mode == "bridge":
            static = [p for p in mappings if p.host_port not in (None, 0)]
            if not static:
                continue
            pm = static[0]
            outside = _outside_holder(ev, task, pm.host_port)
            why = f"bridge mode with the static hostPort {pm.host_port}" + (
                f": {outside}" if outside else ": one such task fits per instance"
            )
        elif mode == "host":
            pm = mappings[0] if mappings else None
            shown = pm.container_port if pm else port
            outside = _outside_holder(ev, task, shown)
            why = f"host network mode binds container port {shown} on the instance itself" + (
                f": {outside}" if outside else ": one such task fits per instance"
            )
        elif mode == "awsvpc":
            ports = [p.container_port for c in td.containers for p in c.port_mappings]
            dup = sorted({p for p in ports if p is not None and ports.count(p) > 1})
            if not dup:
                continue
            pm = next(p for p in cd.port_mappings if p.container_port in dup) if cd.port_mappings else None
            why = f"two containers of the task map port {dup[0]} in awsvpc mode (they share one network namespace)"
        else:
            continue
        if pm is not None:
            evidence.append(
                EvidenceRef(td.label, pm.pointer, {"containerPort": pm.container_port, "hostPort": pm.host_port})
            )
        seen.add((td.arn, cd.name))
        ci = _instance_of(ev, task)
        if outside and ci is not None:
            evidence.append(
                EvidenceRef(ci.arn, "/remainingResources", {"PORTS": list(ci.remaining.get("PORTS") or ())})
            )
        yield Hit(
            resource=task.arn,
            message=f"Container {cd.name} could not bind its port ({clip(text, 160)}): {why}",
            cause="port-conflict",
            confidence=0.9,
            evidence=tuple(evidence),
            fix=_fix(
                ev,
                task,
                td.family,
                td.label,
                cd.name,
                mode,
                pm.container_port if pm else port,
                pm.host_port if pm else port,
                [p.container_port for c in td.containers for p in c.port_mappings if p.container_port],
                outside=bool(outside),
            ),
            pointer=pm.pointer if pm else "/networkMode",
            signature="port.already-allocated",
        )


def _instance_of(ev: Evidence, task: Any) -> Any:
    return next((ci for ci in ev.container_instances if ci.arn == task.container_instance_arn), None)


def _maps_host_port(td: Any, port: int) -> bool:
    host = (td.network_mode or "bridge") == "host"
    return any((p.container_port if host else p.host_port) == port for c in td.containers for p in c.port_mappings)


def _outside_holder(ev: Evidence, task: Any, port: int | None) -> str | None:
    """Why a process outside ECS must hold `port`: the ECS scheduler never places a task where its declared host
    port is taken by another task, so a bind failure there means something ECS does not track holds it. Said
    when the instance ran no other task mapping that port, or the service's tasks with that port are fewer
    than the instances (they cannot all be the holders)."""
    if port is None or not ev.has("tasks"):
        return None
    instances = [ci for ci in ev.container_instances if ci.status == "ACTIVE"]
    running = [
        t
        for t in ev.tasks
        if t.last_status == "RUNNING"
        and (td := ev.task_definition(t.task_definition_arn))
        and _maps_host_port(td, port)
    ]
    ci = _instance_of(ev, task)
    where = (ci.ec2_instance_id or name_of(ci.arn)) if ci is not None else "the instance"
    on_same = [t for t in running if ci is not None and t.container_instance_arn == ci.arn]
    if ci is not None and not on_same:
        return (
            f"no ECS task on {where} maps port {port}, so a process outside ECS on the instance holds it (an agent "
            "or exporter installed on the AMI, or a container started outside ECS)"
        )
    if instances and len(running) < len(instances) and not on_same:
        n = len(running)
        return (
            f"only {n} running task{'' if n == 1 else 's'} map{'s' if n == 1 else ''} port {port} on "
            f"{_n(len(instances), 'instance')}, so a process outside ECS on the instance holds it"
        )
    return None


def _fix(
    ev: Evidence,
    task: Any,
    family: str,
    label: str,
    container: str,
    mode: str,
    port: int | None,
    host_port: int | None,
    used: list[int],
    outside: bool = False,
) -> Fix:
    service = service_of(ev, task)
    commands = []
    shown = f"port {port}" if port else "its port"
    if mode == "bridge":
        snippet: dict[str, Any] = {
            "containerDefinitions": [
                {"name": container, "portMappings": [{"containerPort": port, "hostPort": 0, "protocol": "tcp"}]}
            ]
        }
        summary = f"Use a dynamic host port for container {container} (hostPort 0 instead of {host_port}) in {family}"
        steps = [
            f"Set hostPort to 0 (not {host_port}) for containerPort {port} of container {container} and register "
            "a new revision.",
            *(
                [
                    f"A process outside ECS holds {host_port} on the instance (`sudo ss -ltnp 'sport = :{host_port}'`): "
                    "a dynamic port avoids it."
                ]
                if outside
                else []
            ),
            "Keep the load balancer target group on target type `instance`: ECS registers the chosen port.",
            "Allow the instances' security group to receive the ephemeral range (32768-65535) from the load balancer.",
        ]
    elif mode == "host":
        snippet = {"networkMode": "awsvpc"}
        summary = (
            f"Free {shown} on the instances (a process outside ECS holds it), or move {family} from host network "
            "mode to awsvpc"
            if outside
            else f"Move {family} from host network mode to awsvpc (or bridge with dynamic ports): in host mode "
            f"container {container} binds {shown} on the instance itself"
        )
        steps = [
            f"Set networkMode to awsvpc and register a new revision; give the service a networkConfiguration. "
            f"Each task then gets its own network interface, and {shown} no longer collides on the instance.",
            "If the service has a target group, it must use target type `ip` for awsvpc.",
        ]
        if port and outside:
            steps.insert(
                0,
                f"Find the process that holds {shown} on the instance (`sudo ss -ltnp 'sport = :{port}'`) and stop "
                f"it or move it to another port in the AMI or user data; or move {family} off {shown}, as below.",
            )
        elif port:
            steps.append(f"Or find what else holds {shown} on the instance: `sudo ss -ltnp 'sport = :{port}'`.")
    else:
        free = next((p for p in range((port or 8080) + 1, 65536) if p not in used), None)
        snippet = {"containerDefinitions": [{"name": container, "portMappings": [{"containerPort": free}]}]}
        summary = f"Give each container of {family} its own port ({shown} is mapped twice)"
        steps = [
            f"Change container {container} from {shown} to {free} (unused in {family}) and make it listen there; "
            "containers of an awsvpc task share one network namespace."
        ]
    if service is not None:
        commands.append(
            aws_cli(
                "ecs",
                "update-service",
                cluster=name_of(task.cluster_arn),
                service_=service.name,
                task_definition=family,
            )
        )
    return Fix(
        summary=summary,
        steps=tuple(steps),
        commands=tuple(commands),
        snippet=snippet,
        snippet_title=f"task-definition patch for {label}",
        docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/networking-networkmode.html",),
        risk="review",
    )


def _n(count: int, noun: str) -> str:
    """`1 task`, `2 tasks`."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
