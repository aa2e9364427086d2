"""More simulated broken services: further causes of a task that fails to start or keeps stopping.

Registered through the same `_world` decorator as `worlds.py` (imported for its side effect by
`ecs_triage.demo.__init__`), so every world here is also a demo world and an end-to-end fixture.
Built the same way: the real boto3 API against moto, then `_moto.py` injections for what moto does not model.
"""

from __future__ import annotations

from ecs_triage.demo import _moto
from ecs_triage.demo._base import Env, policy
from ecs_triage.demo._svc import fail_tasks, register_service
from ecs_triage.demo.worlds import ACCOUNT, REGION, World, _events, _exec_role, _image, _unstable, _world

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
    message = (
        "{svc} failed to launch a task with (error ECS was unable to assume the role "
        f"'{role}' that was provided for this task. Please verify that the role being passed has the proper trust "
        "relationship and permissions and that your IAM user has permissions to pass this role.)"
    )
    _moto.set_service_state(
        "prod",
        "invoice-mailer",
        running=0,
        events=_events(env, "invoice-mailer", (44, message), (27, message), (7, message)),
    )
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
    _moto.set_service_state(
        "prod", "pricing-engine", running=0, events=_unstable(env, "pricing-engine", arns), failed_tasks=len(arns)
    )
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
    _moto.set_service_state(
        "prod", "webhook-relay", running=0, events=_unstable(env, "webhook-relay", arns), failed_tasks=len(arns)
    )
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
    _moto.set_service_state(
        "prod", "payments-api", running=0, events=_unstable(env, "payments-api", arns), failed_tasks=len(arns)
    )
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
    _moto.set_service_state(
        "prod", "geo-lookup", running=0, events=_unstable(env, "geo-lookup", arns), failed_tasks=len(arns)
    )
    return w
