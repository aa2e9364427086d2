"""A small local IAM policy evaluator (DESIGN section 6).

It decides one request (action, resource ARN, principal) against identity policies, an optional permission
boundary and an optional resource policy (repository policy, secret policy, key policy, trust policy):

* an explicit Deny that applies wins;
* Action/NotAction (case-insensitive) and Resource/NotResource (case-sensitive), with `*` and `?` wildcards;
* Principal/NotPrincipal in resource policies: `*`, an account id or `arn:aws:iam::ACCOUNT:root` (the
  account delegates to its IAM policies), a role ARN, service principals;
* conditions are decided only when every key they test is in the request context this evaluator was given;
  otherwise the statement "may apply" and the result is `uncertain` - never `allowed`;
* a permission boundary intersects with the identity policies;
* cross-account access needs both the identity policy and the resource policy;
* for KMS the key policy must allow: either the principal directly, or the account root (which delegates to
  the identity policies).

The result is a `Decision(verdict, reason, statements, method)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

Verdict = Literal["allowed", "denied", "implicit-deny", "uncertain"]
Context = Mapping[str, "str | Sequence[str]"]

NO, MAYBE, YES = 0, 1, 2


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str
    statements: tuple[str, ...] = ()
    method: str = "local evaluator"

    @property
    def allowed(self) -> bool:
        return self.verdict == "allowed"

    @property
    def refused(self) -> bool:
        """Definitely not allowed (explicit or implicit deny); `uncertain` is not refused."""
        return self.verdict in ("denied", "implicit-deny")


@dataclass(frozen=True)
class NamedPolicy:
    """A policy document with the label used in explanations (`policy NAME`, `repository policy of web`).

    `document` None means the policy exists but its document was not collected."""

    name: str
    document: Mapping[str, Any] | None
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or f"policy {self.name}"


@lru_cache(maxsize=4096)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    out = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in glob)
    return re.compile(out, re.S | (re.I if ignore_case else 0))


def wildcard_match(glob: str, value: str, ignore_case: bool = False) -> bool:
    """IAM-style glob: `*` any run of characters, `?` one character."""
    if glob == "*":
        return True
    return _pattern(glob, ignore_case).fullmatch(value) is not None


def _strs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if isinstance(v, (str, int, float, bool))]
    if isinstance(value, (int, float, bool)):
        return [str(value).lower() if isinstance(value, bool) else str(value)]
    return []


def statements_of(document: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not isinstance(document, Mapping):
        return []
    st = document.get("Statement")
    if isinstance(st, Mapping):
        return [st]
    if isinstance(st, list):
        return [s for s in st if isinstance(s, Mapping)]
    return []


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" and parts[4] else None


# --------------------------------------------------------------------------------------------- matching
def _action_matches(st: Mapping[str, Any], action: str) -> bool:
    if "Action" in st:
        return any(wildcard_match(a, action, ignore_case=True) for a in _strs(st["Action"]))
    if "NotAction" in st:
        return not any(wildcard_match(a, action, ignore_case=True) for a in _strs(st["NotAction"]))
    return False


def _resource_matches(st: Mapping[str, Any], resource: str, implicit: bool) -> bool:
    if "Resource" in st:
        return any(wildcard_match(r, resource) for r in _strs(st["Resource"]))
    if "NotResource" in st:
        return not any(wildcard_match(r, resource) for r in _strs(st["NotResource"]))
    return implicit  # resource policies may omit Resource: it is the resource the policy is attached to


def _principal_grant(value: Any, principal: str) -> str:
    """'direct' (names the principal or everyone), 'account' (names its account: delegation), or ''."""
    if value == "*":
        return "direct"
    if not isinstance(value, Mapping):
        return ""
    is_service = not principal.startswith("arn:") and principal.endswith(".amazonaws.com")
    if is_service:
        return "direct" if any(s == principal or s == "*" for s in _strs(value.get("Service"))) else ""
    account = _account_of(principal)
    grant = ""
    for p in _strs(value.get("AWS")):
        if p == "*":
            return "direct"
        if p.lower() == principal.lower():
            return "direct"
        # arn:aws:iam::ACCOUNT:role/path/name vs principal arn:aws:iam::ACCOUNT:role/name (paths dropped)
        if (
            p.startswith("arn:")
            and ":role/" in p
            and ":role/" in principal
            and _account_of(p) == account
            and p.rsplit("/", 1)[-1].lower() == principal.rsplit("/", 1)[-1].lower()
        ):
            return "direct"
        if account and (p == account or re.fullmatch(rf"arn:aws[a-z-]*:iam::{account}:root", p)):
            grant = "account"
    return grant


def _principal_matches(st: Mapping[str, Any], principal: str) -> str:
    if "Principal" in st:
        return _principal_grant(st["Principal"], principal)
    if "NotPrincipal" in st:
        return "" if _principal_grant(st["NotPrincipal"], principal) else "direct"
    return ""


_STRING_OPS = {
    "StringEquals": (False, False, True),  # (negated, like, case-sensitive)
    "StringNotEquals": (True, False, True),
    "StringEqualsIgnoreCase": (False, False, False),
    "StringNotEqualsIgnoreCase": (True, False, False),
    "StringLike": (False, True, True),
    "StringNotLike": (True, True, True),
    "ArnEquals": (False, True, True),
    "ArnLike": (False, True, True),
    "ArnNotEquals": (True, True, True),
    "ArnNotLike": (True, True, True),
}


def _string_match(wanted: list[str], value: str, like: bool, case: bool) -> bool:
    if like:
        return any(wildcard_match(w, value, ignore_case=not case) for w in wanted)
    return any((w == value) if case else (w.lower() == value.lower()) for w in wanted)


def _condition(conditions: Any, context: Context) -> tuple[int, str]:
    """YES when every condition holds, NO when one fails, MAYBE (with the key) when one cannot be decided."""
    if not conditions:
        return YES, ""
    if not isinstance(conditions, Mapping):
        return MAYBE, "unreadable Condition block"
    ctx = {k.lower(): v for k, v in context.items()}
    result, undecided = YES, ""
    for op_raw, block in conditions.items():
        if not isinstance(block, Mapping):
            return MAYBE, f"unreadable condition {op_raw}"
        op = str(op_raw)
        qualifier = ""
        if ":" in op:
            qualifier, op = op.split(":", 1)
        if_exists = op.endswith("IfExists")
        base = op[: -len("IfExists")] if if_exists else op
        for key, wanted_raw in block.items():
            wanted = _strs(wanted_raw)
            present = str(key).lower() in ctx
            if base == "Null":
                if not present:
                    result, undecided = min(result, MAYBE), undecided or f"{op_raw} on {key}"
                    continue
                ok = (wanted and wanted[0].lower() == "false") or False
            elif not present:
                result, undecided = min(result, MAYBE), undecided or f"{op_raw} on {key}"
                continue
            else:
                raw = ctx[str(key).lower()]
                values = [raw] if isinstance(raw, str) else [str(v) for v in raw]
                if base == "Bool":
                    ok = any(v.lower() == w.lower() for v in values for w in wanted)
                elif base in _STRING_OPS:
                    negated, like, case = _STRING_OPS[base]

                    matches = [_string_match(wanted, v, like, case) for v in values]
                    hits = all(matches) if qualifier == "ForAllValues" else any(matches)
                    ok = not hits if negated else hits
                else:  # Numeric*, Date*, IpAddress, BinaryEquals ...: not decided offline
                    result, undecided = min(result, MAYBE), undecided or f"{op_raw} on {key}"
                    continue
            if not ok:
                return NO, ""
    return result, undecided


@dataclass
class _Tally:
    deny_yes: list[str] = field(default_factory=list)
    deny_maybe: list[str] = field(default_factory=list)
    allow_yes: list[str] = field(default_factory=list)
    allow_maybe: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    account_yes: list[str] = field(default_factory=list)  # resource policies: grants to the account root
    account_maybe: list[str] = field(default_factory=list)

    @property
    def allow(self) -> int:
        return YES if self.allow_yes else MAYBE if self.allow_maybe else NO

    @property
    def account(self) -> int:
        return YES if self.account_yes else MAYBE if self.account_maybe else NO


def _tally(
    policy: NamedPolicy,
    action: str,
    resource: str,
    principal: str,
    context: Context,
    is_resource_policy: bool,
    out: _Tally | None = None,
) -> _Tally:
    out = out or _Tally()
    for i, st in enumerate(statements_of(policy.document)):
        if not _action_matches(st, action) or not _resource_matches(st, resource, implicit=is_resource_policy):
            continue
        grant = "direct"
        if is_resource_policy:
            grant = _principal_matches(st, principal)
            if not grant:
                continue
        cond, why = _condition(st.get("Condition"), context)
        if cond == NO:
            continue
        sid = st.get("Sid")
        label = f"{policy.title} statement {i}" + (f" ({sid})" if isinstance(sid, str) and sid else "")
        effect = str(st.get("Effect", "")).lower()
        if effect == "deny":
            (out.deny_yes if cond == YES else out.deny_maybe).append(label)
        elif effect == "allow":
            if grant == "account":
                (out.account_yes if cond == YES else out.account_maybe).append(label)
            else:
                (out.allow_yes if cond == YES else out.allow_maybe).append(label)
        if cond == MAYBE:
            out.undecided.append(f"{label}: condition {why} cannot be decided offline")
    return out


def evaluate(
    action: str,
    resource: str,
    principal: str,
    *,
    identity: Iterable[NamedPolicy] = (),
    boundary: NamedPolicy | None = None,
    resource_policy: NamedPolicy | None = None,
    key_policy: bool = False,
    context: Context | None = None,
    same_account: bool | None = None,
) -> Decision:
    """Decide one request. `key_policy=True` treats `resource_policy` as a KMS key policy (it must allow).

    `resource_policy` with `document=None` means "there is one but it was not collected" (uncertain where it
    matters); leave it None when the resource has no policy. `same_account` overrides the account comparison
    (True evaluates the identity side alone)."""
    ctx: Context = context or {}
    identity = tuple(identity)
    ident = _Tally()
    for p in identity:
        _tally(p, action, resource, principal, ctx, False, ident)
    unknown_docs = [p.title for p in identity if p.document is None]
    bound = _tally(boundary, action, resource, principal, ctx, False) if boundary is not None else None
    res = _tally(resource_policy, action, resource, principal, ctx, True) if resource_policy is not None else None

    denies = ident.deny_yes + (bound.deny_yes if bound else []) + (res.deny_yes if res else [])
    if denies:
        return Decision("denied", f"explicit Deny in {denies[0]}", tuple(denies))

    ident_allow = ident.allow
    if ident_allow == NO and unknown_docs:
        ident_allow = MAYBE
    if bound is None:
        bound_allow = YES
    elif boundary is not None and boundary.document is None:
        bound_allow = MAYBE
    else:
        bound_allow = bound.allow
    identity_grant = min(ident_allow, bound_allow)

    principal_account = _account_of(principal)
    resource_account = _account_of(resource)
    if same_account is None:
        same_account = resource_account is None or principal_account is None or resource_account == principal_account

    if res is not None and resource_policy is not None and resource_policy.document is None:
        res_direct = res_account = MAYBE
    else:
        res_direct = min(res.allow, bound_allow) if res else NO
        res_account = res.account if res else NO

    if key_policy:
        if res is None:
            result = MAYBE
        elif same_account:
            result = max(res_direct, min(res_account, identity_grant))
        else:
            result = min(max(res_direct, res_account), identity_grant)
    elif same_account:
        result = max(identity_grant, res_direct)
    else:
        # cross-account: the resource policy must let this principal (or its account) in, and IAM must allow
        result = min(identity_grant, max(res_direct, res_account) if res else NO)

    maybe_denies = ident.deny_maybe + (bound.deny_maybe if bound else []) + (res.deny_maybe if res else [])
    if result == YES and maybe_denies:
        result = MAYBE
    allows = ident.allow_yes + (res.allow_yes + res.account_yes if res else [])

    if result == YES:
        reason = f"allowed by {allows[0]}" if allows else "allowed"
        if unknown_docs:
            reason += f" (documents not collected: {', '.join(unknown_docs)})"
        return Decision("allowed", reason, tuple(allows))
    if result == MAYBE:
        why = (
            ident.undecided
            + (bound.undecided if bound else [])
            + (res.undecided if res else [])
            + [f"{t}: document not collected" for t in unknown_docs]
        )
        if boundary is not None and boundary.document is None:
            why.append(f"{boundary.title} (permission boundary): document not collected")
        if resource_policy is not None and resource_policy.document is None:
            why.append(f"{resource_policy.title}: document not collected")
        if key_policy and res is None:
            why.append("the key policy was not collected")
        return Decision(
            "uncertain",
            "; ".join(why) or "cannot be decided offline",
            tuple(allows + ident.allow_maybe + maybe_denies),
        )
    # implicit deny: say which layer is missing
    if key_policy and res is not None and res_direct == NO and res_account == NO:
        reason = f"{resource_policy.title if resource_policy else 'the key policy'} neither allows {principal} nor delegates to its account (root)"
    elif key_policy and res_account >= MAYBE and identity_grant == NO and ident.allow == NO:
        reason = f"the key policy delegates to the account, but no identity policy of {principal} allows {action}"
    elif not same_account and res is not None and max(res_direct, res_account) == NO:
        reason = f"cross-account: {resource_policy.title if resource_policy else 'the resource policy'} does not allow {principal} or its account {principal_account}"
    elif not same_account and res is None:
        reason = (
            f"cross-account resource in {resource_account} without a resource policy that allows {principal_account}"
        )
    elif ident.allow >= MAYBE and bound is not None and bound.allow == NO:
        allowed_by = ident.allow_yes[0] if ident.allow_yes else "an identity policy"
        reason = f"allowed by {allowed_by}, but the permission boundary does not allow it ({boundary.title if boundary else ''})"
    else:
        reason = f"no statement allows {action} on {resource}"
    return Decision("implicit-deny", reason, ())


def evaluate_trust(
    trust_policy: Mapping[str, Any] | None, service: str, role_arn: str, context: Context | None = None
) -> Decision:
    """May `service` (e.g. ecs-tasks.amazonaws.com) call sts:AssumeRole on the role with this trust policy?"""
    if trust_policy is None:
        return Decision("uncertain", "trust policy not collected")
    t = _tally(
        NamedPolicy("trust", trust_policy, "trust policy"), "sts:AssumeRole", role_arn, service, context or {}, True
    )
    if t.deny_yes:
        return Decision("denied", f"explicit Deny in {t.deny_yes[0]}", tuple(t.deny_yes))
    if t.allow_yes and not t.deny_maybe:
        return Decision("allowed", f"allowed by {t.allow_yes[0]}", tuple(t.allow_yes))
    if t.allow_yes or t.allow_maybe:
        return Decision(
            "uncertain", "; ".join(t.undecided) or "cannot be decided offline", tuple(t.allow_yes + t.allow_maybe)
        )
    return Decision("implicit-deny", f"no statement of the trust policy lets {service} call sts:AssumeRole", ())
