"""SARIF 2.1.0: valid against the official schema, and shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ecs_triage import __version__
from ecs_triage.render import render
from ecs_triage.render.sarif import artifact_uri
from ecs_triage.report import Report

from .conftest import TASK_ARN, clean_report, diagnose_report, lint_report

SCHEMA_PATH = Path(__file__).with_name("sarif-schema-2.1.0.json")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def _sarif(report: Report) -> dict[str, Any]:
    return json.loads(render(report, "sarif"))


@pytest.mark.parametrize("build", [diagnose_report, lint_report, clean_report], ids=["diagnose", "lint", "clean"])
def test_valid_against_the_sarif_schema(validator: jsonschema.Draft7Validator, build: Any) -> None:
    errors = sorted(validator.iter_errors(_sarif(build())), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schema_rejects_what_github_would_reject(validator: jsonschema.Draft7Validator) -> None:
    """The validator is not a rubber stamp: a wrong level, a missing message, or a zero line fail."""
    good = _sarif(lint_report())
    for path, value in (
        (("results", 0, "level"), "fatal"),
        (("results", 0, "locations", 0, "physicalLocation", "region", "startLine"), 0),
        (("tool", "driver", "rules", 0, "defaultConfiguration", "level"), "critical"),
    ):
        bad = copy.deepcopy(good)
        node: Any = bad["runs"][0]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        assert not validator.is_valid(bad), path
    bad = copy.deepcopy(good)
    del bad["runs"][0]["results"][0]["message"]
    assert not validator.is_valid(bad)


def test_driver_and_rules(diag: Report) -> None:
    run = _sarif(diag)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ecs-triage" and driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["ET101", "ET201", "ET303", "ET402"]
    first = rules[0]
    root = diag.findings[0]
    assert first["name"] == root.slug
    assert first["shortDescription"] == {"text": root.title}
    assert first["helpUri"] == root.docs_url
    assert first["defaultConfiguration"] == {"level": "error"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_results_levels_fingerprints_and_properties(diag: Report) -> None:
    results = _sarif(diag)["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("ET101", "error"),
        ("ET201", "warning"),
        ("ET303", "warning"),
        ("ET402", "note"),
    ]
    root = diag.findings[0]
    first = results[0]
    assert first["partialFingerprints"] == {"ecsTriage/v1": root.fingerprint}
    assert "Cause: ecr-pull-permission (confidence 97%)" in first["message"]["text"]
    assert "Fix: Allow the execution role web-exec to pull from repository web" in first["message"]["text"]
    props = first["properties"]
    assert props["cause"] == root.cause and props["confidence"] == 0.97
    assert props["evidence"][0]["pointer"] == "/containers/0/reason"
    assert props["fix"]["commands"] == list(root.fix.commands)  # type: ignore[union-attr]
    # the folded symptom is its own result, pointing at the root cause it belongs to
    assert results[1]["properties"]["foldedUnder"] == root.fingerprint
    assert len({r["partialFingerprints"]["ecsTriage/v1"] for r in results}) == len(results)


def test_resource_findings_get_a_logical_location(diag: Report) -> None:
    first = _sarif(diag)["runs"][0]["results"][0]
    (loc,) = first["locations"]
    assert "physicalLocation" not in loc
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == TASK_ARN
    assert loc["logicalLocations"][0]["name"] == "0f1e2d3c4b5a"


def test_lint_findings_get_file_and_line(lint: Report) -> None:
    results = _sarif(lint)["runs"][0]["results"]
    phys = [r["locations"][0]["physicalLocation"] for r in results]
    assert phys[0] == {
        "artifactLocation": {"uri": "infra/web%20task.json"},
        "region": {"startLine": 4, "startColumn": 3},
    }
    assert phys[1]["region"] == {"startLine": 12}
    assert phys[2]["artifactLocation"]["uri"] == "file:///abs/path/api.yaml"
    assert phys[2]["region"] == {"startLine": 1}  # line unknown: the file's first line, as GitHub needs one


def test_notifications_for_skipped_and_crashed_checks_and_gaps(diag: Report) -> None:
    inv = _sarif(diag)["runs"][0]["invocations"][0]
    texts = [(n["level"], n["message"]["text"]) for n in inv["toolExecutionNotifications"]]
    assert ("warning", "ET601 skipped: missing permission logs:DescribeLogGroups") in texts
    assert ("error", "ET305 error: check crashed: KeyError: 'healthCheck'") in texts
    assert any(t.startswith("evidence not collected: logs:DescribeLogGroups") for _, t in texts)
    assert inv["executionSuccessful"] is False  # a check crashed


def test_clean_report_has_an_empty_results_array(clean: Report) -> None:
    run = _sarif(clean)["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    assert run["invocations"][0]["executionSuccessful"] is True


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("task.json", "task.json"),
        ("./infra/task def.json", "infra/task%20def.json"),
        ("infra\\win\\task.json", "infra/win/task.json"),
        ("/abs/x.yaml", "file:///abs/x.yaml"),
        ("C:\\work\\x.json", "file:///C:/work/x.json"),
        ("-", "-"),
    ],
)
def test_artifact_uri(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_no_automation_details_so_the_upload_category_applies(lint: Report) -> None:
    """GitHub's upload-sarif only applies its `category` input when the run has no automationDetails.id;
    a fixed id would make separate uploads overwrite each other's alerts."""
    assert "automationDetails" not in _sarif(lint)["runs"][0]
