"""A referenced secret or parameter does not exist (or not in that Region, version or JSON key).

What it detects:
    For each `secrets[].valueFrom` and log `secretOptions` reference, what ecs-triage found when it
    described the secret or parameter (never its value):
    * the secret or parameter does not exist where the reference points (a name-only reference resolves
      in the task's Region; an ARN in its own Region);
    * the secret is scheduled for deletion;
    * the reference's version stage or version id (`arn:...:secret:NAME:json-key:STAGE:VERSION`) is not
      one of the secret's versions;
    * a stopped task says the secret "did not contain json key X" or "invalid ssm parameters".
    A stopped task's `ResourceInitializationError` is the hypothesis the lookup confirms; without a
    stopped task the lookup alone is reported, with a lower confidence. When ecs-triage was not allowed to
    describe the secret (AccessDenied), it does not claim it is missing.

Why it happens:
    A typo or an empty path segment in the name (`/api//key`), a secret created in another Region or
    account, a secret deleted (or scheduled for deletion) while the task definition still points at it,
    a JSON key that the secret's JSON does not have, or a version stage that was moved away.

How to fix:
    Point `valueFrom` at the existing secret or parameter (full ARN for another Region), or create it;
    restore a secret scheduled for deletion; use a JSON key and version stage that exist.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
    - https://repost.aws/knowledge-center/ecs-fargate-secrets-manager-parameter-store
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET402",
    slug="secret-not-found",
    title="A referenced secret or parameter does not exist",
    category="configuration",
    severity="error",
    requires=("task_definitions", "secrets", "ssm_parameters"),
    reads=("tasks", "services"),
)

DOCS = ("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html",)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for subj in sx.subjects(ev):
        hyps = sx.hypotheses(ev, subj, {"secrets-not-found"})
        seen: set[str] = set()
        for use in sx.secret_uses(ev, subj):
            if use.ref.text in seen:
                continue
            seen.add(use.ref.text)
            hit = _check(ev, subj, use, hyps)
            if hit is not None:
                yield hit


def _check(ev: Evidence, subj: sx.Subject, use: sx.SecretUse, hyps: list[sx.Hypothesis]) -> Hit | None:
    ref = use.ref
    view = use.view
    label = "secret" if use.service == "secretsmanager" else "parameter"
    matched = [h for h in hyps if ref.name in h.text or ref.text in h.text or (use.arn or "@") in h.text]
    td_ev = sx.td_ref(subj.td, use.pointer + "/valueFrom", ref.text)
    region = (view.region if view is not None else None) or ref.region or ev.region
    where = f"{use.name} in container {use.container} ({subj.name})"
    problem = fix = None
    evidence = [h.evidence for h in matched[:2]]
    if use.missing and view is not None:
        name_only = not ref.text.startswith("arn:")
        other_region = ref.region is not None and ev.region is not None and ref.region != ev.region
        note = ""
        if name_only:
            note = f"; a name-only reference resolves in the task's Region {ev.region}: use the full ARN for another Region"
        elif other_region:
            note = f"; the reference points to {ref.region}, the task runs in {ev.region}"
        problem = f"the {label} {ref.name} referenced by {where} does not exist in {region} ({view.error_code or 'not found'}){note}"
        evidence.append(sx.item_ref(use.kind, view, "error_code" if view.error_code else "found"))
        if use.service == "secretsmanager":
            prefix = ref.name.rsplit("-", 1)[0] if ref.name[-7:-6] == "-" else ref.name
            regions = [region] + ([ev.region] if other_region and ev.region else [])
            commands = tuple(
                aws_cli("secretsmanager", "list-secrets", region=r, filters=f"Key=name,Values={prefix}")
                for r in regions
            )
        else:
            commands = (
                aws_cli(
                    "ssm",
                    "describe-parameters",
                    region=region,
                    parameter_filters=f"Key=Name,Option=BeginsWith,Values={ref.name.rsplit('/', 1)[0] or '/'}",
                ),
            )
        fix = Fix(
            summary=f"Point {use.name} of container {use.container} at an existing {label}, or create {ref.name} in {region}",
            steps=(
                f"Find the right {label} (first command) and fix valueFrom in a new revision of {subj.td.family}.",
                f"Or create the {label} {ref.name} in {region}.",
            ),
            commands=commands,
            docs=DOCS,
        )
    elif use.secret is not None and use.secret.found:
        s = use.secret
        if s.deleted:
            problem = f"the secret {s.resource} referenced by {where} is scheduled for deletion"
            evidence.append(sx.item_ref("secrets", s, "secret"))
            fix = Fix(
                summary=f"Restore the secret {s.resource}",
                commands=(aws_cli("secretsmanager", "restore-secret", secret_id=s.resource, region=region),),
                docs=("https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_restore-secret.html",),
                risk="safe",
            )
        elif ref.version_stage and s.stages and ref.version_stage not in s.stages:
            problem = f"the version stage {ref.version_stage} referenced by {where} is not a stage of {s.resource} (stages: {', '.join(s.stages)})"
            evidence.append(sx.item_ref("secrets", s, "secret", "VersionIdsToStages"))
            fix = _reference_fix(
                subj, use, f"use one of the stages {', '.join(s.stages)} (or leave it empty for AWSCURRENT)"
            )
        elif ref.version_id and s.version_ids and ref.version_id not in s.version_ids:
            problem = f"the version id {ref.version_id} referenced by {where} is not a version of {s.resource}"
            evidence.append(sx.item_ref("secrets", s, "secret", "VersionIdsToStages"))
            fix = _reference_fix(subj, use, "use an existing version id (or leave it empty for AWSCURRENT)")
        elif ref.json_key and any(f"json key {ref.json_key}" in h.text for h in hyps):
            matched = [h for h in hyps if f"json key {ref.json_key}" in h.text]
            evidence = [h.evidence for h in matched[:2]]
            problem = f"the secret {s.resource} has no JSON key {ref.json_key} (referenced by {where})"
            fix = _reference_fix(subj, use, f"use a JSON key that the secret's value has instead of {ref.json_key}")
    if problem is None:
        return None
    evidence.append(td_ev)
    return Hit(
        resource=ref.text,
        message=problem[0].upper() + problem[1:],
        cause="secrets-not-found",
        confidence=sx.CONFIRMED if matched else sx.CONFIG_STRONG,
        evidence=sx.refs(evidence, EvidenceRef),
        fix=fix,
        signature=f"secrets.{use.service}.not-found",
        pointer=use.pointer,
    )


def _reference_fix(subj: sx.Subject, use: sx.SecretUse, what: str) -> Fix:
    return Fix(
        summary=f"Fix the valueFrom of {use.name} in container {use.container}: {what}",
        steps=(
            "The reference format is arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME:json-key:version-stage:version-id.",
            f"Register a new revision of {subj.td.family} with the corrected valueFrom and redeploy.",
        ),
        commands=(
            aws_cli("secretsmanager", "describe-secret", secret_id=use.arn or use.ref.name, region=use.ref.region),
        ),
        docs=DOCS,
    )
