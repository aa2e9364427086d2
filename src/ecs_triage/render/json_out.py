"""JSON: the versioned report envelope (docs/json-output.md).

`Report.to_dict()` already builds the keys in a fixed order (schema, tool, command, source, target, region,
account, summary, findings, outcomes, gaps, notes[, extra]); this keeps that order, indents by two and
never escapes non-ASCII text. Values JSON cannot hold (datetimes, sets) are written as strings.
"""

from __future__ import annotations

import json
from typing import Any

from ecs_triage.report import REPORT_SCHEMA, Report


def report_dict(report: Report) -> dict[str, Any]:
    data = report.to_dict()
    data["schema"] = REPORT_SCHEMA  # the envelope always names its version
    return data


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False, default=str)
