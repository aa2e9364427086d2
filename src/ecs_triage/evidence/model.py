"""Frozen dataclasses for the evidence checks read.

Only `parse.py` knows AWS JSON shapes; it builds these. Every object keeps `raw` (the payload it came
from, for evidence pointers) and, where useful, `pointer` (its JSON pointer inside its top-level resource).
Values that could not be read (absent, or unknown such as an unresolved CloudFormation intrinsic) are None.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Raw = Mapping[str, Any]


@dataclass(frozen=True)
class Gap:
    """A piece of evidence that could not be collected."""

    kind: str
    operation: str
    error_code: str
    action: str
    message: str = ""
    resource: str = ""

    def reason(self) -> str:
        what = f" for {self.resource}" if self.resource else ""
        return f"{self.error_code} on {self.action}{what}"


@dataclass(frozen=True)
class PortMapping:
    container_port: int | None
    host_port: int | None
    protocol: str
    name: str | None
    pointer: str


@dataclass(frozen=True)
class KeyValue:
    name: str
    value: str | None
    pointer: str


@dataclass(frozen=True)
class SecretRef:
    name: str
    value_from: str
    pointer: str


@dataclass(frozen=True)
class LogConfiguration:
    driver: str | None
    options: Mapping[str, Any]
    secret_options: tuple[SecretRef, ...]
    pointer: str


@dataclass(frozen=True)
class HealthCheck:
    command: tuple[str, ...]
    interval: int | None
    timeout: int | None
    retries: int | None
    start_period: int | None
    pointer: str


@dataclass(frozen=True)
class Dependency:
    container_name: str
    condition: str
    pointer: str


@dataclass(frozen=True)
class ContainerDefinition:
    name: str
    image: str | None
    essential: bool
    cpu: int | None
    memory: int | None
    memory_reservation: int | None
    port_mappings: tuple[PortMapping, ...]
    environment: tuple[KeyValue, ...]
    environment_files: tuple[str, ...]
    secrets: tuple[SecretRef, ...]
    log_configuration: LogConfiguration | None
    health_check: HealthCheck | None
    depends_on: tuple[Dependency, ...]
    entry_point: tuple[str, ...] | None
    command: tuple[str, ...] | None
    repository_credentials: str | None
    stop_timeout: int | None
    start_timeout: int | None
    pointer: str
    raw: Raw = field(repr=False, compare=False)


@dataclass(frozen=True)
class TaskDefinition:
    arn: str
    family: str
    revision: int | None
    label: str  # "family:revision" (or the family alone when the revision is unknown)
    network_mode: str | None  # None means the default: bridge on EC2 Linux
    requires_compatibilities: tuple[str, ...]
    compatibilities: tuple[str, ...]
    cpu: str | None
    memory: str | None
    execution_role_arn: str | None
    task_role_arn: str | None
    runtime_platform: Mapping[str, Any] | None  # {"cpuArchitecture": "ARM64", "operatingSystemFamily": ...}
    containers: tuple[ContainerDefinition, ...]
    placement_constraints: tuple[Mapping[str, Any], ...]
    raw: Raw = field(repr=False, compare=False)
    source: str = ""  # where it came from: "aws" or a file path (lint)

    def container(self, name: str) -> ContainerDefinition | None:
        return next((c for c in self.containers if c.name == name), None)

    @property
    def is_fargate(self) -> bool:
        return "FARGATE" in self.requires_compatibilities


@dataclass(frozen=True)
class ServiceEvent:
    id: str
    created_at: datetime | None
    message: str


@dataclass(frozen=True)
class Deployment:
    id: str
    status: str  # PRIMARY | ACTIVE | INACTIVE
    task_definition_arn: str
    desired: int
    running: int
    pending: int
    failed_tasks: int
    rollout_state: str | None
    rollout_state_reason: str | None
    created_at: datetime | None
    raw: Raw = field(repr=False, compare=False)


@dataclass(frozen=True)
class ServiceLoadBalancer:
    target_group_arn: str | None
    load_balancer_name: str | None
    container_name: str | None
    container_port: int | None
    pointer: str


@dataclass(frozen=True)
class AwsVpcConfiguration:
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    assign_public_ip: str | None  # ENABLED | DISABLED | None (unset = DISABLED)


@dataclass(frozen=True)
class Service:
    arn: str
    name: str
    cluster_arn: str
    status: str
    desired: int
    running: int
    pending: int
    launch_type: str | None
    capacity_provider_strategy: tuple[Mapping[str, Any], ...]
    task_definition_arn: str
    deployments: tuple[Deployment, ...]
    events: tuple[ServiceEvent, ...]  # newest first, as ECS returns them
    load_balancers: tuple[ServiceLoadBalancer, ...]
    network: AwsVpcConfiguration | None
    health_check_grace_period: int | None
    circuit_breaker: Mapping[str, Any] | None
    placement_constraints: tuple[Mapping[str, Any], ...]
    enable_execute_command: bool
    created_at: datetime | None
    raw: Raw = field(repr=False, compare=False)
    source: str = ""


@dataclass(frozen=True)
class ManagedAgent:
    name: str
    last_status: str | None
    reason: str | None


@dataclass(frozen=True)
class Container:
    name: str
    image: str | None
    image_digest: str | None
    last_status: str | None
    exit_code: int | None
    reason: str | None
    health_status: str | None
    runtime_id: str | None
    managed_agents: tuple[ManagedAgent, ...]
    pointer: str


@dataclass(frozen=True)
class Task:
    arn: str
    id: str
    cluster_arn: str
    task_definition_arn: str
    group: str | None  # "service:NAME" for service tasks
    last_status: str | None
    desired_status: str | None
    stop_code: str | None
    stopped_reason: str | None
    launch_type: str | None
    capacity_provider: str | None
    platform_version: str | None
    cpu: str | None
    memory: str | None
    availability_zone: str | None
    container_instance_arn: str | None
    health_status: str | None
    enable_execute_command: bool
    created_at: datetime | None
    started_at: datetime | None
    stopping_at: datetime | None
    stopped_at: datetime | None
    pull_started_at: datetime | None
    pull_stopped_at: datetime | None
    containers: tuple[Container, ...]
    subnet_id: str | None  # from the ENI attachment, when the task still has one
    eni_private_ip: str | None
    raw: Raw = field(repr=False, compare=False)

    @property
    def service_name(self) -> str | None:
        if self.group and self.group.startswith("service:"):
            return self.group.split(":", 1)[1]
        return None


@dataclass(frozen=True)
class ContainerInstance:
    arn: str
    ec2_instance_id: str | None
    status: str
    agent_connected: bool
    remaining: Mapping[str, Any]  # {"CPU": int, "MEMORY": int, "PORTS": [..], "PORTS_UDP": [..]}
    registered: Mapping[str, Any]
    attributes: Mapping[str, str | None]
    running_tasks: int
    pending_tasks: int
    raw: Raw = field(repr=False, compare=False)


@dataclass(frozen=True, eq=False)  # identity hash: views may cache per Evidence
class Evidence:
    """Everything a check may read. `kinds` lists the evidence kinds that were collected (or parsed from
    a file); `gaps` the ones that failed. A kind in neither was not looked at."""

    source: str  # "live" | "snapshot" | "lint"
    region: str | None
    account: str | None
    target: Mapping[str, Any]
    collected_at: datetime | None
    kinds: frozenset[str]
    gaps: tuple[Gap, ...]
    task_definitions: Mapping[str, TaskDefinition]  # by ARN (lint: by a synthetic id)
    services: tuple[Service, ...]
    tasks: tuple[Task, ...]
    container_instances: tuple[ContainerInstance, ...]
    # Kinds below are kept raw (as listed in docs/snapshot-format.md) until a typed view is needed.
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def gaps_for(self, kind: str) -> tuple[Gap, ...]:
        return tuple(g for g in self.gaps if g.kind == kind)

    def has(self, kind: str) -> bool:
        return kind in self.kinds

    def task_definition(self, arn: str | None) -> TaskDefinition | None:
        if not arn:
            return None
        return self.task_definitions.get(arn)

    def tasks_of(self, service: Service) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if t.service_name == service.name)

    @property
    def stopped_tasks(self) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if t.last_status == "STOPPED")

    @property
    def running_tasks(self) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if t.last_status == "RUNNING")
