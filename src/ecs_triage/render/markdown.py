"""Markdown for tickets and pull-request comments (GitHub-flavoured): a heading, the root cause with an
evidence table and the fix (commands in ```bash fences, snippet in ```json), the other findings as a
table, then a footer with the checks that passed, were skipped or crashed, the gaps and the notes."""

from __future__ import annotations

from ecs_triage.render._common import (
    all_findings,
    counts_text,
    fmt_value,
    gap_line,
    location_text,
    outcome_line,
    pct,
    pointer_text,
    snippet_text,
    target_text,
)
from ecs_triage.report import Finding, Report

SEVERITY_BADGE = {"error": "🔴 error", "warning": "🟠 warning", "info": "🔵 info"}


def cell(text: object) -> str:
    """Text safe inside a table cell: pipes escaped, newlines as <br>."""
    return str(text).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def esc(text: object) -> str:
    """Plain text made inert: `<name>` placeholders stay visible (not eaten as HTML tags), `*` and `_`
    runs do not turn into emphasis, and a leading `#` does not make a heading."""
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = s.replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")
    return "\\" + s if s.startswith("#") else s


def code(text: object) -> str:
    """An inline code span that survives backticks in the text."""
    s = str(text)
    if not s:
        return ""
    fence = "`"
    while fence in s:
        fence += "`"
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _fence(lang: str, body: str) -> list[str]:
    fence = "```"
    while fence in body:
        fence += "`"
    return [f"{fence}{lang}", body, fence]


def render_markdown(report: Report) -> str:
    lines: list[str] = []
    everything = all_findings(report)
    title = f"ecs-triage {report.command}: {target_text(report.target)}"
    lines.append(f"## {title}")
    lines.append("")
    meta = [f"**Source:** {report.source}"]
    if report.region:
        meta.append(f"**Region:** {code(report.region)}")
    if report.account:
        meta.append(f"**Account:** {code(report.account)}")
    if everything:
        meta.append(f"**Findings:** {len(everything)}")
    lines.append(" · ".join(meta))
    lines.append("")
    if report.findings:
        lines.extend(_root_cause(report.findings[0]))
        if len(report.findings) > 1:
            lines.extend(_others(report.findings[1:]))
    else:
        lines.extend(_clean(report))
    lines.extend(_footer(report))
    return "\n".join(lines).rstrip("\n")


def _location(f: Finding) -> str:
    loc = location_text(f)
    ptr = pointer_text(f)
    if loc and ptr:
        return f"{code(loc)} ({code(ptr)})"
    return code(loc)


def _root_cause(f: Finding) -> list[str]:
    out = [f"### Root cause: {esc(f.title)}", ""]
    facts = [
        f"- **Check:** {code(f.check)} {code(f.slug)}",
        f"- **Cause:** {code(f.cause)} · **Confidence:** {pct(f.confidence)} · **Severity:** {f.severity}",
        f"- **Resource:** {code(f.resource)}",
    ]
    if f.location is not None:
        facts.append(f"- **Location:** {_location(f)}")
    if f.scope:
        facts.append(f"- **Scope:** {code(f.scope)}")
    out.extend(facts)
    out.extend(["", esc(f.message), ""])
    if f.evidence:
        out.extend(["#### Evidence", "", "| Resource | Pointer | Value | Note |", "|---|---|---|---|"])
        for ref in f.evidence:
            out.append(
                f"| {cell(code(ref.resource))} | {cell(code(ref.dotted()))} | {cell(code(fmt_value(ref.value)))} "
                f"| {cell(ref.note)} |"
            )
        out.append("")
    out.append("#### Fix")
    out.append("")
    if f.fix is None:
        out.extend(["No automatic fix: see the check's documentation.", ""])
    else:
        fix = f.fix
        out.extend([f"{esc(fix.summary)} (risk: {fix.risk})", ""])
        if fix.steps:
            out.extend(f"{i}. {esc(step)}" for i, step in enumerate(fix.steps, 1))
            out.append("")
        if fix.commands:
            out.extend(_fence("bash", "\n".join(fix.commands)))
            out.append("")
        if fix.snippet is not None:
            out.extend([f"**{fix.snippet_title or 'Snippet'}**", ""])
            out.extend(_fence("json", snippet_text(fix.snippet)))
            out.append("")
        for url in fix.docs:
            out.append(f"- <{url}>")
        if fix.docs:
            out.append("")
    if f.related:
        out.extend(["**Also seen, same cause:**", ""])
        for r in f.related:
            where = f" at {_location(r)}" if r.location is not None else ""
            out.append(f"- {code(r.check)} {code(r.slug)} on {code(r.resource)}{where}: {esc(r.message)}")
        out.append("")
    if f.docs_url:
        out.extend([f"Docs: [{f.check} {f.slug}]({f.docs_url})", ""])
    return out


def _others(findings: tuple[Finding, ...]) -> list[str]:
    out = [
        "### Other findings",
        "",
        "| Severity | Check | Cause | Confidence | Resource | Message | Fix |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in findings:
        resource = code(f.resource)
        if f.location is not None:
            resource += f" at {_location(f)}"
        check = f"[{f.check}]({f.docs_url})" if f.docs_url else f.check
        msg = esc(f.message)
        if f.related:
            msg += " (also seen: " + ", ".join(f"{r.check} {r.resource}" for r in f.related) + ")"
        out.append(
            f"| {SEVERITY_BADGE.get(f.severity, f.severity)} | {cell(check)} {cell(code(f.slug))} "
            f"| {cell(code(f.cause))} | {pct(f.confidence)} | {cell(resource)} | {cell(msg)} "
            f"| {cell(esc(f.fix.summary) if f.fix else '')} |"
        )
    out.append("")
    return out


def _clean(report: Report) -> list[str]:
    passed = [o for o in report.outcomes if o.status == "passed"]
    incomplete = report.count("skipped") + report.count("error")
    head = "### ✅ No problems found"
    if incomplete:
        head += " in what could be checked"
    out = [head, "", f"{len(passed)} check{'s' if len(passed) != 1 else ''} passed."]
    if passed:
        out[-1] += " Checked: " + ", ".join(f"{code(o.check)} {o.slug}" for o in passed) + "."
    out.append("")
    return out


def _footer(report: Report) -> list[str]:
    out = ["### Checks", "", counts_text(report) + "."]
    problems = [o for o in report.outcomes if o.status in ("skipped", "error")]
    if problems:
        out.append("")
        out.extend(f"- {code(o.check)} {esc(outcome_line(o)[len(o.check) + 1 :])}" for o in problems)
    if report.gaps:
        out.extend(["", "**Evidence not collected:**", ""])
        out.extend(f"- {esc(gap_line(g))}" for g in report.gaps)
    if report.notes:
        out.extend(["", "**Notes:**", ""])
        out.extend(f"- {esc(n)}" for n in report.notes)
    return out
