"""The service's deployment is failing or was rolled back by the circuit breaker.

What it detects:
    The primary deployment has `rolloutState` FAILED, a `rolloutStateReason` such as `ECS deployment
    circuit breaker: tasks failed to start`, `failedTasks` above zero, or the service events say
    `deployment failed`, `rolling back` or `unable to consistently start tasks successfully`. The
    finding carries the cause its stopped tasks reveal (their stop reasons and container reasons, read
    with the catalog), else the cause the service events since the last steady state name (e.g. targets
    unhealthy in a target group); when neither says, `unknown`, as a warning. It is always a symptom
    (`root=False`): it folds under the finding of the same cause.

Why it happens:
    A failing deployment is a symptom: every new task stops for the same underlying reason (image,
    secrets, logs, application exit, health checks ...). The circuit breaker, when enabled, stops the
    deployment after repeated failures and, with `rollback`, returns to the last completed deployment.
    This finding is folded under the finding that proves the underlying cause.

How to fix:
    Fix the underlying cause (the root finding of this report), then deploy again with
    `aws ecs update-service --force-new-deployment`. Enable the deployment circuit breaker with rollback
    if it is off, so a bad revision does not keep replacing tasks forever.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.infra import (
    clip,
    log_stream_for,
    missing_variables,
    name_of,
    stopped_tasks_looked_for,
    unreachable_endpoints,
)
from ecs_triage.evidence.model import Task

try:
    from ecs_triage.knowledge import classify  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - only while the catalog is missing
    classify = None  # type: ignore[assignment]

CHECK = Check(
    id="ET210",
    slug="deployment-failing",
    title="The service's deployment is failing or was rolled back",
    category="service",
    severity="error",
    requires=("services",),
    reads=("tasks", "log_events"),
)

_FAILED_EVENT = re.compile(
    r"deployment failed|rolling back|unable to consistently start tasks|circuit breaker|deployment .* failed", re.I
)
_STEADY = re.compile(r"has reached a steady state", re.I)
_PORT_IN_USE = re.compile(r"address already in use|EADDRINUSE|port is already allocated", re.I)
_IGNORED = {"unknown", "user-or-deployment-stop"}


def _from_logs(ev: Evidence, task: Task) -> tuple[str, EvidenceRef] | None:
    """The cause an exited container's log tail names (what ET120/ET121 read), with the line."""
    for c in task.containers:
        if c.exit_code in (None, 0):
            continue
        stream = log_stream_for(ev, task, c.name)
        if stream is None:
            continue
        missing = missing_variables(stream.lines)
        if missing:
            event = stream.events[missing[0][1]]
            return "app-exit-missing-config", EvidenceRef(stream.resource, event.pointer, event.message)
        for event in stream.events:
            if _PORT_IN_USE.search(event.message):
                return "port-conflict", EvidenceRef(stream.resource, event.pointer, event.message)
        unreachable = unreachable_endpoints(stream.lines)
        if unreachable:
            event = stream.events[unreachable[-1].line]
            return "app-exit-dependency-unreachable", EvidenceRef(stream.resource, event.pointer, event.message)
    return None


def _underlying(ev: Evidence, service_name: str, td_arn: str) -> tuple[str, float, list[EvidenceRef]]:
    counts: Counter[str] = Counter()
    refs: dict[str, list[EvidenceRef]] = {}
    conf: dict[str, float] = {}
    if classify is None:
        return "unknown", 0.0, []
    for t in ev.stopped_tasks:
        if t.service_name != service_name or (td_arn and t.task_definition_arn != td_arn):
            continue
        texts = [(f"{c.pointer}/reason", c.reason, "container_reason", c.exit_code) for c in t.containers]
        texts.append(("/stoppedReason", t.stopped_reason, "stopped_reason", None))
        best = None
        for pointer, text, kind, code in texts:
            if not text and code in (None, 0):
                continue
            m = classify(text or "", kind=kind, exit_code=code)
            if m.cause in _IGNORED:
                continue
            if best is None or m.confidence > best[1].confidence:
                best = (pointer, m, text if text else code)
        logged = _from_logs(ev, t)
        if logged is not None and (best is None or best[1].confidence < 0.5):
            cause, ref = logged
            counts[cause] += 1
            conf[cause] = max(conf.get(cause, 0.0), 0.8)
            refs.setdefault(cause, []).append(ref)
        elif best is not None:
            pointer, m, value = best
            counts[m.cause] += 1
            conf[m.cause] = max(conf.get(m.cause, 0.0), float(m.confidence))
            refs.setdefault(m.cause, []).append(EvidenceRef(t.arn, pointer, value))
    if not counts:
        return "unknown", 0.0, []
    cause, _ = counts.most_common(1)[0]
    return cause, conf[cause], refs[cause][:3]


