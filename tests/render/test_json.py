"""The JSON envelope: versioned, stable key order, the finding contract."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

from ecs_triage import __version__
from ecs_triage.checks._api import EvidenceRef
from ecs_triage.render import render
from ecs_triage.report import Report

ENVELOPE_KEYS = [
    "schema",
    "tool",
    "command",
    "source",
    "target",
    "region",
    "account",
    "summary",
    "findings",
    "outcomes",
    "gaps",
    "notes",
]
FINDING_KEYS = {
    "check",
    "slug",
    "cause",
    "severity",
    "confidence",
    "resource",
    "message",
    "evidence",
    "fix",
    "fingerprint",
}


def test_envelope_keys_in_a_stable_order(diag: Report) -> None:
    text = render(diag, "json")
    data = json.loads(text)
    assert list(data) == ENVELOPE_KEYS
    assert data["schema"] == "ecs-triage.report/v1"
    assert data["tool"] == {"name": "ecs-triage", "version": __version__}
    assert data["target"] == {"cluster": "prod", "service": "web"}
    assert render(diag, "json") == text  # deterministic


def test_findings_carry_the_contract_fields_root_cause_first(diag: Report) -> None:
    data = json.loads(render(diag, "json"))
    findings = data["findings"]
    assert [f["check"] for f in findings] == ["ET101", "ET303", "ET402"]
    for f in findings:
        assert set(f) >= FINDING_KEYS, FINDING_KEYS - set(f)
    root = findings[0]
    assert root["cause"] == "ecr-pull-permission"
    assert root["confidence"] == 0.97
    assert root["evidence"][0] == {
        "resource": diag.findings[0].evidence[0].resource,
        "pointer": "/containers/0/reason",
        "value": diag.findings[0].evidence[0].value,
    }
    assert root["fix"]["commands"] == list(diag.findings[0].fix.commands)  # type: ignore[union-attr]
    assert root["fingerprint"] == diag.findings[0].fingerprint
    assert [r["check"] for r in root["related"]] == ["ET201"]
    assert data["summary"]["root_cause"]["check"] == "ET101"


def test_outcomes_gaps_and_notes(diag: Report) -> None:
    data = json.loads(render(diag, "json"))
    by_check = {o["check"]: o for o in data["outcomes"]}
    assert by_check["ET601"] == {
        "check": "ET601",
        "slug": "log-group-missing",
        "status": "skipped",
        "reason": "skipped: missing permission logs:DescribeLogGroups",
    }
    assert by_check["ET305"]["status"] == "error"
    assert data["summary"]["checks"] == {"failed": 4, "passed": 2, "skipped": 1, "error": 1, "not-applicable": 1}
    assert data["gaps"][0]["action"] == "logs:DescribeLogGroups"
    assert data["notes"] == list(diag.notes)


def test_lint_location(lint: Report) -> None:
    data = json.loads(render(lint, "json"))
    assert data["findings"][0]["location"] == {
        "file": "infra/web task.json",
        "line": 4,
        "column": 3,
        "pointer": "/memory",
    }


def test_values_json_cannot_hold_become_strings(diag: Report) -> None:
    when = dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.timezone.utc)
    root = replace(diag.findings[0], evidence=(EvidenceRef("task t", "/stoppedAt", when),), message="héllo ✓")
    text = render(replace(diag, findings=(root,)), "json")
    data = json.loads(text)
    assert data["findings"][0]["evidence"][0]["value"] == str(when)
    assert "héllo ✓" in text  # not \u-escaped


@pytest.mark.parametrize("fmt", ["json", "md", "sarif", "text"])
def test_no_trailing_newline(diag: Report, fmt: str) -> None:
    assert not render(diag, fmt, color=False).endswith("\n")


def test_unknown_format_is_an_error(diag: Report) -> None:
    with pytest.raises(ValueError, match="unknown output format"):
        render(diag, "yaml")
