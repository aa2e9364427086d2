"""JSON: the versioned report envelope (docs/json-output.md)."""

from __future__ import annotations

import json

from ecs_triage.report import Report


def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, default=str)
