"""Reports built by hand for the renderer tests: a diagnose report with a root cause, folded symptoms,
other findings, outcomes of every status, gaps and notes; a lint report with file locations; a clean one."""

from __future__ import annotations

import pytest

from ecs_triage.checks._api import EvidenceRef
from ecs_triage.fixes import Fix, aws_cli
from ecs_triage.report import Finding, Location, Outcome, Report, fingerprint

ROLE_ARN = "arn:aws:iam::123456789012:role/web-exec"
TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/prod/0f1e2d3c4b5a"
REPO_ARN = "arn:aws:ecr:us-east-1:123456789012:repository/web"
PULL_REASON = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2: pulling from host "
    "123456789012.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests 1.4.2]: 403 Forbidden"
)
LONG_POLICY_CMD = aws_cli(
    "iam",
    "put-role-policy",
    role_name="web-exec",
    policy_name="ecs-triage-ecr-pull",
    policy_document={
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                "Resource": REPO_ARN,
            },
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        ],
    },
)
RESTART_CMD = "aws ecs update-service --cluster prod --service web --force-new-deployment"
SNIPPET = {
    "Effect": "Allow",
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    "Resource": REPO_ARN,
}


def _finding(
    check: str, slug: str, title: str, cause: str, severity: str, conf: float, resource: str, message: str, **kw: object
) -> Finding:
    return Finding(
        check=check,
        slug=slug,
        title=title,
        cause=cause,
        severity=severity,  # type: ignore[arg-type]
        confidence=conf,
        resource=resource,
        message=message,
        evidence=kw.pop("evidence", ()),  # type: ignore[arg-type]
        fix=kw.pop("fix", None),  # type: ignore[arg-type]
        fingerprint=fingerprint(check, resource, cause),
        docs_url=f"https://github.com/ecs-triage/ecs-triage/blob/main/docs/checks/{check}.md",
        **kw,  # type: ignore[arg-type]
    )


def diagnose_report() -> Report:
    symptom = _finding(
        "ET201",
        "service-tasks-failing",
        "Service tasks keep failing to start",
        "ecr-pull-permission",
        "warning",
        0.6,
        "service prod/web",
        "5 tasks stopped in the last hour with the same pull error",
        evidence=(EvidenceRef("service prod/web", "/events/0/message", "(service web) failed to launch a task"),),
    )
    root = _finding(
        "ET101",
        "image-pull-auth",
        "Execution role cannot pull the image",
        "ecr-pull-permission",
        "error",
        0.97,
        TASK_ARN,
        "The execution role web-exec is not allowed ecr:BatchGetImage on repository web, so the image "
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2 could not be pulled.",
        evidence=(
            EvidenceRef(TASK_ARN, "/containers/0/reason", PULL_REASON),
            EvidenceRef(TASK_ARN, "/stopCode", "TaskFailedToStart"),
            EvidenceRef(
                ROLE_ARN,
                "/simulation/ecr:BatchGetImage",
                "implicitDeny",
                note="no statement allows it; evaluated locally",
            ),
        ),
        fix=Fix(
            summary="Allow the execution role web-exec to pull from repository web",
            steps=(
                "Attach the statement below to the execution role web-exec.",
                "Start a new deployment so the service retries the pull.",
            ),
            commands=(LONG_POLICY_CMD, RESTART_CMD),
            snippet=SNIPPET,
            snippet_title="IAM statement for web-exec",
            risk="safe",
        ),
        related=(symptom,),
        signature="pull.ecr.access-denied",
    )
    other = _finding(
        "ET303",
        "health-check-grace",
        "Grace period shorter than the app's warm-up",
        "elb-health-check-grace",
        "warning",
        0.7,
        "service prod/web",
        "healthCheckGracePeriodSeconds is 0 but the app needs about 45 s before it answers",
        evidence=(EvidenceRef("service prod/web", "/healthCheckGracePeriodSeconds", 0),),
        fix=Fix(
            summary="Set healthCheckGracePeriodSeconds to 60 on service web",
            commands=("aws ecs update-service --cluster prod --service web --health-check-grace-period-seconds 60",),
        ),
    )
    info = _finding(
        "ET402",
        "same-exec-and-task-role",
        "Execution role and task role are the same role",
        "config-role",
        "info",
        0.5,
        "taskdef web:7",
        "executionRoleArn and taskRoleArn are both web-exec",
    )
    outcomes = (
        Outcome("ET101", "image-pull-auth", "Execution role cannot pull the image", "failed", findings=1),
        Outcome("ET201", "service-tasks-failing", "Service tasks keep failing to start", "failed", findings=1),
        Outcome("ET303", "health-check-grace", "Grace period shorter than warm-up", "failed", findings=1),
        Outcome("ET402", "same-exec-and-task-role", "Same roles", "failed", findings=1),
        Outcome("ET102", "image-tag-missing", "Image tag not found", "passed"),
        Outcome("ET103", "image-platform", "Image platform mismatch", "passed"),
        Outcome(
            "ET601",
            "log-group-missing",
            "Log group missing",
            "skipped",
            "skipped: missing permission logs:DescribeLogGroups",
        ),
        Outcome("ET701", "exec-agent", "ECS Exec agent", "not-applicable", "no exec evidence in this input"),
        Outcome(
            "ET305",
            "container-health",
            "Container health check failing",
            "error",
            "check crashed: KeyError: 'healthCheck'",
        ),
    )
    gaps = (
        {
            "kind": "log_groups",
            "operation": "DescribeLogGroups",
            "service": "logs",
            "error_code": "AccessDeniedException",
            "action": "logs:DescribeLogGroups",
            "resource": "/ecs/web",
            "message": "not authorized",
        },
    )
    return Report(
        command="diagnose",
        source="live",
        target={"cluster": "prod", "service": "web"},
        findings=(root, other, info),
        outcomes=outcomes,
        gaps=gaps,
        notes=("IAM proof by the local evaluator (iam:SimulatePrincipalPolicy not allowed for the caller)",),
        region="us-east-1",
        account="123456789012",
    )


