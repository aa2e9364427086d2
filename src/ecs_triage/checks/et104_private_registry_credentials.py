"""A private registry image has no registry credentials, or its credentials secret cannot be read.

What it detects:
    For each container whose image is not in Amazon ECR:
    * with `repositoryCredentials`: the credentials secret must exist and the task execution role must be
      allowed `secretsmanager:GetSecretValue` on it (and `kms:Decrypt` on its customer-managed key), proved
      with AWS's policy simulator when available, else with the local evaluator;
    * without `repositoryCredentials`: a stopped task whose pull failed with an authorisation error
      (`pull access denied`, `no basic auth credentials`, `unauthorized`, 401/403) for that image, or a
      registry that always requires authentication (Azure Container Registry, JFrog), is reported.

Why it happens:
    The image moved to a private registry (GitHub Container Registry, Docker Hub private repository,
    Artifactory, Azure) but the task definition has no `repositoryCredentials`; the credentials secret
    was created in another Region, deleted, or encrypted with a key the execution role may not use; the
    execution role has no `secretsmanager:GetSecretValue` on the secret.

How to fix:
    Store the registry user name and password (or token) in a Secrets Manager secret
    (`{"username": "...", "password": "..."}`), reference it in the container's
    `repositoryCredentials.credentialsParameter`, and allow the execution role
    `secretsmanager:GetSecretValue` on that secret (and `kms:Decrypt` on its key, if customer-managed).

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html#task-execution-private-auth
"""

from __future__ import annotations

import ecs_triage.iam as iam
from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.evidence.model import ContainerDefinition
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET104",
    slug="private-registry-credentials",
    title="A private registry image has no usable registry credentials",
    category="task",
    severity="error",
    requires=("task_definitions",),
    reads=("secrets", "kms_keys", "iam_roles", "iam_simulations", "tasks", "services"),
)

ALWAYS_PRIVATE = (".azurecr.io", ".jfrog.io", "docker.pkg.github.com")


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for subj in sx.subjects(ev):
        hyps = sx.hypotheses(ev, subj, {"image-pull-auth"})
        for cd in subj.td.containers:
            img = access.parse_image(cd.image)
            if img is None or img.is_ecr:
                continue
            if cd.repository_credentials:
                yield from _credentials_unreadable(ev, subj, cd, img, cd.repository_credentials, hyps)
            else:
                hit = _no_credentials(ev, subj, cd, img, hyps)
                if hit is not None:
                    yield hit


def _no_credentials(
    ev: Evidence, subj: sx.Subject, cd: ContainerDefinition, img: access.ImageRef, hyps: list[sx.Hypothesis]
) -> Hit | None:
    matched = [h for h in hyps if img.repository.split("/")[-1] in h.text or img.text in h.text]
    always_private = img.registry.endswith(ALWAYS_PRIVATE) or img.registry in ALWAYS_PRIVATE
    if not matched and not always_private:
        return None
    evidence = [h.evidence for h in matched[:2]]
    evidence.append(sx.td_ref(subj.td, cd.pointer, None, "no repositoryCredentials in the container definition"))
    name = f"{img.registry.split('.')[0]}-registry-credentials"
    region = ev.region or "us-east-1"
    account = ev.account or access.account_of(subj.td.arn) or ""
    secret_arn = f"arn:{access.partition_of(region)}:secretsmanager:{region}:{account}:secret:{name}"
    role = subj.td.execution_role_arn
    steps = [
        f"Write registry-credentials.json with the user name and password/token of {img.registry} "
        f'({{"username": "...", "password": "..."}}) and store it as the secret {name} (first command).',
        f"Register a new revision of {subj.td.family} with the repositoryCredentials below in container {cd.name}.",
    ]
    commands = [
        aws_cli(
            "secretsmanager",
            "create-secret",
            name=name,
            region=region,
            secret_string="file://registry-credentials.json",
        )
    ]
    if role:
        role_name = access.role_name_of(role)
        doc = sx.policy_document(
            sx.statement("RegistryCredentials", ["secretsmanager:GetSecretValue"], [f"{secret_arn}-??????"])
        )
        commands.append(
            aws_cli(
                "iam",
                "put-role-policy",
                role_name=role_name,
                policy_name=sx.policy_name("registry-credentials", subj.td.family),
                policy_document=doc,
            )
        )
        steps.append(f"Allow the execution role {role_name} to read the secret (second command).")
    else:
        steps.append("Add an executionRoleArn: ECS reads registry credentials with the task execution role.")
    return Hit(
        resource=subj.td.arn,
        message=(
            f"Container {cd.name} ({subj.name}) pulls {img.text} from the private registry {img.registry} "
            "without repositoryCredentials"
            + (": the pull was refused" if matched else f" ({img.registry} always requires authentication)")
        ),
        cause="image-pull-auth",
        confidence=0.9 if matched else 0.6,
        evidence=sx.refs(evidence, EvidenceRef),
        fix=Fix(
            summary=f"Give container {cd.name} credentials for {img.registry} (repositoryCredentials)",
            steps=tuple(steps),
            commands=tuple(commands),
            snippet={"repositoryCredentials": {"credentialsParameter": secret_arn}},
            snippet_title=f"Container definition patch for {cd.name}",
            docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html",),
        ),
        signature="pull.private-registry.no-credentials",
        pointer=cd.pointer,
    )


