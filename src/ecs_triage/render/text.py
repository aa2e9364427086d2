"""Text: the report a person on call reads. Root cause first (what, why, evidence, fix), then the other
findings, then a footer with what was checked, skipped, not collected.

Colour: `color=None` means automatic: on for a terminal, off when stdout is not a TTY or `NO_COLOR` is set
to a non-empty value; `color=True`/`False` (an explicit flag) wins. Commands and JSON snippets are printed
outside any border and never wrapped, so they can be pasted as they are.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from typing import TYPE_CHECKING

from ecs_triage.render._common import (
    all_findings,
    counts_text,
    evidence_line,
    gap_line,
    location_text,
    outcome_line,
    pct,
    pointer_text,
    snippet_text,
    target_text,
)
from ecs_triage.report import Finding, Report

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_WIDTH = 100
SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold blue"}
MAX_LISTED_PASSED = 40


def terminal_width(default: int = DEFAULT_WIDTH) -> int:
    """The terminal's width when stdout is one (clamped to 60..160), else `default`."""
    isatty = getattr(sys.stdout, "isatty", None)
    if not (isatty and isatty()):
        return default
    return max(60, min(160, shutil.get_terminal_size((default, 24)).columns))


def want_color(color: bool | None) -> bool:
    """An explicit True/False wins; otherwise colour only on a terminal and only without NO_COLOR."""
    if color is not None:
        return color
    if os.environ.get("NO_COLOR", ""):
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def render_text(report: Report, *, color: bool | None = None, width: int | None = None) -> str:
    from rich.console import Console

    use_color = want_color(color)
    console = Console(
        file=io.StringIO(),
        force_terminal=use_color,
        no_color=not use_color,
        color_system="standard" if use_color else None,
        width=width or terminal_width(),
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )
    _header(console, report)
    if report.findings:
        # lint has no root cause, only the mistake to fix first
        _root_cause(console, report.findings[0], "TOP FINDING" if report.source == "lint" else "ROOT CAUSE")
        _others(console, report.findings[1:])
    else:
        _clean(console, report)
    _footer(console, report)
    out = str(console.file.getvalue())  # type: ignore[attr-defined]
    if not use_color:
        out = "\n".join(line.rstrip() for line in out.splitlines())
    return out.rstrip("\n")


def _line(console: Console, *parts: tuple[str, str] | str, indent: int = 0) -> None:
    """A paragraph; wrapped lines keep the indent."""
    from rich.padding import Padding
    from rich.text import Text

    text = Text.assemble(*parts, overflow="fold")
    console.print(Padding(text, (0, 0, 0, indent), expand=False) if indent else text)


def _item(console: Console, marker: str, *parts: tuple[str, str] | str, indent: int = 2) -> None:
    """A list item with a hanging indent: wrapped lines line up under the text, not under the marker."""
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=0)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(Text(marker), Text.assemble(*parts, overflow="fold"))
    console.print(Padding(grid, (0, 0, 0, indent), expand=False) if indent else grid)


def _raw(console: Console, line: str, style: str = "", prefix: tuple[str, str] | None = None) -> None:
    """A line printed exactly as given: no wrapping, no cropping, no border (commands, JSON, URLs)."""
    from rich.text import Text

    text = Text.assemble(prefix, (line, style)) if prefix else Text(line, style=style)
    console.print(text, soft_wrap=True, crop=False)


def _header(console: Console, report: Report) -> None:
    where = [report.region or "", report.account or ""]
    where_text = " / ".join(w for w in where if w) or "-"
    _line(console, ("ecs-triage " + report.command, "bold"), "  ", target_text(report.target))
    if where_text != "-":
        _line(console, ("region/account: ", "dim"), where_text, ("   source: ", "dim"), report.source)
    else:
        _line(console, ("source: ", "dim"), report.source)
    everything = all_findings(report)
    n = len(everything)
    if n:
        counts = {s: sum(1 for f in everything if f.severity == s) for s in SEVERITY_STYLE}
        sev = ", ".join(f"{c} {s}{'s' if c != 1 and s != 'info' else ''}" for s, c in counts.items() if c)
        _line(console, f"{n} finding{'s' if n != 1 else ''}", (f" ({sev})" if sev else "", "dim"))
    console.print()


def _where(f: Finding) -> str:
    loc = location_text(f)
    ptr = pointer_text(f)
    if loc and ptr:
        return f"{loc} ({ptr})"
    return loc


