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


# More held-out messages: the 2024 wordings ("The task cannot pull ... There is a connection issue ..."), service
# events of each family, API errors, application log lines of several languages.
MORE: list[tuple[str, str | None, str]] = [
    (
        "CannotPullContainerError: Error response from daemon: pull access denied for myapp, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
        None,
        "image-not-found",
    ),
    (
        "CannotPullContainerError: Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)",
        None,
        "image-pull-network",
    ),
    (
        "CannotPullContainerError: Error response from daemon: Get https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/: dial tcp 52.1.2.3:443: i/o timeout",
        None,
        "image-pull-network",
    ),
    (
        'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123.dkr.ecr.us-east-1.amazonaws.com/app:latest: failed to do request: Head "https://123.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/latest": dial tcp 10.0.0.5:443: i/o timeout',
        None,
        "image-pull-network",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): AccessDeniedException: User: arn:aws:sts::1:assumed-role/x/y is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action",
        None,
        "image-pull-auth",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post https://api.ecr.eu-west-1.amazonaws.com/: dial tcp 52.95.1.1:443: i/o timeout",
        None,
        "image-pull-network",
    ),
    (
        "CannotPullContainerError: The task cannot pull 'nginx:latest' from the registry 'docker.io'. There is a connection issue between the task and the registry. Check your task network configuration.",
        None,
        "image-pull-network",
    ),
    (
        "CannotPullContainerError: The task can't pull the image. Check that the role has the permissions to pull images from the registry. ... 403 Forbidden",
        None,
        "image-pull-auth",
    ),
    (
        "CannotPullContainerError: The task can't pull the image. Check whether the image exists. ... not found",
        None,
        "image-not-found",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR.",
        None,
        "image-pull-network",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot retrieve the secret with ARN 'arn:aws:secretsmanager:us-east-1:1:secret:x' from AWS Secrets Manager. Check whether the secret exists in the specified Region.",
        None,
        "secrets-not-found",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot retrieve the secret with ARN 'arn:aws:secretsmanager:us-east-1:1:secret:x' from AWS Secrets Manager. There is a connection issue between the task and AWS Secrets Manager. Check your task network configuration.",
        None,
        "secrets-network",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot retrieve the secret with ARN 'arn:aws:secretsmanager:us-east-1:1:secret:x' from AWS Secrets Manager. Check that the task execution role has the permissions: AccessDeniedException",
        None,
        "secrets-access-denied",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR. Check that the task execution role has the permissions: AccessDeniedException",
        None,
        "image-pull-auth",
    ),
    (
        "ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration.",
        None,
        "log-network",
    ),
    (
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.",
        None,
        "log-config",
    ),
    (
        "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.",
        None,
        "log-config",
    ),
    ("CannotCreateContainerError: Error response from daemon: failed to mount local volume", None, "efs-mount-failure"),
    (
        'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve "fs-12345678.efs.us-east-1.amazonaws.com" - check that your file system ID is correct',
        None,
        "efs-mount-failure",
    ),
    ("Task stopped at: 2024-01-01 Essential container in task exited", None, "app-exit-other"),
    ("Essential container in task exited", None, "app-exit-other"),
    ("(service svc) has started 1 tasks: (task abc).", "service_event", "unknown"),
    ("(service svc) has reached a steady state.", "service_event", "unknown"),
    (
        "service svc is unable to consistently start tasks successfully. For more information, see the Troubleshooting section",
        "service_event",
        "unknown",
    ),
    (
        "(service svc) failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::1:role/exec' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.).",
        "service_event",
        "role-assume-failed",
    ),
    (
        "(service svc) failed to launch a task with (error Unable to assume role and validate the specified targetGroupArn.)",
        "service_event",
        "role-assume-failed",
    ),
    (
        "(service svc) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.",
        "service_event",
        "no-container-instances",
    ),
    (
        '(service svc) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance abc123def) encountered error "RESOURCE:MEMORY".',
        "service_event",
        "insufficient-memory",
    ),
    (
        "(service svc) was unable to place a task. Reason: You've reached the limit on the number of vCPUs you can run concurrently.",
        "service_event",
        "account-quota-exceeded",
    ),
    ("(service svc) was unable to place a task. Reason: Internal error.", "service_event", "unknown"),
    (
        "(service svc) is unable to place a task in Availability Zone us-east-1a because no container instance met all of its requirements.",
        "service_event",
        "placement-constraint",
    ),
    (
        "(service svc) (instance i-123) (port 80) is unhealthy in (target-group arn:aws:...) due to (reason Health checks failed).",
        "service_event",
        "elb-health-check",
    ),
    (
        "(service svc) (task abc) (port 8080) is unhealthy in (target-group arn) due to (reason Request timed out).",
        "service_event",
        "elb-health-check",
    ),
    (
        "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/y)",
        "stopped_reason",
        "elb-health-check",
    ),
    ("OutOfMemory: Container killed due to memory usage", None, "oom-killed"),
    (
        'CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:370: starting container process caused: exec: "/app/run": stat /app/run: no such file or directory: unknown',
        None,
        "entrypoint-not-found",
    ),
    ("exec /usr/bin/java: no such file or directory", "log", "entrypoint-not-found"),
    ("/bin/sh: 1: ./start.sh: not found", "log", "entrypoint-not-found"),
    ("/docker-entrypoint.sh: line 3: exec: gunicorn: not found", "log", "entrypoint-not-found"),
    ("Error: listen EADDRINUSE: address already in use 0.0.0.0:8080", "log", "port-conflict"),
    ("Host EC2 (instance i-0abc) terminated.", "stopped_reason", "spot-interruption"),
    ("Task stopped due to Spot interruption", "stopped_reason", "spot-interruption"),
    (
        "Service svc: ECS is performing maintenance on the underlying infrastructure hosting the task.",
        "stopped_reason",
        "user-or-deployment-stop",
    ),
    (
        "ECS is performing maintenance on the underlying infrastructure hosting the task",
        None,
        "user-or-deployment-stop",
    ),
    ("Task stopped by user", None, "user-or-deployment-stop"),
    ("Timeout waiting for EphemeralStorage provisioning to complete.", None, "eni-provisioning-timeout"),
    ("CannotPullContainerError: context canceled", None, "image-pull-network"),
    (
        "CannotPullContainerError: inspect image has been retried 5 time(s): failed to resolve ref docker.io/library/node:18: failed to do request: Head https://registry-1.docker.io/v2/library/node/manifests/18: dial tcp: lookup registry-1.docker.io: no such host",
        None,
        "image-pull-network",
    ),
    ("ClientException: Container.image should not be null or empty.", "api_error", "invalid-task-definition"),
    (
        "InvalidParameterException: Task definition does not support launch_type FARGATE.",
        "api_error",
        "invalid-task-definition",
    ),
    (
        "InvalidParameterException: The provided target group arn:aws:... has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.",
        "api_error",
        "invalid-task-definition",
    ),
    (
        "ClientException: Fargate requires that 'memory' be defined at the task level.",
        "api_error",
        "fargate-invalid-cpu-memory",
    ),
    (
        "ClientException: Invalid 'memory' setting for container 'web'. The 'memory' setting must be at least 4 MiB",
        "api_error",
        "invalid-task-definition",
    ),
    ("ERROR: Error loading configuration: missing required key 'database.host'", "log", "app-exit-missing-config"),
    (
        "django.core.exceptions.ImproperlyConfigured: The SECRET_KEY setting must not be empty.",
        "log",
        "app-exit-missing-config",
    ),
    ("Error: Cannot find module '/app/dist/main.js'", "log", "app-exit-other"),
    (
        'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not translate host name "db" to address: Name or service not known',
        "log",
        "app-exit-dependency-unreachable",
    ),
    (
        "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused.",
        "log",
        "app-exit-missing-config",
    ),
    ("MongoServerSelectionError: connect ECONNREFUSED 10.0.2.3:27017", "log", "app-exit-dependency-unreachable"),
    (
        "java.net.ConnectException: Connection refused (Connection refused) at db.internal:3306",
        "log",
        "app-exit-dependency-unreachable",
    ),
    (
        'Exception in thread "main" java.lang.IllegalStateException: Failed to load ApplicationContext',
        "log",
        "app-exit-other",
    ),
    (
        'CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:345: starting container process caused "process_linux.go:430: container init caused \\"write /proc/self/attr/keycreate: permission denied\\"": unknown',
        None,
        "agent-or-runtime-error",
    ),
    (
        "CannotStartContainerError: Error response from daemon: Cannot start container: Ports are not available: listen tcp 0.0.0.0:80: bind: address already in use",
        None,
        "port-conflict",
    ),
    (
        "(service svc) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance x) is missing an attribute required by your task.",
        "service_event",
        "placement-constraint",
    ),
    (
        "service X was unable to place a task because no container instance met all of its requirements. The closest matching container-instance y has insufficient memory available.",
        None,
        "insufficient-memory",
    ),
    ("Stopped reason: TaskFailedToStart: CannotPullContainerError: ... 403 Forbidden", None, "image-pull-auth"),
    ("EssentialContainerExited: Essential container in task exited", "stopped_reason", "app-exit-other"),
    (
        "TaskFailedToStart: ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::1:assumed-role/r/x is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:1:key/abc",
        None,
        "secrets-kms-denied",
    ),
    (
        "unable to retrieve secret from asm: service call has been retried 1 time(s): secret arn:aws:secretsmanager:us-east-1:1:secret:x: ValidationException: Invalid name. Must be a valid name containing alphanumeric characters",
        None,
        "secrets-not-found",
    ),
    ("CannotStartContainerError: API error (500): devmapper: Thin Pool has 0 free data blocks", None, "disk-full"),
    (
        "DockerTimeoutError: Could not transition to created; timed out after waiting 4m0s",
        None,
        "agent-or-runtime-error",
    ),
    ("CannotStopContainerError: failed sending SIGTERM to container", None, "agent-or-runtime-error"),
    (
        "ResourceInitializationError: failed to configure ENI: failed to setup regular eni: netplugin failed with no error message: signal: killed",
        None,
        "eni-provisioning-timeout",
    ),
]

