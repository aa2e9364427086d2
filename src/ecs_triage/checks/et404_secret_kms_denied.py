"""The execution role may not decrypt a secret or parameter encrypted with a customer-managed KMS key.

What it detects:
    For each referenced Secrets Manager secret or SecureString parameter encrypted with a
    customer-managed KMS key (not `aws/secretsmanager` or `aws/ssm`), the task execution role must be
    allowed `kms:Decrypt` on the key by BOTH its identity policies and the key policy (a key policy that
    allows the account root delegates to IAM policies; otherwise it must name the role). ecs-triage proves
    it with the request context Secrets Manager or SSM would send (`kms:ViaService`, the encryption
    context), with AWS's simulator for the identity side when available and the collected key policy.
    A stopped task whose secret retrieval failed with a KMS `AccessDeniedException` ("Access to KMS is not
    allowed", "The ciphertext refers to a customer master key ...") is the hypothesis the policies
    confirm; without a stopped task the configuration alone is reported, with a lower confidence.

Why it happens:
    The secret was created with a team's own KMS key and only `secretsmanager:GetSecretValue` was
    granted; the key policy lists specific administrators and users but neither the role nor the account
    root; a `kms:ViaService` condition names the wrong service or Region.

How to fix:
    Allow the execution role `kms:Decrypt` on the key ARN (the finding prints the statement and the
    `aws iam put-role-policy` command); if the key policy does not delegate to the account, add a key
    policy statement naming the role (the finding prints it).

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    - https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    - https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
"""

from __future__ import annotations

import json

import ecs_triage.iam as iam
from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET404",
    slug="secret-kms-denied",
    title="The execution role may not decrypt a secret's customer-managed KMS key",
    category="configuration",
    severity="error",
    requires=("task_definitions", "iam_roles", "kms_keys"),
    reads=("secrets", "ssm_parameters", "iam_simulations", "tasks", "services"),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for subj in sx.subjects(ev):
        role = subj.td.execution_role_arn
        role_view = access.role(ev, role)
        if not role or role_view is None or not role_view.found:
            continue
        hyps = sx.hypotheses(ev, subj, {"secrets-kms-denied"})
        seen: set[str] = set()
        for use in sx.secret_uses(ev, subj):
            key_id = use.key_id
            key = access.key(ev, key_id)
            if key is None or not key.found or not key.customer_managed or not key.arn or key.arn in seen:
                continue
            region = access.region_of(key.arn) or ev.region
            d = iam.prove(ev, role, "kms:Decrypt", key.arn, use.kms_context(region))
            if not d.refused:
                continue
            seen.add(key.arn)
            identity_side, key_side = sx.layers(ev, role, "kms:Decrypt", key.arn)
            role_name = access.role_name_of(role)
            matched = [h for h in hyps if use.ref.name in h.text or (use.arn or "@") in h.text] or hyps
            evidence = [h.evidence for h in matched[:2]]
            evidence.append(sx.td_ref(subj.td, use.pointer + "/valueFrom", use.ref.text))
            if use.view is not None:
                evidence.append(
                    sx.item_ref(
                        use.kind,
                        use.view,
                        "secret" if use.kind == "secrets" else "parameter",
                        f"encrypted with {key_id}",
                    )
                )
            evidence.append(sx.role_evidence(ev, role, d, f"kms:Decrypt on {key.arn}"))
            evidence.append(sx.item_ref("kms_keys", key, "policy"))
            layer = (
                "neither its policies nor the key policy allow it"
                if identity_side and key_side
                else "the key policy does not allow it"
                if key_side
                else "its policies do not allow it"
            )
            key_statement = {
                "Sid": f"AllowDecryptBy{role_name}"[:100],
                "Effect": "Allow",
                "Principal": {"AWS": role},
                "Action": "kms:Decrypt",
                "Resource": "*",
            }
            steps: tuple[str, ...] = ()
            commands: tuple[str, ...] = ()
            if key_side:
                steps = (
                    f"Add the key policy statement shown in the steps to key {key.arn}: "
                    + json.dumps(key_statement)
                    + " (put-key-policy replaces the whole policy: merge it with the existing statements).",
                )
                commands = (aws_cli("kms", "get-key-policy", key_id=key.arn, policy_name="default", region=region),)
            yield Hit(
                resource=role,
                message=(
                    f"The execution role {role_name} may not kms:Decrypt with key {key.arn}, which encrypts "
                    f"{use.ref.name} ({use.name} in container {use.container}, {subj.name}): {layer} "
                    f"({d.method}: {d.reason})"
                ),
                cause="secrets-kms-denied",
                confidence=sx.CONFIRMED if matched else sx.CONFIG_ONLY,
                evidence=sx.refs(evidence, EvidenceRef),
                fix=Fix(
                    summary=f"Let {role_name} use key {key.arn} in the key policy",
                    steps=(
                        *steps,
                        "Write it back with aws kms put-key-policy --key-id KEY --policy-name default --policy file://policy.json.",
                    ),
                    commands=commands,
                    snippet=key_statement,
                    snippet_title=f"Key policy statement for {key.arn}",
                    docs=("https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying.html",),
                )
                if key_side and not identity_side
                else sx.put_role_policy_fix(
                    role,
                    sx.policy_name("decrypt-secrets", subj.td.family),
                    [sx.statement("DecryptSecrets", ["kms:Decrypt"], [key.arn])],
                    summary=f"Allow {role_name} kms:Decrypt on {key.arn}",
                    steps=steps,
                    commands=commands,
                    docs=("https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",),
                ),
                signature="secrets.kms.decrypt-denied",
                pointer=use.pointer,
            )
