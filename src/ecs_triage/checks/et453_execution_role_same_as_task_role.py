"""The execution role and the task role are the same role.

What it detects:
    A task definition whose `executionRoleArn` and `taskRoleArn` are the same role (the same ARN, or the
    same unresolved template reference such as `!GetAtt Role.Arn`).

Why it happens:
    The execution role is used by ECS to start the task (pull the image, write logs, read secrets); the
    task role is the application's own identity. One role for both gives the application the power to read
    every secret of the task and pull images, and makes permission mistakes harder to spot ("granted on the
    wrong role"). It works, so this is informational.

How to fix:
    Create a separate task role with only what the application calls, keep the execution role for ECS,
    and set `taskRoleArn` to the new role.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
"""

from __future__ import annotations

import json

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import present, taskdef_resource

CHECK = Check(
    id="ET453",
    slug="execution-role-same-as-task-role",
    title="Execution role and task role are the same role",
    category="configuration",
    severity="info",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        if not (present(td.raw, "executionRoleArn") and present(td.raw, "taskRoleArn")):
            continue
        a = json.dumps(td.raw["executionRoleArn"], sort_keys=True, default=str)
        b = json.dumps(td.raw["taskRoleArn"], sort_keys=True, default=str)
        if a != b:
            continue
        shown = td.execution_role_arn or a
        family = td.family or "app"
        resource = taskdef_resource(td)
        yield Hit(
            resource=resource,
            message=f"Task definition {td.label} uses {shown} as both execution role and task role.",
            cause="unknown",
            confidence=0.9,
            evidence=(
                EvidenceRef(resource, "/executionRoleArn", td.raw["executionRoleArn"]),
                EvidenceRef(resource, "/taskRoleArn", td.raw["taskRoleArn"]),
            ),
            fix=Fix(
                summary="Give the application its own task role.",
                steps=(
                    f"Create a role (e.g. {family}-task-role) trusted by ecs-tasks.amazonaws.com with only the "
                    "permissions the application uses.",
                    "Set taskRoleArn to it; keep executionRoleArn for ECS.",
                ),
                docs=(DOCS,),
                risk="review",
            ),
            pointer="/taskRoleArn",
            signature="iam.same-role",
        )