VARIANTS += MORE
VARIANTS += [
    (
        "CannotPullContainerError: The task can’t pull the image. Check that the role has the permissions to pull "
        "images from the registry.",
        "container_reason",
        "image-pull-auth",
    ),
    (
        "CannotPullContainerError: The task can’t pull the image 111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1 "
        "from the registry. The image doesn’t exist.",
        "container_reason",
        "image-not-found",
    ),
    (
        "CannotPullContainerError: The task can’t pull the image. Check your network configuration.",
        None,
        "image-pull-network",
    ),
    ("standard_init_linux.go:219: exec user process caused: no such file or directory", "log", "exec-format"),
    (
        "hcsshim::CreateComputeSystem: The container operating system does not match the host operating system.",
        None,
        "image-platform-mismatch",
    ),
    (
        '{"lastStatus": "STOPPED", "stoppedReason": "Essential container in task exited", '
        '"containers": [{"exitCode": 127}]}',
        None,
        "entrypoint-not-found",
    ),
]


# Messages as users paste them from the console, the CLI and their logs (kinds as the corpus names them).
PASTED: list[tuple[str, str | None, str]] = [
    (
        'CannotPullContainerError: Error response from daemon: Get "https://123456789012.dkr.ecr.us-west-2.amazonaws.com/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
        "container_reason",
        "image-pull-network",
    ),
    (
        "CannotPullContainerError: Error response from daemon: repository 123456789012.dkr.ecr.us-west-2.amazonaws.com/app not found: does not exist or no pull access",
        "container_reason",
        "image-not-found",
    ),
    (
        "CannotPullContainerError: Error response from daemon: manifest for 123.dkr.ecr.us-east-1.amazonaws.com/app:v2 not found: manifest unknown: Requested image not found",
        "container_reason",
        "image-not-found",
    ),
    (
        "CannotPullContainerError: Error response from daemon: Get https://123.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/latest: no basic auth credentials",
        "container_reason",
        "image-pull-auth",
    ),
    (
        "CannotPullContainerError: Error response from daemon: pull access denied for 123.dkr.ecr.us-east-1.amazonaws.com/app, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::123:assumed-role/ecsInstanceRole/i-0abc is not authorized to perform: ecr:BatchGetImage on resource",
        "container_reason",
        "image-pull-auth",
    ),
    (
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/postgress:14: docker.io/library/postgress:14: not found",
        "container_reason",
        "image-not-found",
    ),
    ("Task failed to start", "stopped_reason", "unknown"),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123:secret:db from secrets manager: AccessDeniedException: User: arn:aws:sts::123:assumed-role/ecsTaskExecutionRole/abc is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123:secret:db because no identity-based policy allows the secretsmanager:GetSecretValue action",
        "stopped_reason",
        "secrets-access-denied",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-west-1:123:secret:x from secrets manager: InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion.",
        "stopped_reason",
        "secrets-not-found",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::123:assumed-role/exec/x is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:123:parameter/app/key because no identity-based policy allows the ssm:GetParameters action",
        "stopped_reason",
        "secrets-access-denied",
    ),
    (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:123:secret:x from secrets manager: AccessDeniedException: Access to KMS is not allowed",
        "stopped_reason",
        "secrets-kms-denied",
    ),
    (
        "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log group: InvalidParameterException: 1 validation error detected: Value '' at 'logGroupName' failed to satisfy constraint",
        "stopped_reason",
        "log-config",
    ),
    (
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: operation error CloudWatch Logs: CreateLogStream, https response error StatusCode: 400, RequestID: x, ResourceNotFoundException: The specified log group does not exist. : exit status 1",
        "stopped_reason",
        "log-config",
    ),
    (
        'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: RequestError: send request failed caused by: Post "https://logs.us-east-1.amazonaws.com/": dial tcp 52.46.1.1:443: i/o timeout : exit status 1',
        "stopped_reason",
        "log-network",
    ),
    ("Essential container in task exited", "stopped_reason", "app-exit-other"),
    ("EssentialContainerExited", "stopped_reason", "app-exit-other"),
    ("Task stopped by user", "stopped_reason", "user-or-deployment-stop"),
    (
        "ServiceSchedulerInitiated: Task stopped by the service scheduler because it failed ELB health checks",
        "stopped_reason",
        "elb-health-check",
    ),
    ("Task failed ELB health checks in (elb my-load-balancer)", "stopped_reason", "elb-health-check"),
    ("Task failed container health checks", "stopped_reason", "container-health-check"),
    ("(service web) (task 1234) failed container health checks.", "service_event", "container-health-check"),
    ("(service web) has started 2 tasks: (task 1) (task 2).", "service_event", "unknown"),
    (
        "(service web) (port 3000) is unhealthy in (target-group arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1) due to (reason Health checks failed with these codes: [404]).",
        "service_event",
        "elb-health-check",
    ),
    (
        "(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 4b0e) has insufficient memory available.",
        "service_event",
        "insufficient-memory",
    ),
    (
        "(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 4b0e) is already using a port required by your task.",
        "service_event",
        "insufficient-ports",
    ),
    (
        "(service web) was unable to place a task because no container instance met all of its requirements.",
        "service_event",
        "no-container-instances",
    ),
    (
        "(service web) was unable to place a task. Reason: You've reached the limit on the number of tasks you can run concurrently. For more information, see the Troubleshooting section.",
        "service_event",
        "account-quota-exceeded",
    ),
    (
        "(service web) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone. For more information, see the Troubleshooting section.",
        "service_event",
        "fargate-capacity-unavailable",
    ),
    (
        "(service web) failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::1:role/x' that was provided for this task.)",
        "service_event",
        "role-assume-failed",
    ),
    ("(service web) (deployment ecs-svc/1) deployment failed: tasks failed to start.", "service_event", "unknown"),
    (
        "(service web) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section.",
        "service_event",
        "unknown",
    ),
    ("(service web) operations are being throttled. Will try again later.", "service_event", "account-quota-exceeded"),
    (
        "(service web) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.",
        "service_event",
        "invalid-task-definition",
    ),
    (
        "An error occurred (InvalidParameterException) when calling the CreateService operation: The target group with targetGroupArn arn:... does not have an associated load balancer.",
        "api_error",
        "invalid-task-definition",
    ),
    (
        "An error occurred (InvalidParameterException) when calling the RunTask operation: Task definition does not support launch_type FARGATE.",
        "api_error",
        "invalid-task-definition",
    ),
    (
        "An error occurred (InvalidParameterException) when calling the RunTask operation: Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        "api_error",
        "invalid-task-definition",
    ),
    (
        "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: Fargate requires task definition to have execution role ARN to support log driver awslogs.",
        "api_error",
        "invalid-task-definition",
    ),
    (
        "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: The 'memory' setting must be at least 512 MiB for Fargate",
        "api_error",
        "fargate-invalid-cpu-memory",
    ),
    (
        "An error occurred (AccessDeniedException) when calling the RunTask operation: User: arn:aws:iam::1:user/dev is not authorized to perform: iam:PassRole on resource: arn:aws:iam::1:role/exec",
        "api_error",
        "role-assume-failed",
    ),
    (
        "An error occurred (InvalidParameterException) when calling the RunTask operation: No Container Instances were found in your cluster.",
        "api_error",
        "no-container-instances",
    ),
    (
        "An error occurred (LimitExceededException) when calling the RunTask operation: You've reached the limit on the number of tasks you can run concurrently",
        "api_error",
        "account-quota-exceeded",
    ),
    (
        "An error occurred (ThrottlingException) when calling the RunTask operation (reached max retries: 4): Rate exceeded",
        "api_error",
        "account-quota-exceeded",
    ),
    ("Error: Cannot find module 'express'", "log_tail", "app-exit-other"),
    ("ModuleNotFoundError: No module named 'flask'", "log_tail", "app-exit-other"),
    ("ValueError: invalid literal for int() with base 10: ''", "log_tail", "app-exit-other"),
    (
        'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "mydb.abc.us-east-1.rds.amazonaws.com" (10.0.3.4), port 5432 failed: Connection timed out',
        "log_tail",
        "app-exit-dependency-unreachable",
    ),
    ("[ERROR] Failed to start: environment variable DB_PASSWORD must be set", "log_tail", "app-exit-missing-config"),
    (
        "Error: ENOENT: no such file or directory, open '/app/config/production.json'",
        "log_tail",
        "app-exit-missing-config",
    ),
    (
        "2024/01/01 12:00:00 dial tcp 10.0.2.5:6379: connect: connection refused",
        "log_tail",
        "app-exit-dependency-unreachable",
    ),
    ("Killed", "log_tail", "oom-killed"),
    (
        'level=fatal msg="failed to connect to database" error="dial tcp: lookup postgres on 10.0.0.2:53: no such host"',
        "log_tail",
        "app-exit-dependency-unreachable",
    ),
    ("/usr/local/bin/docker-entrypoint.sh: line 8: exec: node: not found", "log_tail", "entrypoint-not-found"),
    ("Error: listen EACCES: permission denied 0.0.0.0:80", "log_tail", "app-exit-other"),
    ("OutOfMemoryError: Container killed due to memory usage", "container_reason", "oom-killed"),
    (
        'CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/docker-entrypoint.sh": permission denied: unknown',
        "container_reason",
        "entrypoint-not-found",
    ),
    (
        'CannotCreateContainerError: Error response from daemon: Conflict. The container name "/ecs-web-1" is already in use by container',
        "container_reason",
        "agent-or-runtime-error",
    ),
    (
        "DockerTimeoutError: Could not transition to created; timed out after waiting 4m0s",
        "container_reason",
        "agent-or-runtime-error",
    ),
    (
        "ContainerRuntimeError: failed to create container: context deadline exceeded",
        "container_reason",
        "agent-or-runtime-error",
    ),
    (
        "CannotPullContainerError: failed to register layer: ApplyLayer exit status 1 stdout: stderr: write /usr/lib/x: no space left on device",
        "container_reason",
        "disk-full",
    ),
    (
        'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve "fs-0abc.efs.us-east-1.amazonaws.com" - check that your file system ID is correct',
        "stopped_reason",
        "efs-mount-failure",
    ),
    (
        "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'",
        "stopped_reason",
        "efs-mount-failure",
    ),
    ("Host EC2 (instance i-0abc) stopped/terminated.", "stopped_reason", "spot-interruption"),
    ("(instance i-0abc) is draining. (service web) deregistered 1 targets", "service_event", "user-or-deployment-stop"),
    ("Timeout waiting for network interface provisioning to complete.", "stopped_reason", "eni-provisioning-timeout"),
]
VARIANTS += PASTED

