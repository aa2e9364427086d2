"""Service-level building blocks for the worlds: task definition + service + tasks + logs + injected failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ecs_triage.demo import _moto
from ecs_triage.demo._base import REGISTRY, Env


@dataclass
class Svc:
    name: str
    cluster: str
    family: str
    container: str
    image: str
    log_group: str
    task_definition_arn: str
    cpu: str | None
    memory: str | None
    fargate: bool
    task_arns: list[str] = field(default_factory=list)


def register_service(
    env: Env,
    name: str,
    *,
    repository: str | None = None,
    tag: str = "1.0.0",
    image: str | None = None,
    cluster: str = "prod",
    port: int | None = 8080,
    cpu: str | None = "512",
    memory: str | None = "1024",
    container_memory: int | None = None,
    container_reservation: int = 512,
    container_cpu: int | None = None,
    exec_role_arn: str | None = None,
    task_role_arn: str | None = None,
    environment: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
    create_log_group: bool = True,
    subnets: str = "private",
    network_mode: str | None = None,
    desired: int = 2,
    target_group_arn: str | None = None,
    grace: int | None = None,
    health_check: dict[str, Any] | None = None,
    command: list[str] | None = None,
) -> Svc:
    """Register the task definition and create the service (the real API). The log group is created unless
    `create_log_group` is False; `awslogs-create-group` is never set."""
    fargate = cluster == "prod"
    mode = network_mode or ("awsvpc" if fargate else "bridge")
    img = image or f"{REGISTRY}/{repository or name}:{tag}"
    log_group = f"/ecs/{name}"
    if create_log_group:
        env.c.logs.create_log_group(logGroupName=log_group)
        env.c.logs.put_retention_policy(logGroupName=log_group, retentionInDays=30)
    container: dict[str, Any] = {
        "name": name,
        "image": img,
        "essential": True,
        "memoryReservation": container_reservation,  # moto's RunTask crashes without a container-level value
        "environment": [{"name": k, "value": v} for k, v in (environment or {}).items()],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": log_group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"},
        },
    }
    if container_memory is None and not fargate and not memory:
        # moto (unlike AWS) rejects an EC2 container with only memoryReservation and no task memory
        container_memory = container_reservation
    if container_memory is not None:
        container["memory"] = container_memory
    if container_cpu is not None:
        container["cpu"] = container_cpu
    if port is not None:
        host_port = port if mode in ("awsvpc", "host") else 0
        container["portMappings"] = [{"containerPort": port, "hostPort": host_port, "protocol": "tcp"}]
    if secrets:
        container["secrets"] = [{"name": k, "valueFrom": v} for k, v in secrets.items()]
    if health_check:
        container["healthCheck"] = health_check
    if command:
        container["command"] = command
    kwargs: dict[str, Any] = {
        "family": name,
        "networkMode": mode,
        "containerDefinitions": [container],
        "requiresCompatibilities": ["FARGATE"] if fargate else ["EC2"],
    }
    if cpu:
        kwargs["cpu"] = cpu
    if memory:
        kwargs["memory"] = memory
    if exec_role_arn:
        kwargs["executionRoleArn"] = exec_role_arn
    if task_role_arn:
        kwargs["taskRoleArn"] = task_role_arn
    if fargate:
        kwargs["runtimePlatform"] = {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}
    td = env.c.ecs.register_task_definition(**kwargs)["taskDefinition"]
    svc_kwargs: dict[str, Any] = {
        "cluster": cluster,
        "serviceName": name,
        "taskDefinition": td["taskDefinitionArn"],
        "desiredCount": desired,
        "launchType": "FARGATE" if fargate else "EC2",
        "deploymentConfiguration": {
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        },
    }
    if fargate:
        svc_kwargs["platformVersion"] = "LATEST"
    if mode == "awsvpc":
        svc_kwargs["networkConfiguration"] = {"awsvpcConfiguration": network_config(env, subnets)}
    if target_group_arn:
        svc_kwargs["loadBalancers"] = [
            {"targetGroupArn": target_group_arn, "containerName": name, "containerPort": port}
        ]
    if grace is not None:
        svc_kwargs["healthCheckGracePeriodSeconds"] = grace
    env.c.ecs.create_service(**svc_kwargs)
    if grace is not None:
        # moto accepts healthCheckGracePeriodSeconds in CreateService but drops it: set it on the backend object
        _moto.ecs_backend()._get_service(cluster, name).health_check_grace_period_seconds = grace
    return Svc(
        name=name,
        cluster=cluster,
        family=name,
        container=name,
        image=img,
        log_group=log_group,
        task_definition_arn=td["taskDefinitionArn"],
        cpu=cpu,
        memory=memory,
        fargate=fargate,
    )


def network_config(env: Env, subnets: str) -> dict[str, Any]:
    if subnets == "ledger":
        return {"subnets": list(env.ledger_subnets), "securityGroups": [env.ledger_sg], "assignPublicIp": "DISABLED"}
    ids = env.public_subnets if subnets == "public" else env.private_subnets
    # securityGroups always: moto's RunTask raises KeyError without it (moto-notes 1.2)
    return {"subnets": list(ids), "securityGroups": [env.app_sg], "assignPublicIp": "DISABLED"}


def run_tasks(env: Env, svc: Svc, count: int, subnets: str = "private") -> list[str]:
    """Start tasks the way the service scheduler would: group service:NAME, startedBy the deployment id."""
    kwargs: dict[str, Any] = {
        "cluster": svc.cluster,
        "taskDefinition": svc.task_definition_arn,
        "count": count,
        "launchType": "FARGATE" if svc.fargate else "EC2",
        "startedBy": _moto.deployment_id(svc.cluster, svc.name),
        "group": f"service:{svc.name}",
    }
    if svc.fargate:
        kwargs["networkConfiguration"] = {"awsvpcConfiguration": network_config(env, subnets)}
        kwargs["platformVersion"] = "1.4.0"
    tasks = env.c.ecs.run_task(**kwargs)["tasks"]
    arns = [t["taskArn"] for t in tasks]
    svc.task_arns.extend(arns)
    env.task_arns.setdefault(svc.name, []).extend(arns)
    return arns


def task_ip(env: Env, svc: Svc, task_arn: str) -> str:
    task = env.c.ecs.describe_tasks(cluster=svc.cluster, tasks=[task_arn])["tasks"][0]
    for att in task.get("attachments", []):
        for d in att.get("details", []):
            if d["name"] == "privateIPv4Address":
                return str(d["value"])
    return ""


def fail_tasks(
    env: Env,
    svc: Svc,
    *,
    count: int = 2,
    stop_code: str,
    stopped_reason: str,
    container_reason: str | None = None,
    exit_code: int | None = None,
    started_after: float | None = None,
    ran_for: float = 5.0,
    logs: list[tuple[float, str]] | None = None,
    minutes_ago: tuple[int, ...] = (34, 12),
    subnets: str = "private",
    container_instance: str | None = None,
) -> list[str]:
    """Run `count` tasks, stop them through the StopTask API, then record the stop state AWS would show.

    `started_after`: seconds from creation to container start (None: the container never started).
    `ran_for`: seconds from creation (or start) to stop. `logs`: (seconds after start, line) written to
    CloudWatch Logs in the task's stream `ecs/<container>/<task-id>`."""
    arns = run_tasks(env, svc, count, subnets)
    for i, arn in enumerate(arns):
        created = env.now - timedelta(minutes=minutes_ago[i % len(minutes_ago)], seconds=7 * i)
        started = created + timedelta(seconds=started_after) if started_after is not None else None
        stopped = (started or created) + timedelta(seconds=ran_for)
        env.c.ecs.stop_task(cluster=svc.cluster, task=arn, reason=stopped_reason)
        if container_instance:
            _moto.set_task_instance(svc.cluster, arn, container_instance)
        _moto.mark_stopped(
            svc.cluster,
            arn,
            stop_code=stop_code,
            stopped_reason=stopped_reason,
            created_at=created,
            started_at=started,
            stopped_at=stopped,
            exit_code=exit_code,
            container_reason=container_reason,
            availability_zone="us-east-1a" if i % 2 == 0 else "us-east-1b",
            cpu=svc.cpu,
            memory=svc.memory,
            fargate=svc.fargate,
            image_digest=env.digests.get(svc.image.rsplit("/", 1)[-1]) if started else None,
        )
        if logs and started is not None:
            write_logs(env, svc, arn, started, logs)
    return arns


