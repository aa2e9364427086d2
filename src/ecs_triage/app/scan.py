"""scan: every service of one or more clusters, collected once, diagnosed per service, failing ones ranked."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ecs_triage.app.diagnose import diagnose_snapshot
from ecs_triage.evidence.infra import clip
from ecs_triage.evidence.parse import as_int, as_time
from ecs_triage.report import SEVERITY_RANK, Finding, Report

SCAN_SCHEMA = "ecs-triage.scan/v1"
# Stop codes that are not failures on their own.
_BENIGN_STOP_CODES = {"UserInitiated", "ServiceSchedulerInitiated", "SpotInterruption", "TerminationNotice"}


@dataclass(frozen=True)
class ServiceRow:
    cluster: str
    service: str
    region: str | None
    status: str  # failing | degraded | incomplete
    desired: int
    running: int
    pending: int
    failed_tasks: int
    report: Report
    missing_permissions: tuple[str, ...] = ()

    @property
    def top(self) -> Finding | None:
        return self.report.root_cause

    def to_dict(self) -> dict[str, Any]:
        top = self.top
        return {
            "cluster": self.cluster,
            "service": self.service,
            "region": self.region,
            "status": self.status,
            "desired": self.desired,
            "running": self.running,
            "pending": self.pending,
            "failed_tasks": self.failed_tasks,
            "cause": top.cause if top else "unknown",
            "summary": clip(top.message, 140) if top else "",
            "fix": clip(top.fix.summary, 200) if top and top.fix else "",
            "missing_permissions": list(self.missing_permissions),
            "findings": [f.to_dict() for f in self.report.findings],
        }


@dataclass(frozen=True)
class ScanReport:
    rows: tuple[ServiceRow, ...]
    healthy: tuple[str, ...]
    clusters: tuple[str, ...]
    regions: tuple[str, ...]
    gaps: tuple[Mapping[str, Any], ...] = ()
    notes: tuple[str, ...] = ()
    calls: Mapping[str, int] = field(default_factory=dict)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.rows for f in r.report.findings)

    def to_dict(self) -> dict[str, Any]:
        from ecs_triage import __version__

        return {
            "schema": SCAN_SCHEMA,
            "tool": {"name": "ecs-triage", "version": __version__},
            "clusters": list(self.clusters),
            "regions": list(self.regions),
            "summary": {
                "services": len(self.rows) + len(self.healthy),
                "unhealthy": len(self.rows),
                "healthy": len(self.healthy),
            },
            "services": [r.to_dict() for r in self.rows],
            "healthy": list(self.healthy),
            "gaps": [dict(g) for g in self.gaps],
            "notes": list(self.notes),
            "calls": dict(self.calls),
        }


def _in_window(task: Mapping[str, Any], collected: datetime | None, since_seconds: int) -> bool:
    """A stopped task counts only when it stopped within the window (unknown times count)."""
    if task.get("lastStatus") != "STOPPED":
        return True
    stopped = as_time(task.get("stoppedAt"))
    return not (collected and stopped and collected - stopped > timedelta(seconds=since_seconds))


def windowed(view: Mapping[str, Any], since_seconds: int) -> dict[str, Any]:
    """The view without the stopped tasks older than the window: they are history, not today's failure."""
    collected = as_time(view.get("collected_at"))
    data = dict(view.get("data", {}))
    if "tasks" in data:
        data["tasks"] = [t for t in data["tasks"] if _in_window(t, collected, since_seconds)]
    return {**view, "data": data}


def _failed_tasks(view: Mapping[str, Any]) -> int:
    count = 0
    for task in view.get("data", {}).get("tasks", []) or []:
        if task.get("lastStatus") != "STOPPED" or task.get("stopCode") in _BENIGN_STOP_CODES:
            continue
        reason = str(task.get("stoppedReason") or "")
        if task.get("stopCode") is None and reason.startswith(("Scaling activity", "Task stopped by user")):
            continue
        count += 1
    return count


