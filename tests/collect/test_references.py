"""Pure helpers of the collectors: secret/parameter references, ECR image strings, manifest platforms."""

from __future__ import annotations

import json

import boto3
import pytest

from ecs_triage.collect import collect_target
from ecs_triage.collect.ecr import parse_image, platforms
from ecs_triage.collect.secrets import parse_reference

from .world import REGION, World

ACCT = "123456789012"


@pytest.mark.parametrize(
    ("value_from", "kind", "expected"),
    [
        (
            f"arn:aws:secretsmanager:eu-west-1:{ACCT}:secret:db-AbCdEf:password:AWSCURRENT:",
            "secrets",
            ("secretsmanager", f"arn:aws:secretsmanager:eu-west-1:{ACCT}:secret:db-AbCdEf", "eu-west-1"),
        ),
        (
            f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:db-AbCdEf",
            "secrets",
            ("secretsmanager", f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:db-AbCdEf", "us-east-1"),
        ),
        (f"arn:aws:ssm:us-west-2:{ACCT}:parameter/app/db/url", "secrets", ("ssm", "/app/db/url", "us-west-2")),
        (f"arn:aws:ssm:us-east-1:{ACCT}:parameter/flat", "secrets", ("ssm", "flat", "us-east-1")),
        ("/app/token", "secrets", ("ssm", "/app/token", REGION)),
        ("plain", "secrets", ("ssm", "plain", REGION)),
        ("dockerhub-creds", "credentials", ("secretsmanager", "dockerhub-creds", REGION)),
    ],
)
def test_parse_reference(value_from: str, kind: str, expected: tuple[str, str, str]) -> None:
    ref = parse_reference(value_from, REGION, ACCT, kind)
    assert (ref["service"], ref["id"], ref["region"]) == expected
    assert ref["arn"].startswith(f"arn:aws:{expected[0]}:{expected[2]}:{ACCT}:")


def test_parameter_arn_for_names() -> None:
    assert parse_reference("/a/b", REGION, ACCT, "secrets")["arn"] == f"arn:aws:ssm:{REGION}:{ACCT}:parameter/a/b"
    assert parse_reference("flat", REGION, ACCT, "secrets")["arn"] == f"arn:aws:ssm:{REGION}:{ACCT}:parameter/flat"


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (
            f"{ACCT}.dkr.ecr.us-east-1.amazonaws.com/team/web:1.2",
            {"registryId": ACCT, "region": "us-east-1", "repositoryName": "team/web", "imageTag": "1.2"},
        ),
        (
            f"{ACCT}.dkr.ecr.eu-west-1.amazonaws.com/web",
            {"registryId": ACCT, "region": "eu-west-1", "repositoryName": "web", "imageTag": "latest"},
        ),
        (
            f"{ACCT}.dkr.ecr.us-east-1.amazonaws.com/web@sha256:{'b' * 64}",
            {"registryId": ACCT, "region": "us-east-1", "repositoryName": "web", "imageDigest": "sha256:" + "b" * 64},
        ),
        ("nginx:1.25", None),
        ("public.ecr.aws/docker/library/nginx:latest", None),
        ("ghcr.io/org/app:1", None),
    ],
)
def test_parse_image(image: str, expected: dict[str, str] | None) -> None:
    assert parse_image(image) == expected


def test_platforms_of_an_index_and_a_single_manifest() -> None:
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"digest": "sha256:1", "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
            {"digest": "sha256:2", "platform": {"os": "linux", "architecture": "amd64"}},
            {"digest": "sha256:3", "platform": {"os": "unknown", "architecture": "unknown"}},  # attestation
        ],
    }
    assert platforms(json.dumps(index), None) == [
        {"os": "linux", "architecture": "arm64", "variant": "v8"},
        {"os": "linux", "architecture": "amd64"},
    ]
    single = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "layers": []}
    assert platforms(json.dumps(single), single["mediaType"]) is None
    assert platforms("not json", None) is None


