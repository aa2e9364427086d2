"""`ecs-triage lint` end to end: exit codes, bad input, select/ignore, output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecs_triage.cli import cli
from ecs_triage.errors import TriageError

INPUTS = Path(__file__).with_name("inputs")
BAD_FARGATE = {
    "family": "api",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "4096",
    "containerDefinitions": [{"name": "api", "image": "nginx:1.27"}],
}


def run(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    """Like `ecs_triage.cli.main`: a TriageError becomes its one-line message and exit code."""
    result = CliRunner().invoke(cli, ["lint", *args], input=stdin)
    if isinstance(result.exception, TriageError):
        return result.exception.exit_code, result.stdout, f"ecs-triage: error: {result.exception.message}"
    return result.exit_code, result.stdout, result.stderr


def report(out: str) -> dict:  # type: ignore[type-arg]
    return json.loads(out)


def test_clean_file_exits_0() -> None:
    code, out, err = run(str(INPUTS / "aws-docs-fargate-webserver.json"), "-f", "json")
    assert code == 0, err
    assert report(out)["findings"] == []


def test_error_finding_exits_1_and_carries_location(tmp_path: Path) -> None:
    f = tmp_path / "td.json"
    text = json.dumps(BAD_FARGATE, indent=2)
    f.write_text(text)
    memory_line = next(i for i, line in enumerate(text.splitlines(), 1) if '"memory"' in line)
    code, out, _ = run(str(f), "-f", "json")
    assert code == 1
    [finding] = report(out)["findings"]
    assert finding["check"] == "ET150"
    assert finding["cause"] == "fargate-invalid-cpu-memory"
    assert finding["location"] == {"file": str(f), "line": memory_line, "column": 3, "pointer": "/memory"}
    assert finding["fix"]["snippet"] == {"cpu": "512", "memory": "4096"}


def test_fail_on_thresholds() -> None:
    path = str(INPUTS / "cdk-synth-fargate-service.template.json")  # one warning
    assert run(path)[0] == 0
    assert run(path, "--fail-on", "warning")[0] == 1
    assert run(path, "--fail-on", "none")[0] == 0


def test_select_and_ignore_by_id_prefix_and_slug() -> None:
    path = str(INPUTS / "cfn-fargate-alb-service.yaml")
    _, out, _ = run(path, "-f", "json", "--select", "ET35")
    assert {f["check"] for f in report(out)["findings"]} == {"ET350", "ET351", "ET352", "ET353"}
    _, out, _ = run(path, "-f", "json", "--select", "ET35", "--ignore", "lb-no-health-check-grace-period,ET353")
    assert {f["check"] for f in report(out)["findings"]} == {"ET351", "ET352"}
    code, _, err = run(path, "--select", "ET999")
    assert code == 2 and "ET999" in err


def test_aws_options_need_live() -> None:
    code, _, err = run(str(INPUTS / "aws-docs-fargate-webserver.json"), "--region", "eu-west-1")
    assert code == 2
    assert "only apply with --live" in err


def test_bad_files_are_reported_one_line_each_and_the_rest_is_linted(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{\n  "family": "x",\n  "containerDefinitions": [\n}\n')
    (tmp_path / "broken.yaml").write_text("Resources:\n  A:\n    Type: [unclosed\n")
    (tmp_path / "binary.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "bad.json").write_text(json.dumps(BAD_FARGATE))
    code, out, err = run(str(tmp_path), "-f", "json")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 3, err
    assert any("broken.json" in line and "line 4" in line for line in lines)
    assert any("broken.yaml" in line and "invalid YAML at line" in line for line in lines)
    assert any("binary.json" in line and "binary file" in line for line in lines)
    assert "Traceback" not in err
    assert [f["check"] for f in report(out)["findings"]] == ["ET150"]


def test_missing_path_is_an_error_and_an_unrecognised_file_is_skipped(tmp_path: Path) -> None:
    other = tmp_path / "package.json"
    other.write_text('{"name": "web", "version": "1.0.0"}')
    code, out, err = run(str(tmp_path / "nope.json"), str(other), "-f", "json")
    assert code == 2
    assert "nope.json: no such file or directory" in err
    assert "package.json" not in err
    assert any("package.json: not an ECS task definition" in n for n in report(out)["notes"])
    code, _, err = run(str(other))
    assert code == 0, err


def test_template_without_ecs_resources_says_so_and_exits_0() -> None:
    code, out, err = run(str(INPUTS / "cfn-no-ecs-bucket.yaml"), "-f", "json")
    assert code == 0, err
    assert any("no ECS task definition" in n for n in report(out)["notes"])


def test_unknown_tag_is_a_note_not_an_error(tmp_path: Path) -> None:
    f = tmp_path / "t.yaml"
    f.write_text(
        "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n"
        "      Cpu: !MadeUp 256\n      ContainerDefinitions:\n        - Name: a\n          Image: nginx:1.27\n          Memory: 256\n"
    )
    code, out, err = run(str(f), "-f", "json")
    assert code == 0, err
    assert any("unknown tag !MadeUp" in n and ":5:" in n for n in report(out)["notes"])


def test_stdin(tmp_path: Path) -> None:
    code, out, _ = run("-", "-f", "json", stdin=json.dumps({"taskDefinition": BAD_FARGATE}))
    assert code == 1
    [finding] = report(out)["findings"]
    assert finding["location"]["file"] == "<stdin>"
    assert finding["location"]["pointer"] == "/taskDefinition/memory"


@pytest.mark.parametrize("fmt", ["text", "md", "sarif"])
def test_every_format_renders(fmt: str) -> None:
    code, out, err = run(str(INPUTS / "cfn-fargate-alb-service.yaml"), "-f", fmt)
    assert code == 1, err
    assert "ET351" in out


def test_sarif_validates_and_points_at_lines() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = Path(__file__).parents[1] / "render" / "sarif-schema-2.1.0.json"
    if not schema_path.exists():
        pytest.skip("SARIF schema not in the tree")
    _, out, _ = run(str(INPUTS), "-f", "sarif")
    doc = json.loads(out)
    jsonschema.validate(doc, json.loads(schema_path.read_text(encoding="utf-8")))
    results = doc["runs"][0]["results"]
    hit = next(r for r in results if r["ruleId"] == "ET351")
    phys = hit["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"].endswith("cfn-fargate-alb-service.yaml")
    assert phys["region"]["startLine"] == 116
