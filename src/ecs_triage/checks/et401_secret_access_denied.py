"""The task execution role may not read a secret or parameter the task definition references.

What it detects:
    ECS reads every `secrets[].valueFrom` (and log `secretOptions`) with the task execution role before
    the containers start. For each reference that exists, the execution role is checked for
    `secretsmanager:GetSecretValue` on the secret's exact ARN, or `ssm:GetParameters` on the parameter's
    ARN, with AWS's policy simulator when ecs-triage could call it, else with the local evaluator over the
    role's policies, its permission boundary and the secret's resource policy. Refused references are
    listed with their ARNs. A stopped task with `ResourceInitializationError: unable to pull secrets ...
    AccessDeniedException` is the hypothesis; the policies confirm it. Without a stopped task the
    configuration alone is reported, with a lower confidence. When the permission sits on the task role
    instead, ET403 reports it; a customer-managed KMS key that refuses decrypt is ET404.

Why it happens:
    The execution role has only `AmazonECSTaskExecutionRolePolicy`, which covers ECR and logs but no
    secrets; a policy scoped to a path or name that does not match (a Secrets Manager ARN ends with a
    random six-character suffix: `prod/db-AbCdEf`); a permission boundary or an explicit Deny; a
    cross-account secret without a resource policy.

How to fix:
    Allow the execution role `secretsmanager:GetSecretValue` / `ssm:GetParameters` on exactly the
    referenced ARNs: the finding prints the statement and the `aws iam put-role-policy` command with the
    real role and ARNs.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html#task-execution-secrets
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET401",
    slug="secret-access-denied",
    title="The execution role may not read a referenced secret or parameter",
    category="configuration",
    severity="error",
    requires=("task_definitions", "iam_roles"),
    reads=("secrets", "ssm_parameters", "iam_simulations", "tasks", "services"),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for subj in sx.subjects(ev):
        refused = [(u, d) for u, d in sx.refused_secret_uses(ev, subj) if sx.task_role_allows(ev, subj, u) is None]
        if not refused:
            continue
        role = subj.td.execution_role_arn or ""
        role_name = access.role_name_of(role)
        hyps = sx.hypotheses(ev, subj, {"secrets-access-denied"})
        matched = [h for h in hyps if any(u.ref.name in h.text or (u.arn or "") in h.text for u, _ in refused)] or hyps
        first = refused[0][1]
        listed = "; ".join(f"{u.action} on {u.arn} ({u.name} in container {u.container})" for u, _ in refused)
        by_action: dict[str, list[str]] = {}
        for u, _ in refused:
            by_action.setdefault(u.action, []).append(u.arn or "")
        statements = [
            sx.statement("ReadSecrets" if a.startswith("secrets") else "ReadParameters", [a], arns)
            for a, arns in by_action.items()
        ]
        evidence = [h.evidence for h in matched[:2]]
        evidence.extend(sx.td_ref(subj.td, u.pointer + "/valueFrom", u.ref.text) for u, _ in refused[:3])
        evidence.extend(sx.role_evidence(ev, role, d, f"{u.action} on {u.arn}") for u, d in refused[:3])
        fix = sx.put_role_policy_fix(
            role,
            sx.policy_name("read-secrets", subj.td.family),
            statements,
            summary=f"Allow {role_name} to read {', '.join(u.arn or '' for u, _ in refused)}",
            docs=(
                "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html#task-execution-secrets",
            ),
        )
        sides = [sx.layers(ev, role, u.action, u.arn or "") for u, _ in refused]
        if all(r and not i for i, r in sides) and all(u.service == "secretsmanager" for u, _ in refused):
            fix = _resource_policy_fix(role, [u for u, _ in refused])
        elif all(sx.boundary_blocks(ev, role, u.action, u.arn or "") for u, _ in refused):
            fix = (
                sx.boundary_fix(ev, role, statements, f"Let the permission boundary of {role_name} allow the secrets")
                or fix
            )
        yield Hit(
            resource=role,
            message=(
                f"The execution role {role_name} of {subj.name} may not read: {listed} ({first.method}: {first.reason})"
            ),
            cause="secrets-access-denied",
            confidence=sx.CONFIRMED if matched else sx.CONFIG_ONLY,
            evidence=sx.refs(evidence, EvidenceRef),
            fix=fix,
            signature="secrets.access-denied",
            pointer=refused[0][0].pointer,
        )


def _resource_policy_fix(role: str, uses: list[sx.SecretUse]) -> Fix:
    """Cross-account secrets: the owning account must allow the role in the secret's resource policy."""
    first = uses[0]
    arn = first.arn or first.ref.text
    owner = access.account_of(arn)
    policy = sx.policy_document(
        {
            "Sid": "AllowEcsExecutionRole",
            "Effect": "Allow",
            "Principal": {"AWS": role},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    )
    return Fix(
        summary=f"Allow {access.role_name_of(role)} in the resource policy of {arn} (account {owner})",
        steps=(
            f"In account {owner}, attach the resource policy below to the secret (command below).",
            "The secret must be encrypted with a customer-managed KMS key whose key policy lets the role decrypt: "
            "cross-account reads do not work with the aws/secretsmanager key.",
        ),
        commands=tuple(
            aws_cli(
                "secretsmanager",
                "put-resource-policy",
                secret_id=u.arn or u.ref.text,
                resource_policy=policy,
                region=access.region_of(u.arn),
            )
            for u in uses
        ),
        snippet=policy,
        snippet_title="Secret resource policy",
        docs=("https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html",),
    )
