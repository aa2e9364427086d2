"""What the access checks (ET101-ET119, ET400-ET449, ET600-ET649) share around an IAM proof.

(It lives in `iam` because checks may import only `_api`, `evidence`, `knowledge`, `iam` and `fixes`; it
imports nothing of `checks`: its proofs are `Proof`s, which a check turns into `EvidenceRef`s with `refs()`.)

* `subjects(ev)`: each task definition under diagnosis with the stopped tasks and services that use it;
* `hypotheses(ev, subject, causes)`: what ECS wrote about it (stopped reasons, container reasons, service
  events) classified by the message catalog, kept when the cause is one of `causes`;
* `pulling_roles(ev, subject)`: who pulls images / reads secrets / writes logs (execution role, or the
  instance role on EC2 without one);
* fix builders: an IAM statement scoped to the real ARNs with its `aws iam put-role-policy` command.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ecs_triage.evidence import access
from ecs_triage.evidence.model import Evidence, Service, Task, TaskDefinition
from ecs_triage.fixes import Fix, aws_cli
from ecs_triage.iam.evaluator import Decision, NamedPolicy, evaluate, statements_of
from ecs_triage.iam.managed import managed_document
from ecs_triage.iam.prove import boundary_policy, identity_policies, prove, resource_policy_for
from ecs_triage.knowledge import classify as _classify

CONFIRMED = 0.95  # a stopped task's message says it and the evidence proves it
CONFIG_ONLY = 0.8  # no stopped task says it (ECS forgets them after about an hour); the configuration proves it
CONFIG_STRONG = 0.85  # configuration only, but the evidence is a direct observation (the registry or lookup said so)
EXECUTION_ROLE_DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html"


@dataclass(frozen=True)
class Proof:
    """One line of proof, as the checks' `Proof` (iam does not depend on checks): a pointer into a raw
    payload and the value observed there. A check turns them into its `Proof`s with `refs()`."""

    resource: str
    pointer: str
    value: Any
    note: str = ""


R = TypeVar("R")


def refs(items: Iterable[Proof | R], make: Callable[[str, str, Any, str], R]) -> tuple[R, ...]:
    """`items` with every `Proof` made into the caller's type (`refs(evidence, Proof)`)."""
    return tuple(make(i.resource, i.pointer, i.value, i.note) if isinstance(i, Proof) else i for i in items)


@dataclass(frozen=True)
class Hypothesis:
    cause: str
    text: str
    evidence: Proof
    captures: Mapping[str, str]
    container: str | None  # the container the text is about, when known
    confidence: float


def classify(text: str, kind: str) -> tuple[str, Mapping[str, str], float]:
    m = _classify(text, kind=kind)
    return m.cause, dict(m.captures), float(m.confidence)


@dataclass(frozen=True)
class Subject:
    """A task definition under diagnosis, with the stopped tasks and the services that use it."""

    td: TaskDefinition
    tasks: tuple[Task, ...]
    services: tuple[Service, ...]

    @property
    def fargate(self) -> bool:
        if any(t.launch_type == "FARGATE" or (t.capacity_provider or "").startswith("FARGATE") for t in self.tasks):
            return True
        if any(t.launch_type == "EC2" for t in self.tasks):
            return False
        for s in self.services:
            if s.launch_type == "FARGATE" or any(
                str(c.get("capacityProvider", "")).startswith("FARGATE") for c in s.capacity_provider_strategy
            ):
                return True
            if s.launch_type == "EC2":
                return False
        return self.td.is_fargate

    @property
    def name(self) -> str:
        return self.td.label or self.td.arn


def subjects(ev: Evidence) -> list[Subject]:
    out = []
    for td in ev.task_definitions.values():
        services = tuple(
            s
            for s in ev.services
            if s.task_definition_arn == td.arn or any(d.task_definition_arn == td.arn for d in s.deployments)
        )
        tasks = tuple(t for t in ev.stopped_tasks if t.task_definition_arn == td.arn)
        out.append(Subject(td, tasks, services))
    return out