def _row(view: Mapping[str, Any], since_seconds: int) -> ServiceRow | None:
    view = windowed(view, since_seconds)
    services = view.get("data", {}).get("services", []) or []
    svc = services[0] if services else {}
    report = diagnose_snapshot(view, command="scan", scope=str(svc.get("serviceName", "")))
    desired, running = as_int(svc.get("desiredCount")) or 0, as_int(svc.get("runningCount")) or 0
    failed = _failed_tasks(view)
    rollout_failed = any(d.get("rolloutState") == "FAILED" for d in svc.get("deployments", []) or [])
    errors = [f for f in report.findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK["error"]]
    missing = tuple(sorted({str(g.get("action")) for g in view.get("gaps", []) or [] if g.get("services")}))
    if missing:
        status = "incomplete"
    elif running < desired or rollout_failed or (failed and errors):
        status = "failing"
    elif errors or failed:
        status = "degraded"
    else:
        return None
    return ServiceRow(
        cluster=str(view.get("target", {}).get("cluster", "")),
        service=str(svc.get("serviceName", "")),
        region=view.get("region"),
        status=status,
        desired=desired,
        running=running,
        pending=as_int(svc.get("pendingCount")) or 0,
        failed_tasks=failed,
        report=report,
        missing_permissions=missing,
    )


_STATUS_ORDER = {"failing": 0, "incomplete": 1, "degraded": 2}


