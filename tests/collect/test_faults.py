"""Faults: AccessDenied on each collector call, throttling, ECS failures[], bad targets, no region/credentials."""

from __future__ import annotations

import botocore.retries.bucket
import botocore.retries.standard
import pytest

from ecs_triage.collect import collect_target
from ecs_triage.collect.permissions import KIND_ACTIONS, iam_action
from ecs_triage.errors import EXIT_COLLECT, EXIT_USAGE, CollectError, InputError

from .helpers import deny, stub, throttle
from .world import REGION, World

# Every operation a service collection makes (sts and the simulation aside: see their own tests),
# with the evidence kind whose gap must name it.
TARGET_OPERATIONS = [
    ("ecs:DescribeClusters", "clusters"),
    ("ecs:DescribeServices", "services"),
    ("ecs:ListTasks", "tasks"),
    ("ecs:DescribeTasks", "tasks"),
    ("ecs:DescribeTaskDefinition", "task_definitions"),
    ("iam:GetRole", "iam_roles"),
    ("iam:ListAttachedRolePolicies", "iam_roles"),
    ("iam:ListRolePolicies", "iam_roles"),
    ("iam:GetRolePolicy", "iam_roles"),
    ("iam:GetPolicy", "iam_roles"),
    ("iam:GetPolicyVersion", "iam_roles"),
    ("ecr:DescribeRepositories", "ecr_repositories"),
    ("ecr:GetRepositoryPolicy", "ecr_repositories"),
    ("ecr:DescribeImages", "ecr_images"),
    ("ecr:BatchGetImage", "ecr_images"),
    ("secretsmanager:DescribeSecret", "secrets"),
    ("secretsmanager:GetResourcePolicy", "secrets"),
    ("ssm:DescribeParameters", "ssm_parameters"),
    ("kms:DescribeKey", "kms_keys"),
    ("kms:GetKeyPolicy", "kms_keys"),
    ("logs:DescribeLogGroups", "log_groups"),
    ("logs:GetLogEvents", "log_events"),
    ("elbv2:DescribeTargetGroups", "target_groups"),
    ("elbv2:DescribeTargetHealth", "target_groups"),
    ("elbv2:DescribeLoadBalancers", "load_balancers"),
    ("ec2:DescribeSubnets", "subnets"),
    ("ec2:DescribeRouteTables", "route_tables"),
    ("ec2:DescribeVpcs", "vpcs"),
    ("ec2:DescribeVpcAttribute", "vpcs"),
    ("ec2:DescribeVpcEndpoints", "vpc_endpoints"),
    ("ec2:DescribeSecurityGroups", "security_groups"),
    ("ec2:DescribeNetworkAcls", "network_acls"),
    ("ec2:DescribeNatGateways", "nat_gateways"),
    ("ec2:DescribeInternetGateways", "internet_gateways"),
]
# operations whose failure takes the whole kind away (every item of the kind needs that call)
KIND_LOST = {
    "ecs:DescribeTaskDefinition",
    "ecr:DescribeRepositories",
    "secretsmanager:DescribeSecret",
    "ssm:DescribeParameters",
    "kms:DescribeKey",
    "logs:DescribeLogGroups",
    "logs:GetLogEvents",
    "elbv2:DescribeTargetGroups",
    "elbv2:DescribeLoadBalancers",
    "ec2:DescribeSubnets",
    "ec2:DescribeRouteTables",
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeNatGateways",
    "ec2:DescribeInternetGateways",
    "iam:GetRole",
}


@pytest.fixture(scope="module")
def world(shared_world: World) -> World:
    return shared_world


def test_every_collector_operation_is_covered() -> None:
    covered = {op for op, _ in TARGET_OPERATIONS}
    ec2_cluster_only = {
        "ecs:ListContainerInstances",
        "ecs:DescribeContainerInstances",
        "ec2:DescribeInstances",
        "iam:GetInstanceProfile",
    }
    scan_only = {"ecs:ListClusters", "ecs:ListServices"}
    special = {"sts:GetCallerIdentity", "iam:SimulatePrincipalPolicy"}
    from ecs_triage.collect.permissions import ALLOWED_OPERATIONS

    assert ALLOWED_OPERATIONS - covered == ec2_cluster_only | scan_only | special


@pytest.mark.parametrize(("operation", "kind"), TARGET_OPERATIONS, ids=[op for op, _ in TARGET_OPERATIONS])
def test_access_denied_becomes_a_gap_naming_the_action(world: World, operation: str, kind: str) -> None:
    seen = deny(operation)
    snap = collect_target(cluster=world.cluster, service=world.service)
    assert seen, f"{operation} was never called"
    service, _, op = operation.partition(":")
    gaps = [g for g in snap["gaps"] if g["operation"] == op]
    assert gaps, snap["gaps"]
    gap = gaps[0]
    assert gap["kind"] == kind
    assert gap["service"] == service
    assert gap["error_code"] == "AccessDeniedException"
    assert gap["action"] == iam_action(operation)
    assert gap["action"] in KIND_ACTIONS[kind]
    assert gap["resource"]
    assert "not authorized" in gap["message"]
    if operation in KIND_LOST:
        assert kind not in snap["data"], f"{kind} should be absent when {operation} is denied"
    # the rest of the collection went on
    others = {"task_definitions", "iam_roles", "secrets", "log_groups", "subnets"} - {kind}
    if operation not in {"ecs:DescribeTaskDefinition", "ec2:DescribeSubnets"}:
        assert others <= set(snap["data"]), sorted(snap["data"])


