"""Snapshot envelope checks, round trip and redaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecs_triage.evidence import parse, snapshot


def _doc() -> dict:
    return {
        "schema": snapshot.SCHEMA,
        "target": {"cluster": "prod", "service": "web"},
        "data": {
            "task_definitions": [
                {
                    "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
                    "family": "web",
                    "revision": 3,
                    "containerDefinitions": [
                        {
                            "name": "app",
                            "image": "nginx",
                            "environment": [
                                {"name": "DB_PASSWORD", "value": "hunter2"},
                                {"name": "DEBUG", "value": "true"},
                            ],
                            "secrets": [
                                {"name": "API_KEY", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/k"}
                            ],
                        }
                    ],
                }
            ],
            "log_events": [
                {"logStreamName": "s", "events": [{"timestamp": i, "message": "x" * 3000} for i in range(80)]}
            ],
        },
        "gaps": [],
    }


def test_round_trip_and_parse(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    snapshot.dump(_doc(), path)
    ev = parse.parse_snapshot(snapshot.load(path))
    td = ev.task_definitions["arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"]
    assert td.label == "web:3"
    assert td.containers[0].secrets[0].value_from.endswith("parameter/k")
    assert td.containers[0].essential is True


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{", "invalid JSON at line 1"),
        ("[]", "top level is not a JSON object"),
        ('{"schema": "other/v9", "data": {}}', "unsupported snapshot schema"),
        (json.dumps({"schema": snapshot.SCHEMA}), "no 'data' object"),
        (json.dumps({"schema": snapshot.SCHEMA, "data": {"tasks": 3}}), "data.tasks must be a list"),
    ],
)
def test_malformed_snapshots_give_one_line_errors(text: str, needle: str) -> None:
    with pytest.raises(snapshot.SnapshotError) as info:
        snapshot.loads(text, "f.json")
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_is_a_snapshot_error(tmp_path: Path) -> None:
    with pytest.raises(snapshot.SnapshotError, match="no such file"):
        snapshot.load(tmp_path / "absent.json")


def test_redaction_masks_env_values_keeps_secret_refs_and_caps_logs() -> None:
    doc = snapshot.redact(_doc())
    cd = doc["data"]["task_definitions"][0]["containerDefinitions"][0]
    assert cd["environment"][0]["value"] == snapshot.MASK
    assert cd["environment"][1]["value"] == "true"
    assert cd["secrets"][0]["valueFrom"].endswith("parameter/k")
    events = doc["data"]["log_events"][0]["events"]
    assert len(events) == snapshot.LOG_EXCERPT_MAX_EVENTS
    assert events[-1]["timestamp"] == 79
    assert len(events[0]["message"]) <= snapshot.LOG_EXCERPT_MAX_CHARS + 1
    assert doc["redaction"]["environment_values_masked"] == 1


def test_parse_tolerates_wrong_types() -> None:
    ev = parse.parse_snapshot(
        {
            "schema": snapshot.SCHEMA,
            "data": {
                "task_definitions": [
                    {"family": "x", "cpu": {"Ref": "Cpu"}, "containerDefinitions": [{"memory": "abc"}]}
                ],
                "services": [{"serviceName": "s", "desiredCount": "two"}],
                "tasks": [{"taskArn": "arn:aws:ecs:us-east-1:1:task/c/abc", "containers": [{"exitCode": "137"}]}],
            },
        }
    )
    td = next(iter(ev.task_definitions.values()))
    assert td.cpu is None and td.containers[0].memory is None
    assert ev.services[0].desired == 0
    assert ev.tasks[0].containers[0].exit_code == 137 and ev.tasks[0].id == "abc"
