"""`iam.prove` over evidence: the simulator's answer when collected, else the local evaluator."""

from __future__ import annotations

from typing import Any

from ecs_triage import iam
from ecs_triage.evidence.parse import parse_snapshot

ROLE = "arn:aws:iam::123456789012:role/web-exec-role"
REPO = "arn:aws:ecr:us-east-1:123456789012:repository/web"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1a2b"


def role_item(attached: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "RoleArn": ROLE,
        "found": True,
        "Role": {"RoleName": "web-exec-role", "Arn": ROLE},
        "AttachedPolicies": attached
        if attached is not None
        else [
            {
                "PolicyArn": iam.EXECUTION_ROLE_POLICY_ARN,
                "PolicyName": "AmazonECSTaskExecutionRolePolicy",
                "Document": None,
            }
        ],
        "InlinePolicies": [],
        "PermissionsBoundary": None,
    }


def ev(**data: Any) -> Any:
    return parse_snapshot(
        {"schema": "ecs-triage.snapshot/v1", "region": "us-east-1", "account": "123456789012", "data": data}
    )


def test_local_evaluator_knows_the_managed_execution_policy() -> None:
    d = iam.prove(ev(iam_roles=[role_item()]), ROLE, "ecr:BatchGetImage", REPO)
    assert d.verdict == "allowed"
    assert d.method == iam.LOCAL
    assert d.statements == ("policy AmazonECSTaskExecutionRolePolicy statement 0",)
    refused = iam.prove(
        ev(iam_roles=[role_item()]),
        ROLE,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf",
    )
    assert refused.verdict == "implicit-deny"


def test_simulator_result_wins_and_says_so() -> None:
    sims = [
        {
            "principal": ROLE,
            "action": "ecr:BatchGetImage",
            "resource": REPO,
            "decision": "explicitDeny",
            "matched": ["guard-rail"],
        }
    ]
    d = iam.prove(ev(iam_roles=[role_item()], iam_simulations=sims), ROLE, "ecr:BatchGetImage", REPO)
    assert d.verdict == "denied"
    assert d.method == iam.SIMULATOR
    assert d.statements == ("guard-rail",)


def test_unknown_role_or_missing_role_is_uncertain() -> None:
    assert iam.prove(ev(iam_roles=[]), ROLE, "ecr:BatchGetImage", REPO).verdict == "uncertain"
    missing = {"RoleArn": ROLE, "found": False, "error_code": "NoSuchEntity"}
    assert iam.prove(ev(iam_roles=[missing]), ROLE, "ecr:BatchGetImage", REPO).verdict == "uncertain"


def test_repository_policy_from_the_evidence_is_applied() -> None:
    repo = {
        "repositoryName": "web",
        "registryId": "123456789012",
        "found": True,
        "repository": {"repositoryArn": REPO},
        "policy": {"Statement": [{"Effect": "Deny", "Principal": {"AWS": ROLE}, "Action": "ecr:BatchGetImage"}]},
    }
    d = iam.prove(ev(iam_roles=[role_item()], ecr_repositories=[repo]), ROLE, "ecr:BatchGetImage", REPO)
    assert d.verdict == "denied"
    assert d.statements == ("repository policy of web statement 0",)


def test_key_policy_applies_even_when_the_simulator_allows() -> None:
    key = {
        "keyId": KEY,
        "found": True,
        "metadata": {"KeyId": "1a2b", "Arn": KEY, "KeyManager": "CUSTOMER"},
        "policy": {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:role/admin"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ]
        },
    }
    sims = [
        {"principal": ROLE, "action": "kms:Decrypt", "resource": KEY, "decision": "allowed", "matched": ["decrypt"]}
    ]
    d = iam.prove(ev(iam_roles=[role_item()], iam_simulations=sims, kms_keys=[key]), ROLE, "kms:Decrypt", KEY)
    assert d.verdict == "implicit-deny"
    assert "key policy" in d.method


