"""The permission to read a secret is on the task role, not on the execution role.

What it detects:
    A secret or parameter referenced in `secrets[].valueFrom` that the task role may read but the task
    execution role may not (both proved with AWS's policy simulator when available, else with the local
    evaluator). ECS fetches secrets with the execution role before any container starts; the task role is
    only what the application's own AWS SDK calls use once it runs. A stopped task with
    `ResourceInitializationError: unable to pull secrets ... AccessDeniedException` is the hypothesis; the
    two roles' policies confirm it. Without a stopped task the configuration alone is reported, with a
    lower confidence.

Why it happens:
    The two roles are easy to mix up: the statement was added to the role the application uses (the task
    role), following a guide for reading secrets from code, or the task definition's `taskRoleArn` and
    `executionRoleArn` were swapped.

How to fix:
    Put the statement on the execution role (the finding prints it scoped to the real ARNs, with the
    `aws iam put-role-policy` command). Remove it from the task role unless the application also reads
    the secret itself through the SDK.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Hit, Iterator
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET403",
    slug="secret-permission-on-task-role",
    title="The secret permission is on the task role instead of the execution role",
    category="configuration",
    severity="error",
    requires=("task_definitions", "iam_roles"),
    reads=("secrets", "ssm_parameters", "iam_simulations", "tasks", "services"),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for subj in sx.subjects(ev):
        pairs = []
        for use, denied in sx.refused_secret_uses(ev, subj):
            allowed = sx.task_role_allows(ev, subj, use)
            if allowed is not None:
                pairs.append((use, denied, allowed))
        if not pairs:
            continue
        exec_role = subj.td.execution_role_arn or ""
        task_role = subj.td.task_role_arn or ""
        exec_name, task_name = access.role_name_of(exec_role), access.role_name_of(task_role)
        hyps = sx.hypotheses(ev, subj, {"secrets-access-denied"})
        matched = [h for h in hyps if any(u.ref.name in h.text or (u.arn or "") in h.text for u, _, _ in pairs)] or hyps
        arns = ", ".join(u.arn or "" for u, _, _ in pairs)
        by_action: dict[str, list[str]] = {}
        for u, _, _ in pairs:
            by_action.setdefault(u.action, []).append(u.arn or "")
        statements = [
            sx.statement("ReadSecrets" if a.startswith("secrets") else "ReadParameters", [a], r)
            for a, r in by_action.items()
        ]
        evidence = [h.evidence for h in matched[:2]]
        for u, denied, allowed in pairs[:3]:
            evidence.append(sx.td_ref(subj.td, u.pointer + "/valueFrom", u.ref.text))
            evidence.append(sx.role_evidence(ev, task_role, allowed, f"task role: {u.action} on {u.arn}"))
            evidence.append(sx.role_evidence(ev, exec_role, denied, f"execution role: {u.action} on {u.arn}"))
        allowed_by = pairs[0][2].statements[0] if pairs[0][2].statements else "its policies"
        yield Hit(
            resource=exec_role,
            message=(
                f"The permission to read {arns} is on the task role {task_name} ({allowed_by}), not on the "
                f"execution role {exec_name}: ECS reads secrets with the execution role, so {subj.name} cannot "
                f"start ({pairs[0][1].method})"
            ),
            cause="secrets-access-denied",
            confidence=sx.CONFIRMED if matched else sx.CONFIG_STRONG,
            evidence=sx.refs(evidence, EvidenceRef),
            fix=sx.put_role_policy_fix(
                exec_role,
                sx.policy_name("read-secrets", subj.td.family),
                statements,
                summary=f"Move the secret permission from the task role {task_name} to the execution role {exec_name}",
                steps=(
                    f"The statement below belongs on the execution role {exec_name}; the task role {task_name} "
                    "only needs it if the application itself reads the secret with the AWS SDK.",
                ),
                docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html",),
            ),
            signature="secrets.permission-on-task-role",
            pointer=pairs[0][0].pointer,
        )
