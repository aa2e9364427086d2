"""Semantics of the local IAM evaluator."""

from __future__ import annotations

from typing import Any

from ecs_triage.iam import NamedPolicy, evaluate, evaluate_trust, wildcard_match

ROLE = "arn:aws:iam::123456789012:role/exec-role"
REPO = "arn:aws:ecr:us-east-1:123456789012:repository/web"
OTHER_REPO = "arn:aws:ecr:us-east-1:999999999999:repository/shared"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def pol(name: str, *statements: dict[str, Any]) -> NamedPolicy:
    return NamedPolicy(name, {"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_PULL = pol("pull", {"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": REPO})


def test_allow_names_the_statement() -> None:
    d = evaluate("ecr:BatchGetImage", REPO, ROLE, identity=[ALLOW_PULL])
    assert d.verdict == "allowed"
    assert d.statements == ("policy pull statement 0",)


def test_no_statement_is_an_implicit_deny() -> None:
    d = evaluate("ecr:GetDownloadUrlForLayer", REPO, ROLE, identity=[ALLOW_PULL])
    assert d.verdict == "implicit-deny"
    assert "ecr:GetDownloadUrlForLayer" in d.reason


def test_explicit_deny_wins_over_allow() -> None:
    deny = pol("guard", {"Sid": "NoEcr", "Effect": "Deny", "Action": "ecr:*", "Resource": "*"})
    d = evaluate("ecr:BatchGetImage", REPO, ROLE, identity=[ALLOW_PULL, deny])
    assert d.verdict == "denied"
    assert d.statements == ("policy guard statement 0 (NoEcr)",)


def test_actions_are_case_insensitive_and_wildcards_work() -> None:
    p = pol(
        "p",
        {"Effect": "Allow", "Action": "ECR:batch*", "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/w?b"},
    )
    assert evaluate("ecr:BatchGetImage", REPO, ROLE, identity=[p]).verdict == "allowed"
    assert evaluate("ecr:BatchGetImage", REPO + "x", ROLE, identity=[p]).verdict == "implicit-deny"
    assert wildcard_match("a*c", "abbbc") and not wildcard_match("a?c", "abbc")


def test_resources_are_case_sensitive() -> None:
    p = pol("p", {"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": REPO.upper()})
    assert evaluate("ecr:BatchGetImage", REPO, ROLE, identity=[p]).verdict == "implicit-deny"


def test_not_action_and_not_resource() -> None:
    p = pol("p", {"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:ecr:*:*:repository/secret-*"})
    assert evaluate("ecr:BatchGetImage", REPO, ROLE, identity=[p]).verdict == "allowed"
    assert evaluate("iam:PassRole", REPO, ROLE, identity=[p]).verdict == "implicit-deny"
    secret_repo = "arn:aws:ecr:us-east-1:123456789012:repository/secret-app"
    assert evaluate("ecr:BatchGetImage", secret_repo, ROLE, identity=[p]).verdict == "implicit-deny"


def test_boundary_intersects() -> None:
    broad = pol("admin", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    boundary = pol("b", {"Effect": "Allow", "Action": "logs:*", "Resource": "*"})
    d = evaluate("ecr:BatchGetImage", REPO, ROLE, identity=[broad], boundary=boundary)
    assert d.verdict == "implicit-deny"
    assert "boundary" in d.reason
    assert evaluate("logs:PutLogEvents", "*", ROLE, identity=[broad], boundary=boundary).verdict == "allowed"


def test_undecidable_condition_is_uncertain_never_allowed() -> None:
    p = pol(
        "p",
        {
            "Effect": "Allow",
            "Action": "ecr:BatchGetImage",
            "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        },
    )
    d = evaluate("ecr:BatchGetImage", REPO, ROLE, identity=[p])
    assert d.verdict == "uncertain"
    assert "aws:SourceIp" in d.reason


def test_condition_decided_from_context() -> None:
    p = pol(
        "p",
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}},
        },
    )
    ok = evaluate(
        "kms:Decrypt", "*", ROLE, identity=[p], context={"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
    )
    assert ok.verdict == "allowed"
    no = evaluate("kms:Decrypt", "*", ROLE, identity=[p], context={"kms:ViaService": "ssm.us-east-1.amazonaws.com"})
    assert no.verdict == "implicit-deny"


def test_conditional_deny_makes_an_allow_uncertain() -> None:
    deny = pol(
        "d",
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "300"}},
        },
    )
    assert evaluate("ecr:BatchGetImage", REPO, ROLE, identity=[ALLOW_PULL, deny]).verdict == "uncertain"


