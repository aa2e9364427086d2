"""Runs every check against every fixture in tests/checks/<check module name>/.

A fixture is a YAML partial snapshot (`data`, `gaps`, `target`, `region`, `account`, `collected_at`) plus an
`expect` block, loaded through the real `snapshot.validate -> parse` path:

    expect:
      findings:                      # bad_*.yaml: at least these (each matched to a distinct finding)
        - cause: image-pull-auth
          resource_contains: exec-role
          message_contains: ecr:BatchGetImage
          fix_contains: "arn:aws:ecr:us-east-1:123456789012:repository/web"
          severity: error           # optional
          confidence_min: 0.8       # optional
          root: false               # optional: a symptom the engine folds under a root cause of its label
      status: failed                 # optional: the outcome status (failed | passed | skipped | not-applicable)
      reason_contains: logs:GetLogEvents   # optional: text in the outcome reason (skipped)

`good_*.yaml` expects no findings from the check (status passed unless `expect.status` says otherwise).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_triage import engine, registry
from ecs_triage.evidence import parse, snapshot

HERE = Path(__file__).parent


def _fixtures() -> list[Any]:
    out = []
    for check in registry.all_checks():
        folder = HERE / check.module.rsplit(".", 1)[-1]
        for path in sorted(folder.glob("*.yaml")):
            out.append(pytest.param(check, path, id=f"{check.id}/{path.name}"))
    return out


def load_fixture(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    expect = doc.pop("expect", {}) or {}
    doc.setdefault("schema", snapshot.SCHEMA)
    doc.setdefault("source", "snapshot")
    doc.setdefault("region", "us-east-1")
    doc.setdefault("account", "123456789012")
    doc.setdefault("data", {})
    # Round-trip through JSON text: fixtures must be loadable exactly like a saved snapshot.
    return snapshot.loads(json.dumps(doc, default=str), str(path)), expect


def _blob(obj: Any) -> str:
    return json.dumps(obj, default=str)


@pytest.mark.parametrize(("check", "path"), _fixtures())
def test_check_fixture(check: registry.RegisteredCheck, path: Path) -> None:
    doc, expect = load_fixture(path)
    ev = parse.parse_snapshot(doc)
    found, outcomes = engine.evaluate(ev, [check])
    findings = [f for f, _ in found]
    roots = {id(f): root for f, root in found}
    outcome = outcomes[0]
    if path.name.startswith("good"):
        assert not findings, f"unexpected findings: {[f.message for f in findings]}"
        assert outcome.status == expect.get("status", "passed"), outcome
    else:
        assert path.name.startswith("bad"), "fixtures are named good_*.yaml or bad_*.yaml"
        wanted = expect.get("findings", [])
        if expect.get("status"):
            assert outcome.status == expect["status"], outcome
        else:
            assert outcome.status == "failed", outcome
            assert wanted, "a bad fixture must expect at least one finding"
        remaining = list(findings)
        for want in wanted:
            match = next((f for f in remaining if _matches(f, want, roots[id(f)])), None)
            assert match is not None, f"no finding matches {want}; got {[f.to_dict() for f in findings]}"
            remaining.remove(match)
    if expect.get("reason_contains"):
        assert expect["reason_contains"] in outcome.reason, outcome


def _matches(f: Any, want: dict[str, Any], root: bool) -> bool:
    if "root" in want and root != want["root"]:
        return False
    if "cause" in want and f.cause != want["cause"]:
        return False
    if "severity" in want and f.severity != want["severity"]:
        return False
    if "confidence_min" in want and f.confidence < want["confidence_min"]:
        return False
    if "resource_contains" in want and want["resource_contains"] not in f.resource:
        return False
    if "message_contains" in want and want["message_contains"] not in f.message:
        return False
    if "fix_contains" in want and (f.fix is None or want["fix_contains"] not in _blob(f.fix.to_dict())):
        return False
    return not (
        "evidence_contains" in want and want["evidence_contains"] not in _blob([e.to_dict() for e in f.evidence])
    )


def test_every_check_has_good_and_bad_fixtures() -> None:
    missing = []
    for check in registry.all_checks():
        folder = HERE / check.module.rsplit(".", 1)[-1]
        names = [p.name for p in folder.glob("*.yaml")]
        if not any(n.startswith("good") for n in names) or not any(n.startswith("bad") for n in names):
            missing.append(check.id)
    assert not missing, f"checks without good_*.yaml and bad_*.yaml fixtures: {missing}"
