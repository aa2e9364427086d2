"""`lint --live` against moto: what the definitions reference must exist and be allowed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ecs_triage.app.lint import lint_paths, live_checks
from ecs_triage.collect import session as session_mod

ACCOUNT = "123456789012"  # moto's account
TRUST_ECS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture
def aws() -> Iterator[None]:
    try:
        with mock_aws():
            yield
    finally:
        session_mod.CLIENT_HOOKS.clear()


def task_definition(**over: Any) -> dict[str, Any]:
    td = {
        "family": "web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/web-exec",
        "containerDefinitions": [
            {
                "name": "web",
                "image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1.0",
                "secrets": [
                    {"name": "DB", "valueFrom": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-AbCdEf"}
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": "/ecs/web",
                        "awslogs-region": "us-east-1",
                        "awslogs-stream-prefix": "web",
                    },
                },
            }
        ],
    }
    td.update(over)
    return td


def build_world(*, trust: dict[str, Any], push_tag: bool, secret: bool, log_group: bool) -> str | None:
    """Returns the ARN of the secret when it was created (Secrets Manager picks the random suffix)."""
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_role(RoleName="web-exec", AssumeRolePolicyDocument=json.dumps(trust))
    allow = {"Effect": "Allow", "Action": ["ecr:*", "logs:*", "secretsmanager:GetSecretValue"], "Resource": "*"}
    iam.put_role_policy(
        RoleName="web-exec",
        PolicyName="exec",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow]}),
    )
    ecr = boto3.client("ecr", region_name="us-east-1")
    ecr.create_repository(repositoryName="web")
    if push_tag:
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1,
                "digest": "sha256:" + "a" * 64,
            },
            "layers": [],
        }
        ecr.put_image(repositoryName="web", imageManifest=json.dumps(manifest), imageTag="1.0")
    if log_group:
        boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/ecs/web")
    if secret:
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        return str(sm.create_secret(Name="prod/db", SecretString="x")["ARN"])
    return None


def lint_live(tmp_path: Path, td: dict[str, Any]) -> Any:
    f = tmp_path / "td.json"
    f.write_text(json.dumps(td, indent=2))
    return lint_paths([str(f)], live=True, region="us-east-1")


def test_live_checks_are_the_configuration_checks_of_diagnose() -> None:
    for c in live_checks():
        assert "task_definitions" in c.meta.requires
        assert not {"tasks", "services", "container_instances"} & set(c.meta.requires)


def test_missing_references_are_found_with_locations(aws: None, tmp_path: Path) -> None:
    build_world(
        trust={
            **TRUST_ECS,
            "Statement": [{**TRUST_ECS["Statement"][0], "Principal": {"Service": "ec2.amazonaws.com"}}],
        },
        push_tag=False,
        secret=False,
        log_group=False,
    )
    result = lint_live(tmp_path, task_definition())
    by_cause = {f.cause: f for f in result.report.findings}
    assert {"image-not-found", "secrets-not-found", "role-assume-failed", "log-config"} <= set(by_cause)
    image = by_cause["image-not-found"]
    assert "1.0" in image.message
    assert image.location is not None and image.location.pointer == "/containerDefinitions/0/image"
    assert image.location.line is not None and image.location.line > 1
    assert by_cause["role-assume-failed"].location.pointer == "/executionRoleArn"  # type: ignore[union-attr]
    assert result.report.account == ACCOUNT
    assert result.report.extra["calls"]["sts:GetCallerIdentity"] == 1


def test_everything_present_gives_no_live_finding(aws: None, tmp_path: Path) -> None:
    secret_arn = build_world(trust=TRUST_ECS, push_tag=True, secret=True, log_group=True)
    td = task_definition()
    td["containerDefinitions"][0]["secrets"][0]["valueFrom"] = secret_arn
    result = lint_live(tmp_path, td)
    live_ids = {c.id for c in live_checks()}
    assert [f.message for f in result.report.findings if f.check in live_ids] == []
    assert {o.check for o in result.report.outcomes} >= {"ET102", "ET402", "ET410", "ET601"}


def test_without_live_the_aws_checks_do_not_run(tmp_path: Path) -> None:
    f = tmp_path / "td.json"
    f.write_text(json.dumps(task_definition()))
    result = lint_paths([str(f)])
    assert not {o.check for o in result.report.outcomes} & {c.id for c in live_checks()}
    assert result.report.extra.get("calls") is None


def test_cli_live_exit_code_and_json(aws: None, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ecs_triage.cli import cli

    build_world(trust=TRUST_ECS, push_tag=False, secret=False, log_group=True)
    f = tmp_path / "td.json"
    f.write_text(json.dumps(task_definition(), indent=2))
    result = CliRunner().invoke(cli, ["lint", str(f), "--live", "--region", "us-east-1", "-f", "json"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["account"] == ACCOUNT and doc["region"] == "us-east-1"
    causes = {x["cause"] for x in doc["findings"]}
    assert {"image-not-found", "secrets-not-found"} <= causes
    assert "log-config" not in causes and "role-assume-failed" not in causes
