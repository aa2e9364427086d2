"""IAM: roles (trust, attached + inline policies, permission boundary), instance profiles, simulation."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from ecs_triage.collect.session import AwsSession, Sink, one_line

ROLE_NOT_FOUND = "NoSuchEntity"


def decode_policy(doc: Any) -> Any:
    """IAM returns URL-encoded JSON; botocore usually decodes it already. Always give a JSON object."""
    if isinstance(doc, str):
        for text in (doc, unquote(doc)):
            try:
                return json.loads(text)
            except ValueError:
                continue
        return {"__unparsed__": doc}
    return doc


def role_name(arn: str) -> str:
    """arn:aws:iam::1:role/path/name -> name (a bare name stays as is)."""
    return arn.rsplit("/", 1)[-1] if arn.startswith("arn:") else arn


def _policy(sess: AwsSession, sink: Sink, arn: str, resource: str) -> dict | None:
    """A managed policy's default version document, once per policy ARN."""

    def fetch(sub: Sink) -> dict | None:
        resp, _ = sess.call(sub, "iam_roles", "iam", "GetPolicy", arn, PolicyArn=arn)
        if resp is None:
            return None
        version = resp["Policy"].get("DefaultVersionId")
        ver, _ = sess.call(sub, "iam_roles", "iam", "GetPolicyVersion", arn, PolicyArn=arn, VersionId=version)
        if ver is None:
            return None
        return {
            "PolicyArn": arn,
            "PolicyName": resp["Policy"].get("PolicyName"),
            "Document": decode_policy(ver["PolicyVersion"].get("Document")),
        }

    return sess.once(sink, ("policy", arn), fetch)


