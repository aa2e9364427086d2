"""`ecs-triage explain`: single messages (text and JSON), stdin, batch JSON lines, examples, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecs_triage.cli import main

PULL_403 = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
    "111122223333.dkr.ecr.us-east-1.amazonaws.com/web:2: 403 Forbidden"
)


def run(argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: bytes = b""):
    """Run the CLI in-process like the console script does; return (exit code, stdout, stderr)."""
    import io

    class _In(io.TextIOWrapper):
        pass

    monkeypatch.setattr(sys, "stdin", _In(io.BytesIO(stdin), encoding="utf-8"))
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_text_output_names_cause_decide_and_fix(capsys, monkeypatch) -> None:
    code, out, err = run(["explain", PULL_403], capsys, monkeypatch)
    assert code == 0, err
    assert "image-pull-auth" in out
    assert "pull.ecr.access-denied" in out
    assert "what would decide" in out
    assert "aws iam attach-role-policy" in out
    assert "arn:aws:ecr:us-east-1:111122223333:repository/web" in out


def test_json_output_contract(capsys, monkeypatch) -> None:
    code, out, _ = run(["explain", "--format", "json", "--kind", "container_reason", PULL_403], capsys, monkeypatch)
    assert code == 0
    res = json.loads(out)
    assert {"cause", "signature", "confidence", "summary", "fix", "decide"} <= set(res)
    assert res["cause"] == "image-pull-auth"
    assert res["fix"]["commands"][0].startswith("aws ")
    assert 0 < res["confidence"] <= 1


def test_exit_code_option(capsys, monkeypatch) -> None:
    code, out, _ = run(
        ["explain", "-f", "json", "--exit-code", "137", "Essential container in task exited"], capsys, monkeypatch
    )
    res = json.loads(out)
    assert (code, res["cause"], res["signature"]) == (0, "oom-killed", "exit.137")
    assert res["confidence"] < 0.6 and res["decide"]


def test_stdin_dash(capsys, monkeypatch) -> None:
    code, out, _ = run(["explain", "-f", "json", "--kind", "log", "-"], capsys, monkeypatch, b"KeyError: 'API_TOKEN'\n")
    res = json.loads(out)
    assert (code, res["cause"], res["captures"]["variable"]) == (0, "app-exit-missing-config", "API_TOKEN")


def test_no_match_is_unknown_with_exit_0(capsys, monkeypatch) -> None:
    code, out, _ = run(["explain", "-f", "json", "all good here"], capsys, monkeypatch)
    res = json.loads(out)
    assert (code, res["cause"], res["signature"], res["fix"]) == (0, "unknown", "", None)


@pytest.mark.parametrize(
    ("argv", "stdin", "needle"),
    [
        (["explain", ""], b"", "empty text"),
        (["explain", "-"], b"   \n", "empty text"),
        (["explain", "--kind", "tweet", "x"], b"", "unknown kind"),
        (["explain", "--exit-code", "abc", "x"], b"", "exit code"),
        (["explain"], b"", "exactly one of"),
        (["explain", "x", "--jsonl", "-"], b"", "exactly one of"),
        (["explain", "--jsonl", "/nonexistent/file.jsonl"], b"", "cannot read"),
        (["explain", "--jsonl", "-", "--kind", "log"], b"", "with --jsonl"),
        (["explain", "--examples", "--exit-code", "1"], b"", "not to --examples"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, stdin, needle, capsys, monkeypatch) -> None:
    code, _out, err = run(argv, capsys, monkeypatch, stdin)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_binary_garbage_is_unknown_not_a_crash(capsys, monkeypatch) -> None:
    code, out, err = run(["explain", "-f", "json", "-"], capsys, monkeypatch, bytes(range(256)) * 50)
    assert code == 0, err
    assert json.loads(out)["cause"] == "unknown"


def test_ten_megabyte_text(capsys, monkeypatch) -> None:
    big = b"OutOfMemoryError: Container killed due to memory usage " + b"z" * 10_000_000
    code, out, _ = run(["explain", "-f", "json", "-"], capsys, monkeypatch, big)
    assert (code, json.loads(out)["cause"]) == (0, "oom-killed")


def test_jsonl_contract_and_malformed_lines(tmp_path: Path, capsys, monkeypatch) -> None:
    lines = [
        json.dumps({"id": "a", "text": PULL_403, "kind": "container_reason"}),
        "{not json",
        json.dumps({"id": 7, "text": "Essential container in task exited", "exit_code": 139}),
        "",
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "k", "text": "x", "kind": "tweet"}),
        json.dumps({"id": "log", "text": "Error: connect ECONNREFUSED 10.0.1.5:5432", "kind": "log_tail"}),
        json.dumps({"id": "big", "text": "no space left on device " + "q" * 10_000_000}),
        json.dumps({"id": "nul", "text": "\u0000\u0001"}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe garbage\n")
    code, out, err = run(["explain", "--jsonl", str(path)], capsys, monkeypatch)
    assert code == 2
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["a", 7, "log", "big", "nul"]
    for r in results:
        assert {"id", "cause", "signature", "confidence", "summary", "fix", "decide"} <= set(r)
    by_id = {r["id"]: r for r in results}
    assert by_id["a"]["cause"] == "image-pull-auth"
    assert by_id[7]["cause"] == "app-exit-other" and by_id[7]["signature"] == "exit.139"
    assert by_id["log"]["cause"] == "app-exit-dependency-unreachable"
    assert by_id["big"]["cause"] == "disk-full"
    assert by_id["nul"]["cause"] == "unknown"
    bad_lines = [ln for ln in err.splitlines() if ":" in ln and "malformed" not in ln]
    assert [int(ln.split(":")[2]) for ln in bad_lines] == [2, 5, 6, 7, 11]
    assert "Traceback" not in err


def test_jsonl_from_stdin_all_good_exits_0(capsys, monkeypatch) -> None:
    data = "\n".join(json.dumps({"id": i, "text": t}) for i, t in enumerate(["RESOURCE:CPU", "Task stopped by user"]))
    code, out, err = run(["explain", "--jsonl", "-"], capsys, monkeypatch, data.encode())
    assert code == 0, err
    assert [json.loads(x)["cause"] for x in out.splitlines()] == ["insufficient-cpu", "user-or-deployment-stop"]


def test_examples_table_and_json(capsys, monkeypatch) -> None:
    from ecs_triage.app.explain import examples

    code, out, _ = run(["explain", "--examples"], capsys, monkeypatch)
    assert code == 0
    exs = list(examples())
    assert len(exs) >= 15
    for ex in exs:
        assert ex["id"] in out
    code, out, _ = run(["explain", "--examples", "-f", "json"], capsys, monkeypatch)
    results = {json.loads(x)["id"]: json.loads(x)["cause"] for x in out.splitlines()}
    assert results == {ex["id"]: ex["expect"] for ex in exs}
    assert len(set(results.values())) >= 15


def test_console_script_starts_fast_and_has_no_traceback() -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "ecs_triage", "explain", "--kind", "nope", "x"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "unknown kind" in proc.stderr
    code = (
        "import sys, ecs_triage.cli.explain, ecs_triage.knowledge; print('boto3' in sys.modules, 'rich' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout.split()
    assert out == ["False", "False"]


def test_fast_json_line_equals_the_result_dict() -> None:
    from ecs_triage.app.explain import result, result_line
    from ecs_triage.knowledge import classify

    texts = [
        (PULL_403, None, None),
        ("Essential container in task exited", "stopped_reason", 137),
        ("KeyError: 'DB_HOST'", "log", 1),
        ("nothing to see", None, None),
        ("Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:x)", None, None),
    ]
    for ident, (text, kind, code) in enumerate([*texts, *texts]):
        m = classify(text, kind=kind, exit_code=code)
        assert json.loads(result_line(m, ident)) == result(m, ident)
        assert list(json.loads(result_line(m, ident))) == list(result(m, ident))
