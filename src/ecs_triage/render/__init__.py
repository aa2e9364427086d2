"""Renderers: a Report in, text out. `render(report, fmt)` with fmt in text | json | md | sarif.

Every renderer returns the whole document as one string without a trailing newline (the caller's print
adds it). Heavy imports (rich) happen inside the text renderer only, so importing this package is cheap.
"""

from __future__ import annotations

from ecs_triage.report import Report

FORMATS = ("text", "json", "md", "sarif")


def render(report: Report, fmt: str, *, color: bool | None = None, width: int | None = None) -> str:
    """Render `report` as `fmt`. `color` and `width` apply to text only: `color=None` is automatic (off
    when stdout is not a terminal or `NO_COLOR` is set), `width=None` means 100 columns."""
    if fmt == "json":
        from ecs_triage.render.json_out import render_json

        return render_json(report)
    if fmt == "md":
        from ecs_triage.render.markdown import render_markdown

        return render_markdown(report)
    if fmt == "sarif":
        from ecs_triage.render.sarif import render_sarif

        return render_sarif(report)
    if fmt == "text":
        from ecs_triage.render.text import render_text

        return render_text(report, color=color, width=width)
    raise ValueError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
