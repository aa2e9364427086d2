"""No container instance has the free memory, CPU, ports or ENI slots the task needs.

What it detects:
    Service events since the last steady state say `was unable to place a task because no container
    instance met all of its requirements` with `insufficient memory` / `insufficient CPU units` /
    `already using a port` / `RESOURCE:MEMORY|CPU|PORTS|ENI`. The check confirms it against each
    container instance's remaining resources: the largest free memory (or CPU) on any ACTIVE instance with
    a connected agent versus what the task reserves, and which instances still hold the static host port.

Why it happens:
    The cluster is full: the task's reservation (task `memory`/`cpu`, or the sum of the containers'
    `memory`/`memoryReservation`/`cpu`) is larger than what is left on every instance, a deployment needs
    room for new tasks beside the old ones, static host ports allow one task per instance, or the
    instance type has no free ENI attachment slot for another awsvpc task.

How to fix:
    Add capacity (scale the Auto Scaling group or let a capacity provider with managed scaling do it),
    lower the task's reservation (task-level `memory`/`cpu` when set, together with any container hard
    limit above it; else the containers' `memoryReservation` and `memory` together, in proportion, since
    RegisterTaskDefinition rejects a task limit below a container's), use dynamic host ports, enable ENI trunking (`awsvpcTrunking`) for
    awsvpc tasks on EC2, or lower the service's `minimumHealthyPercent` so old tasks stop first.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-eni.html
"""

from __future__ import annotations

from typing import Any

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.infra import (
    PlacementFailure,
    asg_of_instance,
    name_of,
    placement_failures,
    task_cpu_units,
    task_memory_mib,
)
from ecs_triage.evidence.model import ContainerInstance, TaskDefinition

CHECK = Check(
    id="ET200",
    slug="placement-resources",
    title="No container instance has the free memory, CPU, ports or ENIs the task needs",
    category="service",
    severity="error",
    requires=("services",),
    reads=("task_definitions", "container_instances", "ec2_instances"),
)

_RESOURCE = {"insufficient-memory": ("MEMORY", "memory", "MiB"), "insufficient-cpu": ("CPU", "CPU", "units")}


def _usable(ev: Evidence) -> list[ContainerInstance]:
    return [ci for ci in ev.container_instances if ci.status == "ACTIVE" and ci.agent_connected]


def _label(ci: ContainerInstance) -> str:
    return ci.ec2_instance_id or name_of(ci.arn)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for pf in placement_failures(ev):
        if pf.kind not in ("insufficient-memory", "insufficient-cpu", "insufficient-ports", "insufficient-eni"):
            continue
        yield _hit(ev, pf)


def _hit(ev: Evidence, pf: PlacementFailure) -> Hit:
    svc = pf.service
    td = ev.task_definition(svc.task_definition_arn)
    evidence = [EvidenceRef(svc.arn, pf.pointer, pf.message)]
    confidence = 0.8
    detail = ""
    times = f" ({pf.count} such events since the last steady state)" if pf.count > 1 else ""
    instances = _usable(ev) if ev.has("container_instances") else []
    best: ContainerInstance | None = None
    need: int | None = None
    if pf.kind in _RESOURCE and td is not None and instances:
        key, word, unit = _RESOURCE[pf.kind]
        need = task_memory_mib(td) if key == "MEMORY" else task_cpu_units(td)
        best = max(instances, key=lambda ci: ci.remaining.get(key) or 0)
        free = best.remaining.get(key) or 0
        evidence.append(EvidenceRef(best.arn, "/remainingResources", {key: free}, note="the most free on any instance"))
        if need is not None and free < need:
            detail = f"; the largest free {word} is {free} {unit} on {_label(best)}, the task needs {need}"
            confidence = 0.95
        elif need is not None:
            detail = (
                f"; now {_label(best)} has {free} {unit} free for the {need} the task needs: "
                "capacity was freed or added since"
            )
            confidence = 0.5
    elif pf.kind == "insufficient-ports" and td is not None and instances:
        host_mode = td.network_mode == "host"
        static = sorted(
            {
                port
                for c in td.containers
                for p in c.port_mappings
                for port in [p.container_port if host_mode else p.host_port]
                if port
            }
        )
        fits = [ci for ci in instances if all(str(p) not in map(str, ci.remaining.get("PORTS") or ()) for p in static)]
        if static:
            holding = [
                ci for ci in instances if any(str(p) in map(str, ci.remaining.get("PORTS") or ()) for p in static)
            ]
            if holding and len(holding) == len(instances):
                detail = f"; host port {', '.join(map(str, static))} is in use on every instance ({len(instances)})"
                confidence = 0.95
                evidence.append(
                    EvidenceRef(holding[0].arn, "/remainingResources", {"PORTS": holding[0].remaining.get("PORTS")})
                )
            elif fits:
                detail = f"; the task needs static host port {', '.join(map(str, static))}"
    elif pf.kind == "insufficient-eni":
        detail = "; awsvpc tasks on EC2 each need an ENI attachment slot, and the instances have none left"
        confidence = 0.9
    message = f"Service {svc.name} cannot place tasks: {pf.kind.replace('-', ' ')}{detail}{times}"
    return Hit(
        resource=svc.arn,
        message=message,
        cause=pf.kind,
        confidence=confidence,
        evidence=tuple(evidence),
        fix=_fix(ev, pf, best, need, len(instances)),
        signature=f"placement.{pf.kind}",
    )