def start_tasks(
    env: Env, svc: Svc, *, count: int = 2, minutes_ago: int = 180, subnets: str = "private", health: str = "UNKNOWN"
) -> list[str]:
    arns = run_tasks(env, svc, count, subnets)
    for i, arn in enumerate(arns):
        created = env.now - timedelta(minutes=minutes_ago, seconds=-11 * i)
        _moto.mark_running(
            svc.cluster,
            arn,
            created_at=created,
            started_at=created + timedelta(seconds=21),
            availability_zone="us-east-1a" if i % 2 == 0 else "us-east-1b",
            cpu=svc.cpu,
            memory=svc.memory,
            fargate=svc.fargate,
            health_status=health,
            image_digest=env.digests.get(svc.image.rsplit("/", 1)[-1]),
        )
    return arns


def write_logs(env: Env, svc: Svc, task_arn: str, start: datetime, lines: list[tuple[float, str]]) -> str:
    """Real CloudWatch Logs API: stream `ecs/<container>/<task-id>` as the awslogs driver names it."""
    stream = f"ecs/{svc.container}/{task_arn.rsplit('/', 1)[-1]}"
    env.c.logs.create_log_stream(logGroupName=svc.log_group, logStreamName=stream)
    base = int(start.timestamp() * 1000)
    events = [
        {"timestamp": base + int(offset * 1000), "message": render_log_line(text, base + int(offset * 1000))}
        for offset, text in lines
    ]
    env.c.logs.put_log_events(logGroupName=svc.log_group, logStreamName=stream, logEvents=events)
    return stream


def render_log_line(template: str, timestamp_ms: int) -> str:
    """Fill the application's own timestamp into a log line template: `{ts}` (ISO 8601, milliseconds, Z) or
    `{ts_gunicorn}` (`2026-11-25 13:05:02 +0000`), from the CloudWatch event's timestamp."""
    at = datetime.fromtimestamp(timestamp_ms / 1000, tz=timezone.utc)
    iso = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
    return template.replace("{ts}", iso).replace("{ts_gunicorn}", at.strftime("%Y-%m-%d %H:%M:%S +0000"))


def event_time(env: Env, minutes: float) -> datetime:
    return env.now - timedelta(minutes=minutes)
