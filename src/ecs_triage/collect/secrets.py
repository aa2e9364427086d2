"""Secrets Manager, SSM Parameter Store and KMS: describe only, never a value.

Allowed: DescribeSecret, GetResourcePolicy, DescribeParameters, DescribeKey, GetKeyPolicy.
GetSecretValue and GetParameter(s) are outside the allow-list; the call recorder refuses them.
"""

from __future__ import annotations

import json
from typing import Any

from ecs_triage.collect.session import AwsSession, Sink
from ecs_triage.evidence import refs


def parse_reference(value_from: str, default_region: str, account: str | None, kind: str) -> dict[str, str]:
    """A `valueFrom` / `credentialsParameter` -> {"service", "id", "region", "arn"} (`evidence.refs` parses).

    `kind` is "secrets" (a task secret: bare name = SSM parameter) or "credentials"
    (repositoryCredentials: bare name = Secrets Manager secret). `id` is what DescribeSecret takes, or the
    SSM parameter name (`refs.ValueFrom.name`: the name the evidence views give too). With the account
    unknown, a name-only reference's ARN carries `*` as the account."""
    ref = refs.parse_value_from(value_from, default_region, account or "*", credentials=kind == "credentials")
    region = ref.region or default_region
    return {"service": ref.service, "id": ref.secret_id or ref.name, "region": region, "arn": ref.arn or ref.text}


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
    """DescribeParameters for every name the reference can mean: `arn:...:parameter/db-pass` is the parameter
    `db-pass` or `/db-pass` (`refs.ValueFrom.names`). The item's `name` is the parameter found (the first
    candidate when several exist), else the reference's name."""
    names = [n for n in refs.parse_value_from(reference).names if n] if reference.startswith("arn:") else []
    if ref["id"] not in names:
        names.insert(0, ref["id"])

    def fetch(sub: Sink) -> dict | None:
        params, _ = sess.paginate(
            sub,
            "ssm_parameters",
            "ssm",
            "DescribeParameters",
            ref["id"],
            "Parameters",
            region=ref["region"],
            ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": names}],
        )
        if params is None:
            return None
        by_name = {p.get("Name"): p for p in params if isinstance(p, dict)}
        found = next((by_name[n] for n in names if n in by_name), params[0] if params else None)
        return {
            "reference": reference,
            "name": (found or {}).get("Name") or ref["id"],
            "region": ref["region"],
            "found": found is not None,
            "parameter": found,
            "error_code": None if found is not None else "ParameterNotFound",
        }

    return sess.once(sink, ("parameter", ref["region"], ref["id"], reference), fetch)


def is_customer_key(key_id: str | None) -> bool:
    """A key worth describing: named, and not an `alias/aws/...` AWS managed key (`refs.is_aws_managed_key`)."""
    return not refs.is_aws_managed_key(key_id)


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
