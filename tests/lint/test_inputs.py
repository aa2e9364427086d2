"""The real-world-like inputs in tests/lint/inputs/: which rules fire where (file and line)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ecs_triage.app.lint import lint_paths

INPUTS = Path(__file__).with_name("inputs")

# file -> the rules expected to fire (with multiplicity). Clean files expect nothing.
EXPECTED: dict[str, list[str]] = {
    "aws-docs-fargate-webserver.json": [],
    "appmesh-envoy-good.json": [],
    "aws-docs-ec2-wordpress.json": ["ET552", "ET155", "ET155"],
    "describe-task-definition-api.json": ["ET451", "ET452", "ET157", "ET155"],
    "aws-docs-secrets-fargate.json": ["ET450", "ET451", "ET651"],
    "firelens-sidecar.json": ["ET156", "ET452", "ET453"],
    "cfn-fargate-alb-service.yaml": ["ET351", "ET353", "ET650", "ET352", "ET452", "ET157", "ET350"],
    "cfn-ec2-bridge-service.json": ["ET450", "ET153", "ET552"],
    "cdk-synth-fargate-service.template.json": ["ET157"],
    "terraform-plan-billing.json": ["ET150", "ET352", "ET552", "ET350"],
    "cfn-no-ecs-bucket.yaml": [],
}

# (file, rule) -> (line, pointer inside the file) of the finding
LOCATIONS = {
    ("describe-task-definition-api.json", "ET451"): (32, "/taskDefinition/containerDefinitions/0/secrets/0/valueFrom"),
    ("cfn-fargate-alb-service.yaml", "ET351"): (116, "/Resources/Service/Properties/LoadBalancers/0/ContainerPort"),
    ("cfn-fargate-alb-service.yaml", "ET352"): (88, "/Resources/TargetGroup/Properties/HealthCheckPort"),
    ("terraform-plan-billing.json", "ET352"): (
        112,
        "/planned_values/root_module/resources/2/values/health_check/0/port",
    ),
    ("terraform-plan-billing.json", "ET150"): (64, "/planned_values/root_module/resources/1/values/memory"),
    ("aws-docs-ec2-wordpress.json", "ET552"): (13, "/containerDefinitions/0/portMappings/0/hostPort"),
    ("cfn-ec2-bridge-service.json", "ET552"): (
        36,
        "/Resources/ReportsTask/Properties/ContainerDefinitions/1/PortMappings/0/HostPort",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rules_fired_per_input(name: str) -> None:
    result = lint_paths([str(INPUTS / name)])
    assert result.errors == []
    got = Counter(f.check for f in result.report.findings)
    assert got == Counter(EXPECTED[name]), [f.message for f in result.report.findings]
    for f in result.report.findings:
        assert f.location is not None and f.location.file.endswith(name)
        assert f.location.line is not None and f.location.line >= 1


@pytest.mark.parametrize(("name", "check"), sorted(LOCATIONS))
def test_locations(name: str, check: str) -> None:
    result = lint_paths([str(INPUTS / name)], select=check)
    [finding] = result.report.findings
    assert finding.location is not None
    assert (finding.location.line, finding.location.pointer) == LOCATIONS[(name, check)]


def test_whole_directory_is_linted_and_unrelated_files_are_skipped() -> None:
    result = lint_paths([str(INPUTS)])
    assert result.errors == []
    linted = {Path(f["file"]).name for f in result.report.extra["files"]}
    assert set(EXPECTED) <= linted
    assert "docker-compose.yml" not in linted
    assert any("docker-compose.yml" in n and n.startswith("skipped") for n in result.report.notes)
    assert any("cfn-no-ecs-bucket.yaml" in n and "no ECS" in n for n in result.report.notes)
    assert Counter(f.check for f in result.report.findings) == Counter(c for v in EXPECTED.values() for c in v)


def test_cfn_links_service_to_task_definition_and_target_group() -> None:
    result = lint_paths([str(INPUTS / "cfn-fargate-alb-service.yaml")], select="ET353")
    [finding] = result.report.findings
    assert "service Service runs TaskDefinition" in finding.message
    assert finding.resource == "target-group TargetGroup"


def test_terraform_links_through_configuration_references() -> None:
    result = lint_paths([str(INPUTS / "terraform-plan-billing.json")], select="ET352")
    [finding] = result.report.findings
    assert "health-checks port 8081" in finding.message and "billing-api" in finding.message
