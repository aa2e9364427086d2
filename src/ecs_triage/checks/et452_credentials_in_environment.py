"""An `environment` value looks like a credential; it belongs in `secrets`.

What it detects:
    Plain `environment` entries whose value looks like a secret: an AWS access key id (`AKIA...`,
    `ASIA...`), a private key block, a URL with a password (`postgres://user:pass@host`), or a non-trivial
    value under a name such as `*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`, `*PRIVATE_KEY*`
    (names ending in `_ARN`, `_NAME`, `_FILE`, `_PATH`, `_ID`, `_URL` without credentials and placeholder
    values are ignored). The value itself is never printed.

Why it happens:
    Environment values are stored in clear text in the task definition: anyone with
    `ecs:DescribeTaskDefinition` reads them, and they end up in CI logs and infrastructure code. It does not
    stop the task; it is listed so the credential is moved before it leaks.

How to fix:
    Store the value in Secrets Manager or SSM Parameter Store (SecureString), reference it from the
    container's `secrets` (the execution role needs read access), remove it from `environment`, and rotate
    the credential that was exposed.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-iam-bestpractices.html
"""

from __future__ import annotations

import re

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.lintview import taskdef_resource

CHECK = Check(
    id="ET452",
    slug="credentials-in-environment",
    title="Environment variable holds what looks like a credential",
    category="configuration",
    severity="warning",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html"
_SECRET_NAME = re.compile(
    r"(PASSW(OR)?D|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_?KEY)", re.I
)
_HARMLESS_NAME = re.compile(
    r"(_ARN|_NAME|_FILE|_PATH|_ID|_URL|_URI|_ENDPOINT|_REGION|_TTL|_LENGTH|_HEADER|_ENABLED)$", re.I
)
_AWS_KEY = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.I)
_PLACEHOLDER = re.compile(
    r"^(\*+|x+|changeme|change-me|none|null|n/a|todo|dummy|example|placeholder|secret|password|true|false|\d{1,6})$"
    r"|\$\{|\{\{|^<.*>$|^arn:",
    re.I,
)


def looks_like_credential(name: str, value: str | None) -> str | None:
    """Why the value looks like a credential, or None."""
    if not value:
        return None
    if _AWS_KEY.search(value):
        return "an AWS access key id"
    if _PEM.search(value):
        return "a private key"
    if _URL_PASSWORD.match(value) and not _PLACEHOLDER.search(value.split("://", 1)[1].split("@", 1)[0]):
        return "a URL with a password"
    if _SECRET_NAME.search(name) and not _HARMLESS_NAME.search(name):
        if _PLACEHOLDER.search(value.strip()) or len(value.strip()) < 6:
            return None
        return f"a value under a credential-like name ({len(value)} characters)"
    return None


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        resource = taskdef_resource(td)
        for c in td.containers:
            for env in c.environment:
                why = looks_like_credential(env.name, env.value)
                if why is None:
                    continue
                secret_name = f"{td.family or 'app'}/{env.name.lower()}"
                yield Hit(
                    resource=resource,
                    message=(
                        f"Container {c.name}: environment variable {env.name} holds {why} in clear text; "
                        "move it to secrets."
                    ),
                    cause="unknown",
                    confidence=0.7,
                    evidence=(EvidenceRef(resource, f"{env.pointer}/value", "***", note=f"looks like {why}"),),
                    fix=Fix(
                        summary=f"Move {env.name} from environment to secrets (and rotate it).",
                        steps=(
                            f"Store the value in Secrets Manager as {secret_name}.",
                            f"Replace the environment entry {env.name} with a secrets entry that references it.",
                            "Allow the execution role secretsmanager:GetSecretValue on that secret.",
                            "Rotate the credential: it has been stored in clear text.",
                        ),
                        commands=(
                            aws_cli(
                                "secretsmanager",
                                "create-secret",
                                name=secret_name,
                                secret_string="file://value.txt",
                            ),
                        ),
                        snippet={
                            "secrets": [
                                {
                                    "name": env.name,
                                    "valueFrom": f"arn:aws:secretsmanager:<region>:<account-id>:secret:{secret_name}",
                                }
                            ]
                        },
                        snippet_title=f"containerDefinitions[{c.name}]",
                        docs=(DOCS,),
                        risk="review",
                    ),
                    pointer=f"{env.pointer}/value",
                    signature="config.credential-in-environment",
                )