def test_denied_role_listing_marks_the_role_incomplete(world: World) -> None:
    deny("iam:ListAttachedRolePolicies")
    snap = collect_target(cluster=world.cluster, service=world.service)
    roles = {r["RoleArn"]: r for r in snap["data"]["iam_roles"]}
    assert roles[world.exec_role_arn]["found"] is True
    assert roles[world.exec_role_arn]["complete"] is False
    assert {g["resource"] for g in snap["gaps"]} == {world.exec_role_arn, world.task_role_arn}


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """No backoff sleeps and no adaptive token waits in tests (the retry logic itself still runs)."""
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0)
    monkeypatch.setattr(botocore.retries.bucket.TokenBucket, "acquire", lambda self, amount=1, block=True: True)


def test_throttling_is_retried_then_succeeds(world: World, fast_retries: None) -> None:
    attempts = throttle("logs:DescribeLogGroups", times=2)
    snap = collect_target(cluster=world.cluster, service=world.service)
    assert attempts["attempts"] == 3  # two throttled, the third went through
    assert snap["calls"]["logs:DescribeLogGroups"] == 1  # one API call, retried by botocore
    assert snap["data"]["log_groups"][0]["found"] is True
    assert not [g for g in snap["gaps"] if g["kind"] == "log_groups"]


def test_persistent_throttling_becomes_a_gap(world: World, fast_retries: None) -> None:
    from ecs_triage.collect import limits

    attempts = throttle("logs:DescribeLogGroups", times=10**6)
    snap = collect_target(cluster=world.cluster, service=world.service)
    assert attempts["attempts"] == limits.MAX_ATTEMPTS
    (gap,) = [g for g in snap["gaps"] if g["kind"] == "log_groups"]
    assert gap["error_code"] == "ThrottlingException"
    assert gap["action"] == "logs:DescribeLogGroups" and gap["resource"] == "/ecs/web"
    assert "log_groups" not in snap["data"]
    assert snap["data"]["log_events"]  # the rest went on


def test_describe_tasks_failures_entry(world: World) -> None:
    gone = world.stopped[0]

    def setup(st: object) -> None:
        st.add_response(  # type: ignore[attr-defined]
            "describe_tasks",
            {"tasks": [], "failures": [{"arn": gone, "reason": "MISSING"}]},
        )

    stub("ecs", setup)
    snap = collect_target(cluster=world.cluster, service=world.service)
    assert {"operation": "DescribeTasks", "arn": gone, "reason": "MISSING"} in snap["extra"]["failures"]
    arns = {t["taskArn"] for t in snap["data"]["tasks"]}
    # the stubbed batch (STOPPED or RUNNING, whichever ran first) answered nothing; the other one came
    assert arns in (set(world.stopped), set(world.running))


def test_missing_task_via_failures_is_input_error(world: World) -> None:
    def setup(st: object) -> None:
        st.add_response(  # type: ignore[attr-defined]
            "describe_tasks", {"tasks": [], "failures": [{"arn": "abc", "reason": "MISSING"}]}
        )

    stub("ecs", setup)
    with pytest.raises(InputError, match="no ECS task 'abc'"):
        collect_target(cluster=world.cluster, task="abc")


def test_denied_describe_tasks_for_a_task_target_is_a_gap(world: World) -> None:
    deny("ecs:DescribeTasks")
    snap = collect_target(cluster=world.cluster, task=world.stopped[0])
    (gap,) = [g for g in snap["gaps"] if g["operation"] == "DescribeTasks"]
    assert gap["resource"] == world.stopped[0] and gap["action"] == "ecs:DescribeTasks"
    assert "tasks" not in snap["data"]
    assert snap["data"]["clusters"][0]["clusterName"] == world.cluster


def test_missing_cluster(world: World) -> None:
    with pytest.raises(InputError) as err:
        collect_target(cluster="nope", service="web")
    assert err.value.message == f"no ECS cluster 'nope' in {REGION}"
    assert err.value.exit_code == EXIT_USAGE


def test_missing_cluster_stubbed(world: World) -> None:
    def setup(st: object) -> None:
        st.add_response(  # type: ignore[attr-defined]
            "describe_clusters", {"clusters": [], "failures": [{"arn": "gone", "reason": "MISSING"}]}
        )

    stub("ecs", setup)
    with pytest.raises(InputError, match="no ECS cluster 'gone'"):
        collect_target(cluster="gone", service="web")


def test_missing_service(world: World) -> None:
    with pytest.raises(InputError, match="no ECS service 'nope' in cluster 'prod'"):
        collect_target(cluster=world.cluster, service="nope")


def test_missing_task(world: World) -> None:
    with pytest.raises(InputError, match="no ECS task"):
        collect_target(cluster=world.cluster, task="0123456789abcdef0123456789abcdef")


def test_no_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    with pytest.raises(CollectError) as err:
        collect_target(cluster="prod", service="web")
    assert err.value.message == "no AWS Region: pass --region or set AWS_REGION/AWS_DEFAULT_REGION"
    assert err.value.exit_code == EXIT_COLLECT


def test_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    with pytest.raises(CollectError, match="no AWS credentials") as err:
        collect_target(cluster="prod", service="web", region="us-east-1")
    assert err.value.exit_code == EXIT_COLLECT


def test_unknown_profile() -> None:
    with pytest.raises(InputError, match="no AWS profile 'ghost'"):
        collect_target(cluster="prod", service="web", profile="ghost")


def test_expired_credentials(world: World) -> None:
    deny("sts:GetCallerIdentity", code="ExpiredToken")
    with pytest.raises(CollectError, match="ExpiredToken"):
        collect_target(cluster="prod", service="web")
