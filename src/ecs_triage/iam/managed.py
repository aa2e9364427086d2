"""Documents of AWS managed policies that ECS roles commonly attach, for when only the ARN was collected.

Kept to the statements that matter for starting a task; an attached managed policy that is not listed here
and whose document was not collected makes a decision `uncertain`, never `allowed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecs_triage.evidence.refs import partition_of

_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def _doc(*statements: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


MANAGED: dict[str, Mapping[str, Any]] = {
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy": _doc(
        {
            "Effect": "Allow",
            "Action": ["ecr:GetAuthorizationToken", *_PULL, "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ),
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role": _doc(
        {
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeTags",
                "ecs:CreateCluster",
                "ecs:DeregisterContainerInstance",
                "ecs:DiscoverPollEndpoint",
                "ecs:Poll",
                "ecs:RegisterContainerInstance",
                "ecs:StartTelemetrySession",
                "ecs:UpdateContainerInstancesState",
                "ecs:Submit*",
                "ecr:GetAuthorizationToken",
                *_PULL,
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ),
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly": _doc(
        {
            "Effect": "Allow",
            "Action": [
                "ecr:GetAuthorizationToken",
                *_PULL,
                "ecr:GetRepositoryPolicy",
                "ecr:DescribeRepositories",
                "ecr:ListImages",
                "ecr:DescribeImages",
                "ecr:GetLifecyclePolicy",
                "ecr:GetLifecyclePolicyPreview",
                "ecr:ListTagsForResource",
                "ecr:DescribeImageScanFindings",
            ],
            "Resource": "*",
        }
    ),
    "arn:aws:iam::aws:policy/AdministratorAccess": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess": _doc(
        {"Effect": "Allow", "Action": ["logs:*", "cloudwatch:GenerateQuery"], "Resource": "*"}
    ),
    "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess": _doc(
        {"Effect": "Allow", "Action": ["ssm:Describe*", "ssm:Get*", "ssm:List*"], "Resource": "*"}
    ),
    "arn:aws:iam::aws:policy/SecretsManagerReadWrite": _doc(
        {"Effect": "Allow", "Action": ["secretsmanager:*"], "Resource": "*"}
    ),
}

EXECUTION_ROLE_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def execution_role_policy_arn(region: str | None) -> str:
    """AmazonECSTaskExecutionRolePolicy in the region's partition (`arn:aws-cn:iam::aws:policy/...` in China)."""
    return EXECUTION_ROLE_POLICY_ARN.replace("arn:aws:", f"arn:{partition_of(region)}:", 1)


def managed_document(arn: str | None) -> Mapping[str, Any] | None:
    """The document of a known AWS managed policy (any partition), else None."""
    if not arn:
        return None
    parts = arn.split(":", 2)
    if len(parts) == 3:
        arn = "arn:aws:" + parts[2]
    return MANAGED.get(arn)
