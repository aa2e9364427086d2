"""Typed views of runtime/infra evidence and the reasoning over them (evidence/infra.py)."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_triage.evidence import fargate, infra
from ecs_triage.evidence.parse import parse_snapshot

REGION = "us-east-1"
VPC = "vpc-0abc1234def567890"
SUBNET = "subnet-0abc1234def567890"
TASK_SG = "sg-0task000000000001"


def evidence(**data: Any) -> Any:
    return parse_snapshot(
        {"schema": "ecs-triage.snapshot/v1", "region": REGION, "account": "123456789012", "data": data}
    )


def vpc_world(routes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    world: dict[str, Any] = {
        "subnets": [{"SubnetId": SUBNET, "VpcId": VPC, "CidrBlock": "10.0.1.0/24", "AvailableIpAddressCount": 200}],
        "route_tables": [
            {
                "RouteTableId": "rtb-0main",
                "VpcId": VPC,
                "Associations": [{"Main": True}],
                "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}],
            },
            {
                "RouteTableId": "rtb-0explicit",
                "VpcId": VPC,
                "Associations": [{"Main": False, "SubnetId": SUBNET}],
                "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}, *routes],
            },
        ],
        "vpcs": [{"VpcId": VPC, "CidrBlock": "10.0.0.0/16", "EnableDnsSupport": True, "EnableDnsHostnames": True}],
        "vpc_endpoints": [],
        "nat_gateways": [{"NatGatewayId": "nat-0abc", "VpcId": VPC, "State": "available"}],
        "security_groups": [
            {
                "GroupId": TASK_SG,
                "VpcId": VPC,
                "IpPermissions": [],
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            }
        ],
    }
    world.update(extra)
    return world


ECR = ("ecr.api", "ecr.dkr", "s3")


# ------------------------------------------------------------------------------------------ log lines


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Error: environment variable DATABASE_URL is not set", "DATABASE_URL"),
        ("KeyError: 'STRIPE_API_KEY'", "STRIPE_API_KEY"),
        ("Missing required environment variable: REDIS_URL", "REDIS_URL"),
        ("panic: JWT_SECRET must be set", "JWT_SECRET"),
        ("config error: required env var SENTRY_DSN", "SENTRY_DSN"),
    ],
)
def test_missing_variable_is_named(line: str, name: str) -> None:
    assert infra.missing_variables(["booting", line]) == ((name, 1),)


def test_no_missing_variable_in_a_healthy_log() -> None:
    assert infra.missing_variables(["Server started on port 8080", "GET /health 200"]) == ()


@pytest.mark.parametrize(
    ("line", "label", "local", "failure"),
    [
        ("Error: connect ECONNREFUSED 10.0.3.17:5432", "10.0.3.17:5432", False, "refused"),
        ("dial tcp 10.0.9.9:6379: i/o timeout", "10.0.9.9:6379", False, "timeout"),
        (
            'psycopg2.OperationalError: connection to server at "db.internal" (10.0.3.4), port 5432 failed: Connection refused',
            "db.internal:5432",
            False,
            "refused",
        ),
        (
            'psycopg2.OperationalError: connection to server at "db.internal" (10.0.3.4), port 5432 failed: Connection timed out',
            "db.internal:5432",
            False,
            "timeout",
        ),
        (
            "Error: Redis connection to 127.0.0.1:6379 failed - connect ECONNREFUSED 127.0.0.1:6379",
            "127.0.0.1:6379",
            True,
            "refused",
        ),
        ("Error: getaddrinfo ENOTFOUND db.prod.internal", "db.prod.internal", False, "dns"),
        ("Error: connect ETIMEDOUT 10.0.3.17:3306", "10.0.3.17:3306", False, "timeout"),
    ],
)
def test_unreachable_endpoint_is_named(line: str, label: str, local: bool, failure: str) -> None:
    found = infra.unreachable_endpoints(["starting", line])
    assert found and found[-1].label == label
    assert found[-1].is_local is local
    assert found[-1].line == 1
    assert found[-1].failure == failure


def test_connection_failure_is_read_from_the_next_lines() -> None:
    """libpq puts the reason on the line after the host: "Is the server running ... accepting TCP/IP"."""
    lines = [
        "could not connect to server at 10.0.3.25:5432",
        "\tIs the server running on that host and accepting TCP/IP connections? Connection refused",
    ]
    assert infra.unreachable_endpoints(lines)[0].failure == "refused"
    assert infra.unreachable_endpoints(lines[:1])[0].failure == ""


def test_error_lines_keep_the_last_ones() -> None:
    lines = ["ok", "ERROR first", "fine", "Traceback (most recent call last):", "ValueError: bad"]
    assert [i for i, _ in infra.error_lines(lines, limit=2)] == [3, 4]


def test_time_to_ready_from_log_timestamps() -> None:
    ev = evidence(
        log_events=[
            {
                "logGroupName": "/ecs/web",
                "logStreamName": "ecs/web/abc",
                "events": [
                    {"timestamp": 1764079200000, "message": "Starting"},
                    {"timestamp": 1764079242000, "message": "Tomcat started on port 8080 (http)"},
                ],
            }
        ]
    )
    ready = infra.time_to_ready(infra.log_streams(ev)[0])
    assert ready is not None and ready.seconds == 42.0
    assert ready.ready.pointer == "/events/1/message"


def test_log_stream_found_by_stream_name_when_task_arn_is_absent() -> None:
    arn = "arn:aws:ecs:us-east-1:123456789012:task/prod/0a1b2c3d"
    ev = evidence(
        tasks=[{"taskArn": arn, "lastStatus": "STOPPED", "containers": [{"name": "api", "exitCode": 1}]}],
        log_events=[{"logGroupName": "/ecs/api", "logStreamName": "ecs/api/0a1b2c3d", "events": [{"message": "x"}]}],
    )
    stream = infra.log_stream_for(ev, ev.tasks[0], "api")
    assert stream is not None and stream.lines == ("x",)
    assert infra.log_stream_for(ev, ev.tasks[0], "sidecar") is None


def test_views_are_cached_per_evidence() -> None:
    ev = evidence(**vpc_world([]))
    assert infra.network(ev) is infra.network(ev)
    assert infra.network(evidence(**vpc_world([]))) is not infra.network(ev)


# ------------------------------------------------------------------------------------------ network


def test_explicit_route_table_wins_over_main() -> None:
    net = infra.network(evidence(**vpc_world([])))
    rt, explicit = net.route_table_for(net.subnets[SUBNET])
    assert rt is not None and rt.id == "rtb-0explicit" and explicit


def test_main_route_table_when_no_explicit_association() -> None:
    world = vpc_world([])
    world["route_tables"][1]["Associations"] = []
    net = infra.network(evidence(**world))
    rt, explicit = net.route_table_for(net.subnets[SUBNET])
    assert rt is not None and rt.id == "rtb-0main" and not explicit


def test_nat_route_is_a_path() -> None:
    ev = evidence(**vpc_world([{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0abc", "State": "active"}]))
    path = infra.path_to(ev, SUBNET, (TASK_SG,), False, ECR)
    assert path.ok is True and "nat-0abc" in path.via


def test_igw_without_public_ip_is_no_path() -> None:
    ev = evidence(**vpc_world([{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0abc", "State": "active"}]))
    assert infra.path_to(ev, SUBNET, (TASK_SG,), True, ECR).ok is True
    path = infra.path_to(ev, SUBNET, (TASK_SG,), False, ECR)
    assert path.ok is False
    assert any("assignPublicIp is DISABLED" in p for p in path.problems)


def test_no_route_names_the_missing_endpoints() -> None:
    path = infra.path_to(evidence(**vpc_world([])), SUBNET, (TASK_SG,), False, ECR)
    assert path.ok is False
    assert path.missing_endpoints == ECR
    assert path.nat_candidate == "nat-0abc"
    assert any("com.amazonaws.us-east-1.ecr.dkr" in p for p in path.problems)


def _endpoints(private_dns: bool = True, s3_tables: tuple[str, ...] = ("rtb-0explicit",)) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {
            "VpcEndpointId": f"vpce-{name}",
            "VpcId": VPC,
            "ServiceName": f"com.amazonaws.us-east-1.{name}",
            "VpcEndpointType": "Interface",
            "State": "available",
            "PrivateDnsEnabled": private_dns,
            "Groups": [{"GroupId": "sg-0vpce"}],
        }
        for name in ("ecr.api", "ecr.dkr")
    ]
    out.append(
        {
            "VpcEndpointId": "vpce-s3",
            "VpcId": VPC,
            "ServiceName": "com.amazonaws.us-east-1.s3",
            "VpcEndpointType": "Gateway",
            "State": "available",
            "RouteTableIds": list(s3_tables),
        }
    )
    return out


def _vpce_sg(ingress: list[dict[str, Any]]) -> dict[str, Any]:
    return {"GroupId": "sg-0vpce", "VpcId": VPC, "IpPermissions": ingress, "IpPermissionsEgress": []}


def test_endpoints_with_private_dns_are_a_path() -> None:
    world = vpc_world([], vpc_endpoints=_endpoints())
    world["security_groups"].append(
        _vpce_sg([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": TASK_SG}]}])
    )
    path = infra.path_to(evidence(**world), SUBNET, (TASK_SG,), False, ECR)
    assert path.ok is True and "vpce-ecr.dkr" in path.via


def test_endpoint_without_private_dns_is_blocked() -> None:
    world = vpc_world([], vpc_endpoints=_endpoints(private_dns=False))
    world["security_groups"].append(_vpce_sg([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]))
    path = infra.path_to(evidence(**world), SUBNET, (TASK_SG,), False, ECR)
    assert path.ok is False and "dns" in path.blocked


def test_endpoint_security_group_must_admit_the_task() -> None:
    world = vpc_world([], vpc_endpoints=_endpoints())
    world["security_groups"].append(
        _vpce_sg([{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    )
    path = infra.path_to(evidence(**world), SUBNET, (TASK_SG,), False, ECR)
    assert path.ok is False and path.endpoint_sgs_to_open == ("sg-0vpce",)


def test_s3_gateway_on_another_route_table_is_missing() -> None:
    world = vpc_world([], vpc_endpoints=_endpoints(s3_tables=("rtb-0other",)))
    world["security_groups"].append(_vpce_sg([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]))
    path = infra.path_to(evidence(**world), SUBNET, (TASK_SG,), False, ECR)
    assert path.ok is False and path.missing_endpoints == ("s3",)


def test_nacl_denying_outbound_443_blocks_the_nat_path() -> None:
    acl = {
        "NetworkAclId": "acl-0abc",
        "VpcId": VPC,
        "IsDefault": True,
        "Associations": [{"SubnetId": SUBNET}],
        "Entries": [
            {
                "RuleNumber": 90,
                "Egress": True,
                "Protocol": "6",
                "RuleAction": "deny",
                "CidrBlock": "0.0.0.0/0",
                "PortRange": {"From": 443, "To": 443},
            },
            {"RuleNumber": 100, "Egress": True, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 100, "Egress": False, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"},
        ],
    }
    route = [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0abc", "State": "active"}]
    path = infra.path_to(evidence(**vpc_world(route, network_acls=[acl])), SUBNET, (TASK_SG,), False, ECR)
    assert path.ok is False and path.blocked == ("nacl",)


def test_security_group_without_443_egress_blocks() -> None:
    world = vpc_world([{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0abc", "State": "active"}])
    world["security_groups"][0]["IpPermissionsEgress"] = [
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}
    ]
    path = infra.path_to(evidence(**world), SUBNET, (TASK_SG,), False, ECR)
    assert path.ok is False and "security-group" in path.blocked


def test_transit_gateway_route_is_undecided() -> None:
    ev = evidence(
        **vpc_world([{"DestinationCidrBlock": "0.0.0.0/0", "TransitGatewayId": "tgw-0abc", "State": "active"}])
    )
    assert infra.path_to(ev, SUBNET, (TASK_SG,), False, ECR).ok is None


# ---------------------------------------------------------------------------------- needs, placement


def _td(image: str, **container: Any) -> dict[str, Any]:
    return {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
        "family": "web",
        "revision": 1,
        "containerDefinitions": [{"name": "web", "image": image, **container}],
    }


def test_needs_follow_the_task_definition() -> None:
    td = _td(
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1",
        secrets=[
            {"name": "A", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf"},
            {"name": "B", "valueFrom": "/prod/b"},
            {"name": "C", "valueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:c-AbCdEf"},
        ],
        logConfiguration={"logDriver": "awslogs", "options": {}},
    )
    ev = evidence(task_definitions=[td])
    needs = infra.needs_of(ev, next(iter(ev.task_definitions.values())))
    assert [(n.name, n.services) for n in needs] == [
        ("image", ECR),
        ("secrets", ("secretsmanager", "ssm")),
        ("logs", ("logs",)),
    ]


def test_docker_hub_image_needs_the_internet() -> None:
    ev = evidence(task_definitions=[_td("nginx:1.27")])
    needs = infra.needs_of(ev, next(iter(ev.task_definitions.values())))
    assert needs[0].services == () and needs[0].cause == "image-pull-network"


def test_placement_failures_stop_at_the_last_steady_state() -> None:
    place = "(service s) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance abc) has insufficient memory available."
    ev = evidence(
        services=[
            {
                "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/prod/s",
                "serviceName": "s",
                "events": [
                    {"id": "1", "message": place},
                    {"id": "2", "message": "(service s) has reached a steady state."},
                    {"id": "3", "message": place.replace("memory", "CPU units")},
                ],
            }
        ]
    )
    found = infra.placement_failures(ev)
    assert [(f.kind, f.instance, f.pointer) for f in found] == [("insufficient-memory", "abc", "/events/0/message")]


def test_target_groups_parse_health() -> None:
    ev = evidence(
        target_groups=[
            {
                "TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/6d0e",
                "TargetGroupName": "web-tg",
                "HealthCheckPort": "traffic-port",
                "TargetHealthDescriptions": [
                    {
                        "Target": {"Id": "10.0.1.5", "Port": 8080},
                        "TargetHealth": {"State": "unhealthy", "Reason": "Target.Timeout"},
                    }
                ],
            }
        ]
    )
    tg = next(iter(infra.target_groups(ev).values()))
    assert tg.name == "web-tg" and tg.health_check_port == "traffic-port"
    assert [(t.target_id, t.port, t.reason, t.pointer) for t in tg.targets] == [
        ("10.0.1.5", 8080, "Target.Timeout", "/TargetHealthDescriptions/0/TargetHealth")
    ]


def test_garbage_payloads_do_not_raise() -> None:
    ev = evidence(
        subnets=[None, 3, {"SubnetId": 7}],
        route_tables=[{"Routes": "x", "Associations": None}],
        vpc_endpoints=["x"],
        security_groups=[{"IpPermissions": [{"FromPort": "a"}]}],
        target_groups=[{"TargetHealthDescriptions": [None]}],
        log_events=[{"events": [{"message": None}, "x"]}],
    )
    infra.network(ev)
    infra.target_groups(ev)
    assert infra.log_streams(ev)[0].events == ()


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:ecs:us-east-1:123456789012:cluster/prod", "prod"),
        ("arn:aws:ecs:us-east-1:123456789012:service/prod/web", "web"),
        ("arn:aws:ecs:us-east-1:123456789012:task-definition/web:9", "web:9"),
        ("arn:aws:iam::123456789012:role/service-role/web-exec", "web-exec"),
        ("prod", "prod"),
        (None, ""),
    ],
)
def test_name_of(arn: str | None, name: str) -> None:
    assert infra.name_of(arn) == name


def test_target_group_name_from_arn_when_absent() -> None:
    ev = evidence(
        target_groups=[
            {"TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/6d0e"}
        ]
    )
    assert next(iter(infra.target_groups(ev).values())).name == "web-tg"


def _svc(**extra: Any) -> dict[str, Any]:
    return {
        "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/prod/web",
        "serviceName": "web",
        "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": [SUBNET], "securityGroups": [TASK_SG]}},
        **extra,
    }


def test_fargate_pulls_from_the_task_subnet() -> None:
    ev = evidence(services=[_svc(launchType="FARGATE")], tasks=[], task_definitions=[_td("nginx:1")])
    targets = infra.pull_targets(ev)
    assert [(t.fargate, t.subnets, t.security_groups) for t in targets] == [(True, (SUBNET,), (TASK_SG,))]


def test_ec2_pulls_from_the_instance_subnet() -> None:
    ev = evidence(
        services=[_svc(capacityProviderStrategy=[{"capacityProvider": "asg-cp", "weight": 1}])],
        tasks=[],
        task_definitions=[_td("nginx:1")],
        container_instances=[{"containerInstanceArn": "ci-1", "ec2InstanceId": "i-0abc", "status": "ACTIVE"}],
        ec2_instances=[
            {"InstanceId": "i-0abc", "SubnetId": "subnet-0inst", "SecurityGroups": [{"GroupId": "sg-0inst"}]}
        ],
    )
    targets = infra.pull_targets(ev)
    assert [(t.fargate, t.subnets, t.security_groups, t.config) for t in targets] == [
        (False, ("subnet-0inst",), ("sg-0inst",), "ec2 instance i-0abc")
    ]


def test_fargate_from_the_task_definition_when_the_service_does_not_say() -> None:
    td = {**_td("nginx:1"), "requiresCompatibilities": ["FARGATE"]}
    ev = evidence(services=[_svc()], task_definitions=[td])
    assert infra.is_fargate(ev, ev.services[0])


# ------------------------------------------------------------------------ robustness of the readers

_MINE = [
    "ET100",
    "ET120",
    "ET121",
    "ET122",
    "ET123",
    "ET124",
    "ET125",
    "ET126",
    "ET127",
    "ET200",
    "ET201",
    "ET202",
    "ET210",
    "ET211",
    "ET301",
    "ET302",
    "ET303",
    "ET501",
    "ET502",
    "ET701",
]
FUZZ_ROUNDS = 6
_GARBAGE: tuple[Any, ...] = (None, "", "x", 0, -1, 10**6, 3.5, True, [], {}, [None], {"a": None}, "0.0.0.0/0", "igw-")


def _mutate(obj: Any, rng: Any) -> Any:
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            roll = rng.random()
            if roll < 0.08:
                continue  # drop the key
            out[k] = rng.choice(_GARBAGE) if roll < 0.16 else _mutate(v, rng)
        return out
    if isinstance(obj, list):
        return [_mutate(v, rng) for v in obj if rng.random() > 0.08]
    return obj


def test_checks_never_crash_on_mutated_fixtures() -> None:
    """Every runtime/infra check over randomly damaged copies of its fixtures: findings or not, never a crash."""
    import json
    import random
    from pathlib import Path

    import yaml

    from ecs_triage import engine, registry
    from ecs_triage.evidence import snapshot

    checks = [c for c in registry.all_checks() if c.id in _MINE]
    assert len(checks) == len(_MINE)
    root = Path(__file__).resolve().parents[1] / "checks"
    rng = random.Random(20261125)
    runs = 0
    for check in checks:
        for path in sorted((root / check.module.rsplit(".", 1)[-1]).glob("bad_*.yaml")):
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            doc.pop("expect", None)
            for _ in range(FUZZ_ROUNDS):
                mutated = _mutate(doc, rng)
                mutated["data"] = mutated.get("data") if isinstance(mutated.get("data"), dict) else {}
                mutated["data"] = {k: v for k, v in mutated["data"].items() if isinstance(v, (list, dict))}
                mutated["gaps"] = (
                    [g for g in mutated.get("gaps") or [] if isinstance(g, dict)]
                    if isinstance(mutated.get("gaps"), list)
                    else []
                )
                mutated["target"] = mutated.get("target") if isinstance(mutated.get("target"), dict) else {}
                mutated.update(schema=snapshot.SCHEMA, region="us-east-1", account="123456789012")
                ev = parse_snapshot(snapshot.loads(json.dumps(mutated, default=str)))
                _, outcomes = engine.evaluate(ev, checks)
                crashed = [o for o in outcomes if o.status == "error"]
                assert not crashed, f"{path.name}: {crashed}"
                runs += 1
    assert runs > 100


def test_log_timestamps_out_of_range_are_unknown() -> None:
    ev = evidence(
        log_events=[{"logGroupName": "/g", "logStreamName": "s", "events": [{"timestamp": 10**22, "message": "m"}]}]
    )
    assert infra.log_streams(ev)[0].events[0].timestamp is None


def test_time_to_ready_counts_from_started_at_when_the_tail_is_capped() -> None:
    from datetime import datetime, timezone

    ev = evidence(
        log_events=[
            {
                "logGroupName": "/ecs/web",
                "logStreamName": "ecs/web/abc",
                "events": [
                    {"timestamp": 1764079260000, "message": "warming caches"},
                    {"timestamp": 1764079300000, "message": "Server listening on port 8080"},
                ],
            }
        ]
    )
    stream = infra.log_streams(ev)[0]
    started = datetime.fromtimestamp(1764079200, tz=timezone.utc)
    ready = infra.time_to_ready(stream, started)
    assert ready is not None and (ready.seconds, ready.since) == (100.0, "startedAt")
    fallback = infra.time_to_ready(stream)
    assert fallback is not None and (fallback.seconds, fallback.since) == (40.0, "first log line")


@pytest.mark.parametrize(
    ("text", "need"),
    [
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth "
            'from Amazon ECR: ... Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 3.227.250.116:443: i/o timeout',
            "image",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
            "unable to retrieve secret from asm: service call has been retried 5 time(s): RequestCanceled: context deadline exceeded",
            "secrets",
        ),
        (
            "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: "
            "failed to create Cloudwatch log stream: RequestError: send request failed: dial tcp 52.46.1.2:443: i/o timeout",
            "logs",
        ),
        ("CannotPullContainerError: pull image manifest has been retried 5 time(s): 403 Forbidden", None),
    ],
)
def test_stopped_says_which_need_timed_out(text: str, need: str | None) -> None:
    ev = evidence(
        tasks=[
            {
                "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/prod/abc",
                "lastStatus": "STOPPED",
                "stoppedReason": text,
            }
        ]
    )
    said, ref = infra.stopped_says(ev, ev.tasks)
    assert said == need
    assert (ref is not None) == (need is not None)


# ------------------------------------------------------------------- review fixes: the network path


def _acl(*entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "NetworkAclId": "acl-0t",
        "VpcId": VPC,
        "IsDefault": False,
        "Associations": [{"SubnetId": SUBNET}],
        "Entries": list(entries),
    }


def _entry(rule: int, egress: bool, allow: bool, cidr: str, ports: tuple[int, int] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "RuleNumber": rule,
        "Egress": egress,
        "Protocol": "6" if ports else "-1",
        "RuleAction": "allow" if allow else "deny",
        "CidrBlock": cidr,
    }
    if ports:
        out["PortRange"] = {"From": ports[0], "To": ports[1]}
    return out


def _endpoint_world(**extra: Any) -> dict[str, Any]:
    endpoints = [
        {
            "VpcEndpointId": f"vpce-0{short.replace('.', '')}",
            "VpcId": VPC,
            "ServiceName": f"com.amazonaws.{REGION}.{short}",
            "VpcEndpointType": "Interface",
            "State": "available",
            "PrivateDnsEnabled": True,
        }
        for short in ("ecr.api", "ecr.dkr")
    ]
    endpoints.append(
        {
            "VpcEndpointId": "vpce-0s3",
            "VpcId": VPC,
            "ServiceName": f"com.amazonaws.{REGION}.s3",
            "VpcEndpointType": "Gateway",
            "State": "available",
            "RouteTableIds": ["rtb-0explicit"],
        }
    )
    return vpc_world([], vpc_endpoints=endpoints, **extra)


def test_nacl_verdict_judges_the_destination_range() -> None:
    acl = infra.network(
        evidence(
            **vpc_world(
                [],
                network_acls=[
                    _acl(_entry(100, True, True, "10.0.0.0/16", (443, 443)), _entry(32767, True, False, "0.0.0.0/0"))
                ],
            )
        )
    ).nacls[0]
    assert acl.verdict(True, 443, "10.0.0.0/16")[0] is True
    assert acl.verdict(True, 443, "10.0.4.0/24")[0] is True
    assert acl.verdict(True, 443, "0.0.0.0/0")[0] is None  # part of the internet is allowed: no claim
    assert acl.verdict(True, 443, "192.168.0.0/16")[0] is False
    assert acl.verdict(True, 80, "10.0.0.0/16")[0] is False


def test_nacl_443_only_to_the_vpc_lets_interface_endpoints_work() -> None:
    acl = _acl(
        _entry(100, True, True, "10.0.0.0/16", (443, 443)),
        _entry(32767, True, False, "0.0.0.0/0"),
        _entry(100, False, True, "10.0.0.0/16", (1024, 65535)),
        _entry(32767, False, False, "0.0.0.0/0"),
    )
    ev = evidence(**_endpoint_world(network_acls=[acl]))
    interface_only = infra.path_to(ev, SUBNET, (TASK_SG,), False, ("ecr.api", "ecr.dkr"))
    assert interface_only.ok is True and interface_only.blocked == ()
    # S3 behind the gateway endpoint is public address space: the same ACL leaves it undecided, never "denied"
    assert infra.path_to(ev, SUBNET, (TASK_SG,), False, ECR).ok is None


def test_nacl_blocking_the_vpc_blocks_interface_endpoints_and_is_named_first() -> None:
    acl = _acl(_entry(100, True, True, "192.168.0.0/16", (443, 443)), _entry(32767, True, False, "0.0.0.0/0"))
    path = infra.path_to(evidence(**_endpoint_world(network_acls=[acl])), SUBNET, (TASK_SG,), False, ECR)
    assert path.ok is False and path.blocked == ("nacl",)
    assert "denies outbound TCP 443 to 10.0.0.0/16" in path.problems[0]
    assert "routes 0.0.0.0/0 nowhere" in path.problems[-1]


def test_private_nat_gateway_is_no_internet() -> None:
    world = vpc_world([{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0abc", "State": "active"}])
    world["nat_gateways"][0]["ConnectivityType"] = "private"
    path = infra.path_to(evidence(**world), SUBNET, (TASK_SG,), False, ECR)
    assert path.ok is False and "private NAT gateway nat-0abc" in path.problems[0]
    assert path.nat_candidate is None  # never proposed as the fix either
    world["nat_gateways"][0]["ConnectivityType"] = "public"
    assert infra.path_to(evidence(**world), SUBNET, (TASK_SG,), False, ECR).ok is True


def test_igw_with_unknown_public_ip_is_undecided() -> None:
    world = vpc_world([{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0abc", "State": "active"}])
    path = infra.path_to(evidence(**world), SUBNET, (), None, ECR)
    assert path.ok is None
    assert not any("assignPublicIp is DISABLED" in p for p in path.problems)


def test_standalone_task_target_has_unknown_public_ip_and_groups() -> None:
    task = {
        "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/prod/abc",
        "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
        "lastStatus": "STOPPED",
        "attachments": [{"type": "ElasticNetworkInterface", "details": [{"name": "subnetId", "value": SUBNET}]}],
    }
    (target,) = infra.awsvpc_targets(evidence(tasks=[task]))
    assert (target.public_ip, target.security_groups) == (None, ())
    task["attachments"][0]["details"].append({"name": "publicIPv4Address", "value": "3.3.3.3"})  # type: ignore[index]
    assert infra.awsvpc_targets(evidence(tasks=[task]))[0].public_ip is True


def test_s3_gateway_needs_task_egress_to_the_prefix_list() -> None:
    world = _endpoint_world()
    world["route_tables"][1]["Routes"].append(
        {"DestinationPrefixListId": "pl-63a5400a", "GatewayId": "vpce-0s3", "State": "active"}
    )
    world["security_groups"][0]["IpPermissionsEgress"] = [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}
    ]
    path = infra.path_to(evidence(**world), SUBNET, (TASK_SG,), False, ("s3",))
    assert path.ok is False and "S3 prefix list pl-63a5400a" in path.problems[0]
    world["security_groups"][0]["IpPermissionsEgress"].append(
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-63a5400a"}]}
    )
    assert infra.path_to(evidence(**world), SUBNET, (TASK_SG,), False, ("s3",)).ok is True


def test_needs_look_at_every_image() -> None:
    td = _td("123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1")
    td["containerDefinitions"].append({"name": "proxy", "image": "envoyproxy/envoy:v1.31"})
    td["containerDefinitions"].append({"name": "agent", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/a:1"})
    ev = evidence(task_definitions=[td])
    needs = infra.needs_of(ev, next(iter(ev.task_definitions.values())))
    assert [(n.name, n.services) for n in needs] == [("image", ECR), ("image", ())]
    assert "envoyproxy/envoy:v1.31" in needs[1].why


def test_registry_credentials_by_name_are_secrets_manager() -> None:
    td = _td("registry.example.com/web:1", repositoryCredentials={"credentialsParameter": "dockerhub-creds"})
    ev = evidence(task_definitions=[td])
    needs = infra.needs_of(ev, next(iter(ev.task_definitions.values())))
    assert [(n.name, n.services) for n in needs if n.name == "secrets"] == [("secrets", ("secretsmanager",))]


# ------------------------------------------------------------------------------------- evidence/fargate


def test_fargate_sizes() -> None:
    assert fargate.is_valid(256, 512) and fargate.is_valid(16384, 122880)
    assert not fargate.is_valid(256, 4096) and not fargate.is_valid(8192, 17408) and not fargate.is_valid(None, 512)
    assert fargate.nearest_pair(256, 4096) == (512, 4096)
    assert fargate.nearest_pair(1024, 1000) == (1024, 2048)
    assert fargate.nearest_pair(8192, 17000) == (8192, 20480)
    assert fargate.nearest_pair(None, 10**6) == (16384, 122880)
    assert (fargate.cpu_units("1 vCPU"), fargate.cpu_units("512"), fargate.cpu_units("x")) == (1024, 512, None)
    assert (fargate.memory_mib("2 GB"), fargate.memory_mib("3072"), fargate.memory_mib("1.5 MB")) == (2048, 3072, None)


def test_is_fargate_prefers_the_task_then_the_service() -> None:
    td = {**_td("nginx:1"), "requiresCompatibilities": ["FARGATE"]}
    ev = evidence(
        services=[_svc(capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT"}])], task_definitions=[td]
    )
    assert fargate.is_fargate(ev, ev.services[0])
    ev = evidence(services=[_svc(launchType="EC2")], task_definitions=[td])
    assert not fargate.is_fargate(ev, ev.services[0])
    assert fargate.is_fargate(td=ev.task_definitions[td["taskDefinitionArn"]])
    both = {**td, "requiresCompatibilities": ["EC2", "FARGATE"]}
    ev = evidence(task_definitions=[both])
    assert not fargate.is_fargate(ev, td=ev.task_definitions[td["taskDefinitionArn"]])


# ------------------------------------------------------- every kind a check reads is declared (requires/reads)


def test_my_checks_declare_every_kind_they_read() -> None:
    """Run each check over every fixture with an Evidence that records the kinds touched (typed fields, raw
    payloads, `has`): each must be in `requires` or `reads`, or a gap there would let the check pass."""
    import json
    from dataclasses import fields
    from pathlib import Path

    import yaml

    from ecs_triage import registry
    from ecs_triage.evidence import snapshot
    from ecs_triage.evidence.model import Evidence

    def load(path: Path) -> Any:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        doc.pop("expect", None)
        doc.setdefault("schema", snapshot.SCHEMA)
        doc.setdefault("source", "snapshot")
        doc.setdefault("region", REGION)
        doc.setdefault("account", "123456789012")
        doc.setdefault("data", {})
        return parse_snapshot(snapshot.loads(json.dumps(doc, default=str), str(path)))

    typed = {"task_definitions", "services", "tasks", "container_instances"}
    seen: set[str] = set()

    class Raw(dict):  # type: ignore[type-arg]
        def get(self, key: Any, default: Any = None) -> Any:
            seen.add(key)
            return super().get(key, default)

        def __getitem__(self, key: Any) -> Any:
            seen.add(key)
            return super().__getitem__(key)

    class Recording(Evidence):
        def __getattribute__(self, name: str) -> Any:
            if name in typed:
                seen.add(name)
            return object.__getattribute__(self, name)

        def has(self, kind: str) -> bool:
            seen.add(kind)
            return kind in self.kinds

    docs = [load(p) for p in sorted((Path(__file__).parents[1] / "checks").glob("*/*.yaml"))]
    undeclared = {}
    for check in registry.all_checks():
        if check.meta.id not in (*_MINE, "ET150"):
            continue
        used: set[str] = set()
        for ev in docs:
            seen.clear()
            values = {f.name: getattr(ev, f.name) for f in fields(ev)}
            values["raw"] = Raw(ev.raw)
            list(check.evaluate(Recording(**values)))
            used |= seen
        extra = used - set(check.meta.requires) - set(check.meta.reads)
        if extra:
            undeclared[check.meta.id] = sorted(extra)
    assert undeclared == {}


# ------------------------------------------------------------------ health-check root causes and symptoms

_FIXTURES = __import__("pathlib").Path(__file__).parents[1] / "checks"


def _fixture_evidence(rel: str) -> Any:
    import json

    import yaml

    from ecs_triage.evidence import snapshot

    doc = yaml.safe_load((_FIXTURES / rel).read_text(encoding="utf-8"))
    doc.pop("expect", None)
    doc.update(schema=snapshot.SCHEMA, source="snapshot", region=REGION, account="123456789012")
    return parse_snapshot(snapshot.loads(json.dumps(doc, default=str), rel))


def test_grace_too_short_folds_unhealthy_targets_under_et302() -> None:
    """ET303's unhealthy targets are a symptom of ET302's short grace period: root=False, same cause, so the
    engine ranks ET302 first and folds ET303 under it."""
    from ecs_triage import engine, registry

    ev = _fixture_evidence("et303_unhealthy_targets/bad_grace_period_short_symptom.yaml")
    svc = ev.services[0]
    assert infra.grace_too_short(ev, svc)
    warm = infra.warmup_of(ev, svc)
    assert warm is not None and 95 <= warm.seconds < 96
    assert not infra.health_check_port_mismatch(ev, svc, svc.load_balancers[0].target_group_arn or "")
    checks = [c for c in registry.all_checks() if c.id in ("ET302", "ET303")]
    found, _ = engine.evaluate(ev, checks)
    roots = {f.check: root for f, root in found}
    assert roots == {"ET302": True, "ET303": False}
    by = {f.check: f for f, _ in found}
    assert by["ET303"].cause == by["ET302"].cause == "elb-health-check"
    assert by["ET303"].confidence < by["ET302"].confidence


def test_unhealthy_targets_stay_root_without_grace_evidence() -> None:
    from ecs_triage import engine, registry

    ev = _fixture_evidence("et303_unhealthy_targets/bad_path_404.yaml")
    assert not infra.grace_too_short(ev, ev.services[0])
    found, _ = engine.evaluate(ev, [c for c in registry.all_checks() if c.id == "ET303"])
    assert [root for _, root in found] == [True]


def test_stopped_tasks_looked_for_only_on_service_and_cluster_targets() -> None:
    base = evidence(
        services=[{"serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/prod/web", "serviceName": "web"}],
        tasks=[],
    )
    svc = base.services[0]
    assert infra.stopped_tasks_looked_for(base, svc)  # no target: a cluster-wide collection
    for target, expected in (
        ({"cluster": "prod", "service": "web", "task": None}, True),
        ({"cluster": "prod", "service": "api", "task": None}, False),
        ({"cluster": "prod", "service": None, "task": "5d6e7f8091a2b3c4"}, False),
    ):
        ev = parse_snapshot(
            {
                "schema": "ecs-triage.snapshot/v1",
                "region": REGION,
                "target": target,
                "data": {"services": [svc.raw], "tasks": []},
            }
        )
        assert infra.stopped_tasks_looked_for(ev, ev.services[0]) is expected, target


def test_clip_cuts_at_a_word_with_an_ellipsis() -> None:
    text = 'send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 3.227.250.116:443'
    out = infra.clip(text, 60)
    assert out == "send request failed caused by: Post…"
    assert len(out) <= 60
    assert infra.clip("short\n  text", 60) == "short text"  # untouched, one line, no ellipsis
    assert infra.clip("x" * 100, 20) == "x" * 19 + "…"  # no space to cut at: cut hard, still marked
