"""The execution role or task role does not trust ecs-tasks.amazonaws.com.

What it detects:
    ECS assumes the task execution role and the task role on the task's behalf as the service principal
    `ecs-tasks.amazonaws.com`. For each role a task definition names, the role's trust policy
    (`AssumeRolePolicyDocument`) is evaluated for `sts:AssumeRole` by that principal, with the conditions
    ECS sends (`aws:SourceAccount`); conditions that cannot be decided offline (for example an
    `aws:SourceArn` pattern) are not reported as a failure. A stopped task or service event saying "ECS
    was unable to assume the role" is the hypothesis the trust policy confirms; without one the trust
    policy alone is reported, with a lower confidence.

Why it happens:
    The role was created for another service (its trust policy names `ec2.amazonaws.com`,
    `ecs.amazonaws.com` or `lambda.amazonaws.com`); it was copied from an EC2 instance role; a
    confused-deputy condition names another account; the trust policy has an explicit Deny.

How to fix:
    Replace the trust policy with one that lets `ecs-tasks.amazonaws.com` assume the role (the finding
    prints it, limited to your account with `aws:SourceAccount`, and the `aws iam
    update-assume-role-policy` command).

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
"""

from __future__ import annotations

import ecs_triage.iam as iam
from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET410",
    slug="role-trust-policy",
    title="The execution or task role does not trust ecs-tasks.amazonaws.com",
    category="configuration",
    severity="error",
    requires=("task_definitions", "iam_roles"),
    reads=("tasks", "services"),
)

SERVICE = "ecs-tasks.amazonaws.com"


def trust_document(account: str | None) -> dict[str, object]:
    st: dict[str, object] = {"Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}
    if account:
        st["Condition"] = {"StringEquals": {"aws:SourceAccount": account}}
    return {"Version": "2012-10-17", "Statement": [st]}


def evaluate(ev: Evidence) -> Iterator[Hit]:
    done: set[str] = set()
    for subj in sx.subjects(ev):
        hyps = sx.hypotheses(ev, subj, {"role-assume-failed"})
        for field, label in (("executionRoleArn", "execution role"), ("taskRoleArn", "task role")):
            arn = subj.td.execution_role_arn if field == "executionRoleArn" else subj.td.task_role_arn
            view = access.role(ev, arn)
            if not arn or view is None or not view.found or view.trust_policy is None or view.arn in done:
                continue
            account = view.account or ev.account
            ctx = {"aws:SourceAccount": account} if account else {}
            d = iam.evaluate_trust(view.trust_policy, SERVICE, view.arn, ctx)
            if not d.refused:
                continue
            done.add(view.arn)
            matched = sx.about(hyps, view.arn, view.name)
            trusted = sorted(
                {
                    str(p)
                    for st in iam.statements_of(view.trust_policy)
                    for key in ("Service", "AWS")
                    for p in ([st.get("Principal", {}).get(key)] if isinstance(st.get("Principal"), dict) else [])
                    if p
                }
            )
            doc = trust_document(account)
            yield Hit(
                resource=view.arn,
                message=(
                    f"The {label} {view.name} of {subj.name} does not let {SERVICE} assume it ({d.reason}); "
                    f"its trust policy names {', '.join(trusted) or 'no service'}"
                ),
                cause="role-assume-failed",
                confidence=sx.CONFIRMED if matched else sx.CONFIG_STRONG,
                evidence=sx.refs(
                    (
                        *(h.evidence for h in matched[:2]),
                        sx.td_ref(subj.td, f"/{field}", arn),
                        EvidenceRef(view.arn, "/Role/AssumeRolePolicyDocument", view.trust_policy, d.method),
                    ),
                    EvidenceRef,
                ),
                fix=Fix(
                    summary=f"Let {SERVICE} assume {view.name}",
                    steps=(
                        f"Replace the trust policy of {view.name} with the one below (keep other principals the role "
                        "still needs by adding their statements).",
                        "Start the task again.",
                    ),
                    commands=(aws_cli("iam", "update-assume-role-policy", role_name=view.name, policy_document=doc),),
                    snippet=doc,
                    snippet_title=f"Trust policy for {view.name}",
                    docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html",),
                ),
                signature="role.trust",
                pointer=f"/{field}",
            )
