"""The role that pulls the image is not allowed to pull it from Amazon ECR.

What it detects:
    For each container whose image is in a private Amazon ECR registry, the identity that pulls it (the
    task execution role; on EC2 without an execution role, the container instance role) is checked for
    `ecr:GetAuthorizationToken` (on `*`), `ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer` (on the
    repository ARN), with AWS's policy simulator when ecs-triage could call it, else with the local
    evaluator over the role's policies, its permission boundary and the repository policy. It reports the
    actions that are refused, and whether the refusal comes from the role's policies, from a Deny in the
    repository policy, or from a cross-account repository whose policy does not let the account in.
    A `CannotPullContainerError ... 403 Forbidden` (or "not authorized to perform ecr:...") in a stopped
    task is the hypothesis; the policies confirm it. Without a stopped task (ECS forgets them after about
    an hour) the configuration alone is reported, with a lower confidence.

Why it happens:
    The execution role was created without `AmazonECSTaskExecutionRolePolicy` or with a hand-written
    policy that misses one of the pull actions; a permission boundary or an organisation guard-rail
    removes them; the repository policy has a Deny (for example on principals outside a list); or the
    image lives in another account whose repository policy does not allow this account.

How to fix:
    Add the missing actions to the pulling role, scoped to the repository (`ecr:GetAuthorizationToken`
    needs `Resource: "*"`): the finding prints the statement and the `aws iam put-role-policy` command
    with the real role and repository. For a repository policy Deny, remove or narrow that statement. For
    a cross-account image, add a statement to the repository policy in the owning account that allows
    this role (or account) the pull actions.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html
    - https://repost.aws/knowledge-center/ecs-fargate-pull-container-error
"""

from __future__ import annotations

import ecs_triage.iam as iam
from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET101",
    slug="image-pull-auth",
    title="The role that pulls the image is not allowed to pull it from ECR",
    category="task",
    severity="error",
    requires=("task_definitions", "iam_roles"),
    reads=(
        "ecr_repositories",
        "ecr_images",
        "iam_simulations",
        "ec2_instances",
        "instance_profiles",
        "tasks",
        "services",
    ),
)

PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
TOKEN = "ecr:GetAuthorizationToken"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for subj in sx.subjects(ev):
        hyps = sx.hypotheses(ev, subj, {"image-pull-auth"})
        done: set[tuple[str, str]] = set()
        for cd in subj.td.containers:
            img = access.parse_image(cd.image)
            if img is None or not img.is_ecr:
                continue
            repo_arn = img.repository_arn() or ""
            repo = access.repository(ev, img.repository, img.ecr_account)
            if repo is not None and not repo.found:
                continue  # a missing repository is ET102's finding
            for role_arn, role_kind in sx.pulling_roles(ev, subj):
                view = access.role(ev, role_arn)
                if view is None or not view.found or (role_arn, repo_arn) in done:
                    continue
                done.add((role_arn, repo_arn))
                hit = _check(ev, subj, cd.name, cd.pointer, img, repo, role_arn, role_kind, hyps)
                if hit is not None:
                    yield hit


def _check(
    ev: Evidence,
    subj: sx.Subject,
    container: str,
    pointer: str,
    img: access.ImageRef,
    repo: access.RepositoryView | None,
    role_arn: str,
    role_kind: str,
    hyps: list[sx.Hypothesis],
) -> Hit | None:
    repo_arn = img.repository_arn() or ""
    requests = [(TOKEN, "*")] + [(a, repo_arn) for a in PULL_ACTIONS]
    refused: list[tuple[str, str, iam.Decision]] = []
    for action, resource in requests:
        d = iam.prove(ev, role_arn, action, resource)
        if d.refused:
            refused.append((action, resource, d))
    if not refused:
        return None
    role_name = access.role_name_of(role_arn)
    missing = [a for a, _, _ in refused]
    repo_denies = [s for _, _, d in refused for s in d.statements if s.startswith("repository policy")]
    cross = img.ecr_account != access.account_of(role_arn)
    identity_side, resource_side = False, False
    for action, resource, _ in refused:
        i_ref, r_ref = sx.layers(ev, role_arn, action, resource)
        identity_side |= i_ref
        resource_side |= r_ref and resource != "*"
    first = refused[0][2]
    if repo_denies:
        why = f"a Deny in the {repo_denies[0]}"
    elif cross and resource_side:
        why = f"the repository is in account {img.ecr_account} and its policy does not allow {role_name} or account {access.account_of(role_arn)}"
    else:
        why = first.reason
    message = (
        f"The {role_kind} {role_name} may not pull {img.text} for container {container} "
        f"({subj.name}): {', '.join(missing)} refused ({first.method}: {why})"
    )
    evidence: list[sx.Proof | EvidenceRef] = []
    matched = sx.about(hyps, img.text, img.repository, container=container)
    evidence.extend(h.evidence for h in matched[:2])
    evidence.append(sx.td_ref(subj.td, f"{pointer}/image", img.text))
    for action, resource, d in refused:
        evidence.append(sx.role_evidence(ev, role_arn, d, f"{action} on {resource}"))
    if repo is not None and repo.policy is not None:
        evidence.append(sx.item_ref("ecr_repositories", repo, "policy"))
    fix = _fix(subj, img, repo, role_arn, role_kind, missing, identity_side, resource_side, repo_denies, cross)
    if not repo_denies and all(sx.boundary_blocks(ev, role_arn, a, r) for a, r, _ in refused):
        statements = [sx.statement("EcrPull", [TOKEN, *PULL_ACTIONS], ["*"] if TOKEN in missing else [repo_arn])]
        role_name = access.role_name_of(role_arn)
        fix = (
            sx.boundary_fix(ev, role_arn, statements, f"Let the permission boundary of {role_name} allow the pull")
            or fix
        )
    return Hit(
        resource=role_arn,
        message=message,
        cause="image-pull-auth",
        confidence=sx.CONFIRMED if matched else sx.CONFIG_ONLY,
        evidence=sx.refs(evidence, EvidenceRef),
        fix=fix,
        signature="pull.ecr.access-denied",
        pointer=f"{pointer}/image",
    )


