"""Fix templates shared by the catalog's signatures. Placeholders (`{execution_role_name}` ...) are filled by
the checks from real evidence; `explain` fills what the message itself names and shows the rest as `<name>`."""

from __future__ import annotations

from ecs_triage.knowledge.model import FixTemplate, cmd

DOC = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"

ECR_PULL_STATEMENT = {
    "Effect": "Allow",
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
    "Resource": "{repository_arn}",
}

PULL_AUTH = FixTemplate(
    summary="Allow the execution role {execution_role_name} to pull {image}",
    steps=(
        "Find the task definition's executionRoleArn (on EC2 without one, the instance role pulls).",
        "Grant ecr:GetAuthorizationToken on * and ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, "
        "ecr:BatchCheckLayerAvailability on the repository, or attach AmazonECSTaskExecutionRolePolicy.",
        "If the repository has a policy (or is in another account), make it allow the role too.",
        "For a private registry, set repositoryCredentials.credentialsParameter to a secret the role may read.",
    ),
    commands=(
        cmd(
            "iam",
            "attach-role-policy",
            role_name="{execution_role_name}",
            policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        ),
        cmd("ecr", "get-repository-policy", repository_name="{repository}", region="{region}"),
    ),
    snippet={
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            ECR_PULL_STATEMENT,
        ],
    },
    snippet_title="IAM policy for the execution role",
    docs=(DOC + "task_execution_IAM_role.html",),
)

IMAGE_NOT_FOUND = FixTemplate(
    summary="Point the task definition at an image that exists: {image}",
    steps=(
        "Check the repository and the tag or digest exist in the task's Region and account.",
        "Push the image (or fix the URI: registry host, account, Region, repository, tag) and register a new "
        "task definition revision; then update the service to it.",
    ),
    commands=(
        cmd("ecr", "describe-images", repository_name="{repository}", image_ids="imageTag={tag}", region="{region}"),
        cmd("ecr", "describe-repositories", repository_names="{repository}", region="{region}"),
    ),
    docs=(DOC + "task_cannot_pull_image.html",),
)


def network_path(endpoint: str, endpoint_service: str) -> FixTemplate:
    """The network-path fix for one AWS endpoint (its name in prose and its VPC endpoint service suffix)."""
    return FixTemplate(
        summary=f"Give the task a network path to {endpoint}",
        steps=(
            "Public subnet: set assignPublicIp=ENABLED and check the route table has 0.0.0.0/0 to an internet gateway.",
            "Private subnet: route 0.0.0.0/0 to a NAT gateway, or add VPC endpoints (ecr.api, ecr.dkr, the S3 gateway "
            "endpoint, logs, secretsmanager, ssm, kms as needed) with private DNS enabled.",
            "Security groups of the task (and of the endpoints) must allow outbound and inbound HTTPS (443).",
            "Enable DNS resolution and DNS hostnames on the VPC.",
        ),
        commands=(
            cmd("ec2", "describe-route-tables", filters="Name=association.subnet-id,Values={subnet_id}"),
            cmd("ec2", "describe-vpc-endpoints", filters="Name=vpc-id,Values={vpc_id}"),
            cmd(
                "ec2",
                "create-vpc-endpoint",
                vpc_id="{vpc_id}",
                vpc_endpoint_type="Interface",
                service_name="com.amazonaws.{region}." + endpoint_service,
                subnet_ids="{subnet_id}",
                security_group_ids="{security_group_id}",
                private_dns_enabled=True,
            ),
        ),
        docs=(DOC + "vpc-endpoints.html",),
    )


ECR_NETWORK = network_path("Amazon ECR (ecr.api, ecr.dkr) and S3 (image layers)", "ecr.dkr")
SECRETS_NETWORK = network_path("Secrets Manager / SSM Parameter Store", "secretsmanager")
LOGS_NETWORK = network_path("CloudWatch Logs", "logs")