def _credentials_unreadable(
    ev: Evidence,
    subj: sx.Subject,
    cd: ContainerDefinition,
    img: access.ImageRef,
    reference: str,
    hyps: list[sx.Hypothesis],
) -> Iterator[Hit]:
    ptr = f"{cd.pointer}/repositoryCredentials/credentialsParameter"
    ref = access.parse_value_from(reference, ev.region, ev.account, credentials=True)
    view = access.secret(ev, reference)
    matched = sx.about(hyps, img.text, ref.name, container=cd.name)
    conf = sx.CONFIRMED if matched else sx.CONFIG_ONLY
    base_evidence = [h.evidence for h in matched[:2]] + [sx.td_ref(subj.td, ptr, reference)]
    if view is not None and not view.found and not access.is_access_denied(view.error_code):
        yield Hit(
            resource=reference,
            message=(
                f"Container {cd.name} ({subj.name}) reads the credentials of {img.registry} from {reference}, "
                f"which does not exist in {view.region or ev.region} ({view.error_code or 'not found'})"
            ),
            cause="image-pull-auth",
            confidence=conf,
            evidence=sx.refs((*base_evidence, sx.item_ref("secrets", view, "found")), EvidenceRef),
            fix=Fix(
                summary=f"Create the registry credentials secret {ref.name} or fix credentialsParameter of {cd.name}",
                steps=(
                    f"Check the secret name and Region in repositoryCredentials of container {cd.name}.",
                    'If it does not exist, write registry-credentials.json ({"username": ..., "password": ...}) '
                    "and create it (second command).",
                ),
                commands=(
                    aws_cli("secretsmanager", "list-secrets", region=view.region or ev.region),
                    aws_cli(
                        "secretsmanager",
                        "create-secret",
                        name=_secret_name(ref),
                        region=ref.region or ev.region,
                        secret_string="file://registry-credentials.json",
                    ),
                ),
                docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html",),
            ),
            signature="pull.private-registry.secret-missing",
            pointer=ptr,
        )
        return
    role = subj.td.execution_role_arn
    if not role:
        return  # ET412 reports the missing execution role
    role_view = access.role(ev, role)
    if role_view is None or not role_view.found:
        return
    secret_arn = (view.arn if view is not None and view.arn else None) or ref.arn
    if not secret_arn:
        return
    refused = []
    d = iam.prove(ev, role, "secretsmanager:GetSecretValue", secret_arn)
    if d.refused:
        refused.append(("secretsmanager:GetSecretValue", secret_arn, d))
    key_view = access.key(ev, view.kms_key_id) if view is not None and view.kms_key_id else None
    if key_view is not None and key_view.found and key_view.customer_managed and key_view.arn:
        region = access.region_of(secret_arn) or ev.region
        kd = iam.prove(
            ev, role, "kms:Decrypt", key_view.arn, {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}
        )
        if kd.refused:
            refused.append(("kms:Decrypt", key_view.arn, kd))
    if not refused:
        return
    role_name = access.role_name_of(role)
    first = refused[0][2]
    statements = [sx.statement("RegistryCredentials", ["secretsmanager:GetSecretValue"], [secret_arn])]
    if any(a == "kms:Decrypt" for a, _, _ in refused) and key_view is not None and key_view.arn:
        statements.append(sx.statement("RegistryCredentialsKey", ["kms:Decrypt"], [key_view.arn]))
    yield Hit(
        resource=role,
        message=(
            f"The execution role {role_name} may not read the {img.registry} credentials of container {cd.name} "
            f"({subj.name}): {', '.join(f'{a} on {r}' for a, r, _ in refused)} refused ({first.method}: {first.reason})"
        ),
        cause="image-pull-auth",
        confidence=conf,
        evidence=sx.refs(
            (*base_evidence, *(sx.role_evidence(ev, role, dd, f"{a} on {r}") for a, r, dd in refused)), EvidenceRef
        ),
        fix=sx.put_role_policy_fix(
            role,
            sx.policy_name("registry-credentials", subj.td.family),
            statements,
            summary=f"Allow {role_name} to read the registry credentials {secret_arn}",
            docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html",),
        ),
        signature="pull.private-registry.secret-denied",
        pointer=ptr,
    )


def _secret_name(ref: access.ValueFrom) -> str:
    """The secret's name without the six-character suffix Secrets Manager adds to ARNs."""
    if ref.arn and len(ref.name) > 7 and ref.name[-7] == "-":
        return ref.name[:-7]
    return ref.name