def _fix(
    subj: sx.Subject,
    img: access.ImageRef,
    repo: access.RepositoryView | None,
    role_arn: str,
    role_kind: str,
    missing: list[str],
    identity_side: bool,
    resource_side: bool,
    repo_denies: list[str],
    cross: bool,
) -> Fix:
    repo_arn = img.repository_arn() or ""
    role_name = access.role_name_of(role_arn)
    statements = []
    if TOKEN in missing:
        statements.append(sx.statement("EcrAuthToken", [TOKEN], ["*"]))
    pull = [a for a in missing if a != TOKEN]
    if pull or cross:
        statements.append(sx.statement("EcrPull", list(PULL_ACTIONS), [repo_arn]))
    repo_statement = {
        "Sid": f"AllowPullBy{role_name}"[:100],
        "Effect": "Allow",
        "Principal": {"AWS": role_arn},
        "Action": list(PULL_ACTIONS),
    }
    repo_cmds = (
        aws_cli("ecr", "get-repository-policy", repository_name=img.repository, registry_id=img.ecr_account),
        aws_cli(
            "ecr",
            "set-repository-policy",
            repository_name=img.repository,
            registry_id=img.ecr_account,
            region=img.ecr_region,
            policy_text=sx.policy_document(repo_statement),
        ),
    )
    if repo_denies and not identity_side:
        return Fix(
            summary=f"Remove or narrow the Deny ({repo_denies[0]}) that blocks {role_name} on {repo_arn}",
            steps=(
                f"Read the repository policy of {img.repository} in account {img.ecr_account}.",
                f"Remove the Deny statement ({repo_denies[0]}) or exclude {role_arn} from it.",
                "Write the policy back (set-repository-policy replaces the whole policy: merge, do not overwrite).",
            ),
            commands=repo_cmds[:1],
            snippet=repo_statement,
            snippet_title=f"Repository policy statement for {img.repository}",
            docs=("https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",),
        )
    if cross and resource_side and not identity_side:
        return Fix(
            summary=f"Allow {role_arn} in the repository policy of {repo_arn} (account {img.ecr_account})",
            steps=(
                f"In account {img.ecr_account}, add the statement below to the repository policy of {img.repository} "
                "(set-repository-policy replaces the whole policy: merge it with the existing statements).",
            ),
            commands=repo_cmds[1:],
            snippet=sx.policy_document(repo_statement),
            snippet_title=f"Repository policy for {img.repository}",
            docs=("https://repost.aws/knowledge-center/secondary-account-access-ecr",),
        )
    steps: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    if cross and resource_side:
        steps = (f"In account {img.ecr_account}, also allow {role_arn} in the repository policy of {img.repository}.",)
        commands = repo_cmds[1:]
    if role_kind == "execution role":
        commands += (
            aws_cli(
                "iam", "attach-role-policy", role_name=role_name, policy_arn=iam.execution_role_policy_arn(img.region)
            ),
        )
        steps = (*steps, "Alternatively attach AmazonECSTaskExecutionRolePolicy (second command).")
    return sx.put_role_policy_fix(
        role_arn,
        sx.policy_name("ecr-pull", subj.td.family),
        statements,
        summary=f"Allow {role_name} to pull {img.text}: grant {', '.join(missing)}",
        steps=steps,
        commands=commands,
    )