def _fix(ev: Evidence, pf: PlacementFailure, best: ContainerInstance | None, need: int | None, count: int) -> Fix:
    svc = pf.service
    cluster = name_of(svc.cluster_arn)
    td = ev.task_definition(svc.task_definition_arn)
    family = td.family if td else name_of(svc.task_definition_arn)
    steps: list[str] = []
    commands: list[str] = []
    snippet: Any = None
    asg = asg_of_instance(ev, best.ec2_instance_id if best else None) or next(
        (
            asg_of_instance(ev, ci.ec2_instance_id)
            for ci in ev.container_instances
            if asg_of_instance(ev, ci.ec2_instance_id)
        ),
        None,
    )
    providers = [str(p.get("capacityProvider")) for p in svc.capacity_provider_strategy if p.get("capacityProvider")]
    if asg:
        steps.append(f"Add an instance to the Auto Scaling group {asg} (or let its capacity provider scale it).")
        commands.append(
            aws_cli("autoscaling", "set-desired-capacity", auto_scaling_group_name=asg, desired_capacity=count + 1)
        )
    elif providers:
        steps.append(
            f"Check the managed scaling of capacity provider {providers[0]} and raise its Auto Scaling group's maximum."
        )
        commands.append(aws_cli("ecs", "describe-capacity-providers", capacity_providers=providers[0]))
    else:
        steps.append(
            f"Add container instances to cluster {cluster} (scale the Auto Scaling group that launches them; "
            "the instances carry no aws:autoscaling:groupName tag in the evidence)."
        )
    if pf.kind in _RESOURCE and best is not None and need is not None and td is not None:
        key, _, unit = _RESOURCE[pf.kind]
        free = best.remaining.get(key) or 0
        if 0 < free < need:
            snippet, what = _shrink(td, "memory" if key == "MEMORY" else "cpu", free, need)
            if snippet:
                steps.append(
                    f"Or lower {what} in {family} to fit the {free} {unit} free on {_label(best)}, "
                    "if the application can live with that."
                )
                steps.append(f"Register the new revision of {family}, then point the service at it.")
                if not asg:
                    commands.append(
                        aws_cli("ecs", "update-service", cluster=cluster, service_=svc.name, task_definition=family)
                    )
    elif pf.kind == "insufficient-ports":
        steps.append(f"Or use dynamic host ports (hostPort 0) in {family} so several tasks fit on one instance.")
    elif pf.kind == "insufficient-eni":
        steps.append("Or enable ENI trunking (awsvpcTrunking) and use an instance type that supports it.")
        commands.append(aws_cli("ecs", "put-account-setting", name="awsvpcTrunking", value="enabled"))
    steps.append(f"Or lower minimumHealthyPercent of service {svc.name} so old tasks stop before new ones start.")
    return Fix(
        summary=f"Give cluster {cluster} room for another {family} task",
        steps=tuple(steps),
        commands=tuple(commands),
        snippet=snippet,
        snippet_title=f"task-definition patch for {family}" if snippet else "",
        risk="review",
    )


def _shrink(td: TaskDefinition, field: str, free: int, need: int) -> tuple[dict[str, Any] | None, str]:
    """A task-definition patch that brings the reservation of `field` (memory | cpu) down to `free`.

    Task-level `memory`/`cpu` caps every container, so it moves together with any container hard limit
    above it; without a task-level value the scheduler reserves each container's `memoryReservation`
    (else `memory`) or `cpu`, so those are scaled down in proportion, the hard limit never below the
    reservation."""
    task_value = td.memory if field == "memory" else td.cpu
    patch: dict[str, Any] = {}
    containers: list[dict[str, Any]] = []
    if task_value and task_value.isdigit():
        patch[field] = str(free)
        for c in td.containers:
            limit = c.memory if field == "memory" else c.cpu
            entry: dict[str, Any] = {"name": c.name}
            if limit is not None and limit > free:
                entry["memory" if field == "memory" else "cpu"] = free
            if field == "memory" and c.memory_reservation is not None and c.memory_reservation > free:
                entry["memoryReservation"] = min(c.memory_reservation, free)
            if len(entry) > 1:
                containers.append(entry)
        what = f"the task {field} from {task_value}"
    else:
        for c in td.containers:
            if field == "cpu":
                if c.cpu:
                    containers.append({"name": c.name, "cpu": max(c.cpu * free // need, 1)})
                continue
            reserved = c.memory_reservation or c.memory
            if not reserved:
                continue
            share = max(reserved * free // need, 6)  # Docker's minimum is 6 MiB
            entry = {"name": c.name}
            if c.memory_reservation is not None:
                entry["memoryReservation"] = share
            if c.memory is not None:
                # a hard limit above the new reservation would let the container use memory the scheduler
                # no longer reserves for it: keep the two consistent
                entry["memory"] = share
            containers.append(entry)
        names = ", ".join(f"{c['name']}" for c in containers)
        what = (
            f"the memoryReservation (and memory hard limit) of container {names}"
            if field == "memory"
            else f"the cpu of container {names}"
        )
    if containers:
        patch["containerDefinitions"] = containers
    return (patch or None), what
