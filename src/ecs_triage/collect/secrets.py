"""Secrets Manager, SSM Parameter Store and KMS: describe only, never a value.

Allowed: DescribeSecret, GetResourcePolicy, DescribeParameters, DescribeKey, GetKeyPolicy.
GetSecretValue and GetParameter(s) are outside the allow-list; the call recorder refuses them.
"""

from __future__ import annotations

import json
from typing import Any

from ecs_triage.collect.session import AwsSession, Sink

AWS_MANAGED_ALIASES = ("alias/aws/",)


def parse_reference(value_from: str, default_region: str, account: str | None, kind: str) -> dict[str, str]:
    """A `valueFrom` / `credentialsParameter` -> {"service", "id", "region", "arn"}.

    `kind` is "secrets" (a task secret: bare name = SSM parameter) or "credentials"
    (repositoryCredentials: bare name = Secrets Manager secret)."""
    ref = value_from.strip()
    if ref.startswith("arn:"):
        parts = ref.split(":")
        service = parts[2] if len(parts) > 2 else ""
        region = parts[3] if len(parts) > 3 and parts[3] else default_region
        if service == "secretsmanager":
            arn = ":".join(parts[:7])  # drop :json-key:version-stage:version-id
            return {"service": "secretsmanager", "id": arn, "region": region, "arn": arn}
        if service == "ssm":
            rest = ":".join(parts[5:])
            path = rest[len("parameter") :] if rest.startswith("parameter") else rest
            name = path[1:] if path.count("/") == 1 else path  # parameter/name vs parameter/a/b -> /a/b
            return {"service": "ssm", "id": name, "region": region, "arn": ref}
        return {"service": service or "unknown", "id": ref, "region": region, "arn": ref}
    acct = account or "*"
    if kind == "credentials":
        arn = f"arn:aws:secretsmanager:{default_region}:{acct}:secret:{ref}"
        return {"service": "secretsmanager", "id": ref, "region": default_region, "arn": arn}
    name = ref
    arn = f"arn:aws:ssm:{default_region}:{acct}:parameter{name if name.startswith('/') else '/' + name}"
    return {"service": "ssm", "id": name, "region": default_region, "arn": arn}


def _decode(text: Any) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return {"__unparsed__": text}


def secret(sess: AwsSession, sink: Sink, reference: str, ref: dict[str, str]) -> dict | None:
    def fetch(sub: Sink) -> dict | None:
        item: dict[str, Any] = {
            "reference": reference,
            "secretId": ref["id"],
            "region": ref["region"],
            "found": False,
            "secret": None,
            "error_code": None,
            "resource_policy": None,
        }

        def describe() -> bool:
            resp, code = sess.call(
                sub,
                "secrets",
                "secretsmanager",
                "DescribeSecret",
                ref["id"],
                region=ref["region"],
                expected=("ResourceNotFoundException",),
                SecretId=ref["id"],
            )
            item["error_code"] = code
            if resp is None:
                return code == "ResourceNotFoundException"
            item["found"] = True
            item["secret"] = resp
            return True

        def policy() -> None:
            resp, _ = sess.call(
                sub,
                "secrets",
                "secretsmanager",
                "GetResourcePolicy",
                ref["id"],
                region=ref["region"],
                expected=("ResourceNotFoundException",),
                SecretId=ref["id"],
            )
            if resp is not None:
                item["resource_policy"] = _decode(resp.get("ResourcePolicy"))

        ok, _ = sess.parallel([describe, policy])
        return item if ok else None

    return sess.once(sink, ("secret", ref["region"], ref["id"], reference), fetch)


def parameter(sess: AwsSession, sink: Sink, reference: str, ref: dict[str, str]) -> dict | None:
    def fetch(sub: Sink) -> dict | None:
        params, _ = sess.paginate(
            sub,
            "ssm_parameters",
            "ssm",
            "DescribeParameters",
            ref["id"],
            "Parameters",
            region=ref["region"],
            ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [ref["id"]]}],
        )
        if params is None:
            return None
        return {
            "reference": reference,
            "name": ref["id"],
            "region": ref["region"],
            "found": bool(params),
            "parameter": params[0] if params else None,
            "error_code": None if params else "ParameterNotFound",
        }

    return sess.once(sink, ("parameter", ref["region"], ref["id"], reference), fetch)


def is_customer_key(key_id: str | None) -> bool:
    return bool(key_id) and not any(str(key_id).startswith(p) for p in AWS_MANAGED_ALIASES)


def kms_key(sess: AwsSession, sink: Sink, key_id: str, region: str) -> dict | None:
    def fetch(sub: Sink) -> dict | None:
        resp, code = sess.call(
            sub, "kms_keys", "kms", "DescribeKey", key_id, region=region, expected=("NotFoundException",), KeyId=key_id
        )
        item: dict[str, Any] = {"keyId": key_id, "region": region, "found": False, "metadata": None, "policy": None}
        if resp is None:
            return item if code == "NotFoundException" else None
        meta = resp.get("KeyMetadata") or {}
        item["found"] = True
        item["metadata"] = meta
        if meta.get("KeyManager") == "CUSTOMER":
            pol, _ = sess.call(
                sub,
                "kms_keys",
                "kms",
                "GetKeyPolicy",
                meta.get("Arn") or key_id,
                region=region,
                KeyId=meta.get("KeyId") or key_id,
                PolicyName="default",
            )
            if pol is not None:
                item["policy"] = _decode(pol.get("Policy"))
        return item

    return sess.once(sink, ("kms", region, key_id), fetch)
