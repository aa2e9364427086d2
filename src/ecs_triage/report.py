"""Findings, outcomes and the report: immutable records the renderers read."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ecs_triage import __version__
from ecs_triage.checks._api import EvidenceRef, Severity
from ecs_triage.fixes import Fix

REPORT_SCHEMA = "ecs-triage.report/v1"
SEVERITY_RANK: Mapping[str, int] = {"error": 3, "warning": 2, "info": 1}
FAIL_ON_CHOICES = ("error", "warning", "info", "none")
Status = Literal["failed", "passed", "skipped", "error", "not-applicable"]


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None = None
    column: int | None = None
    pointer: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "pointer": self.pointer}


@dataclass(frozen=True)
class Finding:
    check: str
    slug: str
    title: str
    cause: str
    severity: Severity
    confidence: float
    resource: str
    message: str
    evidence: tuple[EvidenceRef, ...]
    fix: Fix | None
    fingerprint: str
    docs_url: str = ""
    signature: str = ""
    pointer: str = ""
    location: Location | None = None
    related: tuple[Finding, ...] = ()  # symptoms of the same cause, folded under this one
    scope: str = ""  # what the finding belongs to in a multi-target report (scan: the service)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check": self.check,
            "slug": self.slug,
            "title": self.title,
            "cause": self.cause,
            "severity": self.severity,
            "confidence": round(self.confidence, 2),
            "resource": self.resource,
            "message": self.message,
            "evidence": [e.to_dict() for e in self.evidence],
            "fix": self.fix.to_dict() if self.fix else None,
            "fingerprint": self.fingerprint,
            "docs": self.docs_url,
        }
        if self.signature:
            out["signature"] = self.signature
        if self.location is not None:
            out["location"] = self.location.to_dict()
        elif self.pointer:
            out["location"] = {"pointer": self.pointer}
        if self.related:
            out["related"] = [r.to_dict() for r in self.related]
        return out


def fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Outcome:
    check: str
    slug: str
    title: str
    status: Status
    reason: str = ""
    findings: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.check, "slug": self.slug, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        if self.findings:
            out["findings"] = self.findings
        return out


@dataclass(frozen=True)
class Report:
    command: str
    source: str
    target: Mapping[str, Any]
    findings: tuple[Finding, ...]  # most likely root cause first
    outcomes: tuple[Outcome, ...]
    gaps: tuple[Mapping[str, Any], ...] = ()
    notes: tuple[str, ...] = ()
    region: str | None = None
    account: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def root_cause(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> dict[str, Any]:
        by_sev = {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITY_RANK}
        root = self.root_cause
        return {
            "findings": len(self.findings),
            "by_severity": by_sev,
            "root_cause": (
                {
                    "check": root.check,
                    "cause": root.cause,
                    "confidence": round(root.confidence, 2),
                    "message": root.message,
                }
                if root
                else None
            ),
            "checks": {s: self.count(s) for s in ("failed", "passed", "skipped", "error", "not-applicable")},
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "tool": {"name": "ecs-triage", "version": __version__},
            "command": self.command,
            "source": self.source,
            "target": dict(self.target),
            "region": self.region,
            "account": self.account,
            "summary": self.summary(),
            "findings": [f.to_dict() for f in self.findings],
            "outcomes": [o.to_dict() for o in self.outcomes],
            "gaps": [dict(g) for g in self.gaps],
            "notes": list(self.notes),
            **({"extra": dict(self.extra)} if self.extra else {}),
        }


def exit_code_for(findings: tuple[Finding, ...], fail_on: str) -> int:
    """0 when nothing is at or above `fail_on`, else 1."""
    if fail_on == "none":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] >= threshold for f in findings) else 0
