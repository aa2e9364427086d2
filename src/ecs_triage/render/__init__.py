"""Renderers: a Report in, text out. `render(report, fmt)` with fmt in text | json | md | sarif."""

from __future__ import annotations

from ecs_triage.report import Report


def render(report: Report, fmt: str, *, color: bool | None = None, width: int | None = None) -> str:
    if fmt == "json":
        from ecs_triage.render.json_out import render_json

        return render_json(report)
    if fmt == "md":
        from ecs_triage.render.markdown import render_markdown

        return render_markdown(report)
    if fmt == "sarif":
        from ecs_triage.render.sarif import render_sarif

        return render_sarif(report)
    from ecs_triage.render.text import render_text

    return render_text(report, color=color, width=width)