# CloudFormation, Terraform, ECS agent log lines, environment files, API failure reasons.
TOOLS: list[tuple[str, str | None, str]] = [
    (
        'Resource handler returned message: "Invalid request provided: CreateService error: The container web does not exist in the task definition. (Service: Ecs, Status Code: 400, Request ID: x)" (RequestToken: y, HandlerErrorCode: InvalidRequest)',
        "api_error",
        "invalid-task-definition",
    ),
    (
        "Error: waiting for ECS Service (arn:aws:ecs:us-east-1:1:service/c/web) create: timeout while waiting for state to become 'tfSTABILIZED' (last state: 'tfPENDING', timeout: 20m0s)",
        "api_error",
        "unknown",
    ),
    (
        "Error: creating ECS Task Definition (web): ClientException: Container.image should not be null or empty.",
        "api_error",
        "invalid-task-definition",
    ),
    (
        "Error: creating ECS Service (web): InvalidParameterException: Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.",
        "api_error",
        "role-assume-failed",
    ),
    (
        'level=error time=2024-01-01T00:00:00Z msg="Unable to register as a container instance with ECS: AccessDeniedException: User: arn:aws:sts::1:assumed-role/ecsInstanceRole/i-0abc is not authorized to perform: ecs:RegisterContainerInstance on resource: arn:aws:ecs:us-east-1:1:cluster/prod" module=client.go',
        "log",
        "no-container-instances",
    ),
    (
        'level=critical time=2024 msg="Error registering: ClientException: Cluster not found." module=agent.go',
        "log",
        "no-container-instances",
    ),
    (
        "[ERROR] Managed task [arn:aws:ecs:us-east-1:1:task/abc]: error transitioning container [web] to [CREATED]: CannotPullContainerError: Error response from daemon: manifest for x/y:z not found",
        "log",
        "image-not-found",
    ),
    (
        'Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout',
        "container_reason",
        "image-pull-network",
    ),
    (
        "CannotPullContainerError: Error response from daemon: toomanyrequests: Rate exceeded",
        "container_reason",
        "registry-rate-limit",
    ),
    ("Container exited with a non-zero exit code 1", "container_reason", "app-exit-other"),
    ("Essential container in task exited", "stopped_reason", "app-exit-other"),
    (
        "Task was stopped because the task's ENI provisioning did not complete in time",
        "stopped_reason",
        "eni-provisioning-timeout",
    ),
    (
        "ResourceInitializationError: failed to download env files: file download command: non empty error stream: service call has been retried 5 time(s): AccessDenied: Access Denied status code: 403",
        "stopped_reason",
        "secrets-access-denied",
    ),
    (
        "ResourceInitializationError: failed to download env files: file download command: non empty error stream: service call has been retried 5 time(s): RequestError: send request failed caused by: Get https://bucket.s3.amazonaws.com/app.env: dial tcp 52.1.1.1:443: i/o timeout",
        "stopped_reason",
        "secrets-network",
    ),
    (
        "ResourceInitializationError: failed to download env files: file download command: non empty error stream: NoSuchKey: The specified key does not exist.",
        "stopped_reason",
        "secrets-not-found",
    ),
    ("Task stopped because the container instance was drained", "stopped_reason", "user-or-deployment-stop"),
    (
        "Task stopped because the essential container failed its health check",
        "stopped_reason",
        "container-health-check",
    ),
    ("ECS Deployment Circuit Breaker was triggered", "api_error", "unknown"),
    ("The ECS service did not stabilize", "api_error", "unknown"),
    ("AGENT", "api_error", "agent-or-runtime-error"),
    ("RESOURCE:ENI", "service_event", "insufficient-eni"),
    ("RESOURCE:FARGATE", "service_event", "fargate-capacity-unavailable"),
    ("ATTRIBUTE", "api_error", "placement-constraint"),
    ("MISSING", "api_error", "unknown"),
]
VARIANTS += TOOLS