def role(sess: AwsSession, sink: Sink, arn: str) -> dict | None:
    """The `iam_roles` item of one role, fetched once per role ARN."""

    def fetch(sub: Sink) -> dict | None:
        name = role_name(arn)
        item: dict[str, Any] = {
            "RoleArn": arn,
            "found": False,
            "Role": None,
            "AttachedPolicies": [],
            "InlinePolicies": [],
            "PermissionsBoundary": None,
            "complete": True,
        }

        def get_role() -> None:
            resp, code = sess.call(sub, "iam_roles", "iam", "GetRole", arn, expected=(ROLE_NOT_FOUND,), RoleName=name)
            if resp is None:
                item["complete"] = False
                item["found"] = False if code == ROLE_NOT_FOUND else None
                if code == ROLE_NOT_FOUND:
                    item["complete"] = True
                return
            r = resp["Role"]
            r["AssumeRolePolicyDocument"] = decode_policy(r.get("AssumeRolePolicyDocument"))
            item["Role"] = r
            item["found"] = True
            boundary = (r.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            if boundary:
                pol = _policy(sess, sub, boundary, arn)
                if pol is None:
                    item["complete"] = False
                item["PermissionsBoundary"] = {"PolicyArn": boundary, "Document": pol["Document"] if pol else None}

        def attached() -> None:
            listed, code = sess.paginate(
                sub,
                "iam_roles",
                "iam",
                "ListAttachedRolePolicies",
                arn,
                "AttachedPolicies",
                expected=(ROLE_NOT_FOUND,),
                RoleName=name,
            )
            if listed is None:
                item["complete"] = item["complete"] and code == ROLE_NOT_FOUND
                return
            docs = sess.pmap(lambda p: _policy(sess, sub, p["PolicyArn"], arn), listed)
            for p, doc in zip(listed, docs):
                if doc is None:
                    item["complete"] = False
                item["AttachedPolicies"].append(
                    {
                        "PolicyArn": p["PolicyArn"],
                        "PolicyName": p.get("PolicyName"),
                        "Document": doc and doc["Document"],
                    }
                )

        def inline() -> None:
            names, code = sess.paginate(
                sub,
                "iam_roles",
                "iam",
                "ListRolePolicies",
                arn,
                "PolicyNames",
                expected=(ROLE_NOT_FOUND,),
                RoleName=name,
            )
            if names is None:
                item["complete"] = item["complete"] and code == ROLE_NOT_FOUND
                return

            def get(pname: str) -> dict:
                resp, _ = sess.call(sub, "iam_roles", "iam", "GetRolePolicy", arn, RoleName=name, PolicyName=pname)
                if resp is None:
                    item["complete"] = False
                    return {"PolicyName": pname, "Document": None}
                return {"PolicyName": pname, "Document": decode_policy(resp.get("PolicyDocument"))}

            item["InlinePolicies"].extend(sess.pmap(get, names))

        sess.parallel([get_role, attached, inline])
        if item["found"] is None:
            return None  # GetRole failed (a gap): existence unknown, so no item rather than found=false
        if not item["found"]:
            item["AttachedPolicies"], item["InlinePolicies"] = [], []
        return item

    return sess.once(sink, ("role", arn), fetch)


def instance_profile(sess: AwsSession, sink: Sink, arn: str) -> dict | None:
    def fetch(sub: Sink) -> dict | None:
        resp, _ = sess.call(
            sub,
            "instance_profiles",
            "iam",
            "GetInstanceProfile",
            arn,
            expected=(ROLE_NOT_FOUND,),
            InstanceProfileName=role_name(arn),
        )
        if resp is None:
            return None
        profile: dict = resp["InstanceProfile"]
        for r in profile.get("Roles") or []:
            r["AssumeRolePolicyDocument"] = decode_policy(r.get("AssumeRolePolicyDocument"))
        return profile

    return sess.once(sink, ("instance_profile", arn), fetch)


def simulate(sess: AwsSession, sink: Sink, principal: str, pairs: list[tuple[str, str]]) -> list[dict] | None:
    """Ask IAM's own evaluator: one SimulatePrincipalPolicy per resource with its actions.

    Returns the `iam_simulations` items, or None when simulation is not available to this caller
    (AccessDenied, not implemented by the endpoint...): the local evaluator is used then, so the
    failure is recorded in the snapshot's `extra` by the caller, not as a gap."""
    if not pairs:
        return []
    by_resource: dict[str, list[str]] = {}
    for action, resource in pairs:
        actions = by_resource.setdefault(resource, [])
        if action not in actions:
            actions.append(action)
    key = ("simulate", principal, tuple(sorted((r, tuple(a)) for r, a in by_resource.items())))

    def one(sub: Sink, resource: str, actions: list[str]) -> list[dict]:
        client = sess.client("iam", retries=False)
        out: list[dict] = []
        params: dict[str, Any] = {"PolicySourceArn": principal, "ActionNames": actions}
        if resource != "*":
            params["ResourceArns"] = [resource]
        while True:
            resp = sess._invoke(sub, lambda: client.simulate_principal_policy(**params))
            for res in resp.get("EvaluationResults") or []:
                out.append(
                    {
                        "principal": principal,
                        "action": res.get("EvalActionName"),
                        "resource": res.get("EvalResourceName") or resource,
                        "decision": res.get("EvalDecision"),
                        "matched": [m.get("SourcePolicyId") for m in res.get("MatchedStatements") or []],
                        "missing_context": res.get("MissingContextValues") or [],
                    }
                )
            if not resp.get("IsTruncated"):
                return out
            params["Marker"] = resp["Marker"]

    def fetch(sub: Sink) -> list[dict] | None:
        items = list(by_resource.items())
        try:  # the first call tells whether simulation is available at all
            first = one(sub, *items[0])
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code") if hasattr(exc, "response") else None
            sess.extra["iam_simulation"] = {
                "available": False,
                "error_code": code or type(exc).__name__,
                "message": one_line(exc, 200),
                "evaluator": "local",
            }
            return None
        try:
            rest = sess.pmap(lambda kv: one(sub, *kv), items[1:])
        except Exception as exc:
            sess.extra["iam_simulation"] = {
                "available": False,
                "error_code": type(exc).__name__,
                "message": one_line(exc, 200),
                "evaluator": "local",
            }
            return None
        sess.extra["iam_simulation"] = {"available": True, "evaluator": "iam:SimulatePrincipalPolicy"}
        return first + [r for chunk in rest for r in chunk]

    return sess.once(sink, key, fetch)