def hypotheses(ev: Evidence, subject: Subject, causes: Iterable[str]) -> list[Hypothesis]:
    """The stopped-task and service-event messages about this task definition whose cause is in `causes`."""
    wanted = set(causes)
    out: list[Hypothesis] = []
    seen: set[tuple[str, str | None]] = set()

    def add(text: str | None, kind: str, resource: str, pointer: str, container: str | None) -> None:
        if not text or (text, container) in seen:
            return
        cause, captures, conf = classify(text, kind)
        if cause in wanted:
            seen.add((text, container))
            out.append(Hypothesis(cause, text, Proof(resource, pointer, text), captures, container, conf))

    for task in subject.tasks:
        for c in task.containers:
            add(c.reason, "container_reason", task.arn, f"{c.pointer}/reason", c.name)
        add(task.stopped_reason, "stopped_reason", task.arn, "/stoppedReason", None)
    for s in subject.services:
        for i, e in enumerate(s.events[:20]):
            add(e.message, "service_event", s.arn, f"/events/{i}/message", None)
    return out


def about(hyps: Sequence[Hypothesis], *needles: str | None, container: str | None = None) -> list[Hypothesis]:
    """The hypotheses that name one of `needles` (an image, a secret ARN, a log group), or, when the text
    names none of them, that are about `container` (or the whole task)."""
    keys = [n for n in needles if n]
    named = [h for h in hyps if any(k in h.text for k in keys)]
    if named:
        return named
    return [h for h in hyps if h.container in (None, container)] if container is not None else list(hyps)


def pulling_roles(ev: Evidence, subject: Subject) -> list[tuple[str, str]]:
    """(role ARN, "execution role" | "instance role") that ECS uses for the pull, secrets and logs."""
    if subject.td.execution_role_arn:
        return [(subject.td.execution_role_arn, "execution role")]
    if subject.fargate:
        return []
    return [(arn, "instance role") for arn in access.instance_role_arns(ev)]


_LABEL = re.compile(r"^(?:policy|permission boundary) (?P<name>.+) statement (?P<index>\d+)")


def role_evidence(ev: Evidence, role_arn: str, decision: Decision, what: str) -> Proof:
    """Proof of a decision: the matched statement of the role (or, when none matched, the role's policy names),
    with the evaluator's verdict as a note."""
    view = access.role(ev, role_arn)
    note = f"{decision.method}: {what} -> {decision.verdict} ({decision.reason})"
    if decision.statements:
        note += "; statements: " + ", ".join(decision.statements)
    if view is not None:
        docs = [*view.policies, *([view.boundary] if view.boundary else [])]
        for label in decision.statements:
            m = _LABEL.match(label)
            doc = next((p for p in docs if m and p.name == m.group("name")), None) if m else None
            if m and doc is not None:
                index = int(m.group("index"))
                statements = statements_of(doc.document or managed_document(doc.arn))
                value = statements[index] if index < len(statements) else None
                return Proof(role_arn, f"{doc.pointer}/Statement/{index}", value, note)
    names = [p.name for p in view.policies] if view else []
    return Proof(role_arn, "/AttachedPolicies" if view and view.attached else "/InlinePolicies", names, note)


def item_ref(kind: str, view: Any, field: str, note: str = "") -> Proof:
    """A pointer into a raw item of an access kind (`secrets`, `ecr_images` ...)."""
    value = view.raw.get(field) if isinstance(view.raw, Mapping) else None
    return Proof(getattr(view, "resource", kind), f"/{kind}/{view.index}/{field}", value, note)


def td_ref(td: TaskDefinition, pointer: str, value: Any, note: str = "") -> Proof:
    return Proof(td.arn, pointer, value, note)


def statement(sid: str, actions: Sequence[str], resources: Sequence[str]) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(actions) if len(actions) > 1 else actions[0],
        "Resource": list(resources) if len(resources) > 1 else resources[0],
    }


