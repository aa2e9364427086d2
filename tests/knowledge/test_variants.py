"""Held-out messages, written for these tests (not copied from the corpus): both AWS wordings, agent hint
prefixes, truncations, odd spacing. Each must give its cause; several also check captures and confidence."""

from __future__ import annotations

import pytest

from ecs_triage.knowledge import classify

ACCT = "210987654321"
ECR = f"{ACCT}.dkr.ecr.eu-central-1.amazonaws.com"

VARIANTS: list[tuple[str, str | None, str]] = [
    # image-pull-auth
    (
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {ECR}/shop:v7: "
        f"pulling from host {ECR} failed with status code [manifests v7]: 403 Forbidden",
        "container_reason",
        "image-pull-auth",
    ),
    (
        f"CannotPullContainerError: Error response from daemon: Get https://{ECR}/v2/shop/manifests/v7: no basic auth "
        "credentials",
        "container_reason",
        "image-pull-auth",
    ),
    (
        "CannotPullContainerError: AccessDeniedException: User: arn:aws:sts::210987654321:assumed-role/shop-exec/abc is "
        "not authorized to perform: ecr:BatchGetImage on resource",
        "stopped_reason",
        "image-pull-auth",
    ),
    (
        'CannotPullContainerError: failed to resolve reference "ghcr.io/acme/private:1": failed to authorize: '
        "failed to fetch anonymous token: unexpected status: 401 Unauthorized",
        None,
        "image-pull-auth",
    ),
    # image-not-found
    (
        f"CannotPullContainerError: failed to resolve ref {ECR}/shop:v8: {ECR}/shop:v8: not found",
        None,
        "image-not-found",
    ),
    (
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
        f"{ECR}/shop:release-2: not found: manifest unknown: Requested image not",
        "container_reason",
        "image-not-found",
    ),
    (
        "CannotPullContainerError: Error response from daemon: manifest for nginxx:latest not found",
        None,
        "image-not-found",
    ),
    ("CannotPullContainerError: invalid reference format: repository name must be lowercase", None, "image-not-found"),
    # image-pull-network
    (
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {ECR}/shop:v7: "
        f'failed to do request: Head "https://{ECR}/v2/shop/manifests/v7": dial tcp 3.120.0.1:443: i/o timeout',
        "container_reason",
        "image-pull-network",
    ),
    (
        "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: read tcp: context canceled",
        None,
        "image-pull-network",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from "
        "Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network",
        None,
        "image-pull-network",
    ),
    (
        "CannotPullContainerError: failed to copy: httpReadSeeker: failed open: failed to do request: Get "
        '"https://prod-eu-central-1-starport-layer-bucket.s3.eu-central-1.amazonaws.com/abc": dial tcp 52.1.1.1:443: '
        "i/o tim",
        "container_reason",
        "image-pull-network",
    ),
    # image-platform-mismatch / exec-format
    (
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): image Manifest does not contain "
        "descriptor matching platform 'linux/arm64/v8'",
        None,
        "image-platform-mismatch",
    ),
    ("exec /usr/local/bin/server: exec format error", "log", "image-platform-mismatch"),
    ('standard_init_linux.go:211: exec user process caused "exec format error"', "log", "image-platform-mismatch"),
    ("exec /app/start.sh: exec format error", "log", "exec-format"),
    # registry-rate-limit
    (
        "CannotPullContainerError: inspect image has been retried 5 time(s): httpReaderSeeker: failed open: unexpected "
        "status code https://registry-1.docker.io/v2/library/redis/manifests/sha256:abc: 429 Too Many Requests - Server "
        "message: toomanyrequests: You have reached your pull rate limit.",
        None,
        "registry-rate-limit",
    ),
    (
        "Error response from daemon: toomanyrequests: You have reached your unauthenticated pull rate lim",
        None,
        "registry-rate-limit",
    ),
    # secrets
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User: "
        "arn:aws:sts::210987654321:assumed-role/shop-exec/1a2b is not authorized to perform: "
        "secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-central-1:210987654321:secret:shop/db-AbCdEf",
        "stopped_reason",
        "secrets-access-denied",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secrets from ssm: "
        "service call has been retried 1 time(s): AccessDeniedException: User is not authorized to perform: "
        "ssm:GetParameters",
        None,
        "secrets-access-denied",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve secret from asm: service call has been retried 1 time(s): ResourceNotFoundException: Secrets "
        "Manager can't find the specified secret.",
        None,
        "secrets-not-found",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secrets from ssm: "
        "service call has been retried 1 time(s): invalid ssm parameters: /shop/prod/api-key",
        None,
        "secrets-not-found",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm: "
        "service call has been retried 1 time(s): AccessDeniedException: Access to KMS is not allowed",
        None,
        "secrets-kms-denied",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve secret from asm: service call has been retried 5 time(s): RequestError: send request failed "
        'caused by: Post "https://secretsmanager.eu-central-1.amazonaws.com/": dial tcp 10.0.0.9:443: i/o timeout',
        None,
        "secrets-network",
    ),
    # logs
    (
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to "
        "create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.",
        None,
        "log-config",
    ),
    (
        "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create "
        "Cloudwatch log stream: AccessDeniedException: User is not authorized to perform: logs:CreateLogStream",
        None,
        "log-config",
    ),
    (
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to "
        "create Cloudwatch log stream: RequestError: send request failed caused by: Post "
        '"https://logs.eu-central-1.amazonaws.com/": dial tcp 10.0.3.4:443: i/o timeout',
        None,
        "log-network",
    ),
    # roles
    (
        "ECS was unable to assume the role 'arn:aws:iam::210987654321:role/shop-exec' that was provided for this task. "
        "Please verify that the role being passed has the proper trust relationship",
        None,
        "role-assume-failed",
    ),
    # app exits
    ("KeyError: 'DATABASE_URL'", "log", "app-exit-missing-config"),
    ("Error: environment variable STRIPE_API_KEY is not set", "log", "app-exit-missing-config"),
    ("panic: required env var JWT_SECRET missing", "log", "app-exit-missing-config"),
    ("Error: connect ECONNREFUSED 10.0.1.5:5432", "log", "app-exit-dependency-unreachable"),
    (
        "psycopg2.OperationalError: could not connect to server: Connection timed out Is the server running on host "
        '"db.internal" and accepting TCP/IP connections on port 5432?',
        "log",
        "app-exit-dependency-unreachable",
    ),
    ("Error: connect ECONNREFUSED 127.0.0.1:6379", "log", "app-exit-missing-config"),
    (
        'Traceback (most recent call last):\n  File "/app/main.py", line 3, in <module>\nZeroDivisionError: division '
        "by zero",
        "log",
        "app-exit-other",
    ),
    ("panic: runtime error: invalid memory address or nil pointer dereference", "log", "app-exit-other"),
    # memory
    ("OutOfMemoryError: Container killed due to memory usage", "container_reason", "oom-killed"),
    ("OutOfMemoryError: Container killed due to mem", "container_reason", "oom-killed"),
    (
        "<--- JS stacktrace ---> FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
        "log",
        "app-exit-other",
    ),
    # entrypoint
    (
        "CannotStartContainerError: ResourceInitializationError: failed to create new container runtime task: failed to "
        "create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "
        '"gunicorn": executable file not found in $PATH: unknown',
        None,
        "entrypoint-not-found",
    ),
    (
        "CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:349: "
        'starting container process caused "exec: \\"/entrypoint.sh\\": permission denied": unknown',
        None,
        "entrypoint-not-found",
    ),
    # ports
    (
        "CannotStartContainerError: Error response from daemon: driver failed programming external connectivity on "
        "endpoint ecs-web-1: Bind for 0.0.0.0:8080 failed: port is already allocated",
        None,
        "port-conflict",
    ),
    ("Error: listen EADDRINUSE: address already in use :::3000", "log", "port-conflict"),
    # placement
    (
        "(service web) was unable to place a task because no container instance met all of its requirements. The "
        "closest matching (container-instance 0a1b2c3d4e) has insufficient memory available. For more information, see",
        "service_event",
        "insufficient-memory",
    ),
    (
        "(service web) was unable to place a task because no container instance met all of its requirements. Reason: "
        "No Container Instances were found in your cluster.",
        "service_event",
        "no-container-instances",
    ),
    ("RESOURCE:MEMORY", "api_error", "insufficient-memory"),
    ("RESOURCE:CPU", "api_error", "insufficient-cpu"),
    ("RESOURCE:PORTS", "api_error", "insufficient-ports"),
    (
        "(service web) was unable to place a task because no container instance met all of its requirements. The "
        'closest matching (container-instance 0a1b2c3d) encountered error "MemberOf constraint unsatisfied".',
        "service_event",
        "placement-constraint",
    ),
    (
        "(service web) was unable to place a task. Reason: The requested CPU configuration is above your limit.",
        "service_event",
        "account-quota-exceeded",
    ),
    (
        "(service web) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later",
        "service_event",
        "fargate-capacity-unavailable",
    ),
    (
        "ClientException: No Fargate configuration exists for given values: 512 CPU, 8192 memory.",
        "api_error",
        "fargate-invalid-cpu-memory",
    ),
    ("Timeout waiting for network interface provisioning to complete.", "stopped_reason", "eni-provisioning-timeout"),
    (
        "ResourceInitializationError: unable to create new ENI: InsufficientFreeAddressesInSubnet: There are not enough "
        "free addresses in subnet 'subnet-0abc12345' to satisfy the request.",
        None,
        "subnet-ip-exhaustion",
    ),
    ("unable to attach network interface to unused device index", None, "insufficient-eni"),
    # health checks and stops
    (
        "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-central-1:210987654321:"
        "targetgroup/web-tg/abc123)",
        "stopped_reason",
        "elb-health-check",
    ),
    (
        "(service web) (task 0f9e8d) (port 8080) is unhealthy in (target-group arn:aws:elb:tg/web) due to (reason Health "
        "checks failed with these codes: [502]).",
        "service_event",
        "elb-health-check",
    ),
    ("Task failed container health checks", "stopped_reason", "container-health-check"),
    ("Your Spot Task was interrupted.", "stopped_reason", "spot-interruption"),
    ("Scaling activity initiated by (deployment ecs-svc/1234567890)", "stopped_reason", "user-or-deployment-stop"),
    ("Task stopped by user", "stopped_reason", "user-or-deployment-stop"),
    # others
    (
        "CannotPullContainerError: failed to register layer: Error processing tar file(exit status 1): write "
        "/usr/lib/libx.so: no space left on device",
        None,
        "disk-full",
    ),
    (
        "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: "
        "Connection timed out : unsuccessful EFS utils command execution; code: 32",
        None,
        "efs-mount-failure",
    ),
    (
        "CannotStartContainerError: dependency graph: container web: dependency sidecar never reached HEALTHY",
        None,
        "container-dependency",
    ),
    (
        "ContainerRuntimeTimeoutError: Could not transition to running; timed out after waiting 3m0s: context deadline",
        "stopped_reason",
        "agent-or-runtime-error",
    ),
    (
        "DockerTimeoutError: Could not transition to started; timed out after waiting 3m0s",
        None,
        "agent-or-runtime-error",
    ),
    (
        "ClientException: Fargate requires task definition to have execution role ARN to support ECR images.",
        "api_error",
        "invalid-task-definition",
    ),
    (
        "InvalidParameterException: The target group with targetGroupArn arn:aws:... does not have an associated load "
        "balancer. target type ip is not compatible",
        "api_error",
        "invalid-task-definition",
    ),
]


