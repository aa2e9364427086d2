"""Tasks cannot start because the deployed task definition has no execution role.

What it detects:
    Diagnose mode, on the live task definitions the service or task really uses: a task definition
    without `executionRoleArn` that needs one to start: on Fargate an image in a private Amazon ECR
    registry, the `awslogs` log driver, `secrets`/`secretOptions` or `repositoryCredentials`; on EC2,
    `secrets`/`secretOptions` or `repositoryCredentials` (the instance role covers ECR and awslogs there).
    A service event or stopped task saying "... requires task definition to have execution role ARN" is
    the hypothesis the task definition confirms. (ET450 is the static rule for task-definition files.)

Why it happens:
    The definition was registered by a tool or template that drops `executionRoleArn`, or copied from an
    EC2 definition (where the instance role did the work) to Fargate; the execution role was confused
    with the task role.

How to fix:
    Register a new revision with `executionRoleArn` set to a role trusted by `ecs-tasks.amazonaws.com`
    with `AmazonECSTaskExecutionRolePolicy` (plus read access to the referenced secrets), and update the
    service to it. The finding names an existing execution role of the account when one was collected.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
"""

from __future__ import annotations

import ecs_triage.iam as iam
from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET412",
    slug="execution-role-required",
    title="The deployed task definition has no execution role but needs one",
    category="configuration",
    severity="error",
    requires=("task_definitions",),
    reads=("iam_roles", "tasks", "services"),
)

DEFAULT_NAME = "ecsTaskExecutionRole"


def _needs(subj: sx.Subject) -> list[tuple[str, str]]:
    """(what needs the role, JSON pointer)."""
    out = []
    for cd in subj.td.containers:
        img = access.parse_image(cd.image)
        if subj.fargate and img is not None and img.is_ecr:
            out.append((f"the ECR image {img.text} of container {cd.name}", f"{cd.pointer}/image"))
        log = cd.log_configuration
        if subj.fargate and log is not None and log.driver == "awslogs":
            out.append((f"the awslogs log driver of container {cd.name}", f"{log.pointer}/logDriver"))
        if cd.secrets:
            out.append((f"the secrets of container {cd.name}", f"{cd.pointer}/secrets"))
        if log is not None and log.secret_options:
            out.append((f"the log secretOptions of container {cd.name}", f"{log.pointer}/secretOptions"))
        if cd.repository_credentials:
            out.append((f"the repositoryCredentials of container {cd.name}", f"{cd.pointer}/repositoryCredentials"))
    return out


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for subj in sx.subjects(ev):
        if subj.td.execution_role_arn:
            continue
        needs = _needs(subj)
        if not needs:
            continue
        hyps = [
            h
            for h in sx.hypotheses(
                ev, subj, {"invalid-task-definition", "image-pull-auth", "secrets-access-denied", "log-config"}
            )
            if "execution role" in h.text.lower()
        ]
        account = ev.account or access.account_of(subj.td.arn) or ""
        existing = next((r for r in access.roles(ev) if r.found and r.name == DEFAULT_NAME), None)
        role_arn = (
            existing.arn if existing else f"arn:{access.partition_of(ev.region)}:iam::{account}:role/{DEFAULT_NAME}"
        )
        commands = []
        steps = []
        if existing is None:
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
            commands += [
                aws_cli("iam", "create-role", role_name=DEFAULT_NAME, assume_role_policy_document=trust),
                aws_cli(
                    "iam",
                    "attach-role-policy",
                    role_name=DEFAULT_NAME,
                    policy_arn=iam.execution_role_policy_arn(ev.region),
                ),
            ]
            steps.append(f"Create the execution role {DEFAULT_NAME} (first two commands).")
        else:
            steps.append(f"Use the existing execution role {existing.arn}.")
        steps += [
            f"Register a new revision of {subj.td.family} with the executionRoleArn below.",
            "Allow the role to read the referenced secrets, if any (secretsmanager:GetSecretValue / ssm:GetParameters).",
        ]
        for s in subj.services:
            commands.append(
                aws_cli(
                    "ecs",
                    "update-service",
                    cluster=s.cluster_arn.rsplit("/", 1)[-1],
                    service_=s.name,
                    task_definition=subj.td.family,
                )
            )
        what = ", ".join(n for n, _ in needs[:4])
        yield Hit(
            resource=subj.td.arn,
            message=(
                f"{subj.name} has no executionRoleArn, but {what} need{'s' if len(needs) == 1 else ''} "
                f"the execution role{' on Fargate' if subj.fargate else ''}"
            ),
            cause="invalid-task-definition",
            confidence=sx.CONFIRMED if hyps else sx.CONFIG_STRONG,
            evidence=sx.refs(
                (
                    *(h.evidence for h in hyps[:2]),
                    *(sx.td_ref(subj.td, p, None if p.endswith("Credentials") else n) for n, p in needs[:3]),
                    sx.td_ref(subj.td, "/executionRoleArn", None, "not set"),
                ),
                EvidenceRef,
            ),
            fix=Fix(
                summary=f"Set executionRoleArn of {subj.td.family} to {role_arn}",
                steps=tuple(steps),
                commands=tuple(commands),
                snippet={"executionRoleArn": role_arn},
                snippet_title=f"Task definition patch for {subj.td.family}",
                docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html",),
            ),
            signature="taskdef.execution-role-required",
            pointer="/executionRoleArn",
        )
