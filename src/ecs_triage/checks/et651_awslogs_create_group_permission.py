"""`awslogs-create-group` is set: the role must be allowed `logs:CreateLogGroup`.

What it detects:
    A container whose awslogs options set `awslogs-create-group: "true"`. When the execution role's
    policies are known (a snapshot with `iam_roles`) and none allows `logs:CreateLogGroup`, this is an error;
    otherwise a warning, because the usual managed policy `AmazonECSTaskExecutionRolePolicy` does not
    include that action.

Why it happens:
    The option asks the log driver to create the group at start, with the execution role (Fargate) or the
    instance role (EC2). Without `logs:CreateLogGroup` the container fails with `CannotStartContainerError
    ... failed to initialize logging driver: AccessDeniedException ... logs:CreateLogGroup` the first time
    the group does not exist, often only in a new Region or account.

How to fix:
    Either create the log group ahead of time (in the same template) and drop the option, or grant
    `logs:CreateLogGroup` on the group's ARN to the execution role.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence import access
from ecs_triage.evidence.lintview import taskdef_resource

CHECK = Check(
    id="ET651",
    slug="awslogs-create-group-permission",
    title="awslogs-create-group needs logs:CreateLogGroup on the role",
    category="logging",
    severity="warning",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html"


def _allows(doc: Mapping[str, Any] | None, action: str) -> bool:
    if not doc:
        return False
    statements = doc.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    for st in statements:
        if not isinstance(st, Mapping) or st.get("Effect") != "Allow":
            continue
        actions = st.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        if any(isinstance(a, str) and fnmatch.fnmatch(action.lower(), a.lower()) for a in actions):
            return True
    return False


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        resource = taskdef_resource(td)
        role = access.role(ev, td.execution_role_arn) if ev.has("iam_roles") else None
        role_known = role is not None and role.found and all(p.document is not None for p in role.policies)
        if role_known and role is not None and any(_allows(p.document, "logs:CreateLogGroup") for p in role.policies):
            continue
        for c in td.containers:
            log = c.log_configuration
            if log is None or (log.driver or "") != "awslogs":
                continue
            flag = log.options.get("awslogs-create-group")
            if flag is not True and str(flag).lower() != "true":
                continue
            group = log.options.get("awslogs-group")
            group_text = group if isinstance(group, str) else "the log group"
            region = log.options.get("awslogs-region") if isinstance(log.options.get("awslogs-region"), str) else "*"
            account = access.account_of(td.execution_role_arn) or "*"
            group_arn = f"arn:aws:logs:{region}:{account}:log-group:{group if isinstance(group, str) else '*'}:*"
            who = td.execution_role_arn or ("the execution role" if td.is_fargate else "the instance role")
            if role_known:
                message = (
                    f"Container {c.name}: awslogs-create-group is true but {who} allows no logs:CreateLogGroup; "
                    f"the container fails to start when {group_text} does not exist."
                )
            else:
                message = (
                    f"Container {c.name}: awslogs-create-group is true; {who} must allow logs:CreateLogGroup "
                    "(AmazonECSTaskExecutionRolePolicy does not)."
                )
            yield Hit(
                resource=resource,
                message=message,
                cause="log-config",
                confidence=0.85 if role_known else 0.5,
                evidence=(
                    EvidenceRef(resource, f"{log.pointer}/options/awslogs-create-group", flag),
                    EvidenceRef(resource, f"{log.pointer}/options/awslogs-group", group),
                ),
                fix=Fix(
                    summary=f"Create {group_text} ahead of time, or allow logs:CreateLogGroup to {who}.",
                    steps=(
                        "Preferred: create the log group with the infrastructure (with a retention) and remove "
                        "awslogs-create-group.",
                        "Or add the statement below to the role's policy.",
                    ),
                    snippet={"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": group_arn},
                    snippet_title="IAM policy statement",
                    docs=(DOCS,),
                    risk="review",
                ),
                pointer=f"{log.pointer}/options/awslogs-create-group",
                severity="error" if role_known else None,
                signature="logs.create-group-permission",
            )
