"""`prove`: decide a permission from the evidence, with AWS's evaluator when it was asked, else locally."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ecs_triage.evidence import access
from ecs_triage.evidence.model import Evidence
from ecs_triage.iam.evaluator import Decision, NamedPolicy, evaluate
from ecs_triage.iam.managed import managed_document

SIMULATOR = "iam:SimulatePrincipalPolicy"
LOCAL = "local evaluator"

_SIMULATED = NamedPolicy(
    "simulated",
    {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    "the identity policies (allowed by the simulator)",
)
_SIM_VERDICT = {"allowed": "allowed", "explicitdeny": "denied", "implicitdeny": "implicit-deny"}


def identity_policies(role: access.RoleView) -> tuple[NamedPolicy, ...]:
    """The role's inline and attached policies; known AWS managed documents fill in uncollected ones."""
    out = []
    for p in role.policies:
        doc = p.document if p.document is not None else managed_document(p.arn)
        out.append(NamedPolicy(p.name, doc, f"policy {p.name}"))
    return tuple(out)


def boundary_policy(role: access.RoleView) -> NamedPolicy | None:
    b = role.boundary
    if b is None:
        return None
    doc = b.document if b.document is not None else managed_document(b.arn)
    return NamedPolicy(b.name, doc, f"permission boundary {b.name}")


def _policy_gap(ev: Evidence, kind: str, *names: str) -> bool:
    """A failed call that was meant to read this resource's policy."""
    wanted = {n for n in names if n}
    return any(g.resource in wanted for g in ev.gaps_for(kind))


def _secret_gap(ev: Evidence, resource: str) -> bool:
    """A failed DescribeSecret / GetResourcePolicy for this secret (by ARN, its prefix, or its name)."""
    name = resource.split(":secret:", 1)[-1] if ":secret:" in resource else resource
    for g in ev.gaps_for("secrets"):
        r = g.resource
        if not r or r == resource or resource.startswith(r) or r.startswith(resource) or r in (name, name[:-7]):
            return True
    return False


def resource_policy_for(ev: Evidence, resource: str) -> tuple[NamedPolicy | None, bool]:
    """(the resource policy that applies to this ARN, whether it is a KMS key policy).

    None means "no resource policy". A `NamedPolicy` with `document=None` means "there may be one, it could
    not be read": that happens for a key whose policy was not collected, for a cross-account repository that
    ecs-triage could not describe, and for any secret whose description or policy is a gap (a secret's
    policy alone can grant GetSecretValue, even in the same account)."""
    cross = access.account_of(resource) not in (None, ev.account) and ev.account is not None
    if ":ecr:" in resource and ":repository/" in resource:
        name = resource.split(":repository/", 1)[1]
        label = f"repository policy of {name}"
        repo = access.repository(ev, name, access.account_of(resource))
        if repo is not None and repo.found and not _policy_gap(ev, "ecr_repositories", name, resource):
            return (NamedPolicy(name, repo.policy, label) if repo.policy else None), False
        return (NamedPolicy(name, None, label) if cross else None), False
    if ":secretsmanager:" in resource:
        unknown = NamedPolicy(resource, None, f"resource policy of secret {resource}")
        for s in access.secrets(ev):
            sid = s.arn or (s.secret_id if s.secret_id.startswith("arn:") else "")
            if sid and (sid == resource or resource.startswith(sid) or sid.startswith(resource)):
                label = f"resource policy of secret {s.name or s.secret_id}"
                if s.found and not _policy_gap(ev, "secrets", sid, s.secret_id, s.reference):
                    policy = NamedPolicy(s.name or s.secret_id, s.resource_policy, label) if s.resource_policy else None
                    return policy, False
                if not s.found and not access.is_access_denied(s.error_code):
                    return None, False  # the secret does not exist: no policy either
                return unknown, False  # described but its policy is a gap, or not describable
        # No readable view. A resource policy can grant (or deny) on its own, even in the same account: when
        # the secret's data is a gap, there may be one. Cross-account, it must grant, and it is unknown.
        if cross or _secret_gap(ev, resource):
            return unknown, False
        return None, False
    if ":kms:" in resource and ":key/" in resource:
        k = access.key(ev, resource)
        if k is None or not k.found or k.policy is None:
            return NamedPolicy(resource, None, f"key policy of {resource}"), True
        return NamedPolicy(k.key_id, k.policy, f"key policy of {k.resource}"), True
    return None, False