def policy_document(*statements: Mapping[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def put_role_policy_fix(
    role_arn: str,
    policy_name: str,
    statements: Sequence[Mapping[str, Any]],
    summary: str,
    steps: Sequence[str] = (),
    commands: Sequence[str] = (),
    docs: Sequence[str] = (EXECUTION_ROLE_DOCS,),
) -> Fix:
    doc = policy_document(*statements)
    role_name = access.role_name_of(role_arn)
    put = aws_cli("iam", "put-role-policy", role_name=role_name, policy_name=policy_name, policy_document=doc)
    return Fix(
        summary=summary,
        steps=(
            *steps,
            f"Add the inline policy {policy_name} to role {role_name} ({role_arn}).",
            "Start the task again (or force a new deployment of the service).",
        ),
        commands=(put, *commands),
        snippet=doc,
        snippet_title=f"IAM policy for {role_name}",
        docs=tuple(docs),
        risk="review",
    )


def policy_name(prefix: str, family: str) -> str:
    name = re.sub(r"[^A-Za-z0-9+=,.@_-]", "-", f"{prefix}-{family}")
    return name[:128]


def layers(ev: Evidence, role_arn: str, action: str, resource: str) -> tuple[bool, bool]:
    """(identity side refuses, resource policy side refuses) for a refused request, evaluated locally, so a
    fix can name the layer to change. Unknown layers count as not refusing."""
    view = access.role(ev, role_arn)
    policy, is_key = resource_policy_for(ev, resource)
    identity_refuses = False
    if view is not None and view.found:
        d = evaluate(
            action,
            resource,
            view.arn,
            identity=identity_policies(view),
            boundary=boundary_policy(view),
            same_account=True,
        )
        identity_refuses = d.refused
    any_identity = NamedPolicy("any", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "any")
    if policy is None:
        cross = access.account_of(resource) not in (None, access.account_of(role_arn))
        return identity_refuses, cross or is_key
    r = evaluate(action, resource, role_arn, identity=[any_identity], resource_policy=policy, key_policy=is_key)
    return identity_refuses, r.refused


@dataclass(frozen=True)
class SecretUse:
    """One `secrets[].valueFrom` (or log `secretOptions`) reference of a container, resolved against the evidence."""

    container: str
    name: str  # the environment variable (or log option) it fills
    pointer: str  # JSON pointer of the reference in the task definition
    ref: access.ValueFrom
    service: str  # "secretsmanager" | "ssm"
    secret: access.SecretView | None
    parameter: access.ParameterView | None
    action: str  # the read action ECS performs with the execution role
    arn: str | None  # the resource ARN IAM evaluates (the full ARN when collected)

    @property
    def view(self) -> access.SecretView | access.ParameterView | None:
        return self.secret if self.service == "secretsmanager" else self.parameter

    @property
    def kind(self) -> str:
        return "secrets" if self.service == "secretsmanager" else "ssm_parameters"

    @property
    def missing(self) -> bool:
        v = self.view
        return v is not None and not v.found and not access.is_access_denied(v.error_code)

    @property
    def lookup_denied(self) -> bool:
        v = self.view
        return v is not None and not v.found and access.is_access_denied(v.error_code)

    @property
    def key_id(self) -> str | None:
        """The customer-managed key id the value is encrypted with (None: AWS managed key or unknown)."""
        if self.secret is not None and self.secret.found:
            k = self.secret.kms_key_id
        elif self.parameter is not None and self.parameter.found and self.parameter.type == "SecureString":
            k = self.parameter.key_id
        else:
            return None
        return None if access.is_aws_managed_key(k) else k

    def kms_context(self, region: str | None) -> dict[str, str]:
        via = f"{'secretsmanager' if self.service == 'secretsmanager' else 'ssm'}.{region}.amazonaws.com"
        ctx = {"kms:ViaService": via}
        if self.arn:
            ctx["kms:EncryptionContext:" + ("SecretARN" if self.service == "secretsmanager" else "PARAMETER_ARN")] = (
                self.arn
            )
        return ctx


def secret_uses(ev: Evidence, subject: Subject) -> list[SecretUse]:
    out = []
    for cd in subject.td.containers:
        refs = list(cd.secrets)
        if cd.log_configuration is not None:
            refs.extend(cd.log_configuration.secret_options)
        for sref in refs:
            parsed = access.parse_value_from(sref.value_from, ev.region, ev.account)
            sec = access.secret(ev, sref.value_from) if parsed.service == "secretsmanager" else None
            par = access.parameter(ev, sref.value_from) if parsed.service == "ssm" else None
            if parsed.service == "ssm" and par is None:
                # a bare name the collector resolved as a Secrets Manager secret
                sec = next((s for s in access.secrets(ev) if s.reference == sref.value_from), None)
            service = "secretsmanager" if sec is not None or parsed.service == "secretsmanager" else "ssm"
            if service == "secretsmanager":
                arn = (sec.arn if sec is not None and sec.arn else None) or (
                    parsed.arn if parsed.service == service else None
                )
                action = "secretsmanager:GetSecretValue"
            else:
                arn = (par.arn if par is not None and par.arn else None) or parsed.arn
                action = "ssm:GetParameters"
            out.append(SecretUse(cd.name, sref.name, sref.pointer, parsed, service, sec, par, action, arn))
    return out


def refused_secret_uses(ev: Evidence, subj: Subject) -> list[tuple[SecretUse, Decision]]:
    """The references the execution role may not read (ET401, ET403)."""
    role = subj.td.execution_role_arn
    view = access.role(ev, role)
    if not role or view is None or not view.found:
        return []
    out = []
    seen: set[tuple[str, str]] = set()
    for use in secret_uses(ev, subj):
        if use.missing or not use.arn or (use.action, use.arn) in seen:
            continue
        seen.add((use.action, use.arn))
        d = prove(ev, role, use.action, use.arn, simulated_as=_sim_aliases(use))
        if d.refused:
            out.append((use, d))
    return out


def task_role_allows(ev: Evidence, subj: Subject, use: SecretUse) -> Decision | None:
    role = subj.td.task_role_arn
    if not role or role == subj.td.execution_role_arn or not use.arn:
        return None
    d = prove(ev, role, use.action, use.arn, simulated_as=_sim_aliases(use))
    return d if d.allowed else None


@dataclass(frozen=True)
class AwsLogs:
    """The awslogs configuration of one container."""

    container: str
    group: str
    region: str
    create_group: bool
    stream_prefix: str | None
    pointer: str  # of logConfiguration

    def group_arn(self, account: str) -> str:
        return f"arn:{access.partition_of(self.region)}:logs:{self.region}:{account}:log-group:{self.group}"

    def stream_arn(self, account: str, task_id: str) -> str:
        stream = f"{self.stream_prefix}/{self.container}/{task_id}" if self.stream_prefix else task_id
        return f"{self.group_arn(account)}:log-stream:{stream}"


def awslogs(ev: Evidence, subject: Subject) -> list[AwsLogs]:
    out = []
    for cd in subject.td.containers:
        log = cd.log_configuration
        if log is None or log.driver != "awslogs":
            continue
        group = log.options.get("awslogs-group")
        if not isinstance(group, str) or not group:
            continue
        region = log.options.get("awslogs-region")
        out.append(
            AwsLogs(
                container=cd.name,
                group=group,
                region=region if isinstance(region, str) and region else (ev.region or ""),
                create_group=str(log.options.get("awslogs-create-group", "")).lower() == "true",
                stream_prefix=log.options.get("awslogs-stream-prefix") or None,
                pointer=log.pointer,
            )
        )
    return out


def _sim_aliases(use: SecretUse) -> tuple[str, ...]:
    """Other spellings of the resource the collector may have simulated (the reference's own ARN)."""
    return tuple(a for a in (use.ref.arn, use.ref.text) if a and a != use.arn)


def boundary_blocks(ev: Evidence, role_arn: str, action: str, resource: str) -> bool:
    """True when the role's own policies allow the request but its permission boundary does not."""
    view = access.role(ev, role_arn)
    if view is None or not view.found or view.boundary is None:
        return False
    alone = evaluate(action, resource, view.arn, identity=identity_policies(view), same_account=True)
    bounded = evaluate(
        action, resource, view.arn, identity=identity_policies(view), boundary=boundary_policy(view), same_account=True
    )
    return alone.allowed and bounded.refused


def boundary_fix(ev: Evidence, role_arn: str, statements: Sequence[Mapping[str, Any]], summary: str) -> Fix | None:
    """Add `statements` to the role's permission boundary (a new default version of the boundary policy)."""
    view = access.role(ev, role_arn)
    if view is None or view.boundary is None or not view.boundary.arn or view.boundary.document is None:
        return None
    doc = dict(view.boundary.document)
    doc["Statement"] = [*statements_of(view.boundary.document), *statements]
    arn = view.boundary.arn
    return Fix(
        summary=summary,
        steps=(
            f"The role's own policies already allow it; its permission boundary {arn} does not.",
            "Publish a new default version of the boundary policy with the statement added (command below; a "
            "managed policy keeps at most five versions: delete an old one first if needed).",
            "Start the task again.",
        ),
        commands=(aws_cli("iam", "create-policy-version", policy_arn=arn, policy_document=doc, set_as_default=True),),
        snippet=doc,
        snippet_title=f"Permission boundary {view.boundary.name}",
        docs=("https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",),
    )