# Application log tails in several languages and frameworks.
APP_LOGS: list[tuple[str, str | None, str]] = [
    ('panic: environment variable "PORT" not set', "log", "app-exit-missing-config"),
    ("2024/01/01 00:00:00 missing required environment variable: REDIS_URL", "log", "app-exit-missing-config"),
    ("Error: Missing required env var: STRIPE_KEY", "log", "app-exit-missing-config"),
    (
        "***************************\nAPPLICATION FAILED TO START\n***************************\nDescription:\nFailed to configure a DataSource: 'url' attribute is not specified and no embedded datasource could be configured.",
        "log",
        "app-exit-missing-config",
    ),
    (
        "org.postgresql.util.PSQLException: Connection to db.internal:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.",
        "log",
        "app-exit-dependency-unreachable",
    ),
    (
        "com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure",
        "log",
        "app-exit-dependency-unreachable",
    ),
    (
        "ActiveRecord::ConnectionNotEstablished: could not connect to server: No such file or directory",
        "log",
        "app-exit-dependency-unreachable",
    ),
    (
        "Redis::CannotConnectError: Error connecting to Redis on 10.0.1.9:6379 (Errno::ECONNREFUSED)",
        "log",
        "app-exit-dependency-unreachable",
    ),
    (
        "pymongo.errors.ServerSelectionTimeoutError: cluster0.mongodb.net:27017: timed out",
        "log",
        "app-exit-dependency-unreachable",
    ),
    (
        "Error: getaddrinfo ENOTFOUND my-db.cluster-abc.us-east-1.rds.amazonaws.com",
        "log",
        "app-exit-dependency-unreachable",
    ),
    ("KeyError: 'SECRET_KEY'", "log", "app-exit-missing-config"),
    ('raise ImproperlyConfigured("Set the %s environment variable" % var_name)', "log", "app-exit-missing-config"),
    (
        "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings\ndatabase_url\n  Field required [type=missing]",
        "log",
        "app-exit-missing-config",
    ),
    (
        'Exception in thread "main" java.lang.NullPointerException\n\tat com.acme.Main.main(Main.java:10)',
        "log",
        "app-exit-other",
    ),
    (
        "thread 'main' panicked at 'called `Option::unwrap()` on a `None` value', src/main.rs:4:5",
        "log",
        "app-exit-other",
    ),
    ("Segmentation fault (core dumped)", "log", "app-exit-other"),
    ("npm ERR! code ELIFECYCLE\nnpm ERR! errno 1", "log", "app-exit-other"),
    ("Error: listen EADDRINUSE: address already in use :::8080", "log", "port-conflict"),
    ("java.net.BindException: Address already in use", "log", "port-conflict"),
    ("OSError: [Errno 98] Address already in use", "log", "port-conflict"),
    ("exec /app/main: exec format error", "log", "image-platform-mismatch"),
    ("/bin/sh: 1: exec: /app/start: not found", "log", "entrypoint-not-found"),
    ("[FATAL tini (7)] exec /docker-entrypoint.sh failed: Permission denied", "log", "entrypoint-not-found"),
    ("Killed", "log", "oom-killed"),
    ("java.lang.OutOfMemoryError: Java heap space", "log", "app-exit-other"),
    ("[relay] received SIGTERM, shutting down", "log", "container-health-check"),
]
VARIANTS += APP_LOGS
VARIANTS += [
    (
        "DependencyTimeout: container web timed out waiting for its dependency sidecar to be HEALTHY",
        None,
        "container-dependency",
    ),
    ("Container app stopped because its dependency init exited with a non-zero code", None, "container-dependency"),
]


