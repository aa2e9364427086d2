"""Typed views of the access evidence kinds and the reference parsers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from ecs_triage.evidence import access
from ecs_triage.evidence.parse import parse_snapshot

ROLE = "arn:aws:iam::123456789012:role/service-role/web-exec-role"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def ev(**data: Any) -> Any:
    return parse_snapshot(
        {"schema": "ecs-triage.snapshot/v1", "region": "us-east-1", "account": "123456789012", "data": data}
    )


def test_parse_image_ecr_tag_and_digest() -> None:
    img = access.parse_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:1.2")
    assert img is not None and img.is_ecr
    assert (img.ecr_account, img.ecr_region, img.repository, img.tag) == (
        "123456789012",
        "us-east-1",
        "team/web",
        "1.2",
    )
    assert img.repository_arn() == "arn:aws:ecr:us-east-1:123456789012:repository/team/web"
    pinned = access.parse_image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:abc")
    assert (
        pinned is not None and pinned.digest == "sha256:abc" and pinned.tag is None and pinned.reference == "sha256:abc"
    )


def test_parse_image_docker_hub_and_other_registries() -> None:
    hub = access.parse_image("nginx")
    assert hub is not None and hub.is_docker_hub and hub.repository == "library/nginx" and hub.reference == "latest"
    local = access.parse_image("localhost:5000/app:3")
    assert local is not None and (local.registry, local.repository, local.tag) == ("localhost:5000", "app", "3")
    ghcr = access.parse_image("ghcr.io/acme/api:2.1")
    assert ghcr is not None and not ghcr.is_ecr and not ghcr.is_docker_hub and ghcr.repository == "acme/api"
    assert access.parse_image("") is None


def test_parse_value_from() -> None:
    full = access.parse_value_from(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf:password:AWSPREVIOUS:"
    )
    assert full.service == "secretsmanager"
    assert full.arn == "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
    assert (full.json_key, full.version_stage, full.version_id) == ("password", "AWSPREVIOUS", None)
    ssm = access.parse_value_from("arn:aws:ssm:eu-west-1:123456789012:parameter/prod/key")
    assert (ssm.service, ssm.region, ssm.name) == ("ssm", "eu-west-1", "/prod/key")
    bare = access.parse_value_from("prod/key", "us-east-1", "123456789012")
    assert bare.arn == "arn:aws:ssm:us-east-1:123456789012:parameter/prod/key"


def test_ssm_parameter_name_is_the_collectors() -> None:
    """Review item 7: the views give the name the collector gives (tests/collect/test_references.py asserts
    the collector side): `parameter/db-pass` names `db-pass`, `parameter/app/db` names `/app/db`."""
    single = "arn:aws:ssm:us-east-1:123456789012:parameter/db-pass"
    nested = "arn:aws:ssm:us-east-1:123456789012:parameter/app/db"
    assert access.parse_value_from(single).name == "db-pass"
    assert access.parse_value_from(nested).name == "/app/db"
    e = ev(
        ssm_parameters=[
            {"reference": "db-pass", "name": "db-pass", "region": "us-east-1", "found": True, "parameter": None},
            {"reference": "x", "name": "/app/db", "region": "us-east-1", "found": False, "parameter": None},
        ]
    )
    # another reference to the same parameter falls back to the name
    hit = access.parameter(e, single)
    assert hit is not None and hit.name == "db-pass" and hit.index == 0
    hit = access.parameter(e, nested)
    assert hit is not None and hit.name == "/app/db" and hit.index == 1
    assert access.parameter(e, "arn:aws:ssm:us-east-1:123456789012:parameter/other") is None


def test_roles_decode_documents_and_match_by_name() -> None:
    item = {
        "RoleArn": ROLE,
        "found": True,
        "Role": {"RoleName": "web-exec-role", "Arn": ROLE, "AssumeRolePolicyDocument": quote(json.dumps(TRUST))},
        "AttachedPolicies": [
            {
                "PolicyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                "PolicyName": "AmazonECSTaskExecutionRolePolicy",
                "Document": None,
            }
        ],
        "InlinePolicies": [{"PolicyName": "logs", "Document": json.dumps({"Statement": []})}],
        "PermissionsBoundary": {
            "PolicyArn": "arn:aws:iam::123456789012:policy/boundary",
            "Document": {"Statement": []},
        },
    }
    e = ev(
        iam_roles=[
            item,
            {"RoleArn": "arn:aws:iam::123456789012:role/gone", "found": False, "error_code": "NoSuchEntity"},
        ]
    )
    view = access.role(e, "arn:aws:iam::123456789012:role/web-exec-role")  # path dropped: matched by name
    assert view is not None and view.arn == ROLE
    assert view.trust_policy == TRUST
    assert [p.name for p in view.policies] == ["logs", "AmazonECSTaskExecutionRolePolicy"]
    assert view.inline[0].document == {"Statement": []}
    assert view.attached[0].document is None
    assert view.boundary is not None and view.boundary.name == "boundary"
    gone = access.role(e, "arn:aws:iam::123456789012:role/gone")
    assert gone is not None and not gone.found and gone.error_code == "NoSuchEntity"
    assert access.roles(e) is access.roles(e)  # cached per Evidence


def test_views_tolerate_odd_payloads() -> None:
    e = ev(
        iam_roles=[None, "x", {"Role": "nope"}],
        secrets=[{"secret": []}],
        kms_keys=[7],
        log_groups=[{}],
        ecr_images=[{"platforms": "x"}],
    )
    assert len(access.roles(e)) == 3 and access.roles(e)[2].trust_policy is None
    assert access.secrets(e)[0].found is False
    assert access.keys(e)[0].found is False
    assert access.log_groups(e)[0].name == ""
    assert access.images(e)[0].platforms is None


def test_secret_parameter_key_and_log_group_views() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
    key_arn = "arn:aws:kms:us-east-1:123456789012:key/1a2b"
    e = ev(
        secrets=[
            {
                "reference": arn + ":password::",
                "secretId": arn,
                "region": "us-east-1",
                "found": True,
                "secret": {
                    "ARN": arn,
                    "Name": "prod/db",
                    "KmsKeyId": key_arn,
                    "DeletedDate": "2026-11-01T00:00:00Z",
                    "VersionIdsToStages": {"v1": ["AWSCURRENT"], "v0": ["AWSPREVIOUS"]},
                },
            }
        ],
        ssm_parameters=[
            {
                "reference": "/p",
                "name": "/p",
                "region": "us-east-1",
                "found": False,
                "parameter": None,
                "error_code": "AccessDeniedException",
            }
        ],
        kms_keys=[
            {
                "keyId": key_arn,
                "found": True,
                "metadata": {"KeyId": "1a2b", "Arn": key_arn, "KeyManager": "CUSTOMER"},
                "policy": json.dumps({"Statement": []}),
            }
        ],
        log_groups=[
            {"logGroupName": "/ecs/web", "region": "us-east-1", "found": True, "logGroup": {"logGroupName": "/ecs/web"}}
        ],
    )
    s = access.secret(e, arn + ":password::")
    assert s is not None and s.deleted and s.stages == ("AWSCURRENT", "AWSPREVIOUS") and s.kms_key_id == key_arn
    p = access.parameter(e, "/p")
    assert p is not None and not p.found and access.is_access_denied(p.error_code)
    k = access.key(e, "1a2b")
    assert k is not None and k.customer_managed and k.policy == {"Statement": []}
    assert access.log_group(e, "/ecs/web", "us-east-1") is not None
    assert access.log_group(e, "/ecs/web", "eu-west-1") is None
    assert access.is_aws_managed_key("alias/aws/secretsmanager") and not access.is_aws_managed_key(key_arn)


def test_instance_role_arns_follow_the_instances_profiles() -> None:
    e = ev(
        ec2_instances=[
            {"InstanceId": "i-1", "IamInstanceProfile": {"Arn": "arn:aws:iam::123456789012:instance-profile/ecs"}}
        ],
        instance_profiles=[
            {
                "Arn": "arn:aws:iam::123456789012:instance-profile/ecs",
                "InstanceProfileName": "ecs",
                "Roles": [{"Arn": "arn:aws:iam::123456789012:role/ecsInstanceRole"}],
            },
            {
                "Arn": "arn:aws:iam::123456789012:instance-profile/other",
                "Roles": [{"Arn": "arn:aws:iam::123456789012:role/other"}],
            },
        ],
    )
    assert access.instance_role_arns(e) == ("arn:aws:iam::123456789012:role/ecsInstanceRole",)


def test_credentials_reference_by_name_is_a_secrets_manager_secret() -> None:
    ref = access.parse_value_from("registry/ghcr", "us-east-1", "123456789012", credentials=True)
    assert ref.service == "secretsmanager"
    assert ref.arn == "arn:aws:secretsmanager:us-east-1:123456789012:secret:registry/ghcr"
