"""Format detection and conversion to the API shapes."""

from __future__ import annotations

import json

import pytest

from ecs_triage.app.lint import lint_paths, snapshot_for
from ecs_triage.evidence import parse
from ecs_triage.lint import formats

TD = {"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "memory": 256}]}


def test_register_and_describe_json_are_detected() -> None:
    reg = formats.parse_text(json.dumps(TD), "reg.json")
    desc = formats.parse_text(json.dumps({"taskDefinition": {**TD, "revision": 7}}), "desc.json")
    assert (reg.format, desc.format) == ("register-task-definition", "describe-task-definition")
    assert reg.resources[0].resource_id == "taskdef web"
    assert desc.resources[0].resource_id == "taskdef web:7"
    assert (
        desc.resources[0].file_pointer("/containerDefinitions/0/memory")
        == "/taskDefinition/containerDefinitions/0/memory"
    )
    assert desc.resources[0].file_pointer("/containerDefinitions/0/healthCheck/startPeriod") == (
        "/taskDefinition/containerDefinitions/0/healthCheck/startPeriod"
    )


def test_cloudformation_is_converted_to_camel_case_and_linked() -> None:
    text = """
Resources:
  Td:
    Type: AWS::ECS::TaskDefinition
    Properties:
      NetworkMode: !Sub awsvpc
      ContainerDefinitions:
        - Name: app
          Image: !Join [":", [repo, "1.0"]]
          LogConfiguration:
            LogDriver: awslogs
            Options: {awslogs-group: /ecs/app, Mode: non-blocking}
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Port: 80, TargetType: ip}
  Svc:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref Td
      LoadBalancers: [{ContainerName: app, ContainerPort: 80, TargetGroupArn: !Ref Tg}]
"""
    parsed = formats.parse_text(text, "t.yaml")
    td, tg, svc = parsed.resources
    assert td.payload["networkMode"] == "awsvpc"  # Fn::Sub without variables is a literal
    assert td.payload["family"] == "Td"  # no Family: the logical id names it
    c = td.payload["containerDefinitions"][0]
    assert c["image"] == "repo:1.0"
    assert c["logConfiguration"]["options"] == {"awslogs-group": "/ecs/app", "Mode": "non-blocking"}
    assert svc.payload["taskDefinition"] == td.payload["taskDefinitionArn"]
    assert svc.payload["loadBalancers"][0]["targetGroupArn"] == tg.payload["TargetGroupArn"]
    assert td.file_pointer("/containerDefinitions/0/logConfiguration/options") == (
        "/Resources/Td/Properties/ContainerDefinitions/0/LogConfiguration/Options"
    )
    ev = parse.parse_snapshot(snapshot_for(parsed))
    assert ev.services[0].load_balancers[0].container_port == 80
    assert ev.task_definition(ev.services[0].task_definition_arn) is not None


def test_unknown_intrinsics_never_give_findings() -> None:
    template = {
        "Resources": {
            "Td": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {
                    "RequiresCompatibilities": ["FARGATE"],
                    "NetworkMode": {"Ref": "Mode"},
                    "Cpu": {"Ref": "Cpu"},
                    "Memory": {"Fn::FindInMap": ["M", "x", "y"]},
                    "ExecutionRoleArn": {"Fn::If": ["C", {"Ref": "A"}, {"Ref": "AWS::NoValue"}]},
                    "ContainerDefinitions": [
                        {
                            "Name": "app",
                            "Image": {"Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/app:${Tag}"},
                            "Essential": {"Ref": "Ess"},
                            "Memory": {"Ref": "Mem"},
                            "PortMappings": [{"ContainerPort": {"Ref": "Port"}, "HostPort": {"Ref": "HostPort"}}],
                            "Secrets": [{"Name": "S", "ValueFrom": {"Ref": "Secret"}}],
                            "Environment": [{"Name": "DB_PASSWORD", "Value": {"Ref": "Password"}}],
                            "HealthCheck": {"Command": ["CMD", "true"], "StartPeriod": {"Ref": "Start"}},
                            "DependsOn": [{"ContainerName": "app", "Condition": {"Ref": "Cond"}}],
                            "LogConfiguration": {"LogDriver": "awslogs", "Options": {"Ref": "LogOptions"}},
                        }
                    ],
                },
            },
            "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"TargetType": {"Ref": "T"}}},
            "Svc": {
                "Type": "AWS::ECS::Service",
                "Properties": {
                    "TaskDefinition": {"Ref": "Td"},
                    "HealthCheckGracePeriodSeconds": {"Ref": "Grace"},
                    "LoadBalancers": [
                        {"ContainerName": "app", "ContainerPort": {"Ref": "Port"}, "TargetGroupArn": {"Ref": "Tg"}}
                    ],
                },
            },
        }
    }
    parsed = formats.parse_text(json.dumps(template, indent=1), "t.json")
    from ecs_triage.app.lint import lint_parsed, select_checks

    found, outcomes = lint_parsed(parsed, select_checks(None, None))
    assert [f.message for f, _ in found] == []
    assert not [o for o in outcomes if o.status == "error"]


