"""The application exited because a required environment variable is not set.

What it detects:
    An essential container of a stopped task exited with a non-zero code, and its log tail names an
    environment variable that is missing (`DATABASE_URL is not set`, `KeyError: 'API_KEY'`,
    `Missing required environment variable: X` ...). The check then looks the name up in the
    container definition's `environment` and `secrets` and says whether the task definition sets it.
    Wordings the evidence patterns do not know are read with the message catalog; a line the catalog
    reads as an invalid configuration value (e.g. a Redis URL without its scheme) is reported too.

Why it happens:
    The application reads its configuration from the environment at start and stops when something is
    missing. The variable was never added to the task definition, was added to another container, was
    renamed, or was expected from an environment file or secret that is not referenced.

How to fix:
    Add the variable to the container definition (a plain value in `environment`, or a Secrets Manager /
    SSM reference in `secrets` for anything sensitive), register a new task definition revision and
    update the service to it. The fix shows one patch with the real container name: in `secrets` (with the
    account and region's Secrets Manager ARN) for a variable that usually carries credentials (passwords,
    tokens, database/broker URLs), in `environment` otherwise; the other place is named as the alternative.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
"""

from __future__ import annotations

import re

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli

try:
    from ecs_triage.knowledge import classify  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - only while the catalog is missing
    classify = None  # type: ignore[assignment]

from ecs_triage.evidence.infra import Exit, clip, defined_names, dotted, exits, missing_variables, name_of
from ecs_triage.evidence.refs import partition_of