def test_secret_in_another_region_is_described_there(world: World) -> None:
    other = boto3.client("secretsmanager", region_name="us-west-2").create_secret(Name="far", SecretString="x")["ARN"]
    ecs = boto3.client("ecs", region_name=REGION)
    td = ecs.describe_task_definition(taskDefinition=world.td_arn)["taskDefinition"]
    cd = dict(td["containerDefinitions"][0], secrets=[{"name": "FAR", "valueFrom": other}])
    arn = ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        executionRoleArn=world.exec_role_arn,
        containerDefinitions=[cd],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=world.cluster, service=world.service, taskDefinition=arn)
    snap = collect_target(cluster=world.cluster, service=world.service)
    secrets = {s["secretId"]: s for s in snap["data"]["secrets"]}
    assert secrets[other]["region"] == "us-west-2"
    assert secrets[other]["found"] is True
    assert secrets[other]["secret"]["Name"] == "far"


def test_collect_definitions_reads_what_a_definition_references(world: World) -> None:
    from ecs_triage.collect import collect_definitions

    td = boto3.client("ecs", region_name=REGION).describe_task_definition(taskDefinition=world.td_arn)
    snap = collect_definitions([td["taskDefinition"]])
    data = snap["data"]
    assert snap["target"] == {"cluster": None, "service": None, "task": None}
    assert {r["RoleArn"] for r in data["iam_roles"]} == {world.exec_role_arn, world.task_role_arn}
    assert [i["image"] for i in data["ecr_images"]] == [world.image]
    assert [s["secretId"] for s in data["secrets"]] == [world.secret_arn]
    assert data["log_groups"][0]["found"] is True
    assert "services" not in data and "tasks" not in data
    assert not any(op.startswith("ecs:") for op in snap["calls"])


def test_ssm_parameter_names_agree_between_collector_and_views(world: World) -> None:
    """Review item 7: `parameter/db-pass` is the parameter `db-pass` (or `/db-pass`); collector and views give
    the same name, the collector looks for both spellings."""
    from ecs_triage.collect import collect_definitions
    from ecs_triage.evidence import access, refs
    from ecs_triage.evidence.parse import parse_snapshot

    ssm = boto3.client("ssm", region_name=REGION)
    ssm.put_parameter(Name="db-pass", Value="x", Type="SecureString")
    ssm.put_parameter(Name="/solo", Value="x", Type="String")
    arn = f"arn:aws:ssm:{REGION}:{ACCT}:parameter/"
    references = {"DB": arn + "db-pass", "SOLO": arn + "solo", "NOPE": arn + "nope", "NESTED": arn + "app/db"}
    td = boto3.client("ecs", region_name=REGION).describe_task_definition(taskDefinition=world.td_arn)
    tdef = td["taskDefinition"]
    cd = dict(tdef["containerDefinitions"][0], secrets=[{"name": k, "valueFrom": v} for k, v in references.items()])
    snap = collect_definitions([dict(tdef, containerDefinitions=[cd])])
    items = {p["reference"]: p for p in snap["data"]["ssm_parameters"]}
    e = parse_snapshot(snap)

    db = items[references["DB"]]
    assert db["found"] is True and db["name"] == "db-pass" == refs.parse_value_from(references["DB"]).name
    assert access.parameter(e, references["DB"]).name == "db-pass"  # type: ignore[union-attr]
    solo = items[references["SOLO"]]  # only `/solo` exists: found through the second spelling
    assert solo["found"] is True and solo["name"] == "/solo"
    assert access.parameter(e, references["SOLO"]).name == "/solo"  # type: ignore[union-attr]
    nope = items[references["NOPE"]]
    assert nope["found"] is False and nope["name"] == "nope" == refs.parse_value_from(references["NOPE"]).name
    assert access.parameter(e, references["NOPE"]).name == "nope"  # type: ignore[union-attr]
    assert items[references["NESTED"]]["name"] == "/app/db" == refs.parse_value_from(references["NESTED"]).name


def test_arns_follow_the_partition() -> None:
    ref = parse_reference("creds", "cn-north-1", ACCT, "credentials")
    assert ref["arn"] == f"arn:aws-cn:secretsmanager:cn-north-1:{ACCT}:secret:creds"
    assert parse_reference("/p", "us-gov-west-1", ACCT, "secrets")["arn"].startswith("arn:aws-us-gov:ssm:")
    from ecs_triage.collect.ecr import repository_arn

    img = parse_image(f"{ACCT}.dkr.ecr.cn-north-1.amazonaws.com.cn/web:1")
    assert img is not None
    assert repository_arn(img) == f"arn:aws-cn:ecr:cn-north-1:{ACCT}:repository/web"
