"""The execution role or task role named in the task definition does not exist.

What it detects:
    For each `executionRoleArn` and `taskRoleArn`, ecs-triage called `iam:GetRole`. A role IAM reports as
    missing (`NoSuchEntity`) is reported; a role ecs-triage was not allowed to read (AccessDenied) is not
    claimed missing. A stopped task or service event saying ECS was "unable to assume the role" is the
    hypothesis the lookup confirms; without one the lookup alone is reported.

Why it happens:
    The role was deleted (or recreated under another name or path) while task definitions still point
    at it; a typo or a wrong account id in the ARN; an infrastructure stack that creates the role was
    torn down.

How to fix:
    Point the task definition at an existing role, or create the role with a trust policy for
    `ecs-tasks.amazonaws.com` (and, for an execution role, `AmazonECSTaskExecutionRolePolicy`). The
    finding prints the commands with the real role name.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
"""

from __future__ import annotations

import ecs_triage.iam as iam
from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET411",
    slug="role-missing",
    title="The execution or task role does not exist",
    category="configuration",
    severity="error",
    requires=("task_definitions", "iam_roles"),
    reads=("tasks", "services"),
)

SERVICE = "ecs-tasks.amazonaws.com"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    done: set[str] = set()
    for subj in sx.subjects(ev):
        hyps = sx.hypotheses(ev, subj, {"role-assume-failed", "invalid-task-definition"})
        for field, label in (("executionRoleArn", "execution role"), ("taskRoleArn", "task role")):
            arn = subj.td.execution_role_arn if field == "executionRoleArn" else subj.td.task_role_arn
            view = access.role(ev, arn)
            if not arn or view is None or view.found or arn in done:
                continue
            if access.is_access_denied(view.error_code):
                continue
            done.add(arn)
            name = access.role_name_of(arn)
            matched = sx.about(hyps, arn, name)
            account = access.account_of(arn) or ev.account
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": SERVICE},
                        "Action": "sts:AssumeRole",
                        **({"Condition": {"StringEquals": {"aws:SourceAccount": account}}} if account else {}),
                    }
                ],
            }
            commands = [aws_cli("iam", "create-role", role_name=name, assume_role_policy_document=trust)]
            if field == "executionRoleArn":
                commands.append(
                    aws_cli(
                        "iam", "attach-role-policy", role_name=name, policy_arn=iam.execution_role_policy_arn(ev.region)
                    )
                )
            yield Hit(
                resource=arn,
                message=(
                    f"The {label} {arn} of {subj.name} does not exist ({view.error_code or 'GetRole: not found'}): "
                    "ECS cannot assume it"
                ),
                cause="role-assume-failed",
                confidence=sx.CONFIRMED if matched else sx.CONFIG_STRONG,
                evidence=sx.refs(
                    (
                        *(h.evidence for h in matched[:2]),
                        sx.td_ref(subj.td, f"/{field}", arn),
                        EvidenceRef(arn, f"/iam_roles/{view.index}/found", False, view.error_code or ""),
                    ),
                    EvidenceRef,
                ),
                fix=Fix(
                    summary=f"Create the role {name} (or point {subj.td.family} at an existing {label})",
                    steps=(
                        f"If {field} of {subj.td.family} is wrong, register a new revision with the right role ARN.",
                        f"Otherwise create {name} with a trust policy for {SERVICE}"
                        + (" and attach AmazonECSTaskExecutionRolePolicy." if field == "executionRoleArn" else "."),
                        "Add back any other permissions the role had (secrets, KMS, application access).",
                    ),
                    commands=tuple(commands),
                    snippet=trust,
                    snippet_title=f"Trust policy for {name}",
                    docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html",),
                ),
                signature="role.missing",
                pointer=f"/{field}",
            )
