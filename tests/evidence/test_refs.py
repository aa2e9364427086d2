"""evidence/refs.py: the one parser of image URIs, valueFrom references, KMS key references and partitions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ecs_triage.evidence import refs
from ecs_triage.evidence.refs import is_aws_managed_key, parse_image, parse_value_from, partition_of, repository_arn


def test_refs_imports_nothing_of_the_project() -> None:
    tree = ast.parse(Path(refs.__file__).read_text())
    mods = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    mods += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in mods if m.startswith("ecs_triage")]


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("eu-west-3", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        (None, "aws"),
    ],
)
def test_partition_of(region: str | None, partition: str) -> None:
    assert partition_of(region) == partition


@pytest.mark.parametrize(
    ("image", "account", "region", "repo", "tag", "digest"),
    [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1", "123456789012", "us-east-1", "app", "v1", None),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app", "123456789012", "eu-west-1", "team/app", None, None),
        (
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1",
            "123456789012",
            "us-gov-west-1",
            "app",
            "1",
            None,
        ),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:2", "123456789012", "cn-north-1", "app", "2", None),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + "a" * 64,
            "123456789012",
            "us-east-1",
            "app",
            None,
            "sha256:" + "a" * 64,
        ),
    ],
)
def test_parse_image_ecr(image: str, account: str, region: str, repo: str, tag: str | None, digest: str | None) -> None:
    ref = parse_image(image)
    assert ref is not None and ref.is_ecr
    assert (ref.account, ref.region, ref.repository, ref.tag, ref.digest) == (account, region, repo, tag, digest)
    assert ref.registry == image.split("/", 1)[0]
    assert ref.reference == (digest or tag or "latest")


def test_parse_image_other_registries() -> None:
    nginx = parse_image("nginx")
    assert nginx is not None and not nginx.is_ecr and nginx.is_docker_hub
    assert (nginx.registry, nginx.repository, nginx.tag) == ("docker.io", "library/nginx", None)
    ghcr = parse_image("ghcr.io/org/app:1.2")
    assert ghcr is not None and (ghcr.registry, ghcr.repository, ghcr.tag) == ("ghcr.io", "org/app", "1.2")
    local = parse_image("localhost:5000/app:dev")
    assert local is not None and (local.registry, local.repository, local.tag) == ("localhost:5000", "app", "dev")
    pub = parse_image("public.ecr.aws/nginx/nginx:latest")
    assert pub is not None and pub.is_public_ecr and not pub.is_ecr
    assert repository_arn(pub) is None
    assert parse_image("") is None and parse_image(None) is None and parse_image("   ") is None


@pytest.mark.parametrize(
    ("image", "arn"),
    [
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1",
            "arn:aws:ecr:us-east-1:123456789012:repository/team/app",
        ),
        (
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:2",
            "arn:aws-cn:ecr:cn-north-1:123456789012:repository/app",
        ),
        (
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app",
            "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/app",
        ),
    ],
)
def test_repository_arn_uses_the_partition(image: str, arn: str) -> None:
    ref = parse_image(image)
    assert ref is not None
    assert repository_arn(ref) == arn == ref.repository_arn()


def test_secrets_manager_arn_with_suffix() -> None:
    base = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"
    ref = parse_value_from(base + ":password:AWSPREVIOUS:", "us-east-1", "999999999999")
    assert ref.service == "secretsmanager"
    assert (ref.name, ref.arn, ref.secret_id) == ("db-AbCdEf", base, base)
    assert (ref.region, ref.account) == ("eu-west-1", "111122223333")
    assert (ref.json_key, ref.version_stage, ref.version_id) == ("password", "AWSPREVIOUS", None)
    plain = parse_value_from(base)
    assert (plain.json_key, plain.version_stage, plain.version_id) == (None, None, None)
    vid = parse_value_from(base + "::" + ":" + "0123-abcd")
    assert (vid.json_key, vid.version_stage, vid.version_id) == (None, None, "0123-abcd")


def test_bare_name_is_ssm_for_secrets_and_secrets_manager_for_credentials() -> None:
    p = parse_value_from("db-pass", "us-east-1", "111122223333")
    assert (p.service, p.name, p.names) == ("ssm", "db-pass", ("db-pass",))
    assert p.arn == "arn:aws:ssm:us-east-1:111122223333:parameter/db-pass"
    h = parse_value_from("/app/db", "cn-north-1", "111122223333")
    assert (h.service, h.name) == ("ssm", "/app/db")
    assert h.arn == "arn:aws-cn:ssm:cn-north-1:111122223333:parameter/app/db"
    c = parse_value_from("dockerhub-creds", "us-gov-west-1", "111122223333", credentials=True)
    assert (c.service, c.name, c.secret_id) == ("secretsmanager", "dockerhub-creds", "dockerhub-creds")
    assert c.arn == "arn:aws-us-gov:secretsmanager:us-gov-west-1:111122223333:secret:dockerhub-creds"
    assert parse_value_from("x", None, None).arn is None


def test_ssm_parameter_arn_names() -> None:
    single = parse_value_from("arn:aws:ssm:us-east-1:111122223333:parameter/db-pass")
    assert single.service == "ssm"
    assert single.name == "db-pass"
    assert single.names == ("db-pass", "/db-pass")  # both parameters have this ARN
    assert (single.region, single.account) == ("us-east-1", "111122223333")
    nested = parse_value_from("arn:aws:ssm:us-east-1:111122223333:parameter/app/db")
    assert (nested.name, nested.names) == ("/app/db", ("/app/db",))


@pytest.mark.parametrize(
    ("key", "managed"),
    [
        (None, True),
        ("", True),
        ("alias/aws/secretsmanager", True),
        ("alias/aws/ssm", True),
        ("arn:aws:kms:us-east-1:111122223333:alias/aws/ssm", True),
        ("alias/my-key", False),
        ("arn:aws:kms:us-east-1:111122223333:alias/my-key", False),
        ("1234abcd-12ab-34cd-56ef-1234567890ab", False),
        ("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", False),
    ],
)
def test_is_aws_managed_key(key: str | None, managed: bool) -> None:
    assert is_aws_managed_key(key) is managed
