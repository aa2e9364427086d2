"""IAM proof: a small local policy evaluator and `prove` (AWS's simulator results when collected, else local).

from ecs_triage import iam
d = iam.prove(ev, role_arn, "ecr:BatchGetImage", repository_arn)
d.verdict  # "allowed" | "denied" | "implicit-deny" | "uncertain"
d.reason, d.statements, d.method  # "iam:SimulatePrincipalPolicy" or "local evaluator"
"""

from __future__ import annotations

from ecs_triage.iam.evaluator import Decision, NamedPolicy, evaluate, evaluate_trust, statements_of, wildcard_match
from ecs_triage.iam.managed import EXECUTION_ROLE_POLICY_ARN, MANAGED, execution_role_policy_arn, managed_document
from ecs_triage.iam.prove import LOCAL, SIMULATOR, identity_policies, prove, resource_policy_for

__all__ = [
    "EXECUTION_ROLE_POLICY_ARN",
    "LOCAL",
    "MANAGED",
    "SIMULATOR",
    "Decision",
    "NamedPolicy",
    "evaluate",
    "evaluate_trust",
    "execution_role_policy_arn",
    "identity_policies",
    "managed_document",
    "prove",
    "resource_policy_for",
    "statements_of",
    "wildcard_match",
]