def service_views(snapshot: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(service name, its view) for every service of a cluster snapshot: its services, tasks and task
    definitions, the gaps that concern it, shared kinds whole. Built from one index of tasks instead of a pass
    over the whole snapshot per service (200 services x 2,000 tasks made that quadratic)."""
    data = snapshot.get("data", {}) or {}
    services = data.get("services", []) or []
    tasks_by_group: dict[Any, list[Any]] = {}
    for task in data.get("tasks", []) or []:
        tasks_by_group.setdefault(task.get("group"), []).append(task)
    services_by_name: dict[Any, list[Any]] = {}
    for svc in services:
        services_by_name.setdefault(svc.get("serviceName"), []).append(svc)
    gaps = snapshot.get("gaps", []) or []
    for svc in services:
        name = str(svc.get("serviceName", ""))
        view = dict(snapshot)
        own = dict(data)
        mine = services_by_name.get(name, [])
        own["services"] = list(mine)
        group_tasks = tasks_by_group.get(f"service:{name}", [])
        if "tasks" in data:
            own["tasks"] = list(group_tasks)
        if "task_definitions" in data:
            wanted = {s.get("taskDefinition", "") for s in mine}
            wanted.update(d.get("taskDefinition", "") for s in mine for d in s.get("deployments", []) or [])
            wanted.update(t.get("taskDefinitionArn", "") for t in group_tasks)
            wanted.discard("")
            own["task_definitions"] = [td for td in data["task_definitions"] if td.get("taskDefinitionArn") in wanted]
        view["data"] = own
        # A gap that names the services it leaves incomplete belongs to those; others concern every service.
        view["gaps"] = [g for g in gaps if name in (g.get("services") or (name,))]
        target = dict(snapshot.get("target", {}) or {})
        target["service"] = name
        view["target"] = target
        yield name, view


def scan_snapshots(snapshots: Sequence[Mapping[str, Any]], since_seconds: int = 3600) -> ScanReport:
    rows: list[ServiceRow] = []
    healthy: list[str] = []
    calls: dict[str, int] = {}
    gaps: list[Mapping[str, Any]] = []
    for snap in snapshots:
        for op, n in (snap.get("calls") or {}).items():
            calls[op] = calls.get(op, 0) + int(n)
        gaps.extend(g for g in snap.get("gaps", []) or [] if not g.get("services"))
        for name, view in service_views(snap):
            row = _row(view, since_seconds)
            if row is None:
                healthy.append(f"{snap.get('target', {}).get('cluster', '')}/{name}")
            else:
                rows.append(row)
    rows.sort(key=lambda r: (_STATUS_ORDER[r.status], -(r.desired - r.running), -r.failed_tasks, r.cluster, r.service))
    notes: list[str] = [] if snapshots else ["no clusters found"]
    for snap in snapshots:
        if "services" in snap.get("data", {}) and not snap["data"]["services"]:
            notes.append(f"cluster {snap.get('target', {}).get('cluster', '')} has no services")
    return ScanReport(
        rows=tuple(rows),
        healthy=tuple(sorted(healthy)),
        clusters=tuple(sorted({str(s.get("target", {}).get("cluster", "")) for s in snapshots})),
        regions=tuple(sorted({str(s.get("region")) for s in snapshots if s.get("region")})),
        gaps=tuple(gaps),
        notes=tuple(notes),
        calls=calls,
    )


def scan_clusters(
    clusters: list[str] | None,
    *,
    all_clusters: bool = False,
    regions: list[str] | None = None,
    since_seconds: int = 3600,
    profile: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScanReport:
    from ecs_triage.collect import collect_cluster

    snaps: list[dict[str, Any]] = []
    notes: list[str] = []
    targets: list[str | None] = list(clusters) if clusters else [None]
    for cluster in targets:
        got = collect_cluster(
            cluster=cluster,
            all_clusters=all_clusters,
            regions=regions,
            since_seconds=since_seconds,
            profile=profile,
            progress=progress,
        )
        snaps.extend(got)
        if cluster and regions and len(regions) > 1:
            found_in = {s.get("region") for s in got}
            notes.extend(f"cluster {cluster} not found in {r}" for r in regions if r not in found_in)
    scan = scan_snapshots(snaps, since_seconds)
    return replace(scan, notes=scan.notes + tuple(notes)) if notes else scan


def render_scan(scan: ScanReport, fmt: str, *, color: bool | None = None, width: int | None = None) -> str:
    if fmt == "json":
        return json.dumps(scan.to_dict(), indent=2, default=str)
    if fmt == "md":
        return _markdown(scan)
    if fmt == "sarif":
        from ecs_triage.render.sarif import render_sarif

        merged = Report(
            command="scan", source="live", target={"clusters": list(scan.clusters)}, findings=scan.findings, outcomes=()
        )
        return render_sarif(merged)
    return _text(scan, color=color, width=width)


def _cells(row: ServiceRow) -> list[str]:
    top = row.top
    cause = top.cause if top else "unknown"
    if row.status == "incomplete":
        cause = "incomplete: missing permission " + ", ".join(row.missing_permissions)
    summary = clip(top.message, 140) if top else ""
    fix = clip(top.fix.summary, 100) if top and top.fix else ""
    return [
        f"{row.cluster}/{row.service}",
        row.status,
        f"{row.running}/{row.desired} ({row.pending} pending)",
        str(row.failed_tasks),
        cause,
        summary,
        fix,
    ]


def _text(scan: ScanReport, *, color: bool | None, width: int | None) -> str:
    import io
    import os

    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    no_color = color is False or (color is None and bool(os.environ.get("NO_COLOR")))
    console = Console(
        file=buf,
        force_terminal=bool(color),
        no_color=no_color,
        width=width or 160,
        emoji=False,
        markup=False,
        highlight=False,
    )
    table = Table(title=f"ecs-triage scan: {', '.join(scan.clusters) or 'no clusters'}", show_lines=True)
    for header in ("service", "status", "running/desired", "failed", "cause", "why", "fix"):
        table.add_column(header, overflow="fold")
    for row in scan.rows:
        table.add_row(*_cells(row))
    if scan.rows:
        console.print(table)
    else:
        console.print("No unhealthy service found.")
    console.print(f"{len(scan.healthy)} healthy service(s); {len(scan.rows)} need attention.")
    for gap in scan.gaps:
        console.print(f"gap: {gap.get('error_code')} on {gap.get('action')} {gap.get('resource', '')}".rstrip())
    for note in scan.notes:
        console.print(f"note: {note}")
    return buf.getvalue().rstrip()


def _markdown(scan: ScanReport) -> str:
    lines = [
        f"# ecs-triage scan: {', '.join(scan.clusters) or 'no clusters'}",
        "",
        "| service | status | running/desired | failed | cause | why | fix |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in scan.rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in _cells(row)) + " |")
    lines += ["", f"{len(scan.healthy)} healthy service(s)."]
    return "\n".join(lines) + "\n"
