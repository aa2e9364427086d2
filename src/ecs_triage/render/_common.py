"""Small helpers the renderers share: value formatting, target summaries, footer facts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ecs_triage.checks._api import EvidenceRef
from ecs_triage.report import Finding, Outcome, Report

STATUS_ORDER = ("failed", "passed", "skipped", "not-applicable", "error")


def fmt_value(value: Any) -> str:
    """An evidence value as one line: strings quoted (JSON style), other values as compact JSON."""
    try:
        return json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))
    except (TypeError, ValueError):  # pragma: no cover - default=str makes this rare
        return repr(value)


def evidence_line(ref: EvidenceRef) -> str:
    """`resource pointer = value`, with the pointer in dotted form (`containers[0].reason`)."""
    dotted = ref.dotted()
    left = f"{ref.resource} {dotted}" if dotted else ref.resource
    return f"{left} = {fmt_value(ref.value)}"


def pct(confidence: float) -> str:
    return f"{round(confidence * 100):d}%"


def target_text(target: Mapping[str, Any]) -> str:
    parts = []
    for key, value in target.items():
        if value is None or value == "" or value == [] or value == ():
            continue
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key}={value}")
    return " ".join(parts) or "-"


def location_text(f: Finding) -> str:
    """`file:line[:col]` for lint findings (with the JSON pointer when known), else ""."""
    loc = f.location
    if loc is None:
        return ""
    out = loc.file
    if loc.line is not None:
        out += f":{loc.line}"
        if loc.column is not None:
            out += f":{loc.column}"
    return out


def pointer_text(f: Finding) -> str:
    if f.location is not None and f.location.pointer:
        return f.location.pointer
    return f.pointer


def outcome_line(o: Outcome) -> str:
    """`ET601 skipped: missing permission logs:DescribeLogGroups`; the engine's reasons may already
    start with the status word, which is not repeated."""
    reason = o.reason.strip()
    status = o.status
    if reason.lower().startswith(status + ":") or reason.lower().startswith(status + " "):
        return f"{o.check} {reason}"
    if reason:
        return f"{o.check} {status}: {reason}"
    return f"{o.check} {status}"


def gap_line(gap: Mapping[str, Any]) -> str:
    """One evidence gap: `logs:GetLogEvents on /ecs/web: AccessDeniedException (kind log_events)`."""
    action = gap.get("action") or ":".join(str(x) for x in (gap.get("service"), gap.get("operation")) if x)
    out = str(action or gap.get("kind") or "unknown call")
    if gap.get("resource"):
        out += f" on {gap['resource']}"
    err = gap.get("error_code") or gap.get("message")
    if err:
        out += f": {err}"
    if gap.get("kind"):
        out += f" (evidence: {gap['kind']})"
    return out


def counts_text(report: Report) -> str:
    labels = {"not-applicable": "not applicable"}
    parts = []
    for status in STATUS_ORDER:
        n = report.count(status)
        if n or status == "passed":
            label = labels.get(status, status)
            if status == "error":
                label = "error" if n == 1 else "errors"
            parts.append(f"{n} {label}")
    return ", ".join(parts)


def all_findings(report: Report) -> list[Finding]:
    """Every finding including the folded ones, root cause first."""
    out: list[Finding] = []
    for f in report.findings:
        out.append(f)
        out.extend(f.related)
    return out


def snippet_text(snippet: Any) -> str:
    return json.dumps(snippet, indent=2, ensure_ascii=False, default=str)
