"""Empty and repeated inputs (found by black-box testing)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ecs_triage.cli import cli

TD = {
    "family": "web",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "4096",
    "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": True}],
}


def test_empty_stdin_is_an_error_not_a_clean_report() -> None:
    result = CliRunner().invoke(cli, ["lint", "-"], input="")
    assert result.exit_code == 2
    assert "<stdin>: empty input" in result.output
    assert "No problems found" not in result.output


def test_unrecognised_stdin_is_an_error() -> None:
    result = CliRunner().invoke(cli, ["lint", "-"], input="{}")
    assert result.exit_code == 2
    assert "not an ECS task definition" in result.output


def test_the_same_file_named_twice_is_linted_once(tmp_path: Path) -> None:
    path = tmp_path / "td.json"
    path.write_text(json.dumps(TD))
    once = CliRunner().invoke(cli, ["lint", str(path), "--format", "json"])
    twice = CliRunner().invoke(cli, ["lint", str(path), str(tmp_path / "." / "td.json"), "--format", "json"])
    assert once.exit_code == twice.exit_code == 1
    assert json.loads(twice.output)["findings"] == json.loads(once.output)["findings"]
    assert any(f["cause"] == "fargate-invalid-cpu-memory" for f in json.loads(once.output)["findings"])
