"""The awslogs log group does not exist and will not be created.

What it detects:
    For each container using the `awslogs` log driver, ecs-triage described the log group named in
    `awslogs-group` in the `awslogs-region` (default: the task's Region). When the group does not exist
    and `awslogs-create-group` is not `"true"`, the log driver cannot start and the task stops. When
    `awslogs-create-group` is `"true"`, the role that writes logs (the execution role; on EC2 without one,
    the instance role) must be allowed `logs:CreateLogGroup`, proved with AWS's simulator when
    available, else with the local evaluator; if it is not, the group will never be created.
    A stopped task with `ResourceInitializationError: failed to validate logger args ... The specified
    log group does not exist` (or `... not authorized to perform: logs:CreateLogGroup`) is the
    hypothesis; without a stopped task the lookup alone is reported, with a lower confidence. When
    ecs-triage was not allowed to describe log groups it does not claim the group is missing.

Why it happens:
    The group was never created (the console creates it for you, templates and the CLI do not), was
    created in another Region or deleted by a retention clean-up, or its name has a typo;
    `awslogs-create-group` is set but `AmazonECSTaskExecutionRolePolicy` does not include
    `logs:CreateLogGroup`.

How to fix:
    Create the log group (`aws logs create-log-group`, printed with the real name and Region), or let the
    role create it (`logs:CreateLogGroup` on the group's ARN) when `awslogs-create-group` is set.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
"""

from __future__ import annotations

import ecs_triage.iam as iam
from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET601",
    slug="log-group-missing",
    title="The awslogs log group does not exist and will not be created",
    category="logging",
    severity="error",
    requires=("task_definitions", "log_groups"),
    reads=("iam_roles", "iam_simulations", "ec2_instances", "instance_profiles", "tasks", "services"),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    done: set[tuple[str, str]] = set()
    for subj in sx.subjects(ev):
        hyps = sx.hypotheses(ev, subj, {"log-config"})
        account = ev.account or access.account_of(subj.td.arn) or ""
        for cfg in sx.awslogs(ev, subj):
            view = access.log_group(ev, cfg.group, cfg.region)
            if view is None or view.found or access.is_access_denied(view.error_code):
                continue
            if (cfg.group, cfg.region) in done:
                continue
            matched = sx.about(hyps, cfg.group, container=cfg.container)
            evidence = [h.evidence for h in matched[:2]]
            evidence.append(sx.td_ref(subj.td, f"{cfg.pointer}/options/awslogs-group", cfg.group))
            evidence.append(sx.item_ref("log_groups", view, "found", f"looked in {cfg.region}"))
            create_cmd = aws_cli("logs", "create-log-group", log_group_name=cfg.group, region=cfg.region)
            group_arn = cfg.group_arn(account)
            if not cfg.create_group:
                done.add((cfg.group, cfg.region))
                yield Hit(
                    resource=group_arn,
                    message=(
                        f"The log group {cfg.group} of container {cfg.container} ({subj.name}) does not exist in "
                        f"{cfg.region}, and awslogs-create-group is not set"
                    ),
                    cause="log-config",
                    confidence=sx.CONFIRMED if matched else sx.CONFIG_STRONG,
                    evidence=sx.refs(evidence, EvidenceRef),
                    fix=Fix(
                        summary=f"Create the log group {cfg.group} in {cfg.region}",
                        steps=(
                            "Create the group (first command); set a retention so logs do not grow forever.",
                            "Start the task again.",
                        ),
                        commands=(
                            create_cmd,
                            aws_cli(
                                "logs",
                                "put-retention-policy",
                                log_group_name=cfg.group,
                                retention_in_days=30,
                                region=cfg.region,
                            ),
                        ),
                        docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html",),
                        risk="safe",
                    ),
                    signature="logs.group-missing",
                    pointer=f"{cfg.pointer}/options/awslogs-group",
                )
                continue
            for role_arn, role_kind in sx.pulling_roles(ev, subj):
                resource = f"{group_arn}:log-stream:"
                d = iam.prove(ev, role_arn, "logs:CreateLogGroup", resource, simulated_as=(f"{group_arn}:*",))
                if not d.refused:
                    continue
                done.add((cfg.group, cfg.region))
                role_name = access.role_name_of(role_arn)
                evidence.append(sx.td_ref(subj.td, f"{cfg.pointer}/options/awslogs-create-group", "true"))
                evidence.append(sx.role_evidence(ev, role_arn, d, f"logs:CreateLogGroup on {resource}"))
                yield Hit(
                    resource=group_arn,
                    message=(
                        f"The log group {cfg.group} of container {cfg.container} ({subj.name}) does not exist in "
                        f"{cfg.region}; awslogs-create-group is set, but the {role_kind} {role_name} may not "
                        f"logs:CreateLogGroup ({d.method}: {d.reason})"
                    ),
                    cause="log-config",
                    confidence=sx.CONFIRMED if matched else sx.CONFIG_ONLY,
                    evidence=sx.refs(evidence, EvidenceRef),
                    fix=sx.put_role_policy_fix(
                        role_arn,
                        sx.policy_name("create-log-group", subj.td.family),
                        [sx.statement("CreateLogGroup", ["logs:CreateLogGroup"], [f"{group_arn}:*"])],
                        summary=f"Create {cfg.group} in {cfg.region} (second command), or allow {role_name} logs:CreateLogGroup",
                        steps=("Simplest: create the group once (second command) and drop awslogs-create-group.",),
                        commands=(create_cmd,),
                        docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html",),
                    ),
                    signature="logs.create-group-denied",
                    pointer=f"{cfg.pointer}/options/awslogs-create-group",
                )
                break