def test_uncollected_key_policy_is_uncertain() -> None:
    inline = [
        {
            "PolicyArn": "arn:aws:iam::123456789012:policy/decrypt",
            "PolicyName": "decrypt",
            "Document": {"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]},
        }
    ]
    d = iam.prove(ev(iam_roles=[role_item(inline)], kms_keys=[]), ROLE, "kms:Decrypt", KEY)
    assert d.verdict == "uncertain"


def test_cross_account_repository_policy_not_readable_is_uncertain() -> None:
    other = "arn:aws:ecr:us-east-1:999999999999:repository/shared"
    gaps = [
        {
            "kind": "ecr_repositories",
            "operation": "GetRepositoryPolicy",
            "error_code": "AccessDeniedException",
            "action": "ecr:GetRepositoryPolicy",
            "resource": "shared",
        }
    ]
    doc = {
        "schema": "ecs-triage.snapshot/v1",
        "region": "us-east-1",
        "account": "123456789012",
        "gaps": gaps,
        "data": {
            "iam_roles": [role_item()],
            "ecr_repositories": [
                {
                    "repositoryName": "shared",
                    "registryId": "999999999999",
                    "found": True,
                    "repository": {},
                    "policy": None,
                }
            ],
        },
    }
    d = iam.prove(parse_snapshot(doc), ROLE, "ecr:BatchGetImage", other)
    assert d.verdict == "uncertain"
    assert "not collected" in d.reason
    # readable and absent: a cross-account pull without a repository policy is refused
    doc["gaps"] = []
    assert iam.prove(parse_snapshot(doc), ROLE, "ecr:BatchGetImage", other).verdict == "implicit-deny"


def test_simulated_implicit_deny_but_key_policy_names_the_role() -> None:
    key = {
        "keyId": KEY,
        "found": True,
        "metadata": {"KeyId": "1a2b", "Arn": KEY, "KeyManager": "CUSTOMER"},
        "policy": {
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"}]
        },
    }
    sims = [{"principal": ROLE, "action": "kms:Decrypt", "resource": KEY, "decision": "implicitDeny", "matched": []}]
    d = iam.prove(ev(iam_roles=[role_item()], iam_simulations=sims, kms_keys=[key]), ROLE, "kms:Decrypt", KEY)
    assert d.verdict == "allowed"
    assert d.method.startswith(iam.SIMULATOR)


def test_simulation_missing_context_falls_back_to_local() -> None:
    sims = [
        {
            "principal": ROLE,
            "action": "ecr:BatchGetImage",
            "resource": REPO,
            "decision": "implicitDeny",
            "matched": [],
            "missing_context": ["aws:SourceIp"],
        }
    ]
    d = iam.prove(ev(iam_roles=[role_item()], iam_simulations=sims), ROLE, "ecr:BatchGetImage", REPO)
    assert d.verdict == "allowed" and d.method == iam.LOCAL


def test_simulated_as_alias() -> None:
    group = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web"
    sims = [
        {
            "principal": ROLE,
            "action": "logs:PutLogEvents",
            "resource": group + ":*",
            "decision": "implicitDeny",
            "matched": [],
        }
    ]
    e = ev(iam_roles=[role_item()], iam_simulations=sims)
    stream = group + ":log-stream:ecs/app/1"
    assert iam.prove(e, ROLE, "logs:PutLogEvents", stream).method == iam.LOCAL
    d = iam.prove(e, ROLE, "logs:PutLogEvents", stream, simulated_as=(group + ":*",))
    assert d.verdict == "implicit-deny" and d.method == iam.SIMULATOR


def test_incomplete_role_never_concludes_a_deny() -> None:
    item = {**role_item([]), "complete": False}
    d = iam.prove(ev(iam_roles=[item]), ROLE, "ecr:BatchGetImage", REPO)
    assert d.verdict == "uncertain"
    assert "could not be read" in d.reason


def _secret_doc(gaps: list[dict], secrets: list[dict], sims: list[dict] | None = None) -> dict:
    return {
        "schema": "ecs-triage.snapshot/v1",
        "region": "us-east-1",
        "account": "123456789012",
        "gaps": gaps,
        "data": {"iam_roles": [role_item()], "secrets": secrets, "iam_simulations": sims or []},
    }


def test_same_account_secret_policy_gap_is_uncertain() -> None:
    """Review item 12: a same-account secret's policy alone can grant GetSecretValue; when the secret's
    data is a gap, a refusal by the identity policies is not proof."""
    secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
    gap = {
        "kind": "secrets",
        "operation": "DescribeSecret",
        "error_code": "AccessDeniedException",
        "action": "secretsmanager:DescribeSecret",
        "resource": secret,
    }
    action = "secretsmanager:GetSecretValue"
    # no view at all (the collector's item is absent), DescribeSecret denied
    d = iam.prove(parse_snapshot(_secret_doc([gap], [])), ROLE, action, secret)
    assert d.verdict == "uncertain"
    # the view says access denied
    denied = {"reference": secret, "secretId": secret, "found": False, "error_code": "AccessDeniedException"}
    assert iam.prove(parse_snapshot(_secret_doc([], [dict(denied, secret=None)])), ROLE, action, secret).verdict == (
        "uncertain"
    )
    # the simulator's implicit deny (identity side only) does not settle it either
    sims = [{"principal": ROLE, "action": action, "resource": secret, "decision": "implicitDeny", "matched": []}]
    d = iam.prove(parse_snapshot(_secret_doc([gap], [], sims)), ROLE, action, secret)
    assert d.verdict == "uncertain" and "could not be read" in d.reason
    # described, readable, no policy: the identity policies decide (they grant nothing here)
    found = {"reference": secret, "secretId": secret, "found": True, "secret": {"ARN": secret, "Name": "db"}}
    assert iam.prove(parse_snapshot(_secret_doc([], [found])), ROLE, action, secret).verdict == "implicit-deny"
    # no gap and no view: nothing suggests a policy
    assert iam.prove(parse_snapshot(_secret_doc([], [])), ROLE, action, secret).verdict == "implicit-deny"


def test_partitions_outside_aws() -> None:
    """Review item 11: ARNs in the aws-cn / aws-us-gov partitions."""
    assert iam.execution_role_policy_arn("cn-north-1") == (
        "arn:aws-cn:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    )
    assert iam.execution_role_policy_arn("us-east-1") == iam.EXECUTION_ROLE_POLICY_ARN
    # an account-root principal in another partition grants like in aws
    role = "arn:aws-cn:iam::123456789012:role/exec"
    key = "arn:aws-cn:kms:cn-north-1:123456789012:key/1a2b"
    policy = iam.NamedPolicy(
        "p",
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws-cn:iam::123456789012:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ]
        },
    )
    # the key policy delegates to the account's IAM policies only through the root principal
    allow = iam.NamedPolicy("id", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    d = iam.evaluate("kms:Decrypt", key, role, identity=[allow], resource_policy=policy, key_policy=True)
    assert d.verdict == "allowed"
