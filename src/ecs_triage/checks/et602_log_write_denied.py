"""The role that writes the container logs may not create log streams or put log events.

What it detects:
    For each container using the `awslogs` log driver, the identity that writes the logs (the task
    execution role; on EC2 without one, the container instance role) is checked for
    `logs:CreateLogStream` and `logs:PutLogEvents` on the container's stream in the log group named in
    `awslogs-group` (ARN built from `awslogs-region` and the stream prefix), with AWS's simulator when
    available, else with the local evaluator over the role's policies and permission boundary. A stopped
    task with `failed to validate logger args ... AccessDeniedException ... logs:CreateLogStream` is the
    hypothesis the policies confirm; without a stopped task the configuration alone is reported, with a
    lower confidence. A missing log group is ET601.

Why it happens:
    The execution role has a hand-written policy without the logs actions (AmazonECSTaskExecutionRolePolicy
    has them), a policy scoped to another group name or Region, a permission boundary without `logs:*`,
    or an explicit Deny.

How to fix:
    Allow the role `logs:CreateLogStream` and `logs:PutLogEvents` on the log group (the finding prints the
    statement scoped to `arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*` and the `aws iam put-role-policy`
    command), or attach `AmazonECSTaskExecutionRolePolicy` to the execution role.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
"""

from __future__ import annotations

import ecs_triage.iam as iam
from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET602",
    slug="log-write-denied",
    title="The role may not create log streams or put log events",
    category="logging",
    severity="error",
    requires=("task_definitions", "iam_roles"),
    reads=("log_groups", "iam_simulations", "ec2_instances", "instance_profiles", "tasks", "services"),
)

ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


def evaluate(ev: Evidence) -> Iterator[Hit]:
    done: set[tuple[str, str]] = set()
    for subj in sx.subjects(ev):
        hyps = sx.hypotheses(ev, subj, {"log-config"})
        account = ev.account or access.account_of(subj.td.arn) or ""
        task_id = subj.tasks[0].id if subj.tasks else "TASK_ID"
        for cfg in sx.awslogs(ev, subj):
            group = access.log_group(ev, cfg.group, cfg.region)
            if group is not None and not group.found and not access.is_access_denied(group.error_code):
                continue  # ET601
            for role_arn, role_kind in sx.pulling_roles(ev, subj):
                view = access.role(ev, role_arn)
                if view is None or not view.found or (role_arn, cfg.group) in done:
                    continue
                stream = cfg.stream_arn(account, task_id)
                refused = [
                    (a, d)
                    for a in ACTIONS
                    if (d := iam.prove(ev, role_arn, a, stream, simulated_as=(f"{cfg.group_arn(account)}:*",))).refused
                ]
                if not refused:
                    continue
                done.add((role_arn, cfg.group))
                role_name = access.role_name_of(role_arn)
                matched = sx.about(hyps, cfg.group, role_name, container=cfg.container)
                first = refused[0][1]
                commands: tuple[str, ...] = ()
                steps: tuple[str, ...] = ()
                if role_kind == "execution role":
                    commands = (
                        aws_cli(
                            "iam",
                            "attach-role-policy",
                            role_name=role_name,
                            policy_arn=iam.execution_role_policy_arn(ev.region),
                        ),
                    )
                    steps = ("Alternatively attach AmazonECSTaskExecutionRolePolicy (second command).",)
                statements = [sx.statement("WriteLogs", list(ACTIONS), [f"{cfg.group_arn(account)}:*"])]
                fix = sx.put_role_policy_fix(
                    role_arn,
                    sx.policy_name("write-logs", subj.td.family),
                    statements,
                    summary=f"Allow {role_name} to write logs to {cfg.group}",
                    steps=steps,
                    commands=commands,
                    docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html",),
                )
                if all(sx.boundary_blocks(ev, role_arn, a, stream) for a, _ in refused):
                    summary = f"Let the permission boundary of {role_name} allow writing to {cfg.group}"
                    fix = sx.boundary_fix(ev, role_arn, statements, summary) or fix
                yield Hit(
                    resource=role_arn,
                    message=(
                        f"The {role_kind} {role_name} may not write the logs of container {cfg.container} "
                        f"({subj.name}) to {cfg.group} in {cfg.region}: {', '.join(a for a, _ in refused)} refused "
                        f"({first.method}: {first.reason})"
                    ),
                    cause="log-config",
                    confidence=sx.CONFIRMED if matched else sx.CONFIG_ONLY,
                    evidence=sx.refs(
                        (
                            *(h.evidence for h in matched[:2]),
                            sx.td_ref(subj.td, f"{cfg.pointer}/options/awslogs-group", cfg.group),
                            *(sx.role_evidence(ev, role_arn, d, f"{a} on {stream}") for a, d in refused),
                        ),
                        EvidenceRef,
                    ),
                    fix=fix,
                    signature="logs.write-denied",
                    pointer=f"{cfg.pointer}/options/awslogs-group",
                )
