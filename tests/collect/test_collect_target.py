"""collect_target against moto: snapshot shape (docs/snapshot-format.md), each resource once, read-only."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_triage.collect import collect_target
from ecs_triage.collect.permissions import ALLOWED_OPERATIONS
from ecs_triage.collect.session import AwsSession, ReadOnlyViolation, Sink
from ecs_triage.evidence.snapshot import SCHEMA, dumps, loads

from .world import ACCOUNT, REGION, World


@pytest.fixture(scope="module")
def world(shared_world: World) -> World:
    return shared_world


@pytest.fixture(scope="module")
def snap(world: World) -> dict[str, Any]:
    return collect_target(cluster=world.cluster, service=world.service)


def test_envelope(snap: dict[str, Any], world: World) -> None:
    assert snap["schema"] == SCHEMA
    assert snap["source"] == "live"
    assert snap["target"] == {"cluster": "prod", "service": "web", "task": None}
    assert snap["region"] == REGION
    assert snap["account"] == ACCOUNT
    assert snap["tool"]["name"] == "ecs-triage"
    assert snap["gaps"] == []
    assert snap["redaction"]["secret_values"] == "never collected"
    # the snapshot round-trips through the loader (JSON only: datetimes became ISO strings)
    assert loads(dumps(snap)) == snap
    assert isinstance(snap["data"]["tasks"][0]["containers"], list)
    assert snap["data"]["services"][0]["events"][0]["createdAt"].startswith("20")


def test_ecs_evidence(snap: dict[str, Any], world: World) -> None:
    data = snap["data"]
    assert [c["clusterName"] for c in data["clusters"]] == ["prod"]
    (svc,) = data["services"]
    assert svc["serviceName"] == "web"
    assert svc["events"][0]["message"].startswith("(service web) has started")
    # stopped AND running tasks of this service only (moto ignores ListTasks serviceName)
    arns = {t["taskArn"] for t in data["tasks"]}
    assert arns == set(world.stopped + world.running)
    assert {t["group"] for t in data["tasks"]} == {"service:web"}
    stopped = [t for t in data["tasks"] if t["taskArn"] in world.stopped]
    assert {t["stopCode"] for t in stopped} == {"EssentialContainerExited"}
    assert [td["taskDefinitionArn"] for td in data["task_definitions"]] == [world.td_arn]
    # environment values masked by redaction, secret references kept
    (cd,) = data["task_definitions"][0]["containerDefinitions"]
    assert cd["environment"] == [{"name": "DB_HOST", "value": "***"}]
    assert cd["secrets"][0]["valueFrom"] == world.secret_arn + ":password::"
    assert data["container_instances"] == []  # Fargate: looked, none


def test_iam_roles(snap: dict[str, Any], world: World) -> None:
    roles = {r["RoleArn"]: r for r in snap["data"]["iam_roles"]}
    assert set(roles) == {world.exec_role_arn, world.task_role_arn}
    ex = roles[world.exec_role_arn]
    assert ex["found"] is True
    assert ex["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert [p["PolicyArn"] for p in ex["AttachedPolicies"]] == [world.managed_policy_arn]
    assert ex["AttachedPolicies"][0]["Document"]["Statement"][0]["Action"] == [
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ]
    assert ex["InlinePolicies"] == [
        {
            "PolicyName": "logs",
            "Document": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}],
            },
        }
    ]
    assert ex["PermissionsBoundary"]["PolicyArn"] == world.boundary_arn
    assert ex["PermissionsBoundary"]["Document"]["Statement"][0]["Action"] == "*"
    assert roles[world.task_role_arn]["PermissionsBoundary"] is None
    # moto has no SimulatePrincipalPolicy: recorded as "not available", not as a gap, no simulations kind
    assert snap["extra"]["iam_simulation"]["available"] is False
    assert snap["extra"]["iam_simulation"]["evaluator"] == "local"
    assert "iam_simulations" not in snap["data"]


def test_ecr_secrets_logs(snap: dict[str, Any], world: World) -> None:
    data = snap["data"]
    (repo,) = data["ecr_repositories"]
    assert repo["found"] is True and repo["repositoryName"] == "web" and repo["registryId"] == ACCOUNT
    assert repo["policy"]["Statement"][0]["Principal"] == {"AWS": world.exec_role_arn}
    (img,) = data["ecr_images"]
    assert img["image"] == world.image and img["imageTag"] == "v1" and img["found"] is True
    assert img["detail"]["imageTags"] == ["v1"]
    assert img["failure"] is None
    (sec,) = data["secrets"]
    assert sec["reference"] == world.secret_arn + ":password::"
    assert sec["secretId"] == world.secret_arn  # JSON-key suffix stripped
    assert sec["found"] is True and sec["region"] == REGION
    assert sec["secret"]["KmsKeyId"] == world.key_arn
    assert "SecretString" not in sec["secret"]
    (param,) = data["ssm_parameters"]
    assert param["name"] == "/web/api-url" and param["found"] is True and "Value" not in param["parameter"]
    (key,) = data["kms_keys"]
    assert key["metadata"]["Arn"] == world.key_arn and key["policy"]["Statement"]
    (group,) = data["log_groups"]
    assert group == {**group, "logGroupName": "/ecs/web", "found": True}
    tails = {e["taskArn"]: e for e in data["log_events"]}
    assert set(tails) == set(world.stopped)  # stopped containers only
    one = tails[world.stopped[0]]
    assert one["logStreamName"] == f"web/app/{world.stopped[0].rsplit('/', 1)[-1]}"
    assert one["events"][-1]["message"] == "KeyError: 'DATABASE_URL'"


def test_elb_and_network(snap: dict[str, Any], world: World) -> None:
    data = snap["data"]
    (tg,) = data["target_groups"]
    assert tg["TargetGroupArn"] == world.tg_arn and tg["HealthCheckPath"] == "/health"
    assert tg["TargetHealthDescriptions"] == []
    assert [lb["LoadBalancerArn"] for lb in data["load_balancers"]] == [world.lb_arn]
    assert [s["SubnetId"] for s in data["subnets"]] == [world.subnets[0]]
    (vpc,) = data["vpcs"]
    assert vpc["VpcId"] == world.vpc_id and vpc["EnableDnsSupport"] is True and vpc["EnableDnsHostnames"] is True
    # every route table of the VPC: the explicit association and the main table are both there
    assert any(a.get("SubnetId") == world.subnets[0] for rt in data["route_tables"] for a in rt.get("Associations", []))
    assert any(a.get("Main") for rt in data["route_tables"] for a in rt.get("Associations", []))
    (ep,) = data["vpc_endpoints"]
    assert ep["ServiceName"].endswith(".secretsmanager")
    # task SG and the endpoint's SG
    assert {g["GroupId"] for g in data["security_groups"]} == {world.sg_id, world.endpoint_sg_id}
    assert data["nat_gateways"][0]["SubnetId"] == world.subnets[1]
    assert data["internet_gateways"][0]["Attachments"][0]["VpcId"] == world.vpc_id
    assert any(a["SubnetId"] == world.subnets[0] for acl in data["network_acls"] for a in acl.get("Associations", []))


def test_each_resource_fetched_once_and_read_only(snap: dict[str, Any]) -> None:
    calls = snap["calls"]
    assert set(calls) <= ALLOWED_OPERATIONS
    assert calls["ecs:DescribeServices"] == 1
    assert calls["ecs:ListTasks"] == 2  # STOPPED and RUNNING
    assert calls["ecs:DescribeTaskDefinition"] == 1
    assert calls["iam:GetRole"] == 2
    # the managed policy is attached to both roles; the boundary is a second policy: 2 documents, not 3
    assert calls["iam:GetPolicy"] == 2 and calls["iam:GetPolicyVersion"] == 2
    assert calls["ecr:DescribeRepositories"] == 1 and calls["secretsmanager:DescribeSecret"] == 1
    assert calls["ec2:DescribeVpcs"] == 1 and calls["ec2:DescribeVpcAttribute"] == 2
    # the tasks' group with the subnets, the endpoint's group once the endpoints are known: each once
    assert calls["ec2:DescribeSecurityGroups"] == 2
    assert calls["logs:GetLogEvents"] == 2
    assert not any(op.split(":")[1].startswith(("Put", "Create", "Delete", "Update")) for op in calls)


def test_task_target_includes_its_service(world: World) -> None:
    task_id = world.stopped[0].rsplit("/", 1)[-1]
    snap = collect_target(cluster=world.cluster, task=task_id)
    assert snap["target"] == {"cluster": "prod", "service": None, "task": task_id}
    assert [t["taskArn"] for t in snap["data"]["tasks"]] == [world.stopped[0]]
    assert [s["serviceName"] for s in snap["data"]["services"]] == ["web"]
    assert [e["taskArn"] for e in snap["data"]["log_events"]] == [world.stopped[0]]


def test_forbidden_operation_raises_before_sending(world: World) -> None:
    sess = AwsSession(region=REGION)
    sent: list[str] = []
    client = sess.client("secretsmanager")
    client.meta.events.register("before-send.*.*", lambda **kw: sent.append("sent"))
    with pytest.raises(ReadOnlyViolation, match="GetSecretValue"):
        sess.call(Sink(), "secrets", "secretsmanager", "GetSecretValue", "x", SecretId="x")
    with pytest.raises(ReadOnlyViolation, match="ssm:GetParameters"):
        sess.call(Sink(), "ssm_parameters", "ssm", "GetParameters", "x", Names=["x"], WithDecryption=True)
    with pytest.raises(ReadOnlyViolation, match="ecs:UpdateService"):
        sess.call(Sink(), "services", "ecs", "UpdateService", "x", cluster="c", service="s")
    assert sent == []
    sess.close()
