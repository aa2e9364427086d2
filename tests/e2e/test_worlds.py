"""(a) Every demo world builds in moto and the AWS API shows the failure state it stands for.

These tests read the worlds through the same boto3 API the collectors use, so what is asserted here is what
ecs-triage will see: stop codes and reasons, exit codes, service events, unhealthy targets, the configuration
that explains each failure (missing permission, missing tag, missing route ...).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import pytest

from ecs_triage.demo import WORLDS, World
from ecs_triage.demo._svc import render_log_line

TAXONOMY = Path(__file__).resolve().parents[3] / "shared" / "taxonomy.md"
BROKEN = [n for n, w in WORLDS.items() if not w.healthy]
HEALTHY = [n for n, w in WORLDS.items() if w.healthy]


def _c(name: str) -> Any:
    return boto3.client(name, region_name="us-east-1")


def _service(w: World) -> dict[str, Any]:
    services = _c("ecs").describe_services(cluster=w.cluster, services=[w.service])["services"]
    assert len(services) == 1
    return services[0]


def _tasks(w: World, status: str) -> list[dict[str, Any]]:
    ecs = _c("ecs")
    arns = ecs.list_tasks(cluster=w.cluster, desiredStatus=status)["taskArns"]
    if not arns:
        return []
    tasks = ecs.describe_tasks(cluster=w.cluster, tasks=arns)["tasks"]
    # moto ignores list_tasks(serviceName=...): select the service's tasks by their group, as ECS sets it
    return [t for t in tasks if t["group"] == f"service:{w.service}"]


def _role_actions(role: str) -> set[str]:
    iam = _c("iam")
    docs = [
        iam.get_role_policy(RoleName=role, PolicyName=p)["PolicyDocument"]
        for p in iam.list_role_policies(RoleName=role)["PolicyNames"]
    ]
    for att in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        pol = iam.get_policy(PolicyArn=att["PolicyArn"])["Policy"]
        docs.append(
            iam.get_policy_version(PolicyArn=att["PolicyArn"], VersionId=pol["DefaultVersionId"])["PolicyVersion"][
                "Document"
            ]
        )
    actions: set[str] = set()
    for doc in docs:
        doc = json.loads(doc) if isinstance(doc, str) else doc
        for st in doc["Statement"]:
            acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            actions.update(a.lower() for a in acts)
    return actions


def test_worlds_cover_the_issue_list_with_taxonomy_labels() -> None:
    causes = {w.cause for w in WORLDS.values() if not w.healthy}
    assert {
        "image-pull-auth",
        "image-not-found",
        "image-pull-network",
        "secrets-access-denied",
        "log-config",
        "app-exit-missing-config",
        "app-exit-dependency-unreachable",
        "oom-killed",
        "port-conflict",
        "insufficient-memory",
        "fargate-invalid-cpu-memory",
        "elb-health-check",
        "role-assume-failed",
    } <= causes
    assert len(HEALTHY) >= 3
    labels = set(re.findall(r"^\| ([a-z0-9-]+) \|", TAXONOMY.read_text(encoding="utf-8"), re.M))
    assert causes <= labels, causes - labels
    assert len({(w.cluster, w.service) for w in WORLDS.values()}) == len(WORLDS)


@pytest.mark.parametrize("name", BROKEN)
def test_broken_world_shows_its_failure(account: dict[str, World], name: str) -> None:
    w = account[name]
    svc = _service(w)
    assert svc["runningCount"] < svc["desiredCount"] or w.cause == "elb-health-check"
    assert svc["events"], "a failing service has events"
    assert all(d for d in w.details), w
    stopped = _tasks(w, "STOPPED")
    for task in stopped:
        assert task["lastStatus"] == "STOPPED"
        assert task["stopCode"] in {"TaskFailedToStart", "EssentialContainerExited", "ServiceSchedulerInitiated"}
        assert task["stoppedReason"]
        assert task["stoppedAt"] >= task["createdAt"]
        assert task["containers"][0]["taskArn"] == task["taskArn"]
    if w.logs:
        assert stopped
        logs = _c("logs")
        for task in stopped:
            assert task["containers"][0]["exitCode"] != 0
            stream = f"ecs/{w.service}/{task['taskArn'].rsplit('/', 1)[-1]}"
            events = logs.get_log_events(logGroupName=f"/ecs/{w.service}", logStreamName=stream)["events"]
            assert len(events) == len(w.logs)
            assert [e["message"] for e in events] == [
                render_log_line(t, e["timestamp"]) for t, e in zip(w.logs, events)
            ]
            assert "{ts" not in "".join(e["message"] for e in events)


def test_ecr_pull_403(account: dict[str, World]) -> None:
    w = account["ecr-pull-403"]
    (task, *_) = _tasks(w, "STOPPED")
    assert "403 Forbidden" in task["stoppedReason"] and "403 Forbidden" in task["containers"][0]["reason"]
    assert "exitCode" not in task["containers"][0]
    assert not any(a.startswith("ecr:") for a in _role_actions(w.detail))
    assert _c("ecr").describe_images(repositoryName="billing-api", imageIds=[{"imageTag": "2.3.1"}])["imageDetails"]


def test_image_tag_missing(account: dict[str, World]) -> None:
    ecr = _c("ecr")
    tags = {t for d in ecr.describe_images(repositoryName="catalog-web")["imageDetails"] for t in d["imageTags"]}
    assert tags == {"2.9.0", "2.9.1"}
    td = _c("ecs").describe_task_definition(taskDefinition="catalog-web")["taskDefinition"]
    assert td["containerDefinitions"][0]["image"].endswith(":" + account["image-tag-missing"].detail)


def test_no_route_to_ecr(account: dict[str, World]) -> None:
    w = account["no-route-to-ecr"]
    ec2 = _c("ec2")
    net = _service(w)["networkConfiguration"]["awsvpcConfiguration"]
    assert net["assignPublicIp"] == "DISABLED" and net["securityGroups"]
    subnets = ec2.describe_subnets(SubnetIds=net["subnets"])["Subnets"]
    assert {s["VpcId"] for s in subnets} == {w.detail}
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [w.detail]}])["RouteTables"]
    assert [t["RouteTableId"] for t in tables] == [w.also[0]]
    assert {r.get("DestinationCidrBlock") for r in tables[0]["Routes"]} == {"10.40.0.0/16"}
    assert not ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [w.detail]}])["VpcEndpoints"]
    assert not ec2.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [w.detail]}])["NatGateways"]
    gws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [w.detail]}])
    assert not gws["InternetGateways"]
    assert ec2.describe_vpc_attribute(VpcId=w.detail, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]


@pytest.mark.parametrize("name", ["secret-denied", "secret-on-task-role"])
def test_secret_worlds(account: dict[str, World], name: str) -> None:
    w = account[name]
    td = _c("ecs").describe_task_definition(taskDefinition=w.service)["taskDefinition"]
    assert td["executionRoleArn"].endswith("/" + w.detail)
    ref = td["containerDefinitions"][0]["secrets"][0]["valueFrom"]
    assert _c("secretsmanager").describe_secret(SecretId=ref)["ARN"] == ref
    assert "secretsmanager:getsecretvalue" not in _role_actions(w.detail)
    (task, *_) = _tasks(w, "STOPPED")
    assert ref in task["stoppedReason"] and f"assumed-role/{w.detail}/" in task["stoppedReason"]
    if name == "secret-on-task-role":
        assert "secretsmanager:getsecretvalue" in _role_actions(td["taskRoleArn"].rsplit("/", 1)[-1])


def test_exec_role_trust(account: dict[str, World]) -> None:
    w = account["exec-role-trust"]
    role = _c("iam").get_role(RoleName=w.detail)["Role"]
    doc = role["AssumeRolePolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    assert doc["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert not _tasks(w, "STOPPED")
    assert all(role["Arn"] in e["message"] for e in _service(w)["events"])


def test_log_group_missing(account: dict[str, World]) -> None:
    w = account["log-group-missing"]
    groups = _c("logs").describe_log_groups(logGroupNamePrefix=w.detail)["logGroups"]
    assert groups == []
    opts = _c("ecs").describe_task_definition(taskDefinition=w.service)["taskDefinition"]["containerDefinitions"][0][
        "logConfiguration"
    ]["options"]
    assert opts["awslogs-group"] == w.detail and "awslogs-create-group" not in opts


def test_app_exits_and_oom(account: dict[str, World]) -> None:
    ecs = _c("ecs")
    env = ecs.describe_task_definition(taskDefinition="checkout-api")["taskDefinition"]["containerDefinitions"][0]
    assert "DATABASE_URL" not in {e["name"] for e in env["environment"]} | {s["name"] for s in env.get("secrets", [])}
    oom = _tasks(account["oom"], "STOPPED")
    assert {t["containers"][0]["exitCode"] for t in oom} == {137}
    assert all(t["containers"][0]["reason"].startswith("OutOfMemoryError") for t in oom)
    assert {t["containers"][0]["exitCode"] for t in _tasks(account["app-db-refused"], "STOPPED")} == {1}


def test_ec2_cluster_worlds(account: dict[str, World]) -> None:
    ecs = _c("ecs")
    arns = ecs.list_container_instances(cluster="ec2-workers")["containerInstanceArns"]
    cis = ecs.describe_container_instances(cluster="ec2-workers", containerInstances=arns)["containerInstances"]
    assert len(cis) == 2
    free = [next(r["integerValue"] for r in ci["remainingResources"] if r["name"] == "MEMORY") for ci in cis]
    assert (
        max(free)
        < 6144
        <= min(next(r["integerValue"] for r in ci["registeredResources"] if r["name"] == "MEMORY") for ci in cis)
    )
    assert "insufficient memory" in _service(account["resource-memory"])["events"][0]["message"]
    gw = account["port-allocated"]
    td = ecs.describe_task_definition(taskDefinition=gw.service)["taskDefinition"]
    assert td["networkMode"] == "host"
    assert td["containerDefinitions"][0]["portMappings"][0]["hostPort"] == int(gw.detail)
    assert {t["containerInstanceArn"] for t in _tasks(gw, "STOPPED")} == set(arns)


def test_fargate_invalid_cpu_memory(account: dict[str, World]) -> None:
    td = _c("ecs").describe_task_definition(taskDefinition="pdf-export")["taskDefinition"]
    assert (td["cpu"], td["memory"], td["requiresCompatibilities"]) == ("256", "4096", ["FARGATE"])
    assert "No Fargate configuration exists" in _service(account["fargate-invalid-cpu-memory"])["events"][0]["message"]


@pytest.mark.parametrize("name", ["elb-warmup", "health-check-port"])
def test_elb_worlds(account: dict[str, World], name: str) -> None:
    w = account[name]
    elbv2 = _c("elbv2")
    svc = _service(w)
    tg_arn = svc["loadBalancers"][0]["targetGroupArn"]
    tg = elbv2.describe_target_groups(TargetGroupArns=[tg_arn])["TargetGroups"][0]
    health = elbv2.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
    assert health and {h["TargetHealth"]["State"] for h in health} == {"unhealthy"}
    stopped = _tasks(w, "STOPPED")
    assert stopped and all(
        t["stoppedReason"] == f"Task failed ELB health checks in (target-group {tg_arn})" for t in stopped
    )
    if name == "health-check-port":
        assert (tg["HealthCheckPort"], svc["loadBalancers"][0]["containerPort"]) == ("8081", 8080)
    else:
        assert svc["healthCheckGracePeriodSeconds"] == 10 and tg["HealthCheckPort"] == "traffic-port"
        assert any("95.0 seconds" in line for line in w.logs)


@pytest.mark.parametrize("name", HEALTHY)
def test_healthy_world(account: dict[str, World], name: str) -> None:
    w = account[name]
    svc = _service(w)
    assert svc["runningCount"] == svc["desiredCount"] > 0
    assert svc["deployments"][0]["rolloutState"] == "COMPLETED"
    assert not _tasks(w, "STOPPED")
    running = _tasks(w, "RUNNING")
    assert len(running) == svc["desiredCount"]
    assert all(t["lastStatus"] == "RUNNING" for t in running)
    # describing again does not move them towards STOPPED (the ecs::task transition is pinned)
    assert all(t["lastStatus"] == "RUNNING" for t in _tasks(w, "RUNNING"))


def test_unknown_world_name_is_refused() -> None:
    from ecs_triage.demo import build_worlds

    with pytest.raises(KeyError, match="no-such-world"):
        build_worlds({}, ["no-such-world"])


def test_docs_list_every_world() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "demo.md").read_text(encoding="utf-8")
    for w in WORLDS.values():
        cause = f"`{w.cause}`" if w.cause else "healthy"
        assert f"| `{w.name}` | {w.cluster} | {w.service} | {cause} |" in page, w.name


@pytest.mark.parametrize("name", list(WORLDS))
def test_world_records_its_tasks(account: dict[str, World], name: str) -> None:
    w = account[name]
    expected = {t["taskArn"] for status in ("STOPPED", "RUNNING") for t in _tasks(w, status)}
    assert set(w.task_arns) == expected
    assert all(f":task/{w.cluster}/" in arn for arn in w.task_arns)