def test_resource_policy_deny_wins() -> None:
    repo_policy = NamedPolicy(
        "web", {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ecr:*"}]}, "repository policy of web"
    )
    d = evaluate("ecr:BatchGetImage", REPO, ROLE, identity=[ALLOW_PULL], resource_policy=repo_policy)
    assert d.verdict == "denied"
    assert d.statements == ("repository policy of web statement 0",)


def test_same_account_resource_policy_alone_allows() -> None:
    repo_policy = NamedPolicy(
        "web", {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "ecr:BatchGetImage"}]}
    )
    assert evaluate("ecr:BatchGetImage", REPO, ROLE, resource_policy=repo_policy).verdict == "allowed"


def test_cross_account_needs_resource_policy_and_identity() -> None:
    allow_all = pol("p", {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"})
    d = evaluate("ecr:BatchGetImage", OTHER_REPO, ROLE, identity=[allow_all])
    assert d.verdict == "implicit-deny"
    assert "cross-account" in d.reason
    account_grant = NamedPolicy(
        "shared",
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                    "Action": "ecr:BatchGetImage",
                }
            ]
        },
    )
    assert (
        evaluate("ecr:BatchGetImage", OTHER_REPO, ROLE, identity=[allow_all], resource_policy=account_grant).verdict
        == "allowed"
    )
    assert evaluate("ecr:BatchGetImage", OTHER_REPO, ROLE, resource_policy=account_grant).verdict == "implicit-deny"


def test_kms_key_policy_must_allow() -> None:
    allow = pol("p", {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY})
    no_delegation = NamedPolicy(
        "k",
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:role/admin"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ]
        },
        "key policy of k",
    )
    d = evaluate("kms:Decrypt", KEY, ROLE, identity=[allow], resource_policy=no_delegation, key_policy=True)
    assert d.verdict == "implicit-deny"
    assert "neither allows" in d.reason
    root = NamedPolicy(
        "k",
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ]
        },
    )
    assert (
        evaluate("kms:Decrypt", KEY, ROLE, identity=[allow], resource_policy=root, key_policy=True).verdict == "allowed"
    )
    # delegation alone is not enough: the identity policy must allow too
    assert (
        evaluate("kms:Decrypt", KEY, ROLE, identity=[], resource_policy=root, key_policy=True).verdict
        == "implicit-deny"
    )
    direct = NamedPolicy(
        "k", {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"}]}
    )
    assert evaluate("kms:Decrypt", KEY, ROLE, identity=[], resource_policy=direct, key_policy=True).verdict == "allowed"


def test_uncollected_document_is_uncertain_not_denied() -> None:
    d = evaluate("ecr:BatchGetImage", REPO, ROLE, identity=[NamedPolicy("custom", None)])
    assert d.verdict == "uncertain"
    assert "not collected" in d.reason


def test_trust_policy() -> None:
    good = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]
    }
    bad = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    assert evaluate_trust(good, "ecs-tasks.amazonaws.com", ROLE).verdict == "allowed"
    assert evaluate_trust(bad, "ecs-tasks.amazonaws.com", ROLE).verdict == "implicit-deny"
    conditional = {
        "Statement": [{**good["Statement"][0], "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]
    }
    assert (
        evaluate_trust(conditional, "ecs-tasks.amazonaws.com", ROLE, {"aws:SourceAccount": "123456789012"}).verdict
        == "allowed"
    )
    assert evaluate_trust(conditional, "ecs-tasks.amazonaws.com", ROLE).verdict == "uncertain"
