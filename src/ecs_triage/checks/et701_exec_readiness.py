"""ECS Exec is enabled but will not work for this service's tasks.

What it detects:
    A service or task with `enableExecuteCommand` on, and one of the things ECS Exec needs missing: the
    running tasks' `ExecuteCommandAgent` managed agent is not RUNNING (or tasks started before exec was
    enabled have none), the task has no task role, the task role may not call
    `ssmmessages:CreateControlChannel` / `OpenDataChannel` (proved from the collected role documents), or
    the task subnets have no path to the `ssmmessages` endpoint.

Why it happens:
    Exec was enabled on the service without a new deployment (old tasks lack the agent), the task role
    is missing or lacks the SSM messages actions, or tasks in private subnets have neither a NAT gateway
    nor an `ssmmessages` interface endpoint.

How to fix:
    Give the task a task role with the `ssmmessages` actions, make sure tasks can reach
    `ssmmessages.REGION.amazonaws.com`, and force a new deployment so tasks start with the agent. The
    `amazon-ecs-exec-checker` script checks the same prerequisites from your workstation.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
    - https://github.com/aws-containers/amazon-ecs-exec-checker
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.infra import awsvpc_targets, name_of, path_to
from ecs_triage.iam import prove

CHECK = Check(
    id="ET701",
    slug="exec-readiness",
    title="ECS Exec is enabled but will not work for these tasks",
    category="exec",
    severity="warning",
    requires=("services", "tasks", "task_definitions"),
    reads=(
        "iam_roles",
        "iam_simulations",
        "subnets",
        "route_tables",
        "vpc_endpoints",
        "vpcs",
        "security_groups",
        "network_acls",
        "nat_gateways",
    ),
)

ACTIONS = ("ssmmessages:CreateControlChannel", "ssmmessages:OpenDataChannel")


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for svc in ev.services:
        if not svc.enable_execute_command:
            continue
        td = ev.task_definition(svc.task_definition_arn)
        problems: list[str] = []
        evidence = [EvidenceRef(svc.arn, "/enableExecuteCommand", True)]
        steps: list[str] = []
        commands: list[str] = []
        cluster = name_of(svc.cluster_arn)
        running = [t for t in ev.tasks_of(svc) if t.last_status == "RUNNING"]
        for t in running:
            agents = [a for c in t.containers for a in c.managed_agents if a.name == "ExecuteCommandAgent"]
            if not agents or any(a.last_status != "RUNNING" for a in agents):
                state = agents[0].last_status if agents else "absent"
                problems.append(f"task {t.id} has ExecuteCommandAgent {state}")
                evidence.append(EvidenceRef(t.arn, "/containers/0/managedAgents", state))
                steps.append(f"Force a new deployment of {svc.name} so tasks start with the exec agent.")
                commands.append(
                    aws_cli("ecs", "update-service", cluster=cluster, service_=svc.name, force_new_deployment=True)
                )
                break
        if td is not None and not td.task_role_arn:
            problems.append(f"task definition {td.label} has no task role")
            evidence.append(EvidenceRef(td.label, "/taskRoleArn", None))
            steps.append(f"Give {td.family} a task role allowing {', '.join(ACTIONS)} on *.")
        elif td is not None and td.task_role_arn and ev.has("iam_roles"):
            for action in ACTIONS:
                decision = prove(ev, td.task_role_arn, action, "*")
                if decision.refused:
                    problems.append(
                        f"the task role {name_of(td.task_role_arn)} may not call {action} ({decision.method})"
                    )
                    evidence.append(EvidenceRef(td.task_role_arn, "/", decision.reason))
                    steps.append(
                        f"Allow the ssmmessages Create/Open Control/Data Channel actions in role {name_of(td.task_role_arn)}."
                    )
                    commands.append(
                        aws_cli(
                            "iam",
                            "put-role-policy",
                            role_name=name_of(td.task_role_arn),
                            policy_name="ecs-exec",
                            policy_document={
                                "Version": "2012-10-17",
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Action": [
                                            "ssmmessages:CreateControlChannel",
                                            "ssmmessages:CreateDataChannel",
                                            "ssmmessages:OpenControlChannel",
                                            "ssmmessages:OpenDataChannel",
                                        ],
                                        "Resource": "*",
                                    }
                                ],
                            },
                        )
                    )
                    break
        if ev.has("subnets") and ev.has("route_tables") and ev.has("vpc_endpoints"):
            for target in awsvpc_targets(ev):
                if target.resource != svc.arn:
                    continue
                bad = [
                    p
                    for s in target.subnets
                    for p in [path_to(ev, s, target.security_groups, target.public_ip, ("ssmmessages",))]
                    if p.ok is False
                ]
                if bad:
                    problems.append(f"{bad[0].subnet} has no path to ssmmessages: " + "; ".join(bad[0].problems))
                    steps.append("Create an ssmmessages interface endpoint with private DNS, or a NAT route.")
                    commands.append(
                        aws_cli(
                            "ec2",
                            "create-vpc-endpoint",
                            vpc_id=bad[0].vpc_id,
                            vpc_endpoint_type="Interface",
                            service_name=f"com.amazonaws.{ev.region or 'us-east-1'}.ssmmessages",
                            subnet_ids=list(target.subnets),
                            security_group_ids=list(target.security_groups) or None,
                            private_dns_enabled=True,
                        )
                    )
        if not problems:
            continue
        yield Hit(
            resource=svc.arn,
            message=f"ECS Exec is enabled on {svc.name} but will fail: " + "; ".join(problems),
            cause="unknown",
            confidence=0.8,
            evidence=tuple(evidence),
            fix=Fix(
                summary=f"Make ECS Exec work for {svc.name}",
                steps=tuple(dict.fromkeys(steps)),
                commands=tuple(dict.fromkeys(commands)),
                docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",),
                risk="review",
            ),
            signature="exec.not-ready",
        )