CHECK = Check(
    id="ET120",
    slug="app-exit-missing-config",
    title="The application exited because a required environment variable is not set",
    category="task",
    severity="error",
    requires=("tasks", "task_definitions", "log_events"),
    reads=("services",),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    seen: dict[tuple[str, str, str], list[str]] = {}
    for ex in exits(ev):
        if ex.stream is None or ex.container.exit_code in (137, 139):
            continue
        found = missing_variables(ex.lines) or _catalog_variables(ex.lines)
        if not found:
            invalid = _catalog_invalid(ex.lines)
            if invalid is not None:
                yield _invalid_hit(ev, ex, invalid)
            continue
        variable, line = found[0]
        key = (ex.task.task_definition_arn, ex.container.name, variable)
        if key in seen:
            seen[key].append(ex.task.arn)
            continue
        seen[key] = [ex.task.arn]
        cd, td = ex.definition, ex.task_definition
        defined = variable in defined_names(cd)
        where = dotted(cd.pointer) if cd else f"container {ex.container.name}"
        evidence = [
            EvidenceRef(ex.task.arn, f"{ex.container.pointer}/exitCode", ex.container.exit_code),
            EvidenceRef(ex.stream.resource, ex.stream.events[line].pointer, ex.stream.events[line].message),
        ]
        env_files = cd.environment_files if cd else ()
        if cd is not None:
            evidence.append(
                EvidenceRef(
                    td.label if td else ex.task.task_definition_arn,
                    f"{cd.pointer}/environment",
                    sorted(defined_names(cd)),
                    note="names in environment and secrets",
                )
            )
        if defined:
            message = (
                f"Container {ex.container.name} exited with code {ex.container.exit_code}: its log says {variable} is "
                f"missing, yet {where}.environment or secrets defines {variable}: its value is empty or wrong"
            )
            confidence = 0.7
        else:
            message = (
                f"Container {ex.container.name} exited with code {ex.container.exit_code} because {variable} is not set: "
                f"it is in neither {where}.environment nor {where}.secrets"
            )
            if env_files:
                message += f" (it may come from the environment file {', '.join(env_files)}: check it holds {variable})"
            confidence = 0.8 if env_files else 0.95
        yield Hit(
            resource=ex.task.arn,
            message=message,
            cause="app-exit-missing-config",
            confidence=confidence,
            evidence=tuple(evidence),
            fix=_fix(ev, ex, variable, defined),
            signature=f"app.env-missing:{variable}",
            pointer=f"{cd.pointer}/environment" if cd else "",
            extra={"tasks": seen[key]},
        )


def _catalog_variables(lines: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """The catalog's reading of the tail (`knowledge.classify(line, kind="log")`), for wordings the
    evidence patterns do not know."""
    if classify is None:
        return ()
    for i, line in enumerate(lines):
        m = classify(line, kind="log")
        if m.cause == "app-exit-missing-config" and m.captures.get("variable"):
            return ((str(m.captures["variable"]), i),)
    return ()


def _catalog_invalid(lines: tuple[str, ...]) -> int | None:
    """Index of a line the catalog reads as invalid configuration (no variable named)."""
    if classify is None:
        return None
    for i, line in enumerate(lines):
        if classify(line, kind="log").cause == "app-exit-missing-config":
            return i
    return None


def _invalid_hit(ev: Evidence, ex: Exit, line: int) -> Hit:
    assert ex.stream is not None
    event = ex.stream.events[line]
    td = ex.task_definition
    family = td.family if td else name_of(ex.task.task_definition_arn)
    return Hit(
        resource=ex.task.arn,
        message=(
            f"Container {ex.container.name} exited with code {ex.container.exit_code} because its configuration is "
            f"invalid: {clip(event.message, 200)}"
        ),
        cause="app-exit-missing-config",
        confidence=0.7,
        evidence=(
            EvidenceRef(ex.task.arn, f"{ex.container.pointer}/exitCode", ex.container.exit_code),
            EvidenceRef(ex.stream.resource, event.pointer, event.message),
        ),
        fix=Fix(
            summary=f"Correct the configuration value container {ex.container.name} rejects",
            steps=(
                f"Find the setting the log line names and correct its value in {family} (environment or secrets), "
                "or in the secret/parameter it comes from.",
                "Register a new revision and deploy it.",
            ),
            commands=(aws_cli("ecs", "describe-task-definition", task_definition=td.label if td else family),),
            risk="review",
        ),
        signature="app.config-invalid",
    )


_SENSITIVE = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE|CREDENTIAL|AUTH|DSN|CONN(ECTION)?_?STR|"
    r"(DATABASE|DB|POSTGRES|PG|MYSQL|MARIADB|MONGO(DB)?|REDIS|CACHE|AMQP|RABBIT(MQ)?|BROKER|KAFKA|ELASTIC\w*|SMTP|"
    r"MAIL|SENTRY)_?(URL|URI)",
    re.I,
)


def is_sensitive(variable: str) -> bool:
    """Does the variable usually carry a credential (a password, a token, a URL with user:password@)?"""
    return bool(_SENSITIVE.search(variable))


def _secret_arn(ev: Evidence, family: str, variable: str) -> str:
    """The account and region's Secrets Manager ARN prefix with the name `family/VARIABLE`."""
    region = ev.region or "us-east-1"
    return f"arn:{partition_of(region)}:secretsmanager:{region}:{ev.account}:secret:{family}/{variable}"


def _fix(ev: Evidence, ex: Exit, variable: str, defined: bool) -> Fix:
    td = ex.task_definition
    container = ex.container.name
    family = td.family if td else name_of(ex.task.task_definition_arn)
    cluster = name_of(ex.task.cluster_arn)
    service = ex.service.name if ex.service else ex.task.service_name
    cd = ex.definition
    in_secrets = cd is not None and any(sec.name == variable for sec in cd.secrets)
    in_env = cd is not None and any(kv.name == variable for kv in cd.environment)
    sensitive = (is_sensitive(variable) or in_secrets) and not in_env and bool(ev.account)
    steps: list[str] = []
    if sensitive:
        arn = _secret_arn(ev, family, variable)
        entry: dict[str, object] = {"name": container, "secrets": [{"name": variable, "valueFrom": arn}]}
        steps.append(
            (f"Check the secret behind {variable}" if defined else f"Add {variable} to container {container}")
            + f" in task definition {family} as a secret: {variable} usually carries credentials, so it belongs "
            f"in `secrets` ({arn}), not in plain `environment`."
        )
        role = td.execution_role_arn if td else None
        steps.append(
            f"Create that secret first if it does not exist (aws secretsmanager create-secret --name "
            f"{family}/{variable} with the value as its secret string; then use the ARN it returns, which ends in "
            "a 6-character suffix), and let the execution role "
            + (f"{name_of(role)} " if role else "")
            + "read it (secretsmanager:GetSecretValue)."
        )
        steps.append(
            f"Alternative: a plain `environment` entry {variable}=... works too, but puts the value in clear text in "
            "the task definition. Use one of the two, not both."
        )
    else:
        entry = {"name": container, "environment": [{"name": variable, "value": f"<{variable} value>"}]}
        steps.append(
            (f"Give {variable} a correct value" if defined else f"Add {variable} to container {container}")
            + f" in task definition {family}, in `environment` (replace the value shown in the patch)."
        )
        region = ev.region or "us-east-1"
        prefix = f"arn:{partition_of(region)}:secretsmanager:{region}:{ev.account}:secret:" if ev.account else ""
        steps.append(
            "Alternative: if the value is sensitive, reference it from `secrets` instead"
            + (f" (valueFrom {prefix}{family}/{variable})" if prefix else "")
            + ", not in both."
        )
    snippet = {"containerDefinitions": [entry]}
    steps.append(f"Register the new revision of {family}.")
    commands = [aws_cli("ecs", "describe-task-definition", task_definition=td.label if td else family)]
    if service:
        steps.append(f"Update service {service} to the new revision.")
        commands.append(
            aws_cli(
                "ecs",
                "update-service",
                cluster=cluster,
                service_=service,
                task_definition=family,
                force_new_deployment=True,
            )
        )
    return Fix(
        summary=f"Set {variable} for container {container} in task definition {family}",
        steps=tuple(steps),
        commands=tuple(commands),
        snippet=snippet,
        snippet_title=f"task-definition patch for {family} (merge into containerDefinitions[name={container}])",
        docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html",),
        risk="review",
    )