def test_terraform_resource_changes_are_used_without_planned_values() -> None:
    cds = [{"name": "app", "image": "nginx:1.27", "portMappings": [{"containerPort": 80, "hostPort": 81}]}]
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "aws_ecs_task_definition.app",
                "type": "aws_ecs_task_definition",
                "mode": "managed",
                "change": {
                    "actions": ["create"],
                    "after": {"family": "app", "network_mode": "awsvpc", "container_definitions": json.dumps(cds)},
                },
            },
            {
                "address": "aws_ecs_task_definition.old",
                "type": "aws_ecs_task_definition",
                "mode": "managed",
                "change": {"actions": ["delete"], "after": None},
            },
        ],
    }
    parsed = formats.parse_text(json.dumps(plan), "plan.json")
    assert [r.name for r in parsed.resources] == ["app"]
    assert parsed.resources[0].payload["containerDefinitions"] == cds
    assert (
        parsed.resources[0]
        .file_pointer("/containerDefinitions/0/portMappings/0/hostPort")
        .startswith("/resource_changes/0/change/after/container_definitions")
    )


def test_terraform_bad_container_definitions_is_a_note() -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_ecs_task_definition.x",
                        "type": "aws_ecs_task_definition",
                        "mode": "managed",
                        "values": {"family": "x", "container_definitions": "[{not json"},
                    }
                ]
            }
        },
    }
    parsed = formats.parse_text(json.dumps(plan), "plan.json")
    assert any("container_definitions is not valid JSON" in n for n in parsed.notes)
    del plan["planned_values"]["root_module"]["resources"][0]["values"]["container_definitions"]
    parsed = formats.parse_text(json.dumps(plan), "plan.json")
    assert any("container_definitions is unknown until apply" in n for n in parsed.notes)


def test_service_and_target_group_files() -> None:
    svc = formats.parse_text(json.dumps({"services": [{"serviceName": "web", "loadBalancers": []}]}), "s.json")
    tgs = formats.parse_text(json.dumps({"TargetGroups": [{"TargetGroupName": "tg", "Port": 80}]}), "t.json")
    assert (svc.format, svc.resources[0].resource_id) == ("ecs-service", "service web")
    assert (tgs.format, tgs.resources[0].resource_id) == ("describe-target-groups", "target-group tg")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01\x02binary", "binary file"),
        (b"a: \xff\xfe\n", "not UTF-8"),
        (b" " * (formats.MAX_BYTES + 1), "file too large"),
    ],
)
def test_decode_refuses_bad_bytes(data: bytes, message: str) -> None:
    with pytest.raises(formats.InputFileError, match=message):
        formats.decode(data, "f")


def test_utf16_with_bom_is_read() -> None:
    text = json.dumps(TD)
    assert formats.decode(b"\xff\xfe" + text.encode("utf-16-le"), "f") == text


def test_lint_reads_stdin() -> None:
    import io

    bad = {**TD, "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "4096"}
    result = lint_paths(["-"], stdin=io.BytesIO(json.dumps(bad).encode()))
    assert {f.check for f in result.report.findings} >= {"ET150"}
    assert all(f.location is not None and f.location.file == "<stdin>" for f in result.report.findings)


def test_same_family_twice_in_one_template_is_located_by_its_values() -> None:
    text = """Resources:
  Blue:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "256"
      Memory: "512"
      ContainerDefinitions: [{Name: web, Image: "nginx:1.27"}]
  Green:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "256"
      Memory: "4096"
      ContainerDefinitions: [{Name: web, Image: "nginx:1.27"}]
"""
    from ecs_triage.app.lint import lint_parsed, select_checks

    parsed = formats.parse_text(text, "t.yaml")
    found, _ = lint_parsed(parsed, select_checks("ET150", None))
    [(finding, _root)] = found
    assert finding.location is not None
    assert (finding.location.line, finding.location.pointer) == (18, "/Resources/Green/Properties/Memory")


def test_a_service_file_sees_the_task_definition_of_another_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    td = {
        "family": "web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "4096",
        "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "portMappings": [{"containerPort": 8080}]}],
    }
    svc = {
        "serviceName": "web",
        "taskDefinition": "web:12",
        "healthCheckGracePeriodSeconds": 60,
        "loadBalancers": [
            {"targetGroupArn": "arn:aws:elasticloadbalancing:x", "containerName": "web", "containerPort": 80}
        ],
    }
    (tmp_path / "taskdef.json").write_text(json.dumps(td, indent=2))
    (tmp_path / "service.json").write_text(json.dumps(svc, indent=2))
    result = lint_paths([str(tmp_path)])
    by_check = {f.check: f for f in result.report.findings}
    assert set(by_check) == {"ET150", "ET351"}  # ET150 once, in the task definition's own file
    assert by_check["ET150"].location is not None and by_check["ET150"].location.file.endswith("taskdef.json")
    loc = by_check["ET351"].location
    assert loc is not None and loc.file.endswith("service.json") and loc.pointer == "/loadBalancers/0/containerPort"