def _context(
    ev: Evidence, principal: str, resource: str, extra: Mapping[str, str | Sequence[str]] | None
) -> dict[str, str | Sequence[str]]:
    ctx: dict[str, str | Sequence[str]] = {"aws:PrincipalArn": principal, "aws:PrincipalType": "AssumedRole"}
    account = access.account_of(principal)
    if account:
        ctx["aws:PrincipalAccount"] = account
        if ":kms:" in resource:
            ctx["kms:CallerAccount"] = account
    region = access.region_of(resource) or ev.region
    if region:
        ctx["aws:RequestedRegion"] = region
    ctx.update(extra or {})
    return ctx


def prove(
    ev: Evidence,
    principal_arn: str,
    action: str,
    resource: str,
    context: Mapping[str, str | Sequence[str]] | None = None,
    simulated_as: Sequence[str] = (),
) -> Decision:
    """May `principal_arn` (a role ARN) perform `action` on `resource`?

    Uses the `iam_simulations` evidence (AWS's own evaluator, `method="iam:SimulatePrincipalPolicy"`) when
    it holds this exact request (or the same action on one of the `simulated_as` resource strings, e.g. the
    `log-group:NAME:*` form the collector asks about) and the simulator had every condition key it needed;
    otherwise the local evaluator over the role's collected documents and the
    resource policy of the repository, secret or key (`method="local evaluator"`)."""
    policy, is_key = resource_policy_for(ev, resource)
    ctx = _context(ev, principal_arn, resource, context)
    sim = None
    for candidate in (resource, *simulated_as):
        sim = access.simulation(ev, principal_arn, action, candidate)
        if sim is not None:
            break
    if sim is not None and sim.missing_context and sim.decision.lower() != "allowed":
        sim = None  # the simulator lacked condition keys (kms:ViaService ...): the local evaluator has them
    if sim is not None and sim.decision.lower() in _SIM_VERDICT:
        verdict = _SIM_VERDICT[sim.decision.lower()]
        decision = Decision(
            verdict,  # type: ignore[arg-type]
            f"{SIMULATOR} returned {sim.decision} for {action} on {resource}",
            sim.matched,
            SIMULATOR,
        )
        if policy is None:
            return decision
        # The simulator saw the identity policies only (the collector passes no resource policy).
        combined = f"{SIMULATOR} + {LOCAL} ({'key' if is_key else 'resource'} policy)"
        if decision.verdict == "allowed" and (is_key or policy.document is not None):
            # the resource policy may still deny; a key policy must also allow (or delegate to the account)
            local = evaluate(
                action,
                resource,
                principal_arn,
                identity=[_SIMULATED],
                resource_policy=policy,
                key_policy=is_key,
                context=ctx,
            )
            if not local.allowed:
                return Decision(local.verdict, local.reason, local.statements, combined)
        elif decision.verdict == "implicit-deny" and policy.document is None:
            # the identity policies do not allow it, but a resource or key policy that could not be read
            # may grant it on its own
            return Decision(
                "uncertain",
                f"{decision.reason}; the {policy.label or 'resource policy'} could not be read and may allow it",
                decision.statements,
                combined,
            )
        elif decision.verdict == "implicit-deny" and policy.document is not None:
            # a resource (or key) policy that names the principal grants on its own (same account)
            local = evaluate(action, resource, principal_arn, resource_policy=policy, key_policy=is_key, context=ctx)
            if local.verdict in ("allowed", "denied"):
                return Decision(local.verdict, local.reason, local.statements, combined)
        return decision
    role = access.role(ev, principal_arn)
    if role is None:
        return Decision("uncertain", f"the documents of {principal_arn} were not collected", (), LOCAL)
    if not role.found:
        return Decision(
            "uncertain", f"role {principal_arn} was not found ({role.error_code or 'found false'})", (), LOCAL
        )
    identity = identity_policies(role)
    if not role.complete:  # some policies could not be listed or read: never conclude a deny from the rest
        identity = (*identity, NamedPolicy("unlisted", None, f"the policies of {role.name} that could not be read"))
    decision = evaluate(
        action,
        resource,
        role.arn or principal_arn,
        identity=identity,
        boundary=boundary_policy(role),
        resource_policy=policy,
        key_policy=is_key,
        context=ctx,
    )
    return decision