def _from_events(svc: Any) -> tuple[str, float, list[EvidenceRef]]:
    """With no stopped task to read (a task target, or ECS forgot them): the cause the service events since
    the last steady state name (e.g. `(port 8080) is unhealthy in (target-group ...)`)."""
    if classify is None:
        return "unknown", 0.0, []
    for j, e in enumerate(svc.events):
        if _STEADY.search(e.message):
            break
        m = classify(e.message, kind="service_event")
        if m.cause not in _IGNORED and m.confidence >= 0.5:
            return m.cause, min(float(m.confidence), 0.6), [EvidenceRef(svc.arn, f"/events/{j}/message", e.message)]
    return "unknown", 0.0, []


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for svc in ev.services:
        primary = next((d for d in svc.deployments if d.status == "PRIMARY"), None)
        evidence: list[EvidenceRef] = []
        why = []
        if primary is not None:
            i = svc.deployments.index(primary)
            if primary.rollout_state == "FAILED":
                why.append(f"rolloutState FAILED ({primary.rollout_state_reason or 'no reason given'})")
                evidence.append(
                    EvidenceRef(svc.arn, f"/deployments/{i}/rolloutStateReason", primary.rollout_state_reason)
                )
            if primary.failed_tasks:
                why.append(f"{primary.failed_tasks} failed tasks")
                evidence.append(EvidenceRef(svc.arn, f"/deployments/{i}/failedTasks", primary.failed_tasks))
        for j, e in enumerate(svc.events):
            if _STEADY.search(e.message):
                break
            if _FAILED_EVENT.search(e.message):
                why.append(f"event: {clip(e.message, 200).rstrip('.')}")
                evidence.append(EvidenceRef(svc.arn, f"/events/{j}/message", e.message))
                break
        if not why:
            continue
        td_arn = primary.task_definition_arn if primary else svc.task_definition_arn
        cause, confidence, refs = _underlying(ev, svc.name, td_arn)
        if cause == "unknown":
            cause, confidence, refs = _from_events(svc)
        cluster = name_of(svc.cluster_arn)
        if cause == "unknown" and not stopped_tasks_looked_for(ev, svc):
            tail = (
                "; this diagnosis did not read the service's stopped tasks (see the other findings, or diagnose "
                f"--service {svc.name})"
            )
        elif cause == "unknown":
            tail = "; no stopped task remains to say why (see the other findings)"
        elif refs and refs[0].pointer.startswith("/events/"):
            tail = f"; no stopped task in the evidence, but its events point to {cause}"
        else:
            tail = f"; its stopped tasks point to {cause}"
        breaker = svc.circuit_breaker or {}
        steps = [
            "Fix the underlying cause (the root finding of this report).",
            f"Deploy again: the command below starts a new deployment of service {svc.name}.",
        ]
        commands = [aws_cli("ecs", "update-service", cluster=cluster, service_=svc.name, force_new_deployment=True)]
        if not breaker.get("enable"):
            steps.append("Enable the deployment circuit breaker with rollback so a bad revision stops replacing tasks.")
            commands.append(
                aws_cli(
                    "ecs",
                    "update-service",
                    cluster=cluster,
                    service_=svc.name,
                    deployment_configuration="deploymentCircuitBreaker={enable=true,rollback=true}",
                )
            )
        yield Hit(
            resource=svc.arn,
            message=f"Deployment of service {svc.name} is failing: {'; '.join(why)}{tail}",
            cause=cause,
            confidence=min(confidence, 0.7) if cause != "unknown" else 0.3,
            evidence=tuple(evidence + refs),
            fix=Fix(
                summary=f"Fix the cause, then redeploy {svc.name}",
                steps=tuple(steps),
                commands=tuple(commands),
                docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html",),
                risk="review",
            ),
            signature="deployment.failing",
            # a symptom: folds under the root cause of the same label; with no cause of its own it is no error
            severity="warning" if cause == "unknown" else None,
            root=False,
        )
