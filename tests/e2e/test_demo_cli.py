"""`ecs-triage demo`: the in-process moto server, the scan + diagnose output, --serve, and the missing extra."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from ecs_triage.cli import cli
from ecs_triage.cli.demo import MISSING_MOTO
from ecs_triage.demo import WORLDS

ROOT = Path(__file__).resolve().parents[2]


def test_demo_one_world_json_shows_scan_and_diagnosis() -> None:
    before = os.environ.get("AWS_ENDPOINT_URL")
    result = CliRunner().invoke(cli, ["demo", "--only", "resource-memory", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "ecs-triage.demo/v1" and doc["errors"] == []
    # the EC2 world brings the healthy service that fills the instances
    rows = {(r["cluster"], r["service"]): r for r in doc["scan"]["services"]}
    assert set(rows) == {("ec2-workers", "video-transcoder")}
    assert rows["ec2-workers", "video-transcoder"]["cause"] == "insufficient-memory"
    (diag,) = doc["diagnoses"]
    assert diag["world"] == "resource-memory"
    assert diag["report"]["findings"][0]["cause"] == WORLDS["resource-memory"].cause == diag["expected_cause"]
    assert os.environ.get("AWS_ENDPOINT_URL") == before  # the process's AWS configuration is given back


def test_demo_text_prints_the_table_then_the_report() -> None:
    result = CliRunner().invoke(cli, ["demo", "--only", "image-tag-missing"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.index("== scan: prod ==") < out.index("== diagnose --cluster prod --service catalog-web")
    assert "image-not-found" in out and "3.0.0" in out


def test_unknown_world_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from ecs_triage.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--only", "no-such-world"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("ecs-triage: error: --only 'no-such-world': no such world; choose one of: ecr-pull-403")
    assert err.count("\n") == 1


def test_missing_moto_gives_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)  # `import moto` raises ImportError
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 2
    assert result.stderr.strip() == MISSING_MOTO


def test_serve_prints_the_environment_and_stops_cleanly_on_ctrl_c() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecs_triage", "demo", "--serve", "--only", "ecr-pull-403"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Ctrl-C" in line:
                break
        exports = [ln for ln in lines if ln.startswith("export ")]
        assert exports, "".join(lines) + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        settings = dict(kv.split("=", 1) for kv in exports[0].split()[1:])
        assert settings["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        assert settings["AWS_DEFAULT_REGION"] == "us-east-1"
        assert any("ecs-triage diagnose --cluster prod --service billing-api" in ln for ln in lines)
        ecs = boto3.client(
            "ecs",
            endpoint_url=settings["AWS_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        service = ecs.describe_services(cluster="prod", services=["billing-api"])["services"][0]
        assert service["runningCount"] == 0 and service["events"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_server_that_cannot_start_is_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ecs_triage.demo
    from ecs_triage.cli import main

    def broken(names: object = None) -> None:
        raise OSError("[Errno 98] Address already in use")

    monkeypatch.setattr(ecs_triage.demo, "start_server", broken)
    with pytest.raises(SystemExit) as exit_info:
        main(["demo"])
    assert exit_info.value.code == 3
    assert capsys.readouterr().err.splitlines()[-1] == (
        "ecs-triage: error: could not start the simulated account: OSError: [Errno 98] Address already in use"
    )
