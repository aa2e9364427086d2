"""Helpers the access checks share: subjects, pulling roles, secret references, awslogs settings."""

from __future__ import annotations

from typing import Any

from ecs_triage.evidence.parse import parse_snapshot
from ecs_triage.iam import support as sx

TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7"


def ev(td: dict[str, Any], **data: Any) -> Any:
    base = {
        "taskDefinitionArn": TD,
        "family": "web",
        "revision": 7,
        "containerDefinitions": [{"name": "app", "image": "nginx"}],
    }
    base.update(td)
    return parse_snapshot(
        {
            "schema": "ecs-triage.snapshot/v1",
            "region": "us-east-1",
            "account": "123456789012",
            "data": {"task_definitions": [base], **data},
        }
    )


def test_launch_type_comes_from_the_task_before_the_definition() -> None:
    task = {
        "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/prod/abc",
        "taskDefinitionArn": TD,
        "lastStatus": "STOPPED",
        "launchType": "EC2",
    }
    e = ev({"requiresCompatibilities": ["FARGATE", "EC2"]}, tasks=[task])
    (subj,) = sx.subjects(e)
    assert subj.tasks and not subj.fargate
    (plain,) = sx.subjects(ev({"requiresCompatibilities": ["FARGATE"]}))
    assert plain.fargate


def test_pulling_roles_prefer_the_execution_role_then_the_instance_role() -> None:
    with_role = ev({"executionRoleArn": "arn:aws:iam::123456789012:role/exec"})
    assert sx.pulling_roles(with_role, sx.subjects(with_role)[0]) == [
        ("arn:aws:iam::123456789012:role/exec", "execution role")
    ]
    profile = "arn:aws:iam::123456789012:instance-profile/ecs"
    ec2 = ev(
        {"requiresCompatibilities": ["EC2"]},
        ec2_instances=[{"InstanceId": "i-1", "IamInstanceProfile": {"Arn": profile}}],
        instance_profiles=[{"Arn": profile, "Roles": [{"Arn": "arn:aws:iam::123456789012:role/ecsInstanceRole"}]}],
    )
    assert sx.pulling_roles(ec2, sx.subjects(ec2)[0]) == [
        ("arn:aws:iam::123456789012:role/ecsInstanceRole", "instance role")
    ]
    fargate = ev({"requiresCompatibilities": ["FARGATE"]})
    assert sx.pulling_roles(fargate, sx.subjects(fargate)[0]) == []


def test_secret_uses_resolve_the_reference_and_its_key() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
    cd = {
        "name": "app",
        "image": "nginx",
        "secrets": [{"name": "DB", "valueFrom": arn + ":password::"}, {"name": "TOKEN", "valueFrom": "shared-token"}],
        "logConfiguration": {
            "logDriver": "awsfirelens",
            "secretOptions": [{"name": "apikey", "valueFrom": "/log/key"}],
        },
    }
    e = ev(
        {"containerDefinitions": [cd]},
        secrets=[
            {
                "reference": arn + ":password::",
                "secretId": arn,
                "found": True,
                "secret": {"ARN": arn, "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k1"},
            },
            {
                "reference": "shared-token",
                "secretId": "shared-token",
                "found": False,
                "error_code": "ResourceNotFoundException",
            },
        ],
        ssm_parameters=[
            {
                "reference": "/log/key",
                "name": "/log/key",
                "found": True,
                "parameter": {
                    "ARN": "arn:aws:ssm:us-east-1:123456789012:parameter/log/key",
                    "Type": "SecureString",
                    "KeyId": "alias/aws/ssm",
                },
            }
        ],
    )
    uses = {u.name: u for u in sx.secret_uses(e, sx.subjects(e)[0])}
    assert uses["DB"].service == "secretsmanager" and uses["DB"].arn == arn and uses["DB"].ref.json_key == "password"
    assert uses["DB"].key_id == "arn:aws:kms:us-east-1:123456789012:key/k1"
    assert (
        uses["TOKEN"].service == "secretsmanager" and uses["TOKEN"].missing
    )  # a bare name the collector found in Secrets Manager
    assert uses["apikey"].service == "ssm" and uses["apikey"].key_id is None  # the AWS managed key
    assert uses["apikey"].action == "ssm:GetParameters"


def test_awslogs_defaults_to_the_task_region() -> None:
    cd = {
        "name": "app",
        "image": "nginx",
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": "/ecs/web", "awslogs-stream-prefix": "ecs", "awslogs-create-group": "true"},
        },
    }
    e = ev({"containerDefinitions": [cd]})
    (cfg,) = sx.awslogs(e, sx.subjects(e)[0])
    assert cfg.region == "us-east-1" and cfg.create_group
    assert (
        cfg.stream_arn("123456789012", "t1")
        == "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:log-stream:ecs/app/t1"
    )


def test_iam_does_not_import_checks() -> None:
    """Review item 13: layering, iam sits below checks (checks import iam, never the reverse)."""
    import ast
    from pathlib import Path

    import ecs_triage.iam

    for path in Path(ecs_triage.iam.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        mods = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in mods if m.startswith("ecs_triage.checks")}, path.name
    assert not hasattr(sx, "_FALLBACK")


def test_refs_turn_proofs_into_the_callers_type() -> None:
    from ecs_triage.checks._api import EvidenceRef

    existing = EvidenceRef("r0", "/a", 0)
    out = sx.refs([sx.Proof("r1", "/b", 1, "why"), existing], EvidenceRef)
    assert out == (EvidenceRef("r1", "/b", 1, "why"), existing)
