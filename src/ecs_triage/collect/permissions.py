"""What the collectors call, declared once: operation -> IAM action, evidence kind -> IAM actions.

`ALLOWED_OPERATIONS` is the read-only allow-list the call recorder enforces (session.py), and the
source of the policy `ecs-triage iam-policy` prints. Keys are `botocore service name:Operation`.
Never listed, so never callable: GetSecretValue, GetParameter(s) (values), any Put/Create/Delete/Update.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

# botocore service name -> IAM action prefix (where they differ)
_IAM_PREFIX = {"elbv2": "elasticloadbalancing"}

# operation -> the evidence kinds it serves
_OPERATIONS: dict[str, tuple[str, ...]] = {
    "sts:GetCallerIdentity": ("account",),
    "ecs:ListClusters": ("clusters",),
    "ecs:DescribeClusters": ("clusters",),
    "ecs:ListServices": ("services",),
    "ecs:DescribeServices": ("services",),
    "ecs:ListTasks": ("tasks",),
    "ecs:DescribeTasks": ("tasks",),
    "ecs:DescribeTaskDefinition": ("task_definitions",),
    "ecs:ListContainerInstances": ("container_instances",),
    "ecs:DescribeContainerInstances": ("container_instances",),
    "ec2:DescribeInstances": ("ec2_instances",),
    "iam:GetInstanceProfile": ("instance_profiles",),
    "iam:GetRole": ("iam_roles",),
    "iam:ListAttachedRolePolicies": ("iam_roles",),
    "iam:ListRolePolicies": ("iam_roles",),
    "iam:GetRolePolicy": ("iam_roles",),
    "iam:GetPolicy": ("iam_roles",),
    "iam:GetPolicyVersion": ("iam_roles",),
    "iam:SimulatePrincipalPolicy": ("iam_simulations",),
    "ecr:DescribeRepositories": ("ecr_repositories",),
    "ecr:GetRepositoryPolicy": ("ecr_repositories",),
    "ecr:DescribeImages": ("ecr_images",),
    "ecr:BatchGetImage": ("ecr_images",),
    "secretsmanager:DescribeSecret": ("secrets",),
    "secretsmanager:GetResourcePolicy": ("secrets",),
    "ssm:DescribeParameters": ("ssm_parameters",),
    "kms:DescribeKey": ("kms_keys",),
    "kms:GetKeyPolicy": ("kms_keys",),
    "logs:DescribeLogGroups": ("log_groups",),
    "logs:GetLogEvents": ("log_events",),
    "elbv2:DescribeTargetGroups": ("target_groups",),
    "elbv2:DescribeTargetHealth": ("target_groups",),
    "elbv2:DescribeLoadBalancers": ("load_balancers",),
    "ec2:DescribeSubnets": ("subnets",),
    "ec2:DescribeRouteTables": ("route_tables",),
    "ec2:DescribeVpcs": ("vpcs",),
    "ec2:DescribeVpcAttribute": ("vpcs",),
    "ec2:DescribeVpcEndpoints": ("vpc_endpoints",),
    "ec2:DescribeSecurityGroups": ("security_groups",),
    "ec2:DescribeNetworkAcls": ("network_acls",),
    "ec2:DescribeNatGateways": ("nat_gateways",),
    "ec2:DescribeInternetGateways": ("internet_gateways",),
}

ALLOWED_OPERATIONS: frozenset[str] = frozenset(_OPERATIONS)

# Operations that must never be called, whatever the allow-list says (defence in depth).
FORBIDDEN_OPERATIONS: frozenset[str] = frozenset(
    {
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "kms:Decrypt",
        "ecr:GetDownloadUrlForLayer",
        "ecr:GetAuthorizationToken",
    }
)
assert not ALLOWED_OPERATIONS & FORBIDDEN_OPERATIONS


def iam_action(operation: str) -> str:
    """`elbv2:DescribeTargetGroups` -> `elasticloadbalancing:DescribeTargetGroups`."""
    service, _, name = operation.partition(":")
    return f"{_IAM_PREFIX.get(service, service)}:{name}"


OPERATION_ACTIONS: Mapping[str, str] = MappingProxyType({op: iam_action(op) for op in sorted(_OPERATIONS)})

KIND_ACTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        kind: tuple(sorted({iam_action(op) for op, kinds in _OPERATIONS.items() if kind in kinds}))
        for kind in sorted({k for kinds in _OPERATIONS.values() for k in kinds})
    }
)


def required_actions() -> list[str]:
    """Every IAM action the collectors may need, sorted."""
    return sorted(set(OPERATION_ACTIONS.values()))


def policy_document() -> dict[str, Any]:
    """The least-privilege, read-only identity policy ecs-triage needs."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EcsTriageReadOnly",
                "Effect": "Allow",
                "Action": required_actions(),
                "Resource": "*",
            }
        ],
    }


def policy_json() -> str:
    return json.dumps(policy_document(), indent=2)