def _root_cause(console: Console, f: Finding, label: str = "ROOT CAUSE") -> None:
    from rich.console import Group, RenderableType
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.text import Text

    body: list[RenderableType] = []
    body.append(Text.assemble((f.title, "bold")))
    body.append(
        Text.assemble(
            ("cause ", "dim"),
            (f.cause, "bold magenta"),
            ("   confidence ", "dim"),
            (pct(f.confidence), "bold"),
            ("   severity ", "dim"),
            (f.severity, SEVERITY_STYLE.get(f.severity, "")),
        )
    )
    res = Text.assemble(("resource ", "dim"), f.resource)
    if f.scope:
        res.append_text(Text.assemble(("   scope ", "dim"), f.scope))
    body.append(res)
    where = _where(f)
    if where:
        body.append(Text.assemble(("location ", "dim"), where))
    body.append(Text(""))
    body.append(Text(f.message))
    if f.evidence:
        body.append(Text(""))
        body.append(Text("Evidence", style="bold"))
        for ref in f.evidence:
            line = Text(evidence_line(ref))
            if ref.note:
                line.append(f"  ({ref.note})", style="dim italic")
            body.append(Padding(line, (0, 0, 0, 2), expand=False))
    title = Text.assemble((label, "bold red"), f"  {f.check} {f.slug}")
    console.print(Panel(Group(*body), title=title, title_align="left", border_style="red", expand=True))

    if f.fix is not None:
        fix = f.fix
        console.print()
        _line(console, ("Fix: ", "bold green"), fix.summary, (f"  [risk: {fix.risk}]", "dim"))
        for i, step in enumerate(fix.steps, 1):
            _item(console, f"{i}. ", step)
        if fix.commands:
            console.print()
            _line(console, ("Run:", "bold"))
            for cmd in fix.commands:
                _raw(console, cmd, style="cyan")
        if fix.snippet is not None:
            console.print()
            _line(console, (fix.snippet_title or "Snippet", "bold"), ":")
            for snippet_line in snippet_text(fix.snippet).splitlines():
                _raw(console, snippet_line)
        for url in fix.docs:
            _raw(console, url, prefix=("See: ", "dim"))
    else:
        console.print()
        _line(console, ("Fix: ", "bold green"), ("no automatic fix; see the docs below", "dim"))

    if f.related:
        console.print()
        _line(console, ("Also seen, same cause:", "bold"))
        for r in f.related:
            where = _where(r)
            _item(
                console,
                "- ",
                (f"{r.check} {r.slug}", "bold"),
                f"  {r.resource}",
                (f"  {where}" if where else "", "dim"),
                f": {r.message}",
            )
    if f.docs_url:
        _raw(console, f.docs_url, prefix=("Docs: ", "dim"))
    console.print()


def _others(console: Console, findings: tuple[Finding, ...]) -> None:
    if not findings:
        return
    from rich.rule import Rule

    console.print(Rule(f"Other findings ({len(findings)})", align="left", style="dim"))
    for f in findings:
        where = _where(f)
        _line(
            console,
            (f"{f.severity.upper():7}", SEVERITY_STYLE.get(f.severity, "")),
            (f" {f.check} {f.slug}", "bold"),
            (f"  cause {f.cause} {pct(f.confidence)}", "dim"),
        )
        if where:
            _line(console, (where, "cyan"), indent=8)
        scope = f"[{f.scope}] " if f.scope else ""
        _line(console, f"{scope}{f.resource}: {f.message}", indent=8)
        if f.fix is not None:
            _line(console, ("fix: ", "green"), f.fix.summary, indent=8)
        if f.related:
            names = ", ".join(f"{r.check} {r.resource}" for r in f.related)
            _line(console, ("also seen, same cause: ", "dim"), names, indent=8)
    console.print()


def _clean(console: Console, report: Report) -> None:
    passed = [o for o in report.outcomes if o.status == "passed"]
    incomplete = report.count("skipped") + report.count("error")
    if incomplete:
        _line(
            console,
            ("No problems found in what could be checked", "bold green"),
            f": {len(passed)} check{'s' if len(passed) != 1 else ''} passed, {incomplete} could not run (see below).",
        )
    else:
        _line(
            console,
            ("No problems found", "bold green"),
            f": {len(passed)} check{'s' if len(passed) != 1 else ''} passed.",
        )
    if passed:
        shown = passed[:MAX_LISTED_PASSED]
        names = ", ".join(f"{o.check} {o.slug}" for o in shown)
        more = f" and {len(passed) - len(shown)} more" if len(passed) > len(shown) else ""
        _line(console, ("Checked: ", "dim"), names + more)
    console.print()


def _footer(console: Console, report: Report) -> None:
    from rich.rule import Rule

    console.print(Rule(style="dim"))
    _line(console, ("Checks: ", "bold"), counts_text(report))
    for status in ("skipped", "error"):
        for o in report.outcomes:
            if o.status == status:
                _line(console, (outcome_line(o), "yellow" if status == "skipped" else "red"), indent=2)
    if report.gaps:
        _line(console, ("Evidence not collected:", "bold"))
        for gap in report.gaps:
            _item(console, "- ", gap_line(gap))
    if report.notes:
        _line(console, ("Notes:", "bold"))
        for note in report.notes:
            _item(console, "- ", note)
