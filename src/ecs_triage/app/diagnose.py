"""diagnose: collect (or load) a snapshot, then the one offline path: parse -> checks -> rank -> report."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from ecs_triage import engine, registry
from ecs_triage.errors import InputError
from ecs_triage.evidence import parse
from ecs_triage.report import Report


def diagnose_snapshot(
    snapshot: Mapping[str, Any], *, command: str = "diagnose", scope: str = "", origin: str | None = None
) -> Report:
    """Run every diagnose check over a (schema-checked) snapshot and build the ranked report.

    `origin` is the file a saved snapshot was read from: the report then says it is offline, and a
    snapshot that holds nothing to diagnose is an input error rather than a clean bill of health."""
    data = snapshot.get("data", {}) or {}
    if origin is not None and not any(data.get(k) for k in ("services", "tasks", "task_definitions")):
        raise InputError(f"{origin}: the snapshot holds no service, task or task definition to diagnose")
    ev = parse.parse_snapshot(snapshot)
    found, outcomes = engine.evaluate(ev, registry.for_mode("diagnose"), scope=scope)
    findings = engine.rank(found)
    notes: list[str] = []
    if origin is not None:
        when = snapshot.get("collected_at") or "an unknown time"
        notes.append(f"Offline diagnosis of snapshot {origin}, collected at {when}.")
    if ev.has("tasks") and not ev.stopped_tasks and any(s.running < s.desired for s in ev.services):
        notes.append(
            "No stopped task is left to read: ECS keeps stopped tasks for about an hour. "
            "The diagnosis uses the service events, running tasks and configuration."
        )
    extra = {"calls": snapshot["calls"]} if isinstance(snapshot.get("calls"), dict) else {}
    return Report(
        command=command,
        source="snapshot" if origin is not None else str(snapshot.get("source") or "snapshot"),
        target=dict(snapshot.get("target", {}) or {}),
        findings=findings,
        outcomes=tuple(outcomes),
        gaps=tuple(copy.deepcopy(snapshot.get("gaps", []) or [])),
        notes=tuple(notes),
        region=snapshot.get("region"),
        account=snapshot.get("account"),
        extra=extra,
    )


def diagnose_service(
    cluster: str,
    service: str | None = None,
    task: str | None = None,
    *,
    profile: str | None = None,
    region: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Report, dict[str, Any]]:
    """Live mode: collect a snapshot of the target, then take the offline path."""
    from ecs_triage.collect import collect_target

    snap = collect_target(
        cluster=cluster, service=service, task=task, profile=profile, region=region, progress=progress
    )
    return diagnose_snapshot(snap), snap
