"""Pure parsers for the references a task definition holds: image URIs, `valueFrom` secret/parameter
references, KMS key references, and the ARN partition of a region.

Imports nothing of the project: the collector (`collect/`) and the evidence views (`evidence/access.py`,
`evidence/infra/`) share these so that both sides agree on one answer (e.g. the name of an SSM parameter).

SSM parameter names: a parameter named `db-pass` and one named `/db-pass` both have the ARN
`arn:aws:ssm:REGION:ACCOUNT:parameter/db-pass`. The name of an ARN-referenced single-level parameter is
therefore `db-pass` (`ValueFrom.name`), with `/db-pass` as the other candidate (`ValueFrom.names` lists
both; a collector queries both). A hierarchical ARN `parameter/app/db` names `/app/db` (hierarchies always
begin with a slash).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ImageRef",
    "ValueFrom",
    "arn_name",
    "is_aws_managed_key",
    "parse_image",
    "parse_value_from",
    "partition_of",
    "repository_arn",
    "ssm_parameter_arn",
]

# ------------------------------------------------------------------------------------------- partitions
_PARTITIONS = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
)


def partition_of(region: str | None) -> str:
    """The ARN partition of a region: `aws-cn` for cn-*, `aws-us-gov` for us-gov-*, ... else `aws`."""
    r = (region or "").strip().lower()
    for prefix, partition in _PARTITIONS:
        if r.startswith(prefix):
            return partition
    return "aws"


def arn_name(arn: str | None) -> str:
    """The last path segment of an ARN (`arn:aws:iam::1:role/path/name` -> `name`); a bare name stays."""
    if not arn:
        return ""
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[-1] if arn.startswith("arn:") else arn.rsplit("/", 1)[-1]


# ------------------------------------------------------------------------------------------------ images
_ECR_HOST = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?P<fips>-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?P<cn>\.cn)?$"
)
_DOCKER_HUB = ("docker.io", "registry-1.docker.io", "index.docker.io")


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference `[registry/]repository[:tag][@digest]`.

    `registry` is `docker.io` when no registry host is given (and the repository gets Docker Hub's
    `library/` prefix for official images). `account`/`region` are set for private ECR registries only."""

    text: str
    registry: str
    repository: str
    tag: str | None
    digest: str | None
    account: str | None = None
    region: str | None = None

    @property
    def is_ecr(self) -> bool:
        return self.account is not None

    # the names the evidence views used before refs.py existed
    @property
    def ecr_account(self) -> str | None:
        return self.account

    @property
    def ecr_region(self) -> str | None:
        return self.region

    @property
    def is_docker_hub(self) -> bool:
        return self.registry in _DOCKER_HUB

    @property
    def is_public_ecr(self) -> bool:
        return self.registry == "public.ecr.aws"

    @property
    def reference(self) -> str:
        """What is pulled: the digest if any, else the tag (default `latest`)."""
        return self.digest or self.tag or "latest"

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    def repository_arn(self) -> str | None:
        return repository_arn(self)


def parse_image(image: str | None) -> ImageRef | None:
    """Parse any image reference; None for an empty or non-string value. `is_ecr` tells private ECR
    (including `-fips` endpoints and `.amazonaws.com.cn` hosts) from other registries."""
    if not image or not isinstance(image, str) or not image.strip():
        return None
    text = image.strip()
    rest, digest = text, None
    if "@" in text:
        rest, digest = text.split("@", 1)
        digest = digest or None
    first, _, remainder = rest.partition("/")
    if remainder and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, remainder
    else:
        registry, path = "docker.io", rest
    tag = None
    last = path.rsplit("/", 1)[-1]
    if ":" in last:
        path, tag = path.rsplit(":", 1)
        tag = tag or None
    if registry == "docker.io" and "/" not in path:
        path = f"library/{path}"
    m = _ECR_HOST.match(registry.lower())
    return ImageRef(
        text=text,
        registry=registry,
        repository=path,
        tag=tag,
        digest=digest,
        account=m["account"] if m else None,
        region=m["region"] if m else None,
    )


def repository_arn(ref: ImageRef) -> str | None:
    """`arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME` of a private ECR image; None otherwise."""
    if not ref.is_ecr:
        return None
    return f"arn:{partition_of(ref.region)}:ecr:{ref.region}:{ref.account}:repository/{ref.repository}"


