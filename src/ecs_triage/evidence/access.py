"""Typed views of the access-related evidence kinds (IAM, ECR, Secrets Manager, SSM, KMS, CloudWatch Logs).

Plain functions taking an `Evidence` and returning frozen dataclasses, cached per Evidence (Evidence hashes
by identity). They read exactly the shapes of docs/snapshot-format.md and never raise on odd payloads: a
field of the wrong type becomes None/empty. The pure string parsers the access checks share (`parse_image`,
`parse_value_from`, `is_aws_managed_key`, `partition_of`) live in `evidence/refs.py`, re-exported here.

Every view keeps `index` (its position in `Evidence.raw[kind]`) and `resource`, so a check can point into
the raw payload: `EvidenceRef(view.resource, f"/{kind}/{view.index}/found", False)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import unquote

from ecs_triage.evidence.model import Evidence, Raw
from ecs_triage.evidence.parse import as_bool, as_list, as_map, as_str
from ecs_triage.evidence.refs import (
    ImageRef,
    ValueFrom,
    is_aws_managed_key,
    parse_image,
    parse_value_from,
    partition_of,
    repository_arn,
)

__all__ = [
    "ImageRef",
    "ValueFrom",
    "is_aws_managed_key",
    "parse_image",
    "parse_value_from",
    "partition_of",
    "repository_arn",
]

ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess", "Forbidden"}
)


def is_access_denied(error_code: str | None) -> bool:
    """True for an error code that means the *collector* was not allowed to look (not "does not exist")."""
    return bool(error_code) and (error_code in ACCESS_DENIED_CODES or "AccessDenied" in (error_code or ""))


def _doc(value: Any) -> Mapping[str, Any] | None:
    """A policy document: decoded object, or JSON text (possibly URL-encoded, as IAM returns it raw)."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if not text.startswith("{"):
            text = unquote(text)
        try:
            out = json.loads(text)
        except ValueError:
            return None
        return out if isinstance(out, Mapping) else None
    return None


def _items(ev: Evidence, kind: str) -> list[Mapping[str, Any]]:
    return [as_map(i) for i in as_list(ev.raw.get(kind))]


_V = TypeVar("_V")


def _views(ev: Evidence, kind: str, parse: Callable[[Mapping[str, Any], int], _V]) -> tuple[_V, ...]:
    """One view per item of `Evidence.raw[kind]`, in order; `parse(item, index)` builds it (index: its position)."""
    return tuple(parse(item, i) for i, item in enumerate(_items(ev, kind)))


def role_name_of(arn: str) -> str:
    """`arn:aws:iam::1:role/path/name` -> `name`; a bare name stays itself."""
    return arn.rsplit("/", 1)[-1] if arn else ""


def account_of(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" and parts[4] else None


def region_of(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 5 and parts[0] == "arn" and parts[3] else None


# ----------------------------------------------------------------------------------------------- IAM roles
@dataclass(frozen=True)
class PolicyDocument:
    """One identity policy or boundary of a role. `document` is None when it was not collected."""

    name: str
    arn: str | None
    kind: str  # "inline" | "managed" | "boundary"
    document: Mapping[str, Any] | None
    pointer: str  # JSON pointer of the document inside the iam_roles item


@dataclass(frozen=True)
class RoleView:
    arn: str
    name: str
    found: bool
    error_code: str | None
    trust_policy: Mapping[str, Any] | None
    inline: tuple[PolicyDocument, ...]
    attached: tuple[PolicyDocument, ...]
    boundary: PolicyDocument | None
    index: int
    raw: Raw = field(repr=False, compare=False)
    complete: bool = True  # False: some of its policies could not be listed or read (the collector's flag)

    @property
    def resource(self) -> str:
        return self.arn

    @property
    def policies(self) -> tuple[PolicyDocument, ...]:
        return self.inline + self.attached

    @property
    def account(self) -> str | None:
        return account_of(self.arn)


def _parse_role(item: Mapping[str, Any], index: int) -> RoleView:
    role = as_map(item.get("Role"))
    arn = as_str(item.get("RoleArn")) or as_str(role.get("Arn")) or ""
    inline = tuple(
        PolicyDocument(
            name=as_str(p.get("PolicyName")) or f"inline-{i}",
            arn=None,
            kind="inline",
            document=_doc(p.get("Document") if "Document" in p else p.get("PolicyDocument")),
            pointer=f"/InlinePolicies/{i}/Document",
        )
        for i, p in enumerate(map(as_map, as_list(item.get("InlinePolicies"))))
    )
    attached = tuple(
        PolicyDocument(
            name=as_str(p.get("PolicyName")) or role_name_of(as_str(p.get("PolicyArn")) or f"managed-{i}"),
            arn=as_str(p.get("PolicyArn")),
            kind="managed",
            document=_doc(p.get("Document")),
            pointer=f"/AttachedPolicies/{i}/Document",
        )
        for i, p in enumerate(map(as_map, as_list(item.get("AttachedPolicies"))))
    )
    b = as_map(item.get("PermissionsBoundary"))
    boundary_arn = as_str(b.get("PolicyArn")) or as_str(b.get("PermissionsBoundaryArn"))
    boundary = (
        PolicyDocument(
            name=role_name_of(boundary_arn or "boundary"),
            arn=boundary_arn,
            kind="boundary",
            document=_doc(b.get("Document")),
            pointer="/PermissionsBoundary/Document",
        )
        if b
        else None
    )
    return RoleView(
        arn=arn,
        name=as_str(role.get("RoleName")) or role_name_of(arn),
        found=as_bool(item.get("found"), default=bool(role)),
        error_code=as_str(item.get("error_code")),
        trust_policy=_doc(role.get("AssumeRolePolicyDocument")),
        inline=inline,
        attached=attached,
        boundary=boundary,
        index=index,
        raw=item,
        complete=as_bool(item.get("complete"), default=True),
    )


@lru_cache(maxsize=64)
def roles(ev: Evidence) -> tuple[RoleView, ...]:
    return _views(ev, "iam_roles", _parse_role)


def role(ev: Evidence, arn_or_name: str | None) -> RoleView | None:
    """The role with this ARN (or, for a bare name or a path mismatch, this role name)."""
    if not arn_or_name:
        return None
    views = roles(ev)
    exact = next((r for r in views if r.arn == arn_or_name), None)
    if exact is not None:
        return exact
    name = role_name_of(arn_or_name)
    return next((r for r in views if r.name == name or role_name_of(r.arn) == name), None)


# ------------------------------------------------------------------------------------- instance profiles
@dataclass(frozen=True)
class InstanceProfileView:
    arn: str
    name: str
    role_arns: tuple[str, ...]
    index: int


def _parse_instance_profile(item: Mapping[str, Any], i: int) -> InstanceProfileView:
    return InstanceProfileView(
        arn=as_str(item.get("Arn")) or "",
        name=as_str(item.get("InstanceProfileName")) or "",
        role_arns=tuple(a for a in (as_str(as_map(r).get("Arn")) for r in as_list(item.get("Roles"))) if a),
        index=i,
    )


@lru_cache(maxsize=64)
def instance_profiles(ev: Evidence) -> tuple[InstanceProfileView, ...]:
    return _views(ev, "instance_profiles", _parse_instance_profile)


@lru_cache(maxsize=64)
def instance_role_arns(ev: Evidence) -> tuple[str, ...]:
    """The roles of the container instances' instance profiles (EC2 launch type), in a stable order."""
    profile_arns: list[str] = []
    for inst in _items(ev, "ec2_instances"):
        arn = as_str(as_map(inst.get("IamInstanceProfile")).get("Arn"))
        if arn and arn not in profile_arns:
            profile_arns.append(arn)
    out: list[str] = []
    for prof in instance_profiles(ev):
        if profile_arns and prof.arn not in profile_arns:
            continue
        out.extend(a for a in prof.role_arns if a not in out)
    return tuple(out)


# -------------------------------------------------------------------------------------- IAM simulations
@dataclass(frozen=True)
class SimulationView:
    principal: str
    action: str
    resource: str
    decision: str  # allowed | explicitDeny | implicitDeny
    matched: tuple[str, ...]
    index: int
    missing_context: tuple[str, ...] = ()  # condition keys the simulator was not given


def _parse_simulation(item: Mapping[str, Any], i: int) -> SimulationView:
    matched = []
    for m in as_list(item.get("matched")):
        if isinstance(m, str):
            matched.append(m)
        elif isinstance(m, Mapping):
            matched.append(as_str(m.get("SourcePolicyId")) or json.dumps(m, sort_keys=True, default=str))
    return SimulationView(
        principal=as_str(item.get("principal")) or "",
        action=as_str(item.get("action")) or "",
        resource=as_str(item.get("resource")) or "*",
        decision=as_str(item.get("decision")) or "",
        matched=tuple(matched),
        index=i,
        missing_context=tuple(str(k) for k in as_list(item.get("missing_context"))),
    )


@lru_cache(maxsize=64)
def simulations(ev: Evidence) -> tuple[SimulationView, ...]:
    return _views(ev, "iam_simulations", _parse_simulation)


def simulation(ev: Evidence, principal: str, action: str, resource: str) -> SimulationView | None:
    for s in simulations(ev):
        if s.principal == principal and s.action.lower() == action.lower() and s.resource == resource:
            return s
    return None


# --------------------------------------------------------------------------------------------- ECR
@dataclass(frozen=True)
class RepositoryView:
    name: str
    registry_id: str | None
    found: bool
    error_code: str | None
    arn: str | None
    uri: str | None
    kms_key: str | None
    policy: Mapping[str, Any] | None
    index: int
    raw: Raw = field(repr=False, compare=False)

    @property
    def resource(self) -> str:
        return self.arn or f"{self.registry_id}/{self.name}"


def _parse_repository(item: Mapping[str, Any], i: int) -> RepositoryView:
    repo = as_map(item.get("repository"))
    enc = as_map(repo.get("encryptionConfiguration"))
    return RepositoryView(
        name=as_str(item.get("repositoryName")) or as_str(repo.get("repositoryName")) or "",
        registry_id=as_str(item.get("registryId")) or as_str(repo.get("registryId")),
        found=as_bool(item.get("found"), default=bool(repo)),
        error_code=as_str(item.get("error_code")),
        arn=as_str(repo.get("repositoryArn")),
        uri=as_str(repo.get("repositoryUri")),
        kms_key=as_str(enc.get("kmsKey")),
        policy=_doc(item.get("policy")),
        index=i,
        raw=item,
    )


@lru_cache(maxsize=64)
def repositories(ev: Evidence) -> tuple[RepositoryView, ...]:
    return _views(ev, "ecr_repositories", _parse_repository)


def repository(ev: Evidence, name: str, registry_id: str | None = None) -> RepositoryView | None:
    return next(
        (
            r
            for r in repositories(ev)
            if r.name == name and (registry_id is None or r.registry_id in (None, registry_id))
        ),
        None,
    )


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str | None = None

    def __str__(self) -> str:
        return f"{self.os}/{self.architecture}" + (f"/{self.variant}" if self.variant else "")


@dataclass(frozen=True)
class ImageView:
    image: str
    repository_name: str
    registry_id: str | None
    tag: str | None
    digest: str | None
    found: bool
    error_code: str | None
    failure_code: str | None
    failure_reason: str | None
    platforms: tuple[Platform, ...] | None  # None: unknown
    pushed_digest: str | None
    index: int
    raw: Raw = field(repr=False, compare=False)

    @property
    def resource(self) -> str:
        return self.image


def _parse_ecr_image(item: Mapping[str, Any], i: int) -> ImageView:
    failure = as_map(item.get("failure"))
    plats = item.get("platforms")
    detail = item.get("detail")
    detail_map = as_map(detail[0]) if isinstance(detail, list) and detail else as_map(detail)
    return ImageView(
        image=as_str(item.get("image")) or "",
        repository_name=as_str(item.get("repositoryName")) or "",
        registry_id=as_str(item.get("registryId")),
        tag=as_str(item.get("imageTag")),
        digest=as_str(item.get("imageDigest")),
        found=as_bool(item.get("found")),
        error_code=as_str(item.get("error_code")),
        failure_code=as_str(failure.get("failureCode")),
        failure_reason=as_str(failure.get("failureReason")),
        platforms=(
            tuple(
                Platform(
                    (as_str(as_map(p).get("os")) or "").lower(),
                    (as_str(as_map(p).get("architecture")) or "").lower(),
                    as_str(as_map(p).get("variant")),
                )
                for p in plats
            )
            if isinstance(plats, list)
            else None
        ),
        pushed_digest=as_str(detail_map.get("imageDigest")),
        index=i,
        raw=item,
    )


@lru_cache(maxsize=64)
def images(ev: Evidence) -> tuple[ImageView, ...]:
    return _views(ev, "ecr_images", _parse_ecr_image)


def image(ev: Evidence, image_text: str | None) -> ImageView | None:
    if not image_text:
        return None
    return next((v for v in images(ev) if v.image == image_text), None)


# ----------------------------------------------------------------------------- secrets and parameters
@dataclass(frozen=True)
class SecretView:
    reference: str
    secret_id: str
    region: str | None
    found: bool
    error_code: str | None
    arn: str | None
    name: str | None
    kms_key_id: str | None  # None: the AWS managed key aws/secretsmanager
    deleted: bool
    stages: tuple[str, ...]  # every version stage label present
    version_ids: tuple[str, ...]
    resource_policy: Mapping[str, Any] | None
    index: int
    raw: Raw = field(repr=False, compare=False)

    @property
    def resource(self) -> str:
        return self.arn or self.secret_id


def _parse_secret(item: Mapping[str, Any], i: int) -> SecretView:
    s = as_map(item.get("secret"))
    versions = as_map(s.get("VersionIdsToStages"))
    stages = sorted({as_str(x) or "" for v in versions.values() for x in as_list(v)} - {""})
    policy = item.get("resource_policy")
    if isinstance(policy, Mapping) and "ResourcePolicy" in policy:
        policy = policy.get("ResourcePolicy")
    return SecretView(
        reference=as_str(item.get("reference")) or "",
        secret_id=as_str(item.get("secretId")) or "",
        region=as_str(item.get("region")),
        found=as_bool(item.get("found"), default=bool(s)),
        error_code=as_str(item.get("error_code")),
        arn=as_str(s.get("ARN")),
        name=as_str(s.get("Name")),
        kms_key_id=as_str(s.get("KmsKeyId")),
        deleted=bool(s.get("DeletedDate")),
        stages=tuple(stages),
        version_ids=tuple(str(k) for k in versions),
        resource_policy=_doc(policy),
        index=i,
        raw=item,
    )


@lru_cache(maxsize=64)
def secrets(ev: Evidence) -> tuple[SecretView, ...]:
    return _views(ev, "secrets", _parse_secret)


def secret(ev: Evidence, reference: str) -> SecretView | None:
    views = secrets(ev)
    hit = next((s for s in views if s.reference == reference), None)
    if hit is None:
        ref = parse_value_from(reference)
        ids = {reference, ref.name, ref.secret_id}
        hit = next((s for s in views if s.secret_id in ids or s.arn in ids), None)
    return hit


@dataclass(frozen=True)
class ParameterView:
    reference: str
    name: str
    region: str | None
    found: bool
    error_code: str | None
    arn: str | None
    type: str | None  # String | StringList | SecureString
    key_id: str | None  # SecureString key (alias/aws/ssm by default)
    index: int
    raw: Raw = field(repr=False, compare=False)

    @property
    def resource(self) -> str:
        return self.arn or self.name


def _parse_parameter(item: Mapping[str, Any], i: int) -> ParameterView:
    p = as_map(item.get("parameter"))
    return ParameterView(
        reference=as_str(item.get("reference")) or "",
        name=as_str(item.get("name")) or as_str(p.get("Name")) or "",
        region=as_str(item.get("region")),
        found=as_bool(item.get("found"), default=bool(p)),
        error_code=as_str(item.get("error_code")),
        arn=as_str(p.get("ARN")),
        type=as_str(p.get("Type")),
        key_id=as_str(p.get("KeyId")),
        index=i,
        raw=item,
    )


@lru_cache(maxsize=64)
def parameters(ev: Evidence) -> tuple[ParameterView, ...]:
    return _views(ev, "ssm_parameters", _parse_parameter)


def parameter(ev: Evidence, reference: str) -> ParameterView | None:
    """By the exact reference, else by any parameter name the reference can mean (refs.ValueFrom.names)."""
    views = parameters(ev)
    hit = next((p for p in views if p.reference == reference), None)
    if hit is None:
        names = parse_value_from(reference).names
        hit = next(
            (p for p in views if p.name in names or as_str(as_map(p.raw.get("parameter")).get("Name")) in names), None
        )
    return hit


# --------------------------------------------------------------------------------------------- KMS
@dataclass(frozen=True)
class KeyView:
    key_id: str
    found: bool
    error_code: str | None
    arn: str | None
    key_manager: str | None  # AWS | CUSTOMER
    policy: Mapping[str, Any] | None
    index: int
    raw: Raw = field(repr=False, compare=False)

    @property
    def resource(self) -> str:
        return self.arn or self.key_id

    @property
    def customer_managed(self) -> bool:
        return self.key_manager == "CUSTOMER"


def _parse_key(item: Mapping[str, Any], i: int) -> KeyView:
    md = as_map(item.get("metadata"))
    policy = item.get("policy")
    if isinstance(policy, Mapping) and "Policy" in policy:
        policy = policy.get("Policy")
    return KeyView(
        key_id=as_str(item.get("keyId")) or as_str(md.get("KeyId")) or "",
        found=as_bool(item.get("found"), default=bool(md)),
        error_code=as_str(item.get("error_code")),
        arn=as_str(md.get("Arn")),
        key_manager=as_str(md.get("KeyManager")),
        policy=_doc(policy),
        index=i,
        raw=item,
    )


@lru_cache(maxsize=64)
def keys(ev: Evidence) -> tuple[KeyView, ...]:
    return _views(ev, "kms_keys", _parse_key)


def key(ev: Evidence, key_id: str | None) -> KeyView | None:
    """By key id, key ARN or the alias/ARN string the collector was asked about."""
    if not key_id:
        return None
    short = key_id.rsplit("/", 1)[-1] if key_id.startswith("arn:") and ":key/" in key_id else key_id
    for k in keys(ev):
        md = as_map(k.raw.get("metadata"))
        if key_id in (k.key_id, k.arn) or short in (k.key_id, as_str(md.get("KeyId"))):
            return k
    return None


# -------------------------------------------------------------------------------------------- Logs
@dataclass(frozen=True)
class LogGroupView:
    name: str
    region: str | None
    found: bool
    error_code: str | None
    arn: str | None
    index: int
    raw: Raw = field(repr=False, compare=False)

    @property
    def resource(self) -> str:
        return self.arn or self.name


def _parse_log_group(item: Mapping[str, Any], i: int) -> LogGroupView:
    g = as_map(item.get("logGroup"))
    return LogGroupView(
        name=as_str(item.get("logGroupName")) or as_str(g.get("logGroupName")) or "",
        region=as_str(item.get("region")),
        found=as_bool(item.get("found"), default=bool(g)),
        error_code=as_str(item.get("error_code")),
        arn=as_str(g.get("arn")),
        index=i,
        raw=item,
    )


@lru_cache(maxsize=64)
def log_groups(ev: Evidence) -> tuple[LogGroupView, ...]:
    return _views(ev, "log_groups", _parse_log_group)


def log_group(ev: Evidence, name: str, region: str | None = None) -> LogGroupView | None:
    return next(
        (g for g in log_groups(ev) if g.name == name and (region is None or g.region in (None, region))),
        None,
    )
