"""Runs checks over evidence, turns hits into findings, ranks them root cause first, folds symptoms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ecs_triage.checks._api import Hit
from ecs_triage.evidence.model import Evidence
from ecs_triage.registry import RegisteredCheck
from ecs_triage.report import SEVERITY_RANK, Finding, Outcome, fingerprint


def _skip_reason(check: RegisteredCheck, ev: Evidence) -> tuple[str, str] | None:
    """('skipped', reason) when a required kind is a gap, ('not-applicable', reason) when never looked at."""
    for kind in check.meta.requires:
        gaps = ev.gaps_for(kind)
        if gaps and not ev.has(kind):
            return "skipped", "skipped: missing permission " + ", ".join(sorted({g.action for g in gaps}))
    missing = [k for k in check.meta.requires if not ev.has(k)]
    if missing:
        return "not-applicable", f"no {', '.join(missing)} evidence in this input"
    return None


def to_finding(check: RegisteredCheck, hit: Hit, scope: str = "") -> Finding:
    return Finding(
        check=check.meta.id,
        slug=check.meta.slug,
        title=check.meta.title,
        cause=hit.cause,
        severity=hit.severity or check.meta.severity,
        confidence=max(0.0, min(1.0, hit.confidence)),
        resource=hit.resource,
        message=hit.message,
        evidence=hit.evidence,
        fix=hit.fix,
        fingerprint=fingerprint(check.meta.id, hit.resource, hit.cause, hit.pointer, hit.signature),
        docs_url=check.docs_url,
        signature=hit.signature,
        pointer=hit.pointer,
        scope=scope,
    )


def evaluate(
    ev: Evidence, checks: Iterable[RegisteredCheck], scope: str = ""
) -> tuple[list[tuple[Finding, bool]], list[Outcome]]:
    """Run every check. Returns (findings with their `root` flag, outcomes). A crashing check is an
    `error` outcome, never a silent pass; a check whose inputs are gaps is `skipped` with the reason."""
    findings: list[tuple[Finding, bool]] = []
    outcomes: list[Outcome] = []
    for check in checks:
        meta = check.meta
        skip = _skip_reason(check, ev)
        if skip is not None:
            outcomes.append(Outcome(meta.id, meta.slug, meta.title, skip[0], skip[1]))  # type: ignore[arg-type]
            continue
        try:
            hits = list(check.evaluate(ev))
        except Exception as exc:  # a check bug must show, not pass
            outcomes.append(
                Outcome(meta.id, meta.slug, meta.title, "error", f"check crashed: {type(exc).__name__}: {exc}")
            )
            continue
        partial = [g for k in (*meta.requires, *meta.reads) for g in ev.gaps_for(k)]
        if hits:
            outcomes.append(Outcome(meta.id, meta.slug, meta.title, "failed", findings=len(hits)))
        elif partial:
            reason = "skipped: missing permission " + ", ".join(sorted({g.action for g in partial}))
            outcomes.append(Outcome(meta.id, meta.slug, meta.title, "skipped", reason))
        else:
            outcomes.append(Outcome(meta.id, meta.slug, meta.title, "passed"))
        findings.extend((to_finding(check, h, scope), h.root) for h in hits)
    return findings, outcomes


def _rank_key(item: tuple[Finding, bool]) -> tuple[int, int, float, str, str]:
    f, root = item
    return (0 if root else 1, -SEVERITY_RANK[f.severity], -f.confidence, f.check, f.resource)


def rank(findings: list[tuple[Finding, bool]], fold: bool = True) -> tuple[Finding, ...]:
    """Most likely root cause first. With `fold`, later findings with the same cause (and symptoms whose
    cause has a root finding) are folded under the first finding of that cause instead of listed as rivals."""
    ordered = sorted(findings, key=_rank_key)
    if not fold:
        return tuple(f for f, _ in ordered)
    heads: dict[tuple[str, str], int] = {}
    out: list[Finding] = []
    related: dict[int, list[Finding]] = {}
    for f, _root in ordered:
        key = (f.scope, f.cause)
        if f.cause != "unknown" and key in heads:
            related.setdefault(heads[key], []).append(f)
            continue
        heads[key] = len(out)
        out.append(f)
    return tuple(replace(f, related=tuple(related.get(i, ()))) if i in related else f for i, f in enumerate(out))