@pytest.mark.parametrize(("text", "kind", "cause"), VARIANTS, ids=[f"{c}-{i}" for i, (_, _, c) in enumerate(VARIANTS)])
def test_variant(text: str, kind: str | None, cause: str) -> None:
    m = classify(text, kind=kind)
    assert m.cause == cause, (m.signature, m.summary)
    assert m.summary
    if cause != "unknown":
        assert m.signature and m.explanation and m.fix is not None


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


def _truncation_items() -> list[tuple[str, str | None, int | None, str]]:
    import json
    from pathlib import Path

    from ecs_triage.app.explain import examples

    items = [(e["text"], e["kind"], e["exit_code"], e["expect"]) for e in examples()]
    items += [(t, k, None, c) for t, k, c in VARIANTS]
    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "public.jsonl"
    assert corpus.exists(), f"{corpus} missing: the project expects ../shared beside the checkout"
    for line in corpus.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        items.append((r["text"], r["kind"], r["exit_code"], r["label"]))
    return items


def test_every_prefix_is_right_unknown_or_unsure() -> None:
    """Cut anywhere (as Fargate does), a message keeps its cause, becomes unknown, or gets a low confidence:
    a prefix never gives another cause with confidence above 0.7."""
    wrong = []
    for text, kind, code, cause in _truncation_items():
        if classify(text, kind=kind, exit_code=code).cause != cause:
            continue
        for end in range(8, len(text), 3):
            m = classify(text[:end], kind=kind, exit_code=code)
            if m.cause not in (cause, "unknown") and m.confidence > 0.7:
                wrong.append((cause, m.signature, text[:end][-80:]))
                break
    assert not wrong