def lint_report() -> Report:
    first = _finding(
        "ET410",
        "fargate-cpu-memory",
        "Fargate cpu/memory pair is not valid",
        "fargate-invalid-cpu-memory",
        "error",
        1.0,
        "taskdef web",
        "cpu 256 with memory 4096 is not a valid Fargate combination",
        evidence=(EvidenceRef("infra/web task.json", "/memory", "4096"),),
        fix=Fix(summary="Use memory 512, 1024 or 2048 with cpu 256", steps=("Change memory to 2048.",)),
        location=Location("infra/web task.json", line=4, column=3, pointer="/memory"),
    )
    second = _finding(
        "ET420",
        "image-latest-tag",
        "Image uses the latest tag",
        "image-tag-mutable",
        "warning",
        0.6,
        "taskdef web container app",
        "image nginx:latest is mutable",
        location=Location("infra/web task.json", line=12, pointer="/containerDefinitions/0/image"),
    )
    third = _finding(
        "ET411",
        "awsvpc-required",
        "Fargate requires awsvpc",
        "fargate-network-mode",
        "info",
        0.9,
        "taskdef api",
        "networkMode is bridge",
        location=Location("/abs/path/api.yaml"),
    )
    return Report(
        command="lint",
        source="lint",
        target={"paths": ["infra/web task.json", "/abs/path/api.yaml"]},
        findings=(first, second, third),
        outcomes=(
            Outcome("ET410", "fargate-cpu-memory", "Fargate cpu/memory", "failed", findings=1),
            Outcome("ET420", "image-latest-tag", "latest tag", "failed", findings=1),
            Outcome("ET411", "awsvpc-required", "awsvpc", "failed", findings=1),
        ),
    )


def clean_report() -> Report:
    return Report(
        command="diagnose",
        source="snapshot",
        target={"cluster": "prod", "service": "api"},
        findings=(),
        outcomes=(
            Outcome("ET101", "image-pull-auth", "Execution role cannot pull the image", "passed"),
            Outcome("ET102", "image-tag-missing", "Image tag not found", "passed"),
            Outcome("ET501", "subnet-route", "No route", "passed"),
            Outcome("ET701", "exec-agent", "ECS Exec agent", "not-applicable", "no exec evidence in this input"),
        ),
        region="eu-west-1",
        account="123456789012",
    )


@pytest.fixture
def diag() -> Report:
    return diagnose_report()


@pytest.fixture
def lint() -> Report:
    return lint_report()


@pytest.fixture
def clean() -> Report:
    return clean_report()
