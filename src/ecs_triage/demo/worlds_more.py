"""More simulated broken services: further causes of a task that fails to start or keeps stopping.

Registered through the same `_world` decorator as `worlds.py` (imported for its side effect by
`ecs_triage.demo.__init__`), so every world here is also a demo world and an end-to-end fixture.
Built the same way: the real boto3 API against moto, then `_moto.py` injections for what moto does not model.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from ecs_triage.demo import _moto
from ecs_triage.demo._base import REGISTRY, Env, policy, push_image, trust
from ecs_triage.demo._svc import fail_tasks, register_service
from ecs_triage.demo.worlds import ACCOUNT, REGION, World, _cannot_assume, _exec_role, _failing, _image, _world

_EXITED = "Essential container in task exited"


def _pull_only_policy() -> str:
    """ECR pull permissions without any CloudWatch Logs action."""
    return policy(
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*",
        },
    )


# --------------------------------------------------------------------------------------------- roles


@_world(
    World(
        "exec-role-deleted",
        "prod",
        "invoice-mailer",
        "The execution role invoice-mailer-execution was deleted with its CloudFormation stack; the task "
        "definition still names it, so ECS cannot assume it and no task starts.",
        "role-assume-failed",
        detail="invoice-mailer-execution",
    )
)
def _exec_role_deleted(env: Env, w: World) -> World:
    image = _image(env, "invoice-mailer", "1.4.0")
    role = f"arn:aws:iam::{ACCOUNT}:role/invoice-mailer-execution"  # never created (deleted in the story)
    register_service(env, "invoice-mailer", image=image, exec_role_arn=role, port=None, desired=1)
    _cannot_assume(env, "invoice-mailer", role, (44, 27, 7))
    return w


# --------------------------------------------------------------------------------------------- container start


@_world(
    World(
        "entrypoint-missing",
        "prod",
        "pricing-engine",
        "pricing-engine's command starts gunicorn, which the slim runtime image does not contain: the "
        "container cannot start (exec: executable file not found in $PATH).",
        "entrypoint-not-found",
        detail="gunicorn",
    )
)
def _entrypoint_missing(env: Env, w: World) -> World:
    image = _image(env, "pricing-engine", "3.8.2")
    svc = register_service(
        env,
        "pricing-engine",
        image=image,
        exec_role_arn=env.exec_role_arn,
        command=["gunicorn", "pricing.wsgi:application", "--bind", "0.0.0.0:8080", "--workers", "3"],
        environment={"DJANGO_SETTINGS_MODULE": "pricing.settings"},
    )
    reason = (
        "CannotStartContainerError: ResourceInitializationError: failed to create new container runtime task: "
        "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container "
        'process: exec: "gunicorn": executable file not found in $PATH: unknown'
    )
    arns = fail_tasks(
        env,
        svc,
        stop_code="TaskFailedToStart",
        stopped_reason=reason,
        container_reason=reason,
        exit_code=127,
    )
    _failing(env, "pricing-engine", arns)
    return w


# --------------------------------------------------------------------------------------------- registries


@_world(
    World(
        "docker-hub-rate-limit",
        "prod",
        "webhook-relay",
        "webhook-relay pulls node:20 anonymously from Docker Hub through the shared NAT gateway: Docker Hub "
        "answers 429 toomanyrequests (pull rate limit).",
        "registry-rate-limit",
        detail="docker-hub/library/node:20",
        also=("node:20",),
    )
)
def _docker_hub_rate_limit(env: Env, w: World) -> World:
    svc = register_service(
        env,
        "webhook-relay",
        image="node:20",
        exec_role_arn=env.exec_role_arn,
        command=["node", "/srv/relay/index.js"],
        environment={"NODE_ENV": "production", "PORT": "8080"},
    )
    reason = (
        "CannotPullContainerError: inspect image has been retried 5 time(s): httpReaderSeeker: failed open: "
        "unexpected status code https://registry-1.docker.io/v2/library/node/manifests/20: 429 Too Many Requests - "
        "Server message: toomanyrequests: You have reached your unauthenticated pull rate limit. "
        "https://www.docker.com/increase-rate-limit"
    )
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason, container_reason=reason)
    _failing(env, "webhook-relay", arns)
    return w


# --------------------------------------------------------------------------------------------- secrets


@_world(
    World(
        "secret-wrong-region",
        "prod",
        "payments-api",
        "payments-api's STRIPE_API_KEY points to prod/payments/stripe-key in us-west-2 (copied from the west "
        "stack); the secret exists only in us-east-1.",
        "secrets-not-found",
        detail="prod/payments/stripe-key",
    )
)
def _secret_wrong_region(env: Env, w: World) -> World:
    image = _image(env, "payments-api", "5.3.0")
    secret = env.c.secretsmanager.create_secret(Name="prod/payments/stripe-key", SecretString="not-a-real-key")
    suffix = secret["ARN"].rsplit("-", 1)[-1]
    west_arn = f"arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:prod/payments/stripe-key-{suffix}"
    role = _exec_role(env, "payments-api-execution")
    env.c.iam.put_role_policy(
        RoleName="payments-api-execution",
        PolicyName="read-payments-secrets",
        PolicyDocument=policy(
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": f"arn:aws:secretsmanager:*:{ACCOUNT}:secret:prod/payments/*",
            }
        ),
    )
    svc = register_service(
        env,
        "payments-api",
        image=image,
        exec_role_arn=role,
        environment={"NODE_ENV": "production"},
        secrets={"STRIPE_API_KEY": west_arn},
    )
    reason = (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret "
        f"{west_arn} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified "
        "secret. status code: 400, request id: 2c4f6a8e-1b3d-4f5a-9c7e-0d2b4f6a8c1e"
    )
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason)
    _failing(env, "payments-api", arns)
    return w


# --------------------------------------------------------------------------------------------- logging


@_world(
    World(
        "log-write-denied",
        "prod",
        "geo-lookup",
        "geo-lookup's execution role geo-lookup-execution may pull from ECR but has no CloudWatch Logs "
        "permission: the awslogs driver cannot create its log stream.",
        "log-config",
        detail="geo-lookup-execution",
    )
)
def _log_write_denied(env: Env, w: World) -> World:
    image = _image(env, "geo-lookup", "2.0.4")
    role = _exec_role(env, "geo-lookup-execution", managed=False)
    env.c.iam.put_role_policy(
        RoleName="geo-lookup-execution", PolicyName="pull-images", PolicyDocument=_pull_only_policy()
    )
    svc = register_service(env, "geo-lookup", image=image, exec_role_arn=role)
    reason = (
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: "
        "failed to create Cloudwatch log stream: AccessDeniedException: User: "
        f"arn:aws:sts::{ACCOUNT}:assumed-role/geo-lookup-execution/3d9f1b2c4e5a6f708192a3b4c5d6e7f8 is not "
        f"authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:{REGION}:{ACCOUNT}:log-group:"
        "/ecs/geo-lookup:log-stream:ecs/geo-lookup/0 because no identity-based policy allows the "
        "logs:CreateLogStream action status code: 400 : exit status 1"
    )
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason)
    _failing(env, "geo-lookup", arns)
    return w


# --------------------------------------------------------------------------------------------- health checks

RECOMMENDER_LOGS = (
    (0.0, "{ts} INFO  recommender 2.6.1 starting (workers=4)"),
    (1.8, "{ts} INFO  loading embeddings from /models/items-2026-11.npy (1.9 GB)"),
    (46.5, "{ts} INFO  embeddings loaded: 4,812,330 items"),
    (48.0, "{ts} INFO  Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)"),
    (51.0, "{ts} INFO  Shutting down"),
)


@_world(
    World(
        "container-health-check",
        "prod",
        "recommender",
        "recommender needs 48 s to load its model; its container health check has no startPeriod (3 retries "
        "every 15 s), so ECS marks it UNHEALTHY and stops it before it is ready.",
        "container-health-check",
        detail="startPeriod",
        logs=tuple(line for _, line in RECOMMENDER_LOGS),
    )
)
def _container_health_check(env: Env, w: World) -> World:
    image = _image(env, "recommender", "2.6.1")
    svc = register_service(
        env,
        "recommender",
        image=image,
        exec_role_arn=env.exec_role_arn,
        memory="4096",
        cpu="1024",
        container_reservation=3072,
        health_check={
            "command": ["CMD-SHELL", "curl -fsS http://localhost:8080/healthz || exit 1"],
            "interval": 15,
            "timeout": 5,
            "retries": 3,
        },
    )
    arns = fail_tasks(
        env,
        svc,
        stop_code="TaskFailedToStart",
        stopped_reason="Task failed container health checks",
        exit_code=143,
        started_after=41.0,
        ran_for=51.5,
        logs=list(RECOMMENDER_LOGS),
    )
    for arn in arns:  # mark_stopped leaves health UNKNOWN; a failed container health check records UNHEALTHY
        task = _moto.task_object("prod", arn)
        task.health_status = "UNHEALTHY"
        task.containers[0].health_status = "UNHEALTHY"
    _failing(env, "recommender", arns)
    return w


# --------------------------------------------------------------------------------------------- KMS


@_world(
    World(
        "secret-kms-denied",
        "prod",
        "claims-processor",
        "claims-processor's secret prod/claims/api-token is encrypted with the customer-managed key alias/claims; "
        "the execution role claims-processor-execution may read the secret but not kms:Decrypt with that key.",
        "secrets-kms-denied",
        detail="claims-processor-execution",
    )
)
def _secret_kms_denied(env: Env, w: World) -> World:
    image = _image(env, "claims-processor", "1.17.0")
    key = env.c.kms.create_key(Description="claims data", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    env.c.kms.create_alias(AliasName="alias/claims", TargetKeyId=key["KeyId"])
    secret = env.c.secretsmanager.create_secret(
        Name="prod/claims/api-token", SecretString="not-a-real-token", KmsKeyId=key["Arn"]
    )
    role = _exec_role(env, "claims-processor-execution")
    env.c.iam.put_role_policy(
        RoleName="claims-processor-execution",
        PolicyName="read-claims-secret",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret["ARN"]}
        ),
    )
    svc = register_service(
        env, "claims-processor", image=image, exec_role_arn=role, port=None, secrets={"API_TOKEN": secret["ARN"]}
    )
    reason = (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret "
        f"{secret['ARN']} from secrets manager: AccessDeniedException: Access to KMS is not allowed status code: "
        "400, request id: 7e1d3c5b-2a4f-4e6d-8b0a-9c1e3d5f7a2b"
    )
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason)
    _failing(env, "claims-processor", arns)
    return dataclasses.replace(w, also=(key["Arn"],))


# --------------------------------------------------------------------------------------------- ECR policy


@_world(
    World(
        "ecr-repo-policy-deny",
        "prod",
        "risk-scorer",
        "The ECR repository risk-scorer has a policy that denies every principal except the CI role "
        "ci-image-publisher: the execution role's pulls get 403 Forbidden despite its IAM permissions.",
        "image-pull-auth",
        detail="DenyAllButCiPublisher",
    )
)
def _ecr_repo_policy_deny(env: Env, w: World) -> World:
    image = _image(env, "risk-scorer", "0.14.2")
    env.c.iam.create_role(RoleName="ci-image-publisher", AssumeRolePolicyDocument=trust("codebuild.amazonaws.com"))
    env.c.ecr.set_repository_policy(
        repositoryName="risk-scorer",
        policyText=policy(
            {
                "Sid": "DenyAllButCiPublisher",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "ecr:*",
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/ci-image-publisher"}},
            }
        ),
    )
    svc = register_service(env, "risk-scorer", image=image, exec_role_arn=env.exec_role_arn)
    reason = (
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
        f"{image}: pulling from host {REGISTRY} failed with status code [manifests 0.14.2]: 403 Forbidden"
    )
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason, container_reason=reason)
    _failing(env, "risk-scorer", arns)
    return w


# --------------------------------------------------------------------------------------------- platform


def _push_amd64_index(env: Env, repository: str, tag: str) -> str:
    """A `docker buildx build --platform linux/amd64 --push` result: an OCI image index with the amd64 image
    and its attestation manifest (platform unknown/unknown), pushed as one tag."""
    amd64 = push_image(env, repository, f"{tag}-amd64")
    att = hashlib.sha256(f"{repository}:{tag}:attestation".encode()).hexdigest()
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": amd64,
                    "size": 481,
                    "platform": {"architecture": "amd64", "os": "linux"},
                },
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": f"sha256:{att}",
                    "size": 566,
                    "annotations": {
                        "vnd.docker.reference.digest": amd64,
                        "vnd.docker.reference.type": "attestation-manifest",
                    },
                    "platform": {"architecture": "unknown", "os": "unknown"},
                },
            ],
        }
    )
    out = env.c.ecr.put_image(
        repositoryName=repository,
        imageManifest=index,
        imageManifestMediaType="application/vnd.oci.image.index.v1+json",
        imageTag=tag,
    )
    digest: str = out["image"]["imageId"]["imageDigest"]
    env.digests[f"{repository}:{tag}"] = digest
    return f"{REGISTRY}/{repository}:{tag}"


@_world(
    World(
        "image-platform-mismatch",
        "prod",
        "thumbnailer",
        "thumbnailer moved to Graviton (runtimePlatform ARM64), but its image thumbnailer:4.0.0 was built for "
        "linux/amd64 only: the pull finds no linux/arm64 manifest.",
        "image-platform-mismatch",
        detail="linux/arm64",
        also=("X86_64",),
    )
)
def _image_platform_mismatch(env: Env, w: World) -> World:
    image = _push_amd64_index(env, "thumbnailer", "4.0.0")
    svc = register_service(env, "thumbnailer", image=image, exec_role_arn=env.exec_role_arn, port=None)
    # register_service pins X86_64: the new revision (the Graviton move) is registered here with ARM64
    td = env.c.ecs.describe_task_definition(taskDefinition=svc.task_definition_arn)["taskDefinition"]
    keep = ("family", "networkMode", "containerDefinitions", "requiresCompatibilities", "cpu", "memory")
    kwargs = {k: td[k] for k in keep if k in td}
    kwargs["executionRoleArn"] = td["executionRoleArn"]
    kwargs["runtimePlatform"] = {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
    arm = env.c.ecs.register_task_definition(**kwargs)["taskDefinition"]["taskDefinitionArn"]
    env.c.ecs.update_service(cluster="prod", service="thumbnailer", taskDefinition=arm)
    # moto's UpdateService keeps the old deployment's taskDefinition; ECS would roll out a PRIMARY one with :2
    _moto.ecs_backend()._get_service("prod", "thumbnailer").deployments[0]["taskDefinition"] = arm
    svc.task_definition_arn = arm
    reason = (
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
        f"{image}: image Manifest does not contain descriptor matching platform 'linux/arm64'"
    )
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason, container_reason=reason)
    _failing(env, "thumbnailer", arns)
    return w


@_world(
    World(
        "secret-scheduled-deletion",
        "prod",
        "loyalty-points",
        "loyalty-points reads prod/loyalty/redis-auth, which a clean-up script scheduled for deletion: Secrets "
        "Manager refuses to return it, so no task starts.",
        "secrets-not-found",
        detail="prod/loyalty/redis-auth",
    )
)
def _secret_scheduled_deletion(env: Env, w: World) -> World:
    image = _image(env, "loyalty-points", "3.1.7")
    secret = env.c.secretsmanager.create_secret(Name="prod/loyalty/redis-auth", SecretString="not-a-real-token")
    env.c.secretsmanager.delete_secret(SecretId=secret["ARN"], RecoveryWindowInDays=7)
    role = _exec_role(env, "loyalty-points-execution")
    env.c.iam.put_role_policy(
        RoleName="loyalty-points-execution",
        PolicyName="read-redis-auth",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret["ARN"]}
        ),
    )
    svc = register_service(
        env, "loyalty-points", image=image, exec_role_arn=role, secrets={"REDIS_AUTH": secret["ARN"]}
    )
    reason = (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret "
        f"{secret['ARN']} from secrets manager: InvalidRequestException: You can't perform this operation on the "
        "secret because it was marked for deletion. status code: 400, request id: 4a6c8e0b-3d5f-4b7a-9e1c-2f4a6c8e0b3d"
    )
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason)
    _failing(env, "loyalty-points", arns)
    return w
