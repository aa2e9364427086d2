"""SARIF 2.1.0 as plain dicts, shaped for GitHub code scanning.

One run; `tool.driver` names ecs-triage and lists one rule per check that produced a finding. Each finding
(folded symptoms included, marked with `properties.foldedUnder`) is one result: level error/warning/note,
a message with the cause and the fix summary, a physical location (file and line) for lint findings or a
logical location (the resource ARN or name) otherwise, `partialFingerprints["ecsTriage/v1"]` so alerts stay
the same alert across runs, and the cause, confidence, evidence and fix as properties. Checks that were
skipped or crashed, and evidence that could not be collected, become tool execution notifications.

No `automationDetails`: GitHub's upload action only fills it from its `category` input when it is absent,
so leaving it out lets users upload several ecs-triage runs under categories of their choice.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from ecs_triage import __version__
from ecs_triage.render._common import all_findings, gap_line, outcome_line, pct, target_text
from ecs_triage.report import Finding, Report

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/ecs-triage/ecs-triage"
FINGERPRINT_KEY = "ecsTriage/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def artifact_uri(file: str) -> str:
    """A file name as a SARIF URI: relative paths stay relative (forward slashes, percent-encoded) so GitHub
    can map them to the repository; absolute paths become `file://` URIs."""
    if PureWindowsPath(file).drive and "\\" in file:  # C:\\x\\y.json
        return PureWindowsPath(file).as_uri()
    posix = PurePosixPath(file.replace("\\", "/"))
    if posix.is_absolute():
        return posix.as_uri()
    text = posix.as_posix()
    return quote(text[2:] if text.startswith("./") else text, safe="/-_.~")


def _rule(f: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": f.check,
        "name": f.slug,
        "shortDescription": {"text": f.title},
        "defaultConfiguration": {"level": LEVELS.get(f.severity, "warning")},
        "properties": {"tags": ["ecs", "ecs-triage"]},
    }
    if f.docs_url:
        rule["helpUri"] = f.docs_url
        rule["help"] = {"text": f"{f.title}. See {f.docs_url}"}
    return rule


def _message(f: Finding) -> str:
    text = f.message.rstrip()
    if text and text[-1] not in ".!?":
        text += "."
    text += f" Cause: {f.cause} (confidence {pct(f.confidence)})."
    if f.fix is not None:
        text += f" Fix: {f.fix.summary}"
    return text


def _locations(f: Finding) -> list[dict[str, Any]]:
    loc = f.location
    if loc is not None and loc.file:
        region: dict[str, Any] = {"startLine": loc.line if loc.line and loc.line > 0 else 1}
        if loc.column and loc.column > 0:
            region["startColumn"] = loc.column
        physical: dict[str, Any] = {
            "physicalLocation": {"artifactLocation": {"uri": artifact_uri(loc.file)}, "region": region}
        }
        pointer = loc.pointer or f.pointer
        if pointer or f.resource:
            physical["logicalLocations"] = [
                {"name": f.resource, "fullyQualifiedName": f"{f.resource}{pointer}", "kind": "resource"}
            ]
        return [physical]
    name = f.resource.rsplit("/", 1)[-1] if f.resource.startswith("arn:") else f.resource
    logical: dict[str, Any] = {"name": name or "-", "fullyQualifiedName": f.resource or "-", "kind": "resource"}
    return [{"logicalLocations": [logical]}]


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _result(f: Finding, rule_index: int, folded_under: str = "") -> dict[str, Any]:
    props: dict[str, Any] = {
        "cause": f.cause,
        "confidence": round(f.confidence, 2),
        "severity": f.severity,
        "resource": f.resource,
        "slug": f.slug,
        "evidence": _jsonable([e.to_dict() for e in f.evidence]),
        "fix": _jsonable(f.fix.to_dict()) if f.fix else None,
    }
    if f.signature:
        props["signature"] = f.signature
    if f.scope:
        props["scope"] = f.scope
    if f.pointer or (f.location is not None and f.location.pointer):
        props["pointer"] = f.location.pointer if f.location is not None and f.location.pointer else f.pointer
    if folded_under:
        props["foldedUnder"] = folded_under
    return {
        "ruleId": f.check,
        "ruleIndex": rule_index,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": _message(f)},
        "locations": _locations(f),
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": props,
    }


def sarif_dict(report: Report) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for f in all_findings(report):
        if f.check not in index:
            index[f.check] = len(rules)
            rules.append(_rule(f))
    results: list[dict[str, Any]] = []
    for head in report.findings:
        results.append(_result(head, index[head.check]))
        results.extend(_result(r, index[r.check], folded_under=head.fingerprint) for r in head.related)

    notifications: list[dict[str, Any]] = []
    for o in report.outcomes:
        if o.status in ("skipped", "error"):
            notifications.append(
                {
                    "level": "error" if o.status == "error" else "warning",
                    "message": {"text": outcome_line(o)},
                    "descriptor": {"id": o.check},
                }
            )
    for gap in report.gaps:
        notifications.append({"level": "warning", "message": {"text": "evidence not collected: " + gap_line(gap)}})

    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "ecs-triage",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "invocations": [
            {"executionSuccessful": report.count("error") == 0, "toolExecutionNotifications": notifications}
        ],
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "command": report.command,
            "source": report.source,
            "target": _jsonable(dict(report.target)),
            "targetText": target_text(report.target),
            "region": report.region,
            "account": report.account,
            "notes": list(report.notes),
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: Report) -> str:
    return json.dumps(sarif_dict(report), indent=2, ensure_ascii=False)
