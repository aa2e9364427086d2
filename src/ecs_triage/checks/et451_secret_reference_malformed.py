"""A secret reference (`valueFrom`) is not a well-formed Secrets Manager ARN or SSM parameter.

What it detects:
    Each `secrets[].valueFrom` and log `secretOptions[].valueFrom` must be one of:
    a Secrets Manager ARN `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`, optionally followed by
    exactly three fields `:json-key:version-stage:version-id` (empty fields allowed, colons required);
    an SSM parameter ARN `arn:aws:ssm:REGION:ACCOUNT:parameter/NAME`; or an SSM parameter name
    (`name`, or `/path/name` with a leading slash). Also flagged: an `environment` entry with `valueFrom`
    (secret references belong in `secrets`; `environment` only takes `value`). Flagged references: a Secrets Manager suffix with one or two
    fields (`...:secret:db:password`), a Secrets Manager name given without ARN (read as an SSM parameter),
    a path-like parameter name without the leading slash, `parameter//`, whitespace, ARNs with a missing
    Region or account.

Why it happens:
    ECS passes the reference to Secrets Manager or SSM as is. Anything that is not an ARN is taken as an
    SSM parameter name, so a Secrets Manager secret name fails as "parameter not found"; a JSON key without
    the two trailing colons makes the ARN invalid. The task stops with `ResourceInitializationError:
    unable to pull secrets or registry auth`.

How to fix:
    Use the full Secrets Manager ARN (with `:json-key::` when selecting a key), or the SSM parameter name
    with its leading slash (or its ARN). The fix shows the corrected reference.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
"""

from __future__ import annotations

import re

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import taskdef_resource

CHECK = Check(
    id="ET451",
    slug="secret-reference-malformed",
    title="Secret reference is not a valid Secrets Manager ARN or SSM parameter",
    category="configuration",
    severity="error",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html"
_SM = re.compile(r"^arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]*):(\d*):secret:(.*)$")
_SSM_ARN = re.compile(r"^arn:(aws[a-z-]*):ssm:([a-z0-9-]*):(\d*):parameter(.*)$")
_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]+$")
_PARAM = re.compile(r"^/?[A-Za-z0-9_.\-/]+$")
_TEMPLATED = re.compile(r"\$\{|\{\{|<[A-Za-z0-9_.-]+>")


def check_reference(ref: str) -> tuple[str, str | None] | None:
    """(problem, corrected reference or None) when `ref` is malformed, else None."""
    if _TEMPLATED.search(ref):
        return None  # a template placeholder (envsubst, Jinja): its final value is unknown
    if ref != ref.strip() or any(ch.isspace() for ch in ref):
        return "contains whitespace", ref.strip() if not any(ch.isspace() for ch in ref.strip()) else None
    m = _SM.match(ref)
    if m:
        partition, region, account, rest = m.groups()
        if not region or not account:
            return "the Secrets Manager ARN has no Region or account", None
        name, *extra = rest.split(":")
        if not name or not _NAME.match(name):
            return f"secret name {name!r} is not valid", None
        if len(extra) in (1, 2):
            fixed = f"arn:{partition}:secretsmanager:{region}:{account}:secret:{name}:" + ":".join([*extra, "", ""][:3])
            return (
                f"the suffix after the secret name has {len(extra)} field(s); ECS needs exactly three "
                "(json-key:version-stage:version-id, empty ones included)",
                fixed,
            )
        if len(extra) > 3:
            return f"the suffix after the secret name has {len(extra)} fields; at most three are allowed", None
        if len(extra) == 3 and extra[1] and extra[2]:
            return "version-stage and version-id cannot both be set", None
        return None
    if ref.startswith("arn:") and ":secretsmanager:" in ref:
        return "not a valid Secrets Manager ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)", None
    m = _SSM_ARN.match(ref)
    if m:
        partition, region, account, rest = m.groups()
        if not region or not account:
            return "the SSM parameter ARN has no Region or account", None
        if not rest.startswith("/") or rest.startswith("//"):
            ssm_fixed: str | None = (
                f"arn:{partition}:ssm:{region}:{account}:parameter/{rest.lstrip('/')}" if rest.strip("/") else None
            )
            return "the SSM parameter ARN must be ...:parameter/NAME (one slash)", ssm_fixed
        return None
    if ref.startswith("arn:"):
        return "an ARN that is neither Secrets Manager nor SSM Parameter Store", None
    if not _PARAM.match(ref):
        return "not a valid SSM parameter name", None
    if "/" in ref and not ref.startswith("/"):
        return (
            "a path-like name without a leading slash: ECS reads a non-ARN as an SSM parameter name, and "
            "hierarchical parameter names start with '/'. If this is a Secrets Manager secret, use its ARN",
            "/" + ref,
        )
    return None


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        resource = taskdef_resource(td)
        for c in td.containers:
            env = c.raw.get("environment")
            for i, item in enumerate(env if isinstance(env, list) else []):
                if not isinstance(item, dict) or not isinstance(item.get("valueFrom"), str):
                    continue
                name = str(item.get("name", ""))
                pointer = f"{c.pointer}/environment/{i}"
                yield Hit(
                    resource=resource,
                    message=(
                        f"Container {c.name}: environment entry {name!r} has valueFrom {item['valueFrom']!r}; "
                        "environment takes only value, secret references belong in secrets."
                    ),
                    cause="invalid-task-definition",
                    confidence=0.95,
                    evidence=(EvidenceRef(resource, f"{pointer}/valueFrom", item["valueFrom"]),),
                    fix=Fix(
                        summary=f"Move {name} from environment to secrets.",
                        snippet={"secrets": [{"name": name, "valueFrom": item["valueFrom"]}]},
                        snippet_title=f"containerDefinitions[{c.name}]",
                        docs=(DOCS,),
                        risk="safe",
                    ),
                    pointer=f"{pointer}/valueFrom",
                    signature="secrets.value-from-in-environment",
                )
            refs = list(c.secrets) + (list(c.log_configuration.secret_options) if c.log_configuration else [])
            for s in refs:
                problem = check_reference(s.value_from)
                if problem is None:
                    continue
                text, fixed = problem
                yield Hit(
                    resource=resource,
                    message=f"Container {c.name}: secret {s.name!r} valueFrom {s.value_from!r}: {text}.",
                    cause="secrets-not-found",
                    confidence=0.85,
                    evidence=(EvidenceRef(resource, f"{s.pointer}/valueFrom", s.value_from),),
                    fix=Fix(
                        summary=(
                            f"Use valueFrom {fixed!r}." if fixed else "Use the full ARN of the secret or parameter."
                        ),
                        steps=(
                            "Copy the ARN from `aws secretsmanager describe-secret --secret-id NAME` or "
                            "`aws ssm get-parameter --name NAME` (never print the value).",
                            "Update the task definition and register a new revision.",
                        ),
                        snippet={"name": s.name, "valueFrom": fixed} if fixed else None,
                        snippet_title=f"containerDefinitions[{c.name}].secrets[]",
                        docs=(DOCS,),
                        risk="safe",
                    ),
                    pointer=f"{s.pointer}/valueFrom",
                    signature="secrets.malformed-reference",
                )