RATE_LIMIT = FixTemplate(
    summary="Stop pulling {image} anonymously from a rate-limited registry",
    steps=(
        "Copy the image to Amazon ECR (or use ECR Public / a pull-through cache rule) and point the task at it.",
        "Or authenticate the pull: store registry credentials in Secrets Manager and set repositoryCredentials.",
    ),
    commands=(
        cmd(
            "ecr",
            "create-pull-through-cache-rule",
            ecr_repository_prefix="docker-hub",
            upstream_registry_url="registry-1.docker.io",
            credential_arn="{secret_arn}",
            region="{region}",
        ),
    ),
    docs=("https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html",),
)

PLATFORM = FixTemplate(
    summary="Run {image} on the CPU architecture it was built for",
    steps=(
        "Compare the image's platforms (docker buildx imagetools inspect IMAGE) with the task definition's "
        "runtimePlatform (cpuArchitecture X86_64 or ARM64, operatingSystemFamily).",
        "Rebuild for the task's platform (docker buildx build --platform linux/amd64,linux/arm64 ...) or change "
        "runtimePlatform.cpuArchitecture to match the image.",
    ),
    commands=(cmd("ecr", "batch-get-image", repository_name="{repository}", image_ids="imageTag={tag}"),),
    snippet={"runtimePlatform": {"cpuArchitecture": "{cpu_architecture}", "operatingSystemFamily": "LINUX"}},
    snippet_title="task definition",
)

SECRET_ACCESS = FixTemplate(
    summary="Allow the execution role {execution_role_name} to read {secret}",
    steps=(
        "Secrets in the task definition are fetched by the EXECUTION role, not the task role.",
        "Grant secretsmanager:GetSecretValue (Secrets Manager) or ssm:GetParameters (Parameter Store) on the exact "
        "ARN; add kms:Decrypt if a customer-managed key encrypts it.",
    ),
    commands=(
        cmd(
            "iam",
            "put-role-policy",
            role_name="{execution_role_name}",
            policy_name="ecs-secrets-read",
            policy_document={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["secretsmanager:GetSecretValue", "ssm:GetParameters"],
                        "Resource": "{secret_arn}",
                    }
                ],
            },
        ),
    ),
    snippet={
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue", "ssm:GetParameters"],
        "Resource": "{secret_arn}",
    },
    snippet_title="IAM statement for the execution role",
    docs=(DOC + "secrets-envvar-secrets-manager.html",),
)

SECRET_NOT_FOUND = FixTemplate(
    summary="Fix the reference to {secret}",
    steps=(
        "Check the secret or parameter exists in the task's Region and account, under exactly that name or ARN.",
        "Secrets Manager: valueFrom is arn:...:secret:NAME[-SUFFIX][:json-key:version-stage:version-id]; the "
        "JSON key must exist in the secret's value. SSM: a name (/a/b) or a full parameter ARN.",
        "Register a new task definition revision with the corrected valueFrom.",
    ),
    commands=(
        cmd("secretsmanager", "describe-secret", secret_id="{secret_arn}", region="{region}"),
        cmd("ssm", "get-parameters", names="{parameter}", region="{region}"),
    ),
    docs=(DOC + "secrets-envvar-secrets-manager.html",),
)

