"""Batching, pagination, fetch-once, whole-cluster collection (scan), EC2 clusters, AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
import math
import threading
from collections import defaultdict
from typing import Any

import boto3
import pytest

from ecs_triage.collect import collect_cluster, collect_target, limits
from ecs_triage.collect.permissions import ALLOWED_OPERATIONS

from .helpers import deny, on_clients
from .world import ACCOUNT, REGION, World, build_world


@pytest.fixture(autouse=True)
def _moto_transformers_settled() -> None:
    """moto 5.2.5 keeps one class-level dict of response transformers for every service; DescribeServices,
    DescribeTasks, DescribeClusters add their `tags` key to it on first use, while a concurrent request may be
    serialising with that dict ("RuntimeError: dictionary changed size during iteration" inside moto). The
    collectors call these concurrently, as AWS allows: add the keys before the test, with the value moto
    sets when tags are not asked for."""
    from moto.core.responses import BaseResponse
    from moto.core.serialize import never_return
    from moto.ecs import responses as ecs_responses

    for key in ("DESCRIBE_CLUSTERS_TAGS", "DESCRIBE_SERVICES_TAGS", "DESCRIBE_TASKS_TAGS", "DESCRIBE_TASK_SETS_TAGS"):
        BaseResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER.setdefault(getattr(ecs_responses, key), never_return)


def spy(service: str, op: str) -> list[dict[str, Any]]:
    """Record the API parameters of every `service:op` call."""
    seen: list[dict[str, Any]] = []
    lock = threading.Lock()

    def record(params: dict[str, Any], **_: Any) -> None:
        with lock:
            seen.append(dict(params))

    def hook(client: Any) -> None:
        if client.meta.service_model.service_name == service:
            client.meta.events.register(
                f"before-parameter-build.{client.meta.service_model.service_id.hyphenize()}.{op}", record
            )

    on_clients(hook)
    return seen


def add_services(world: World, count: int, tasks_each: int) -> list[str]:
    ecs = boto3.client("ecs", region_name=REGION)
    net = {"awsvpcConfiguration": {"subnets": [world.subnets[0]], "securityGroups": [world.sg_id]}}
    names = []
    for i in range(count):
        name = f"svc-{i:02d}"
        names.append(name)
        ecs.create_service(
            cluster=world.cluster,
            serviceName=name,
            taskDefinition=world.td_arn,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=net,
        )
        if tasks_each:
            ecs.run_task(
                cluster=world.cluster,
                taskDefinition=world.td_arn,
                launchType="FARGATE",
                count=tasks_each,
                group=f"service:{name}",
                networkConfiguration=net,
            )
    return names


def test_scan_batches_and_fetches_each_resource_once(world: World) -> None:
    names = add_services(world, 21, 10)  # 23 services in all, 214 tasks
    described_services = spy("ecs", "DescribeServices")
    described_tasks = spy("ecs", "DescribeTasks")
    progress: list[str] = []
    (snap,) = collect_cluster(
        cluster=world.cluster, all_clusters=False, regions=None, since_seconds=3600, progress=progress.append
    )
    data = snap["data"]
    assert snap["target"] == {"cluster": "prod", "service": None, "task": None}
    assert {s["serviceName"] for s in data["services"]} == {"web", "other", *names}
    # DescribeServices: one call per 10 services
    sizes = sorted(len(p["services"]) for p in described_services)
    assert sizes == [3, 10, 10]
    # DescribeTasks: batches of at most 100, each task once
    n_tasks = len(world.stopped) + len(world.running) + 1 + 21 * 10
    asked = [arn for p in described_tasks for arn in p["tasks"]]
    assert all(len(p["tasks"]) <= limits.DESCRIBE_TASKS for p in described_tasks)
    assert sorted(asked) == sorted({t["taskArn"] for t in data["tasks"]})
    assert len(asked) == n_tasks
    assert len(described_tasks) == math.ceil(len(world.stopped) / 100) + math.ceil((n_tasks - len(world.stopped)) / 100)
    calls = snap["calls"]
    assert set(calls) <= ALLOWED_OPERATIONS
    # shared resources fetched once for the whole cluster
    assert calls["ecs:DescribeTaskDefinition"] == 1
    assert calls["iam:GetRole"] == 2
    assert calls["ecr:DescribeImages"] == 1 and calls["secretsmanager:DescribeSecret"] == 1
    assert calls["ec2:DescribeSubnets"] == 1 and calls["elbv2:DescribeTargetGroups"] == 1
    assert calls["ecs:ListTasks"] == 2  # cluster-wide, one page per status (moto returns one page)
    assert snap["extra"]["window_seconds"] == 3600
    assert progress and progress[0] == f"{REGION}: clusters"


def test_scan_access_denied_on_one_service_data_goes_on(world: World) -> None:
    ecs = boto3.client("ecs", region_name=REGION)
    sm = boto3.client("secretsmanager", region_name=REGION)
    private = sm.create_secret(Name="billing-key", SecretString="x")["ARN"]
    td = ecs.describe_task_definition(taskDefinition=world.td_arn)["taskDefinition"]
    cd = dict(td["containerDefinitions"][0], secrets=[{"name": "KEY", "valueFrom": private}])
    billing_td = ecs.register_task_definition(
        family="billing",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        executionRoleArn=world.exec_role_arn,
        containerDefinitions=[cd],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster=world.cluster, serviceName="billing", taskDefinition=billing_td, desiredCount=1)
    deny("secretsmanager:DescribeSecret", when=lambda body: "billing-key" in body)
    (snap,) = collect_cluster(cluster=world.cluster, all_clusters=False, regions=[REGION], since_seconds=3600)
    (gap,) = [g for g in snap["gaps"] if g["kind"] == "secrets"]
    assert gap["resource"] == private
    assert gap["action"] == "secretsmanager:DescribeSecret"
    assert gap["services"] == ["billing"]  # the one service left incomplete by the missing permission
    assert [s["secretId"] for s in snap["data"]["secrets"]] == [world.secret_arn]
    assert {s["serviceName"] for s in snap["data"]["services"]} == {"web", "other", "billing"}


def test_scan_all_clusters_and_missing_cluster(world: World) -> None:
    boto3.client("ecs", region_name=REGION).create_cluster(clusterName="empty")
    snaps = collect_cluster(cluster=None, all_clusters=True, regions=None, since_seconds=600)
    by_cluster = {s["target"]["cluster"]: s for s in snaps}
    assert set(by_cluster) == {"prod", "empty"}
    assert by_cluster["empty"]["data"]["services"] == []
    assert by_cluster["empty"]["data"]["tasks"] == []
    from ecs_triage.errors import InputError

    with pytest.raises(InputError, match="no ECS cluster 'ghost'"):
        collect_cluster(cluster="ghost", all_clusters=False, regions=None, since_seconds=600)


def test_list_tasks_pages_are_followed(world: World) -> None:
    """moto ignores maxResults/nextToken: serve ListTasks in pages of one from a hook and check every
    page is requested with the token of the previous one."""
    ecs = boto3.client("ecs", region_name=REGION)
    by_status = {s: ecs.list_tasks(cluster="prod", desiredStatus=s)["taskArns"] for s in ("STOPPED", "RUNNING")}
    local = threading.local()
    requests: dict[str, list[Any]] = defaultdict(list)
    lock = threading.Lock()

    def remember(params: dict[str, Any], **_: Any) -> None:
        local.params = dict(params)

    def serve(model: Any, **_: Any) -> Any:
        params = local.params
        status = params["desiredStatus"]
        index = int(params.get("nextToken", "0"))
        with lock:
            requests[status].append((params.get("nextToken"), params["maxResults"]))
        arns = by_status[status]
        body: dict[str, Any] = {"taskArns": arns[index : index + 1]}
        if index + 1 < len(arns):
            body["nextToken"] = str(index + 1)
        from botocore.awsrequest import AWSResponse

        return AWSResponse(None, 200, {}, None), body

    def hook(client: Any) -> None:
        if client.meta.service_model.service_name == "ecs":
            client.meta.events.register("before-parameter-build.ecs.ListTasks", remember)
            client.meta.events.register("before-call.ecs.ListTasks", serve)

    on_clients(hook)
    snap = collect_target(cluster=world.cluster, service=world.service)
    assert requests["STOPPED"] == [(None, 100), ("1", 100)]  # 2 stopped tasks of web
    assert len(requests["RUNNING"]) == len(by_status["RUNNING"])
    assert snap["calls"]["ecs:ListTasks"] == len(requests["STOPPED"]) + len(requests["RUNNING"])
    assert {t["taskArn"] for t in snap["data"]["tasks"]} == set(world.stopped + world.running)


def _ec2_cluster() -> dict[str, str]:
    """An EC2 cluster: one container instance whose instance profile carries a role."""
    iam = boto3.client("iam", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    ecs = boto3.client("ecs", region_name=REGION)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    role = iam.create_role(RoleName="ecs-instance", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    profile = iam.create_instance_profile(InstanceProfileName="ecs-instance")["InstanceProfile"]["Arn"]
    iam.add_role_to_instance_profile(InstanceProfileName="ecs-instance", RoleName="ecs-instance")
    inst = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, IamInstanceProfile={"Arn": profile})[
        "Instances"
    ][0]
    doc = {
        "instanceId": inst["InstanceId"],
        "availabilityZone": inst["Placement"]["AvailabilityZone"],
        "region": REGION,
        "privateIp": inst.get("PrivateIpAddress"),
        "instanceType": inst["InstanceType"],
        "imageId": inst["ImageId"],
        "accountId": ACCOUNT,
        "architecture": "x86_64",
    }
    ecs.create_cluster(clusterName="ec2c")
    ecs.register_container_instance(cluster="ec2c", instanceIdentityDocument=json.dumps(doc))
    td = ecs.register_task_definition(
        family="batch",
        containerDefinitions=[{"name": "job", "image": "busybox", "memory": 128, "essential": True}],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="ec2c", serviceName="jobs", taskDefinition=td, desiredCount=1)
    return {"role": role, "profile": profile, "instance": inst["InstanceId"]}


def test_ec2_cluster_container_instances_and_instance_role(aws: None) -> None:
    built = _ec2_cluster()
    snap = collect_target(cluster="ec2c", service="jobs")
    data = snap["data"]
    (ci,) = data["container_instances"]
    assert ci["ec2InstanceId"] == built["instance"]
    assert {r["name"] for r in ci["remainingResources"]} >= {"CPU", "MEMORY"}
    assert [i["InstanceId"] for i in data["ec2_instances"]] == [built["instance"]]
    assert [p["Arn"] for p in data["instance_profiles"]] == [built["profile"]]
    assert [r["RoleArn"] for r in data["iam_roles"]] == [built["role"]]
    assert data["ecr_images"] == []  # busybox is not an ECR image
    assert snap["gaps"] == []


def test_aws_endpoint_url_reaches_a_moto_server(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.moto_api import state_manager
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
        state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})
        world = build_world(n_stopped=1, n_running=0)  # boto3 clients follow AWS_ENDPOINT_URL too
        snap = collect_target(cluster=world.cluster, service=world.service)
        assert [t["taskArn"] for t in snap["data"]["tasks"]] == world.stopped
        assert snap["data"]["log_events"][0]["events"][-1]["message"] == "KeyError: 'DATABASE_URL'"
    finally:
        state_manager.unset_transition("ecs::task")
        server.stop()


def test_scan_region_where_clusters_cannot_be_listed(world: World) -> None:
    deny("ecs:ListClusters", code="AccessDeniedException")
    (snap,) = collect_cluster(cluster=None, all_clusters=True, regions=[REGION], since_seconds=600)
    assert snap["target"] == {"cluster": None, "service": None, "task": None}
    (gap,) = snap["gaps"]
    assert (gap["operation"], gap["action"], gap["kind"]) == ("ListClusters", "ecs:ListClusters", "clusters")
    assert "clusters" not in snap["data"]


def test_scan_of_an_account_without_clusters(aws: None) -> None:
    assert collect_cluster(cluster=None, all_clusters=True, regions=[REGION], since_seconds=600) == []


class _PagedSession:
    """Just enough of AwsSession for `ecs.list_and_describe`: `call` serves List pages from a list."""

    def __init__(
        self, pages: list[list[str]], fail_at: int | None = None, hold: dict[int, threading.Event] | None = None
    ):
        self.pages = pages
        self.fail_at = fail_at
        self.hold = hold or {}
        self.asked: list[str | None] = []
        self.waited: dict[int, bool] = {}

    def call(self, sink: Any, kind: str, service: str, op: str, resource: str, /, **params: Any) -> Any:
        index = int(params.get("nextToken") or 0)
        self.asked.append(params.get("nextToken"))
        if index in self.hold:  # this page is only served once a describe has started (or after 5 s)
            self.waited[index] = self.hold[index].wait(timeout=5)
        if index == self.fail_at:
            return None, "AccessDeniedException"
        body: dict[str, Any] = {"taskArns": self.pages[index]}
        if index + 1 < len(self.pages):
            body["nextToken"] = str(index + 1)
        return body, None


def _described(batches: list[list[str]], started: threading.Event | None = None) -> Any:
    lock = threading.Lock()

    def describe(chunk: list[str]) -> list[str]:
        if started is not None:
            started.set()
        with lock:
            batches.append(list(chunk))
        return [f"described:{x}" for x in chunk]

    return describe


def test_list_and_describe_describes_full_batches_while_the_next_page_is_listed() -> None:
    from ecs_triage.collect import ecs

    ids = [f"t{i:03d}" for i in range(175)]
    pages = [ids[:30], [*ids[30:130], "t000"], ids[130:]]  # a repeated id on page 2, uneven pages
    started = threading.Event()
    sess = _PagedSession(pages, hold={2: started})
    batches: list[list[str]] = []
    listed, results = ecs.list_and_describe(
        sess,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        "tasks",
        "ListTasks",
        "prod",
        "taskArns",
        {"cluster": "prod"},
        _described(batches, started),
        100,
    )
    assert sess.asked == [None, "1", "2"]
    assert sess.waited == {2: True}  # the first full batch was being described before the last page came
    assert listed == ids  # every id once, in listing order
    assert sorted(len(b) for b in batches) == [75, 100]  # full batches across page boundaries, then the rest
    assert sorted(x for b in batches for x in b) == ids
    assert sorted(x for r in results for x in r) == sorted(f"described:{i}" for i in ids)


def test_list_and_describe_list_failures() -> None:
    from ecs_triage.collect import ecs

    batches: list[list[str]] = []
    args: tuple[Any, ...] = ("tasks", "ListTasks", "prod", "taskArns", {"cluster": "prod"})
    sess = _PagedSession([["a", "b"], ["c"]], fail_at=0)
    assert ecs.list_and_describe(sess, None, *args, _described(batches), 100) == (None, [])  # type: ignore[arg-type]
    assert batches == []
    # a later page fails: what was listed before it is still described (the gap says the list is partial)
    sess = _PagedSession([["a", "b"], ["c"]], fail_at=1)
    listed, results = ecs.list_and_describe(sess, None, *args, _described(batches), 100)  # type: ignore[arg-type]
    assert listed == ["a", "b"] and batches == [["a", "b"]]
    assert results == [["described:a", "described:b"]]


def test_scan_describes_full_batches_over_many_list_pages(world: World) -> None:
    """AWS pages ListTasks (moto does not): serve pages of 7 and check DescribeTasks still asks for full
    batches of 100, each task once, and that every page was followed."""
    add_services(world, 12, 10)
    ecs = boto3.client("ecs", region_name=REGION)
    by_status = {s: ecs.list_tasks(cluster="prod", desiredStatus=s)["taskArns"] for s in ("STOPPED", "RUNNING")}
    local = threading.local()
    pages: dict[str, int] = defaultdict(int)
    lock = threading.Lock()

    def remember(params: dict[str, Any], **_: Any) -> None:
        local.params = dict(params)

    def serve(model: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        params = local.params
        status, index = params["desiredStatus"], int(params.get("nextToken", "0"))
        with lock:
            pages[status] += 1
        arns = by_status[status]
        body: dict[str, Any] = {"taskArns": arns[index : index + 7]}
        if index + 7 < len(arns):
            body["nextToken"] = str(index + 7)
        return AWSResponse(None, 200, {}, None), body

    def hook(client: Any) -> None:
        if client.meta.service_model.service_name == "ecs":
            client.meta.events.register("before-parameter-build.ecs.ListTasks", remember)
            client.meta.events.register("before-call.ecs.ListTasks", serve)

    on_clients(hook)
    described = spy("ecs", "DescribeTasks")
    (snap,) = collect_cluster(cluster=world.cluster, all_clusters=False, regions=None, since_seconds=3600)
    assert dict(pages) == {s: math.ceil(len(a) / 7) for s, a in by_status.items()}
    sizes = sorted(len(p["tasks"]) for p in described)
    expected = sorted(
        n
        for arns in by_status.values()
        for n in [100] * (len(arns) // 100) + ([len(arns) % 100] if len(arns) % 100 else [])
    )
    assert sizes == expected
    asked = [a for p in described for a in p["tasks"]]
    assert len(asked) == len(set(asked)) == sum(len(a) for a in by_status.values())
    assert {t["taskArn"] for t in snap["data"]["tasks"]} == set(asked)


def test_scan_probes_policy_simulation_once_when_the_caller_may_not(world: World) -> None:
    """Three execution roles, SimulatePrincipalPolicy not available (moto does not implement it): one call,
    not one per role, and every role is then left to the local evaluator."""
    iam = boto3.client("iam", region_name=REGION)
    ecs = boto3.client("ecs", region_name=REGION)
    td = ecs.describe_task_definition(taskDefinition=world.td_arn)["taskDefinition"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    for name in ("billing", "search"):
        role = iam.create_role(RoleName=f"{name}-exec", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        arn = ecs.register_task_definition(
            family=name,
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            executionRoleArn=role,
            containerDefinitions=td["containerDefinitions"],
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(cluster=world.cluster, serviceName=name, taskDefinition=arn, desiredCount=1)
    (snap,) = collect_cluster(cluster=world.cluster, all_clusters=False, regions=None, since_seconds=3600)
    exec_roles = {t["executionRoleArn"] for t in snap["data"]["task_definitions"] if t.get("executionRoleArn")}
    assert len(exec_roles) == 3
    assert snap["calls"]["iam:SimulatePrincipalPolicy"] == 1
    assert snap["extra"]["iam_simulation"]["available"] is False
    assert "iam_simulations" not in snap["data"]
    assert {r["RoleArn"] for r in snap["data"]["iam_roles"]} >= exec_roles
