"""The task definition has no execution role but uses features that need one.

What it detects:
    A task definition without `executionRoleArn` that uses: an image from a private Amazon ECR registry,
    the `awslogs` log driver, `secrets` (or log `secretOptions`), or `repositoryCredentials`.
    On Fargate all four need the execution role. On EC2 the instance role covers ECR pulls and awslogs,
    but `secrets` and `repositoryCredentials` still need the execution role.

Why it happens:
    The execution role is the identity the ECS agent (or Fargate) uses before the container starts: to
    pull from ECR, create log streams, and read secrets. It is easy to confuse with the task role (the
    application's identity) or to drop when copying a definition. ECS rejects the registration ("Fargate
    requires task definition to have execution role ARN to support ECR images") or the task stops with
    `ResourceInitializationError` / `CannotPullContainerError`.

How to fix:
    Create a role trusted by `ecs-tasks.amazonaws.com` with the managed policy
    `AmazonECSTaskExecutionRolePolicy` (plus `secretsmanager:GetSecretValue` / `ssm:GetParameters` for the
    referenced secrets) and set it as `executionRoleArn`.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
"""

from __future__ import annotations

import json
import re

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.access import parse_image
from ecs_triage.evidence.lintview import present, taskdef_resource

CHECK = Check(
    id="ET450",
    slug="execution-role-missing",
    title="No execution role, but the task needs one",
    category="configuration",
    severity="error",
    requires=("task_definitions",),
    modes=("lint",),  # diagnose has ET412 for deployed task definitions
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html"
_ACCOUNT = re.compile(r"(?:arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:|^)(\d{12})[:.]")
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _account(td_raw: object) -> str | None:
    m = _ACCOUNT.search(json.dumps(td_raw, default=str)) if td_raw else None
    return m.group(1) if m else None


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        if present(td.raw, "executionRoleArn"):
            continue
        resource = taskdef_resource(td)
        needs: list[tuple[str, str, object]] = []  # (what, pointer, value)
        for c in td.containers:
            image = parse_image(c.image)
            raw_image = json.dumps(c.raw.get("image"), default=str)
            if (image is not None and image.is_ecr) or (c.image is None and ".dkr.ecr." in raw_image):
                needs.append((f"container {c.name} pulls from Amazon ECR", f"{c.pointer}/image", c.raw.get("image")))
            log = c.log_configuration
            if log is not None and (log.driver or "") == "awslogs":
                needs.append((f"container {c.name} uses the awslogs driver", f"{log.pointer}/logDriver", "awslogs"))
            for s in c.secrets + (log.secret_options if log else ()):
                needs.append((f"container {c.name} reads secret {s.name or s.value_from}", s.pointer, s.value_from))
            if c.repository_credentials or present(c.raw, "repositoryCredentials"):
                needs.append(
                    (
                        f"container {c.name} uses repositoryCredentials",
                        f"{c.pointer}/repositoryCredentials",
                        c.repository_credentials,
                    )
                )
        if not td.is_fargate:
            needs = [n for n in needs if "secret" in n[0] or "repositoryCredentials" in n[0]]
        if not needs:
            continue
        account = _account(td.raw) or "<account-id>"
        role_arn = f"arn:aws:iam::{account}:role/ecsTaskExecutionRole"
        where = "Fargate" if td.is_fargate else "ECS"
        first = needs[0]
        more = f" (and {len(needs) - 1} more)" if len(needs) > 1 else ""
        yield Hit(
            resource=resource,
            message=(
                f"Task definition {td.label} has no executionRoleArn, but {first[0]}{more}; "
                f"{where} needs an execution role for this."
            ),
            cause="invalid-task-definition",
            confidence=0.95,
            evidence=(
                *(EvidenceRef(resource, p, v, note=w) for w, p, v in needs[:5]),
                EvidenceRef(resource, "/executionRoleArn", None, note="not set"),
            ),
            fix=Fix(
                summary=f"Add an execution role to {td.label}.",
                steps=(
                    "Create (or reuse) a role trusted by ecs-tasks.amazonaws.com with AmazonECSTaskExecutionRolePolicy.",
                    "Grant it read access to each referenced secret or parameter, if any.",
                    f'Set "executionRoleArn": "{role_arn}" and register a new revision.',
                ),
                commands=(
                    aws_cli(
                        "iam",
                        "create-role",
                        role_name="ecsTaskExecutionRole",
                        assume_role_policy_document=TRUST,
                    ),
                    aws_cli(
                        "iam",
                        "attach-role-policy",
                        role_name="ecsTaskExecutionRole",
                        policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                    ),
                ),
                snippet={"executionRoleArn": role_arn},
                snippet_title="task definition",
                docs=(DOCS,),
                risk="review",
            ),
            pointer=first[1],
            signature="taskdef.execution-role-missing",
        )