@pytest.mark.parametrize(("text", "kind", "cause"), VARIANTS, ids=[f"{c}-{i}" for i, (_, _, c) in enumerate(VARIANTS)])
def test_variant(text: str, kind: str | None, cause: str) -> None:
    m = classify(text, kind=kind)
    assert m.cause == cause, (m.signature, m.summary)
    assert m.signature and m.summary and m.explanation


def test_truncated_prefixes_keep_their_cause() -> None:
    """Fargate cuts long reasons: every prefix long enough to hold the decisive words keeps the cause."""
    full = (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User"
    )
    cut = full.index("AccessDenied") + len("AccessDenied")
    for end in range(cut, len(full) + 1, 7):
        assert classify(full[:end]).cause == "secrets-access-denied", full[:end]
    assert classify('CannotStartContainerError: exec: "node app.js": executable file not found in').cause == (
        "entrypoint-not-found"
    )
    assert classify("OutOfMemoryError: Container killed due to memory usa").cause == "oom-killed"


def test_captures_name_the_resources() -> None:
    m = classify(
        f"CannotPullContainerError: failed to resolve ref {ECR}/shop:v7: pulling from host {ECR} failed with status "
        "code [manifests v7]: 403 Forbidden"
    )
    assert m.captures["repository"] == "shop"
    assert m.captures["tag"] == "v7"
    assert m.captures["repository_arn"] == f"arn:aws:ecr:eu-central-1:{ACCT}:repository/shop"
    fix = m.render_fix(execution_role_name="shop-exec")
    assert fix is not None
    assert any("shop-exec" in c for c in fix.commands)
    assert f"arn:aws:ecr:eu-central-1:{ACCT}:repository/shop" in str(fix.snippet)

    s = classify(VARIANTS[18][0])
    assert s.captures["execution_role_name"] == "shop-exec"
    assert s.captures["secret_arn"].endswith(":secret:shop/db-AbCdEf")

    v = classify("KeyError: 'DATABASE_URL'", kind="log")
    assert v.captures["variable"] == "DATABASE_URL"
    d = classify("Error: connect ECONNREFUSED 10.0.1.5:5432", kind="log")
    assert (d.captures["host"], d.captures["port"]) == ("10.0.1.5", "5432")
    p = classify("ClientException: x", kind="api_error")
    assert p.cause == "invalid-task-definition"


def test_loopback_refusal_is_lower_confidence_and_names_the_decider() -> None:
    loop = classify("Error: connect ECONNREFUSED 127.0.0.1:5432", kind="log")
    remote = classify("Error: connect ECONNREFUSED 10.0.1.5:5432", kind="log")
    assert loop.confidence < remote.confidence
    assert any("environment" in d for d in loop.decide)


def test_circuit_breaker_is_not_a_guess() -> None:
    m = classify(
        "(service api) (deployment ecs-svc/123) deployment failed: tasks failed to start.", kind="service_event"
    )
    assert m.cause == "unknown"
    assert m.signature == "deployment.failed"
    assert m.confidence <= 0.3
    assert any("stopped" in d for d in m.decide)


def test_kind_restricts_log_only_signatures() -> None:
    assert classify("panic: boom", kind="log").cause == "app-exit-other"
    assert classify("panic: boom", kind="api_error").cause == "unknown"


def test_unknown_kind_raises_value_error() -> None:
    with pytest.raises(ValueError):
        classify("x", kind="tweet")
    assert classify("x", kind="log_tail").cause == "unknown"
