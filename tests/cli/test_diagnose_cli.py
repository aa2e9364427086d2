"""`ecs-triage diagnose` argument and offline-input handling (the live path is covered in tests/e2e)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ecs_triage.cli import cli

TASK_REASON = (
    "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref "
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.0: pulling from host "
    "123456789012.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests 1.0]: 403 Forbidden"
)


def _snapshot(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "snap.json"
    path.write_text(
        json.dumps(
            {
                "schema": "ecs-triage.snapshot/v1",
                "source": "live",
                "target": {"cluster": "prod", "service": "web"},
                "region": "us-east-1",
                "collected_at": "2026-11-25T10:00:00+00:00",
                "data": data,
                "gaps": [],
            }
        )
    )
    return str(path)


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ((), "give --cluster"),
        (("--cluster", "prod"), "give --service or --task"),
        (("--cluster", "prod", "--service", "web", "--task", "abc"), "either --service or --task"),
        (("--snapshot", "x.json", "--cluster", "prod"), "cannot be combined"),
        (("--snapshot", "/nonexistent/s.json"), "no such file"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: tuple[str, ...], needle: str) -> None:
    result = _run("diagnose", *args)
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output


def test_snapshot_with_nothing_to_diagnose_is_an_input_error(tmp_path: Path) -> None:
    result = _run("diagnose", "--snapshot", _snapshot(tmp_path, {}))
    assert result.exit_code == 2
    assert "holds no service, task or task definition" in result.output


def test_offline_report_says_it_is_a_snapshot(tmp_path: Path) -> None:
    task = {
        "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/prod/0123",
        "group": "service:web",
        "lastStatus": "STOPPED",
        "stopCode": "TaskFailedToStart",
        "stoppedReason": TASK_REASON,
        "containers": [{"name": "web", "reason": TASK_REASON}],
    }
    path = _snapshot(tmp_path, {"services": [{"serviceName": "web", "desiredCount": 1}], "tasks": [task]})
    result = _run("diagnose", "--snapshot", path, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["source"] == "snapshot"
    assert any(path in note and "2026-11-25T10:00:00" in note for note in doc["notes"])
    assert doc["findings"][0]["cause"] == "image-pull-auth"
    assert _run("diagnose", "--snapshot", path, "--fail-on", "none").exit_code == 0
