"""Clients for the simulated account and the backend injections for what moto does not model.

Everything a world can build through the real boto3 API is built that way (see worlds.py). What moto 5.2
cannot produce through the API (see ../shared/moto-notes.md section 3) is set here, on moto's in-process
backend objects: task stop codes and reasons, container exit codes and reasons, task timestamps, service
events/deployments/counts, unhealthy ELB targets. This works with `mock_aws` and with a
`ThreadedMotoServer` running in the same process; it cannot work with a separate `moto_server` process.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"


class Clients:
    """boto3 clients for the simulated account, created once each.

    Accepts a boto3 Session (clients are made with its credentials, us-east-1 and an optional endpoint),
    a mapping service name -> client, or None (a default Session).
    """

    def __init__(self, source: Any = None, *, endpoint_url: str | None = None, region: str = REGION) -> None:
        self._made: dict[str, Any] = {}
        self._session: Any = None
        if isinstance(source, Mapping):
            self._made.update(source)
        else:
            if source is None:
                import boto3

                source = boto3.session.Session()
            self._session = source
        self._endpoint_url = endpoint_url
        self._region = region

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        client = self._made.get(name)
        if client is None:
            if self._session is None:
                raise KeyError(f"no {name} client was given to the demo world builder")
            client = self._session.client(name, region_name=self._region, endpoint_url=self._endpoint_url)
            self._made[name] = client
        return client


def pin_task_lifecycle() -> None:
    """moto moves a RUNNING task one step towards STOPPED on every DescribeTasks; AWS does not (notes 1.1)."""
    from moto.moto_api import state_manager

    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})


def ecs_backend() -> Any:
    from moto.ecs.models import ecs_backends

    return ecs_backends[ACCOUNT][REGION]


def elbv2_backend() -> Any:
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[ACCOUNT][REGION]


def task_object(cluster: str, task_arn: str) -> Any:
    return ecs_backend().tasks[cluster][task_arn]


def mark_stopped(
    cluster: str,
    task_arn: str,
    *,
    stop_code: str,
    stopped_reason: str,
    created_at: datetime,
    stopped_at: datetime,
    started_at: datetime | None = None,
    exit_code: int | None = None,
    container_reason: str | None = None,
    availability_zone: str = "us-east-1a",
    cpu: str | None = None,
    memory: str | None = None,
    fargate: bool = True,
    image_digest: str | None = None,
) -> None:
    """Give a task (already stopped through the StopTask API) the stop state AWS would have recorded.

    moto never sets stopCode, timestamps, container exitCode/reason (it pre-sets exitCode=0 on the object),
    and stores the task-definition ARN in containers[].taskArn: all fixed here (moto-notes 3.2).
    """
    task = task_object(cluster, task_arn)
    task.status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stop_code = stop_code
    task.stopped_reason = stopped_reason
    _launched(task, created_at, started_at, availability_zone, cpu, memory, fargate)
    task.stopping_at = stopped_at
    task.execution_stopped_at = stopped_at
    task.stopped_at = stopped_at
    container = task.containers[0]
    container.last_status = "STOPPED"
    container.exitCode = exit_code  # camelCase: moto pre-sets exitCode=0, which shadows exit_code
    container.reason = container_reason
    container.health_status = "UNKNOWN"  # moto reports HEALTHY for containers without a health check
    container.task_arn = task.task_arn
    container.image_digest = image_digest
    if started_at is not None:
        container.runtime_id = uuid.uuid4().hex + "-" + str(uuid.uuid4().int)[:10]


def _launched(
    task: Any,
    created_at: datetime,
    started_at: datetime | None,
    availability_zone: str,
    cpu: str | None,
    memory: str | None,
    fargate: bool,
) -> None:
    """The fields a task that was placed and pulled has, stopped or running (moto sets none of them)."""
    task.created_at = created_at
    task.pull_started_at = created_at
    task.pull_stopped_at = started_at
    task.started_at = started_at
    task.availability_zone = availability_zone
    task.connectivity = "CONNECTED"
    task.cpu = cpu
    task.memory = memory
    if fargate:
        task.platform_version = "1.4.0"
        task.platform_family = "Linux"


def mark_running(
    cluster: str,
    task_arn: str,
    *,
    created_at: datetime,
    started_at: datetime,
    availability_zone: str = "us-east-1a",
    cpu: str | None = None,
    memory: str | None = None,
    fargate: bool = True,
    health_status: str = "UNKNOWN",
    image_digest: str | None = None,
) -> None:
    task = task_object(cluster, task_arn)
    task.status = "RUNNING"
    _launched(task, created_at, started_at, availability_zone, cpu, memory, fargate)
    task.health_status = health_status
    container = task.containers[0]
    container.last_status = "RUNNING"
    container.health_status = "HEALTHY" if health_status == "HEALTHY" else "UNKNOWN"
    container.exitCode = None
    container.task_arn = task.task_arn
    container.image_digest = image_digest
    container.runtime_id = uuid.uuid4().hex + "-" + str(uuid.uuid4().int)[:10]


def set_task_instance(cluster: str, task_arn: str, container_instance_arn: str) -> None:
    task_object(cluster, task_arn).container_instance_arn = container_instance_arn


def set_service_state(
    cluster: str,
    service: str,
    *,
    running: int,
    pending: int = 0,
    events: Iterable[tuple[datetime, str]] = (),
    failed_tasks: int = 0,
    rollout_state: str | None = None,
    rollout_reason: str | None = None,
    created_at: datetime | None = None,
) -> Any:
    """Service counts, events (newest first) and the primary deployment: moto never launches tasks for a
    service nor emits events (moto-notes 1.4)."""
    svc = ecs_backend()._get_service(cluster, service)
    svc.running_count = running
    svc.pending_count = pending
    svc.events = [
        {"id": str(uuid.uuid4()), "createdAt": at, "message": message}
        for at, message in sorted(events, key=lambda e: e[0], reverse=True)
    ]
    if created_at is not None:
        svc.createdAt = created_at
    if svc.deployments:
        dep = svc.deployments[0]
        dep.update({"runningCount": running, "pendingCount": pending, "failedTasks": failed_tasks})
        if created_at is not None:
            dep["createdAt"] = created_at
        if rollout_state is not None:
            dep["rolloutState"] = rollout_state
            dep["rolloutStateReason"] = rollout_reason or ""
    return svc


def deployment_id(cluster: str, service: str) -> str:
    svc = ecs_backend()._get_service(cluster, service)
    return str(svc.deployments[0]["id"]) if svc.deployments else ""


def set_targets_unhealthy(target_group_arn: str, reason: str, description: str) -> None:
    """ELBv2 target health is always `healthy` in moto (moto-notes 1.8): shadow health_for per group."""
    from moto.elbv2.models import FakeHealthStatus

    tg = elbv2_backend().target_groups[target_group_arn]
    original = tg.health_for

    def health_for(target: dict[str, Any], ec2_backend: Any) -> Any:
        t = tg.targets.get(target["Id"])
        if t is None:
            return original(target, ec2_backend)
        return FakeHealthStatus(t["Id"], t["Port"], tg.health_check_port, "unhealthy", reason, description)

    tg.health_for = health_for