KMS_DECRYPT = FixTemplate(
    summary="Allow the execution role {execution_role_name} to decrypt with {kms_key_arn}",
    steps=(
        "Find the KMS key that encrypts the secret or SecureString parameter.",
        "Grant kms:Decrypt on that key to the execution role, and make the key policy allow it.",
    ),
    commands=(cmd("kms", "describe-key", key_id="{kms_key_arn}"), cmd("kms", "get-key-policy", key_id="{kms_key_arn}")),
    snippet={"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "{kms_key_arn}"},
    snippet_title="IAM statement for the execution role",
)

LOG_CONFIG = FixTemplate(
    summary="Make the awslogs configuration work: log group {log_group}",
    steps=(
        "Create the log group, or set awslogs-create-group=true AND allow logs:CreateLogGroup.",
        "The execution role needs logs:CreateLogStream and logs:PutLogEvents on the group.",
        "Check awslogs-region is a real Region and awslogs-stream-prefix is set (required on Fargate).",
    ),
    commands=(
        cmd("logs", "create-log-group", log_group_name="{log_group}", region="{region}"),
        cmd("logs", "describe-log-groups", log_group_name_prefix="{log_group}", region="{region}"),
    ),
    snippet={
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "arn:aws:logs:{region}:{account_id}:log-group:{log_group}:*",
    },
    snippet_title="IAM statement for the execution role",
    docs=(DOC + "using_awslogs.html",),
)

ROLE_TRUST = FixTemplate(
    summary="Let ECS assume {role_name}",
    steps=(
        "Check the role exists (the ARN in the task definition is exact, same account).",
        "Its trust policy must allow sts:AssumeRole for the principal ecs-tasks.amazonaws.com.",
        "For the service-linked role: aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com.",
    ),
    commands=(
        cmd("iam", "get-role", role_name="{role_name}"),
        cmd(
            "iam",
            "update-assume-role-policy",
            role_name="{role_name}",
            policy_document={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
        ),
    ),
    risk="review",
)

APP_CONFIG = FixTemplate(
    summary="Give the container the configuration it needs: {variable}",
    steps=(
        "Read the log tail: it names the missing or invalid setting.",
        "Add it to the container definition's environment (plain values) or secrets (sensitive values), "
        "register a new revision and update the service.",
    ),
    commands=(
        cmd(
            "ecs",
            "describe-task-definition",
            task_definition="{task_definition}",
            query="taskDefinition.containerDefinitions[].environment",
        ),
    ),
    snippet={"environment": [{"name": "{variable}", "value": "<value>"}]},
    snippet_title="container definition",
)

APP_DEPENDENCY = FixTemplate(
    summary="Make {host}:{port} reachable from the task, or start without it",
    steps=(
        "Check the host name the app uses is right (a variable pointing at 127.0.0.1/localhost means it is unset).",
        "The dependency's security group must allow inbound from the task's security group on {port}.",
        "Check the dependency is up, in the same VPC (or routed), and its DNS name resolves from the subnet.",
        "Make the app retry at start instead of exiting.",
    ),
    commands=(cmd("ec2", "describe-security-groups", group_ids="{security_group_id}"),),
)

APP_LOGS = FixTemplate(
    summary="Read the container's last log lines and fix the error they show",
    steps=(
        "Fetch the log stream of the stopped container (prefix/container/task-id).",
        "Fix the exception, panic or signal it shows; run the image locally with the same environment to reproduce.",
    ),
    commands=(cmd("logs", "get-log-events", log_group_name="{log_group}", log_stream_name="{log_stream}", limit=100),),
)

OOM = FixTemplate(
    summary="Raise the memory limit of {container} or lower its use",
    steps=(
        "Compare the container's peak memory (CloudWatch MemoryUtilization) with its memory hard limit and the "
        "task memory.",
        "Raise memory (and the task-level memory on Fargate to a valid pair), or cap the runtime heap "
        "(-Xmx, --max-old-space-size) below the limit.",
    ),
    commands=(cmd("ecs", "describe-task-definition", task_definition="{task_definition}"),),
    snippet={"memory": "<MiB>", "memoryReservation": "<MiB>"},
    snippet_title="container definition",
)

ENTRYPOINT = FixTemplate(
    summary="Fix the command/entrypoint of {container}",
    steps=(
        'Each element of command/entryPoint is ONE argument: ["node", "index.js"], not ["node index.js"].',
        "Check the binary exists in the image's PATH and is executable (chmod +x at build time).",
    ),
    snippet={"entryPoint": ["<executable>"], "command": ["<arg1>", "<arg2>"]},
    snippet_title="container definition",
)

EXEC_FORMAT = FixTemplate(
    summary="Make the entrypoint executable on Linux",
    steps=(
        "A script needs a shebang line (#!/bin/sh) and Unix line endings (no CRLF).",
        "A binary must be built for Linux on the task's CPU architecture.",
    ),
)

PORT_CONFLICT = FixTemplate(
    summary="Stop two containers from asking for the same host port",
    steps=(
        "Use dynamic host ports (hostPort 0) in bridge mode, or awsvpc network mode.",
        "Host network mode: only one task per instance may bind the port (use a distinctInstance constraint).",
        "Make sure the old task released the port (stopTimeout, deployment minimumHealthyPercent).",
    ),
    snippet={"portMappings": [{"containerPort": "{port}", "hostPort": 0}]},
    snippet_title="container definition (bridge mode)",
)

CAPACITY = FixTemplate(
    summary="Add capacity to {cluster} or ask for less",
    steps=(
        "Compare the task's cpu/memory with each instance's remaining resources.",
        "Scale out the Auto Scaling group (or use a capacity provider with managed scaling), or reduce the task's "
        "reservation, or use larger instance types.",
    ),
    commands=(
        cmd("ecs", "list-container-instances", cluster="{cluster}"),
        cmd("ecs", "describe-container-instances", cluster="{cluster}", container_instances="{container_instance}"),
    ),
)

NO_INSTANCES = FixTemplate(
    summary="Register container instances in {cluster} (or use Fargate)",
    steps=(
        "Check the Auto Scaling group launches instances with the ECS-optimized AMI and ECS_CLUSTER={cluster} in "
        "/etc/ecs/ecs.config, an instance profile with AmazonEC2ContainerServiceforEC2Role, and a route to ECS.",
        "Check the capacity provider's Auto Scaling group has a max size above 0.",
    ),
    commands=(cmd("ecs", "list-container-instances", cluster="{cluster}", status="ACTIVE"),),
)

PLACEMENT = FixTemplate(
    summary="Relax the placement constraints of {service} or add matching instances",
    steps=(
        "List the service's placementConstraints (memberOf expressions, distinctInstance) and the attributes of "
        "each instance.",
        "Add the missing attribute, launch instances in the required AZ/type, or relax the expression.",
    ),
    commands=(cmd("ecs", "list-attributes", cluster="{cluster}", target_type="container-instance"),),
)

FARGATE_SIZE = FixTemplate(
    summary="Use a valid Fargate cpu/memory pair",
    steps=(
        "Valid: 256 with 512-2048; 512 with 1024-4096; 1024 with 2048-8192; 2048 with 4096-16384 (1 GiB steps); "
        "4096 with 8192-30720 (1 GiB steps); 8192 with 16384-61440 (4 GiB steps); 16384 with 32768-122880 "
        "(8 GiB steps).",
        "cpu and memory must be set at the task level.",
    ),
    snippet={"cpu": "1024", "memory": "2048"},
    snippet_title="task definition",
)

ELB_HEALTH = FixTemplate(
    summary="Make the target group's health check pass for {service}",
    steps=(
        "Health-check port must be traffic-port or a port the container maps; the path must return the matcher "
        "code (200 by default).",
        "Give slow starters time: healthCheckGracePeriodSeconds on the service above the app's warm-up.",
        "The task's security group must allow the load balancer's security group on the container port.",
    ),
    commands=(
        cmd("elbv2", "describe-target-health", target_group_arn="{target_group_arn}"),
        cmd("ecs", "update-service", cluster="{cluster}", service="{service}", health_check_grace_period_seconds=120),
    ),
)

CONTAINER_HEALTH = FixTemplate(
    summary="Make the container health check of {container} pass",
    steps=(
        "Run the healthCheck command inside the image: the tool it calls (curl, wget) must exist.",
        "Raise startPeriod above the app's warm-up; check interval, timeout and retries.",
    ),
    snippet={
        "healthCheck": {
            "command": ["CMD-SHELL", "curl -f http://localhost:{port}/health || exit 1"],
            "startPeriod": 60,
            "interval": 30,
            "timeout": 5,
            "retries": 3,
        }
    },
    snippet_title="container definition",
)

SUBNET_IPS = FixTemplate(
    summary="Free or add IP addresses for the task's subnets",
    steps=("Use larger subnets or more subnets in the service's awsvpcConfiguration; clean unused ENIs.",),
    commands=(cmd("ec2", "describe-subnets", subnet_ids="{subnet_id}", query="Subnets[].AvailableIpAddressCount"),),
)

ENI_SLOTS = FixTemplate(
    summary="Give awsvpc tasks more network interfaces on the instances",
    steps=(
        "Each awsvpc task takes one ENI; the instance type limits how many it can attach.",
        "Enable ENI trunking (awsvpcTrunking account setting, supported instance types), use bigger instances or "
        "bridge mode.",
    ),
    commands=(cmd("ecs", "put-account-setting-default", name="awsvpcTrunking", value="enabled"),),
)

RETRY = FixTemplate(
    summary="Retry; if it keeps happening, look at the task's attachments and the subnet",
    steps=(
        "Transient provisioning errors clear on retry; the service scheduler retries by itself.",
        "If it persists, check the subnet's free IPs and EC2 API limits, and open an AWS support case.",
    ),
)

QUOTA = FixTemplate(
    summary="Raise the service quota or run fewer tasks",
    steps=("Check the quota in Service Quotas (Fargate vCPUs, tasks per service, task sets) and request an increase.",),
    commands=(cmd("service-quotas", "list-service-quotas", service_code="fargate"),),
)

FARGATE_CAPACITY = FixTemplate(
    summary="Retry later or spread across more Availability Zones",
    steps=(
        "Give the service subnets in several AZs; mix FARGATE with FARGATE_SPOT in the capacity provider strategy.",
    ),
)

DISK = FixTemplate(
    summary="Free disk space on the instance or give the task more storage",
    steps=(
        "EC2: raise the EBS volume size, prune unused images (ECS_IMAGE_CLEANUP_*), check the Docker thin pool.",
        "Fargate: raise ephemeralStorage.sizeInGiB (21-200).",
    ),
    snippet={"ephemeralStorage": {"sizeInGiB": 50}},
    snippet_title="task definition (Fargate)",
)

EFS = FixTemplate(
    summary="Make the EFS file system {file_system_id} mountable from the task",
    steps=(
        "A mount target must exist in each of the task's AZs; its security group must allow NFS (2049) from the task.",
        "With IAM authorization, the task role needs elasticfilesystem:ClientMount (and ClientWrite).",
        "The access point path and POSIX user must exist and own the directory.",
    ),
    commands=(cmd("efs", "describe-mount-targets", file_system_id="{file_system_id}"),),
)

SPOT = FixTemplate(
    summary="Expect Spot interruptions: keep on-demand capacity in the mix",
    steps=("Use a capacity provider strategy with a FARGATE (or on-demand) base; handle SIGTERM within 2 minutes.",),
)

NORMAL_STOP = FixTemplate(
    summary="Nothing to fix: this task was stopped on purpose",
    steps=("Look at the service events and deployments for the failure that triggered it, if any.",),
    risk="safe",
)

DEPENDENCY = FixTemplate(
    summary="Fix the dependsOn chain of {container}",
    steps=(
        "The container it depends on must reach the condition (START, COMPLETE, SUCCESS, HEALTHY) in time.",
        "HEALTHY needs a healthCheck on that container; SUCCESS needs it to exit 0.",
        "Raise startTimeout if the dependency is just slow.",
    ),
)

AGENT = FixTemplate(
    summary="Check the ECS agent and container runtime on the instance",
    steps=(
        "Is the agent connected (describe-container-instances agentConnected)? Restart it or replace the instance.",
        "Update the ECS agent / AMI; check the instance's CPU, memory and disk pressure.",
    ),
    commands=(
        cmd("ecs", "describe-container-instances", cluster="{cluster}", container_instances="{container_instance}"),
    ),
)

TASKDEF = FixTemplate(
    summary="Fix the task definition or service request the API rejected",
    steps=("Read the ClientException message: it names the field.", "Register a corrected revision."),
    commands=(cmd("ecs", "describe-task-definition", task_definition="{task_definition}"),),
)

DEPLOYMENT = FixTemplate(
    summary="Find why the deployment's tasks stopped",
    steps=(
        "The circuit breaker only says tasks kept failing: read the stoppedReason and exit codes of the stopped tasks.",
        "Then run ecs-triage diagnose on the service.",
    ),
    commands=(cmd("ecs", "list-tasks", cluster="{cluster}", service_name="{service}", desired_status="STOPPED"),),
)
