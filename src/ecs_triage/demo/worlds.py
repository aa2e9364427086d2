"""The simulated broken AWS account: one service per failure, plus healthy services.

Each world is built through the real boto3 API against moto (in-process `mock_aws` or a `ThreadedMotoServer`
in the same process); what moto does not model (stop codes, container exit codes and reasons, service events,
unhealthy targets) is injected into moto's backend objects by `_moto.py`. These worlds are the demo AND the
end-to-end test fixtures (tests/e2e): one source of truth.

A `World` says what a correct diagnosis must find: `cause` (a label of the taxonomy) and `detail`, the
decisive value the fix must contain (the role to change, the missing tag, the VPC to fix ...); `also` lists
other values that are equally decisive (any one of `detail` and `also` must appear in the fix).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ecs_triage.demo import _moto
from ecs_triage.demo._base import (
    EXEC_POLICY_ARN,
    REGISTRY,
    Env,
    add_target_group,
    build_base,
    policy,
    push_image,
    trust,
)
from ecs_triage.demo._svc import event_time, fail_tasks, register_service, start_tasks, task_ip

ACCOUNT, REGION = _moto.ACCOUNT, _moto.REGION


@dataclass(frozen=True)
class World:
    name: str
    cluster: str
    service: str
    description: str
    cause: str  # taxonomy label; "" for a healthy service
    detail: str = ""  # the decisive value the fix must contain (filled at build time when it is an id)
    also: tuple[str, ...] = ()  # equally decisive alternatives
    logs: tuple[str, ...] = ()  # the log lines written for each stopped task ({ts}: the event's time, see _svc)
    healthy: bool = False
    task_arns: tuple[str, ...] = ()  # the service's tasks (stopped and running), filled at build time

    @property
    def details(self) -> tuple[str, ...]:
        return tuple(d for d in (self.detail, *self.also) if d)


Builder = Callable[[Env, World], World]
_BUILDERS: dict[str, Builder] = {}
WORLDS: dict[str, World] = {}


def _world(world: World) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        WORLDS[world.name] = world
        _BUILDERS[world.name] = fn
        return fn

    return register


def _events(env: Env, service: str, *pairs: tuple[float, str]) -> list[tuple[datetime, str]]:
    return [(event_time(env, minutes), text.replace("{svc}", f"(service {service})")) for minutes, text in pairs]


def _unstable(env: Env, service: str, task_arns: Iterable[str]) -> list[tuple[datetime, str]]:
    ids = [a.rsplit("/", 1)[-1] for a in task_arns]
    out = [(34.1, "{svc} has started 1 tasks: (task " + ids[0] + ").")]
    if len(ids) > 1:
        out.append((12.1, "{svc} has started 1 tasks: (task " + ids[1] + ")."))
    out.append(
        (
            11.5,
            "{svc} is unable to consistently start tasks successfully. For more information, see the "
            "Troubleshooting section of the Amazon ECS Developer Guide.",
        )
    )
    return _events(env, service, *out)


def _failing(env: Env, service: str, task_arns: list[str], *, cluster: str = "prod") -> None:
    """The service state of a failing world: nothing running, these tasks failed, the "unable to start" events."""
    _moto.set_service_state(
        cluster, service, running=0, events=_unstable(env, service, task_arns), failed_tasks=len(task_arns)
    )


def _steady(env: Env, service: str, *, running: int, minutes: float, cluster: str = "prod") -> None:
    """The service state of a healthy world: the rollout completed, steady state reached `minutes` ago."""
    _moto.set_service_state(
        cluster,
        service,
        running=running,
        rollout_state="COMPLETED",
        rollout_reason="ECS deployment completed.",
        events=_events(env, service, (minutes, "{svc} has reached a steady state.")),
    )


def _cannot_assume(env: Env, service: str, role_arn: str, minutes_ago: tuple[float, ...]) -> None:
    """The service state when ECS cannot assume the execution role: no task starts, one event per attempt."""
    message = (
        "{svc} failed to launch a task with (error ECS was unable to assume the role "
        f"'{role_arn}' that was provided for this task. Please verify that the role being passed has the proper "
        "trust relationship and permissions and that your IAM user has permissions to pass this role.)"
    )
    events = _events(env, service, *((m, message) for m in minutes_ago))
    _moto.set_service_state("prod", service, running=0, events=events)


def _exec_role(env: Env, name: str, *, managed: bool = True, trusted: str = "ecs-tasks.amazonaws.com") -> str:
    iam = env.c.iam
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(trusted))["Role"]["Arn"]
    if managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=EXEC_POLICY_ARN)
    return arn


def _image(env: Env, repository: str, tag: str) -> str:
    push_image(env, repository, tag)
    return f"{REGISTRY}/{repository}:{tag}"


# --------------------------------------------------------------------------------------------- image pull


@_world(
    World(
        "ecr-pull-403",
        "prod",
        "billing-api",
        "The execution role billing-api-execution has only logs permissions: pulling from ECR gets 403 Forbidden.",
        "image-pull-auth",
        detail="billing-api-execution",
    )
)
def _ecr_pull_403(env: Env, w: World) -> World:
    image = _image(env, "billing-api", "2.3.1")
    role = _exec_role(env, "billing-api-execution", managed=False)
    env.c.iam.put_role_policy(
        RoleName="billing-api-execution",
        PolicyName="write-logs",
        PolicyDocument=policy(
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/billing-api:*",
            }
        ),
    )
    svc = register_service(env, "billing-api", image=image, exec_role_arn=role)
    reason = (
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
        f"{image}: pulling from host {REGISTRY} failed with status code [manifests 2.3.1]: 403 Forbidden"
    )
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason, container_reason=reason)
    _failing(env, "billing-api", arns)
    return w


@_world(
    World(
        "image-tag-missing",
        "prod",
        "catalog-web",
        "The task definition asks for catalog-web:3.0.0; the repository only has 2.9.0 and 2.9.1.",
        "image-not-found",
        detail="3.0.0",
    )
)
def _image_tag_missing(env: Env, w: World) -> World:
    push_image(env, "catalog-web", "2.9.0")
    push_image(env, "catalog-web", "2.9.1")
    image = f"{REGISTRY}/catalog-web:3.0.0"
    svc = register_service(env, "catalog-web", image=image, exec_role_arn=env.exec_role_arn)
    reason = (
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
        f"{image}: {image}: not found"
    )
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason, container_reason=reason)
    _failing(env, "catalog-web", arns)
    return w


@_world(
    World(
        "no-route-to-ecr",
        "prod",
        "ledger-sync",
        "Tasks run in ledger-vpc's private subnets: no NAT gateway, no VPC endpoints, no public IP. ECR is unreachable.",
        "image-pull-network",
    )
)
def _no_route_to_ecr(env: Env, w: World) -> World:
    image = _image(env, "ledger-sync", "5.0.2")
    svc = register_service(env, "ledger-sync", image=image, exec_role_arn=env.exec_role_arn, subnets="ledger")
    reason = (
        "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth "
        "from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network "
        'configuration. RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": '
        "dial tcp 3.227.250.116:443: i/o timeout"
    )
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason, ran_for=95.0, subnets="ledger")
    _failing(env, "ledger-sync", arns)
    return dataclasses.replace(w, detail=env.ledger_vpc, also=(env.ledger_route_table, *env.ledger_subnets))


# --------------------------------------------------------------------------------------------- secrets, roles


def _secret_failure(secret_arn: str, role: str) -> str:
    return (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret "
        f"{secret_arn} from secrets manager: AccessDeniedException: User: "
        f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/8f3c1a2b4d5e6f708192a3b4c5d6e7f8 is not authorized to perform: "
        f"secretsmanager:GetSecretValue on resource: {secret_arn} because no identity-based policy allows the "
        "secretsmanager:GetSecretValue action status code: 400, request id: 5b2c7e4a-9d1f-4c3e-8a6b-0f2e1d3c4b5a"
    )


@_world(
    World(
        "secret-denied",
        "prod",
        "orders-api",
        "orders-api reads prod/orders/db-password from Secrets Manager; its execution role may not.",
        "secrets-access-denied",
        detail="orders-api-execution",
    )
)
def _secret_denied(env: Env, w: World) -> World:
    image = _image(env, "orders-api", "7.12.0")
    secret = env.c.secretsmanager.create_secret(Name="prod/orders/db-password", SecretString="not-a-real-password")
    role = _exec_role(env, "orders-api-execution")
    svc = register_service(
        env,
        "orders-api",
        image=image,
        exec_role_arn=role,
        environment={"NODE_ENV": "production", "PORT": "8080"},
        secrets={"DB_PASSWORD": secret["ARN"]},
    )
    reason = _secret_failure(secret["ARN"], "orders-api-execution")
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason)
    _failing(env, "orders-api", arns)
    return dataclasses.replace(w, also=(secret["ARN"],))


@_world(
    World(
        "secret-on-task-role",
        "prod",
        "notifications-worker",
        "secretsmanager:GetSecretValue for prod/notifications/smtp was granted to the task role "
        "notifications-task, not to the execution role notifications-execution that fetches it.",
        "secrets-access-denied",
        detail="notifications-execution",
    )
)
def _secret_on_task_role(env: Env, w: World) -> World:
    image = _image(env, "notifications-worker", "1.9.4")
    secret = env.c.secretsmanager.create_secret(Name="prod/notifications/smtp", SecretString='{"user":"x"}')
    exec_role = _exec_role(env, "notifications-execution")
    task_role = env.c.iam.create_role(RoleName="notifications-task", AssumeRolePolicyDocument=trust())["Role"]["Arn"]
    env.c.iam.put_role_policy(
        RoleName="notifications-task",
        PolicyName="read-smtp-secret",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret["ARN"]},
            {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": "*"},
        ),
    )
    svc = register_service(
        env,
        "notifications-worker",
        image=image,
        exec_role_arn=exec_role,
        task_role_arn=task_role,
        port=None,
        secrets={"SMTP_CREDENTIALS": secret["ARN"]},
    )
    reason = _secret_failure(secret["ARN"], "notifications-execution")
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason)
    _failing(env, "notifications-worker", arns)
    return w


@_world(
    World(
        "exec-role-trust",
        "prod",
        "audit-log-shipper",
        "The execution role audit-shipper-execution trusts ec2.amazonaws.com, not ecs-tasks.amazonaws.com: "
        "ECS cannot assume it, no task starts.",
        "role-assume-failed",
        detail="audit-shipper-execution",
    )
)
def _exec_role_trust(env: Env, w: World) -> World:
    image = _image(env, "audit-log-shipper", "0.8.1")
    role = _exec_role(env, "audit-shipper-execution", trusted="ec2.amazonaws.com")
    register_service(env, "audit-log-shipper", image=image, exec_role_arn=role, port=None, desired=1)
    _cannot_assume(env, "audit-log-shipper", role, (41, 25, 9))
    return w


@_world(
    World(
        "log-group-missing",
        "prod",
        "search-indexer",
        "The awslogs group /ecs/search-indexer does not exist and awslogs-create-group is not set.",
        "log-config",
        detail="/ecs/search-indexer",
    )
)
def _log_group_missing(env: Env, w: World) -> World:
    image = _image(env, "search-indexer", "3.4.0")
    svc = register_service(
        env, "search-indexer", image=image, exec_role_arn=env.exec_role_arn, create_log_group=False, port=None
    )
    reason = (
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: "
        "failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not "
        "exist. : exit status 1"
    )
    arns = fail_tasks(env, svc, stop_code="TaskFailedToStart", stopped_reason=reason)
    _failing(env, "search-indexer", arns)
    return w


# --------------------------------------------------------------------------------------------- application exits

_EXITED = "Essential container in task exited"

CHECKOUT_LOGS = (
    (0.0, "[{ts_gunicorn}] [1] [INFO] Starting gunicorn 22.0.0"),
    (0.4, "[{ts_gunicorn}] [7] [INFO] Booting worker with pid: 7"),
    (1.1, "Traceback (most recent call last):"),
    (1.1, '  File "/app/checkout/settings.py", line 41, in <module>'),
    (1.1, '    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}'),
    (1.1, '  File "/usr/local/lib/python3.12/os.py", line 714, in __getitem__'),
    (1.1, "    raise KeyError(key) from None"),
    (1.1, "KeyError: 'DATABASE_URL'"),
    (1.3, "[{ts_gunicorn}] [1] [ERROR] Worker (pid:7) exited with code 3"),
)


@_world(
    World(
        "app-missing-env",
        "prod",
        "checkout-api",
        "checkout-api exits at start with KeyError: 'DATABASE_URL': the variable is in neither environment nor secrets.",
        "app-exit-missing-config",
        detail="DATABASE_URL",
        logs=tuple(line for _, line in CHECKOUT_LOGS),
    )
)
def _app_missing_env(env: Env, w: World) -> World:
    image = _image(env, "checkout-api", "4.1.0")
    svc = register_service(
        env,
        "checkout-api",
        image=image,
        exec_role_arn=env.exec_role_arn,
        environment={"DJANGO_SETTINGS_MODULE": "checkout.settings", "LOG_LEVEL": "info", "REDIS_URL": "redis://x"},
    )
    arns = fail_tasks(
        env,
        svc,
        stop_code="EssentialContainerExited",
        stopped_reason=_EXITED,
        exit_code=3,
        started_after=38.0,
        ran_for=2.0,
        logs=list(CHECKOUT_LOGS),
    )
    _failing(env, "checkout-api", arns)
    return w


INVENTORY_LOGS = (
    (0.0, "> inventory-api@2.7.3 start"),
    (0.0, "> node dist/server.js"),
    (0.6, '{"level":30,"msg":"connecting to postgres at 10.0.3.25:5432"}'),
    (0.7, "Error: connect ECONNREFUSED 10.0.3.25:5432"),
    (0.7, "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16) {"),
    (0.7, "  errno: -111,"),
    (0.7, "  code: 'ECONNREFUSED',"),
    (0.7, "  syscall: 'connect',"),
    (0.7, "  address: '10.0.3.25',"),
    (0.7, "  port: 5432"),
    (0.7, "}"),
    (0.7, "Node.js v20.18.0"),
)


@_world(
    World(
        "app-db-refused",
        "prod",
        "inventory-api",
        "inventory-api exits at start: its PostgreSQL database at 10.0.3.25:5432 refuses connections.",
        "app-exit-dependency-unreachable",
        detail="10.0.3.25",
        logs=tuple(line for _, line in INVENTORY_LOGS),
    )
)
def _app_db_refused(env: Env, w: World) -> World:
    image = _image(env, "inventory-api", "2.7.3")
    svc = register_service(
        env,
        "inventory-api",
        image=image,
        exec_role_arn=env.exec_role_arn,
        environment={"PGHOST": "10.0.3.25", "PGPORT": "5432", "PGDATABASE": "inventory", "NODE_ENV": "production"},
    )
    arns = fail_tasks(
        env,
        svc,
        stop_code="EssentialContainerExited",
        stopped_reason=_EXITED,
        exit_code=1,
        started_after=31.0,
        ran_for=1.2,
        logs=list(INVENTORY_LOGS),
    )
    _failing(env, "inventory-api", arns)
    return w


RENDERER_LOGS = (
    (0.0, "report-renderer 6.2.0 listening on 8080"),
    (240.0, "rendering report q3-revenue (1,843 pages)"),
    (301.0, "<--- Last few GCs --->"),
    (301.0, "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"),
)


@_world(
    World(
        "oom",
        "prod",
        "report-renderer",
        "report-renderer's container (hard limit 512 MiB) is killed for exceeding its memory while rendering.",
        "oom-killed",
        detail="report-renderer",
        logs=tuple(line for _, line in RENDERER_LOGS),
    )
)
def _oom(env: Env, w: World) -> World:
    image = _image(env, "report-renderer", "6.2.0")
    svc = register_service(
        env,
        "report-renderer",
        image=image,
        exec_role_arn=env.exec_role_arn,
        cpu="512",
        memory="1024",
        container_memory=512,
        container_reservation=512,
    )
    arns = fail_tasks(
        env,
        svc,
        stop_code="EssentialContainerExited",
        stopped_reason=_EXITED,
        exit_code=137,
        container_reason="OutOfMemoryError: Container killed due to memory usage",
        started_after=29.0,
        ran_for=302.0,
        logs=list(RENDERER_LOGS),
        minutes_ago=(52, 19),
    )
    _failing(env, "report-renderer", arns)
    return w


# --------------------------------------------------------------------------------------------- EC2 cluster

GATEWAY_LOGS = (
    (0.0, 'ts={ts} caller=main.go:61 level=info msg="Starting metrics-gateway" version=1.8.3'),
    (
        0.1,
        'ts={ts} caller=main.go:88 level=error msg="failed to start HTTP server" '
        'err="listen tcp 0.0.0.0:9100: bind: address already in use"',
    ),
)


@_world(
    World(
        "port-allocated",
        "ec2-workers",
        "metrics-gateway",
        "metrics-gateway uses host networking on port 9100, which node_exporter (installed on the AMI, outside "
        "ECS) already holds on every instance.",
        "port-conflict",
        detail="9100",
        also=("awsvpc",),  # the fix may instead take the task off host networking (its own ENI, no host port)
        logs=tuple(line for _, line in GATEWAY_LOGS),
    )
)
def _port_allocated(env: Env, w: World) -> World:
    image = _image(env, "metrics-gateway", "1.8.3")
    svc = register_service(
        env,
        "metrics-gateway",
        cluster="ec2-workers",
        image=image,
        exec_role_arn=env.exec_role_arn,
        network_mode="host",
        port=9100,
        cpu=None,
        memory=None,
        container_reservation=256,
    )
    arns: list[str] = []
    for ci in env.container_instances:
        # placed by moto on the first instance with room; pinned to one task per instance as a DAEMON would be
        arns += fail_tasks(
            env,
            svc,
            count=1,
            stop_code="EssentialContainerExited",
            stopped_reason=_EXITED,
            exit_code=1,
            started_after=4.0,
            ran_for=0.2,
            logs=list(GATEWAY_LOGS),
            minutes_ago=(31,) if ci == env.container_instances[0] else (14,),
            container_instance=ci,
        )
    _failing(env, "metrics-gateway", arns, cluster="ec2-workers")
    return w


@_world(
    World(
        "resource-memory",
        "ec2-workers",
        "video-transcoder",
        "video-transcoder reserves 6144 MiB; the best ec2-workers instance has about 2362 MiB free.",
        "insufficient-memory",
        detail="ec2-workers",
        also=("6144",),
    )
)
def _resource_memory(env: Env, w: World) -> World:
    image = _image(env, "video-transcoder", "2.0.0")
    register_service(
        env,
        "video-transcoder",
        cluster="ec2-workers",
        image=image,
        exec_role_arn=env.exec_role_arn,
        cpu=None,
        memory=None,
        container_memory=6144,
        container_reservation=6144,
        container_cpu=2048,
        port=None,
    )
    # Remaining memory comes from moto's own bookkeeping: queue-consumer (healthy) reserves 5120 MiB per instance.
    ci_id = env.container_instances[0].rsplit("/", 1)[-1]
    message = (
        "{svc} was unable to place a task because no container instance met all of its requirements. "
        f"The closest matching (container-instance {ci_id}) has insufficient memory available. For more "
        "information, see the Troubleshooting section of the Amazon ECS Developer Guide."
    )
    _moto.set_service_state(
        "ec2-workers",
        "video-transcoder",
        running=0,
        pending=0,
        events=_events(env, "video-transcoder", (48, message), (30, message), (8, message)),
    )
    return w


# --------------------------------------------------------------------------------------------- Fargate sizing


@_world(
    World(
        "fargate-invalid-cpu-memory",
        "prod",
        "pdf-export",
        "pdf-export asks Fargate for 256 CPU units with 4096 MiB: not a valid Fargate combination.",
        "fargate-invalid-cpu-memory",
        detail="pdf-export",
    )
)
def _fargate_invalid(env: Env, w: World) -> World:
    image = _image(env, "pdf-export", "1.2.0")
    # AWS rejects this pair at RegisterTaskDefinition for FARGATE; moto accepts it (and the demo needs it).
    register_service(
        env, "pdf-export", image=image, exec_role_arn=env.exec_role_arn, cpu="256", memory="4096", desired=1
    )
    message = (
        "{svc} failed to launch a task with (error No Fargate configuration exists for given values: "
        "256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.)"
    )
    _moto.set_service_state(
        "prod", "pdf-export", running=0, events=_events(env, "pdf-export", (37, message), (21, message), (6, message))
    )
    return w


# --------------------------------------------------------------------------------------------- load balancing

SEARCH_LOGS = (
    (0.0, "{ts} INFO  search-api 4.2.0 starting (JVM 21, heap 1536m)"),
    (3.2, "{ts} INFO  loading index shards from s3://acme-search-indexes/prod/ (12 shards)"),
    (41.0, "{ts} INFO  shard 6/12 loaded"),
    (88.5, "{ts} INFO  shard 12/12 loaded, warming query caches"),
    (95.0, "{ts} INFO  Started SearchApiApplication in 95.0 seconds; listening on 0.0.0.0:8080"),
    (97.0, "{ts} INFO  Received SIGTERM, shutting down"),
)


def _elb_world(
    env: Env, name: str, tg_name: str, *, health_port: str, path: str, grace: int, logs: list[tuple[float, str]]
) -> str:
    image = _image(env, name, "4.2.0")
    tg = add_target_group(env, tg_name, health_port=health_port, path=path, host=f"{name}.internal.acme.io")
    svc = register_service(
        env,
        name,
        image=image,
        exec_role_arn=env.exec_role_arn,
        target_group_arn=tg,
        grace=grace,
        memory="2048",
        container_reservation=1536,
    )
    reason = f"Task failed ELB health checks in (target-group {tg})"
    arns = fail_tasks(
        env,
        svc,
        stop_code="ServiceSchedulerInitiated",
        stopped_reason=reason,
        exit_code=143,
        started_after=33.0,
        ran_for=97.5,
        logs=logs,
        minutes_ago=(27, 9),
    )
    running = start_tasks(env, svc, count=2, minutes_ago=1)
    targets = [{"Id": task_ip(env, svc, arn), "Port": 8080} for arn in running]
    env.c.elbv2.register_targets(TargetGroupArn=tg, Targets=[t for t in targets if t["Id"]])
    _moto.set_targets_unhealthy(tg, "Target.FailedHealthChecks", "Health checks failed")
    ids = [a.rsplit("/", 1)[-1] for a in arns]
    _moto.set_service_state(
        "prod",
        name,
        running=2,
        failed_tasks=len(arns),
        events=_events(
            env,
            name,
            (27.5, "{svc} registered 1 targets in (target-group " + tg + ")"),
            (25.6, "{svc} (port 8080) is unhealthy in (target-group " + tg + ") due to (reason Health checks failed)."),
            (25.5, "{svc} has stopped 1 running tasks: (task " + ids[0] + ")."),
            (9.6, "{svc} (port 8080) is unhealthy in (target-group " + tg + ") due to (reason Health checks failed)."),
            (9.5, "{svc} has stopped 1 running tasks: (task " + ids[-1] + ")."),
            (1.0, "{svc} has started 2 tasks: (task " + ") (task ".join(a.rsplit("/", 1)[-1] for a in running) + ")."),
        ),
    )
    return tg


@_world(
    World(
        "elb-warmup",
        "prod",
        "search-api",
        "search-api needs 95 s to warm up; the health-check grace period is 10 s, so the load balancer kills it "
        "before it is ready.",
        "elb-health-check",
        detail="--health-check-grace-period-seconds",
        also=("healthCheckGracePeriodSeconds", "startPeriod"),
        logs=tuple(line for _, line in SEARCH_LOGS),
    )
)
def _elb_warmup(env: Env, w: World) -> World:
    _elb_world(
        env, "search-api", "search-api-tg", health_port="traffic-port", path="/health", grace=10, logs=list(SEARCH_LOGS)
    )
    return w


PROFILE_LOGS = (
    (0.0, "{ts} INFO profile-api 4.2.0 starting"),
    (2.5, "{ts} INFO HTTP server listening on :8080"),
    (97.0, "{ts} INFO received SIGTERM, draining connections"),
)


@_world(
    World(
        "health-check-port",
        "prod",
        "profile-api",
        "The target group profile-api-tg health-checks port 8081; the container listens on 8080 only.",
        "elb-health-check",
        detail="profile-api-tg",
        logs=tuple(line for _, line in PROFILE_LOGS),
    )
)
def _health_check_port(env: Env, w: World) -> World:
    tg = _elb_world(
        env, "profile-api", "profile-api-tg", health_port="8081", path="/healthz", grace=60, logs=list(PROFILE_LOGS)
    )
    return dataclasses.replace(w, also=(tg,))


# --------------------------------------------------------------------------------------------- healthy services


@_world(
    World(
        "healthy-web-frontend",
        "prod",
        "web-frontend",
        "Healthy: 3 of 3 tasks running behind prod-alb, targets healthy.",
        "",
        healthy=True,
    )
)
def _healthy_web(env: Env, w: World) -> World:
    image = _image(env, "web-frontend", "12.4.1")
    tg = add_target_group(env, "web-frontend-tg", path="/", host="www.acme.io")
    svc = register_service(
        env, "web-frontend", image=image, exec_role_arn=env.exec_role_arn, target_group_arn=tg, grace=60, desired=3
    )
    arns = start_tasks(env, svc, count=3, health="HEALTHY")
    env.c.elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": task_ip(env, svc, a), "Port": 8080} for a in arns])
    _steady(env, "web-frontend", running=3, minutes=185)
    return w


@_world(
    World(
        "healthy-auth-service",
        "prod",
        "auth-service",
        "Healthy: reads its signing key from Secrets Manager with a correctly scoped execution role.",
        "",
        healthy=True,
    )
)
def _healthy_auth(env: Env, w: World) -> World:
    image = _image(env, "auth-service", "3.3.0")
    secret = env.c.secretsmanager.create_secret(Name="prod/auth/jwt-signing-key", SecretString="not-a-real-key")
    role = _exec_role(env, "auth-service-execution")
    env.c.iam.put_role_policy(
        RoleName="auth-service-execution",
        PolicyName="read-signing-key",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret["ARN"]}
        ),
    )
    svc = register_service(
        env, "auth-service", image=image, exec_role_arn=role, secrets={"JWT_SIGNING_KEY": secret["ARN"]}
    )
    start_tasks(env, svc, count=2)
    _steady(env, "auth-service", running=2, minutes=181)
    return w


@_world(
    World(
        "healthy-queue-consumer",
        "ec2-workers",
        "queue-consumer",
        "Healthy: 2 of 2 tasks on the EC2 cluster (bridge networking, 5120 MiB reserved each).",
        "",
        healthy=True,
    )
)
def _healthy_queue(env: Env, w: World) -> World:
    image = _image(env, "queue-consumer", "9.0.1")
    svc = register_service(
        env,
        "queue-consumer",
        cluster="ec2-workers",
        image=image,
        exec_role_arn=env.exec_role_arn,
        cpu=None,
        memory=None,
        port=None,
        container_reservation=5120,
        container_cpu=1024,
    )
    start_tasks(env, svc, count=2)
    _steady(env, "queue-consumer", running=2, minutes=179, cluster="ec2-workers")
    return w


# The healthy EC2 service must be placed before the broken EC2 ones (it fills the instances' memory).
_ORDER = ("healthy-queue-consumer",)


def build_worlds(
    session_or_clients: Any = None,
    names: Iterable[str] | None = None,
    *,
    endpoint_url: str | None = None,
    now: datetime | None = None,
) -> list[World]:
    """Build the shared account and the named worlds (all by default) into moto; return the filled records.

    `session_or_clients`: a boto3 Session, a mapping service -> client, or None. moto must be active
    (`mock_aws`, or a ThreadedMotoServer in this process reached through `endpoint_url`), with AWS managed
    policies loaded (config `{"iam": {"load_aws_managed_policies": True}}`)."""
    wanted = list(WORLDS) if names is None else list(names)
    unknown = [n for n in wanted if n not in WORLDS]
    if unknown:
        raise KeyError(f"unknown world(s): {', '.join(unknown)}; known: {', '.join(WORLDS)}")
    if any(WORLDS[n].cluster == "ec2-workers" for n in wanted) and "healthy-queue-consumer" not in wanted:
        wanted.insert(0, "healthy-queue-consumer")
    wanted.sort(key=lambda n: (n not in _ORDER, list(WORLDS).index(n)))
    clients = (
        session_or_clients
        if isinstance(session_or_clients, _moto.Clients)
        else _moto.Clients(session_or_clients, endpoint_url=endpoint_url)
    )
    env = build_base(clients, now)
    built = [_BUILDERS[n](env, WORLDS[n]) for n in wanted]
    return [dataclasses.replace(w, task_arns=tuple(env.task_arns.get(w.service, ()))) for w in built]