# ------------------------------------------------------------------------------- secrets and parameters
def ssm_parameter_arn(name: str, region: str, account: str) -> str:
    """The ARN of the parameter `name` (`db-pass` and `/db-pass` both give `parameter/db-pass`)."""
    return f"arn:{partition_of(region)}:ssm:{region}:{account}:parameter/{name.lstrip('/')}"


@dataclass(frozen=True)
class ValueFrom:
    """A parsed `secrets[].valueFrom` / `repositoryCredentials.credentialsParameter` reference.

    `name`: the Secrets Manager secret name (the last ARN field, incl. AWS's random suffix) or the SSM
    parameter name; `secret_id`: what DescribeSecret takes (the ARN without the JSON-key/version suffix,
    or the bare name); `names`: every SSM parameter name the reference can mean (`name` first);
    `arn`: the ARN IAM sees, None when region/account are unknown."""

    text: str
    service: str  # "secretsmanager" | "ssm" | another service name for a foreign ARN
    name: str
    arn: str | None
    region: str | None
    account: str | None
    json_key: str | None = None
    version_stage: str | None = None
    version_id: str | None = None
    names: tuple[str, ...] = ()
    secret_id: str = ""

    @property
    def partition(self) -> str:
        return partition_of(self.region)


def parse_value_from(
    value_from: str, region: str | None = None, account: str | None = None, credentials: bool = False
) -> ValueFrom:
    """Parse a reference; `region`/`account` are the task's, used for name-only references.

    A bare name is an SSM parameter for `secrets[]` and a Secrets Manager secret for `repositoryCredentials`
    (`credentials=True`): ECS reads registry credentials only from Secrets Manager."""
    t = (value_from or "").strip()
    if t.startswith("arn:"):
        parts = t.split(":")
        service = parts[2] if len(parts) > 2 else ""
        arn_region = (parts[3] if len(parts) > 3 else "") or region
        arn_account = (parts[4] if len(parts) > 4 else "") or account
        if service == "secretsmanager":
            # arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME[:json-key[:version-stage[:version-id]]]
            base = ":".join(parts[:7])
            extra = [*parts[7:], "", "", ""]
            name = parts[6] if len(parts) > 6 else t
            return ValueFrom(
                text=t,
                service="secretsmanager",
                name=name,
                arn=base,
                region=arn_region,
                account=arn_account,
                json_key=extra[0] or None,
                version_stage=extra[1] or None,
                version_id=extra[2] or None,
                names=(name,),
                secret_id=base,
            )
        if service == "ssm":
            resource = ":".join(parts[5:])
            path = resource[len("parameter") :] if resource.startswith("parameter") else resource
            inner = path.lstrip("/")
            if "/" in inner:  # a hierarchy: parameter/app/db -> /app/db
                names: tuple[str, ...] = ("/" + inner,)
            else:  # parameter/db-pass is `db-pass` or `/db-pass`
                names = (inner, "/" + inner) if inner else (t,)
            return ValueFrom(t, "ssm", names[0], t, arn_region, arn_account, names=names, secret_id=names[0])
        return ValueFrom(t, service or "unknown", t, t, arn_region, arn_account, names=(t,), secret_id=t)
    if credentials:
        sm_arn = (
            f"arn:{partition_of(region)}:secretsmanager:{region}:{account}:secret:{t}" if region and account else None
        )
        return ValueFrom(t, "secretsmanager", t, sm_arn, region, account, names=(t,), secret_id=t)
    # A bare name is an SSM parameter name (a Secrets Manager secret in `secrets[]` needs its ARN).
    arn = ssm_parameter_arn(t, region, account) if region and account else None
    return ValueFrom(t, "ssm", t, arn, region, account, names=(t,), secret_id=t)


# --------------------------------------------------------------------------------------------------- KMS
def is_aws_managed_key(key: str | None) -> bool:
    """True when the key is AWS managed as far as the reference tells: no key (the service default, e.g.
    aws/secretsmanager, aws/ssm) or an `alias/aws/...` alias or alias ARN. A key id or key ARN is not
    (whether it is customer managed is known only from DescribeKey's KeyManager)."""
    if key is None or not str(key).strip():
        return True
    k = str(key).strip()
    if k.startswith("arn:"):
        resource = k.split(":", 5)[-1] if k.count(":") >= 5 else ""
        return resource.startswith("alias/aws/")
    return k.startswith("alias/aws/")
