"""Snapshot payloads -> Evidence. The only module that knows AWS JSON shapes of ECS objects.

Parsing is forgiving: a field of the wrong type (an unresolved CloudFormation intrinsic, a string where a
number belongs) becomes None, never an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from ecs_triage.evidence.model import (
    AwsVpcConfiguration,
    Container,
    ContainerDefinition,
    ContainerInstance,
    Dependency,
    Deployment,
    Evidence,
    Gap,
    HealthCheck,
    KeyValue,
    LogConfiguration,
    ManagedAgent,
    PortMapping,
    SecretRef,
    Service,
    ServiceEvent,
    ServiceLoadBalancer,
    Task,
    TaskDefinition,
)


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def as_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def as_bool(value: Any, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_strs(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(s for s in (as_str(v) for v in value) if s is not None)
    if isinstance(value, str):
        return (value,)
    return None


def as_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value) / 1000 if abs(value) > 10**11 else float(value)  # epoch milliseconds (logs)
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            return None
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def _secret_refs(items: Any, base: str) -> tuple[SecretRef, ...]:
    out = []
    for i, item in enumerate(as_list(items)):
        item = as_map(item)
        value_from = as_str(item.get("valueFrom"))
        if value_from is not None:
            out.append(SecretRef(as_str(item.get("name")) or "", value_from, f"{base}/{i}"))
    return tuple(out)


def parse_container_definition(raw: Mapping[str, Any], pointer: str) -> ContainerDefinition:
    ports = tuple(
        PortMapping(
            container_port=as_int(as_map(p).get("containerPort")),
            host_port=as_int(as_map(p).get("hostPort")),
            protocol=(as_str(as_map(p).get("protocol")) or "tcp").lower(),
            name=as_str(as_map(p).get("name")),
            pointer=f"{pointer}/portMappings/{i}",
        )
        for i, p in enumerate(as_list(raw.get("portMappings")))
    )
    env = tuple(
        KeyValue(as_str(as_map(e).get("name")) or "", as_str(as_map(e).get("value")), f"{pointer}/environment/{i}")
        for i, e in enumerate(as_list(raw.get("environment")))
    )
    log = as_map(raw.get("logConfiguration"))
    log_config = (
        LogConfiguration(
            driver=as_str(log.get("logDriver")),
            options=dict(as_map(log.get("options"))),
            secret_options=_secret_refs(log.get("secretOptions"), f"{pointer}/logConfiguration/secretOptions"),
            pointer=f"{pointer}/logConfiguration",
        )
        if log
        else None
    )
    hc = as_map(raw.get("healthCheck"))
    health = (
        HealthCheck(
            command=as_strs(hc.get("command")) or (),
            interval=as_int(hc.get("interval")),
            timeout=as_int(hc.get("timeout")),
            retries=as_int(hc.get("retries")),
            start_period=as_int(hc.get("startPeriod")),
            pointer=f"{pointer}/healthCheck",
        )
        if hc
        else None
    )
    deps = tuple(
        Dependency(
            as_str(as_map(d).get("containerName")) or "",
            as_str(as_map(d).get("condition")) or "START",
            f"{pointer}/dependsOn/{i}",
        )
        for i, d in enumerate(as_list(raw.get("dependsOn")))
    )
    creds = as_map(raw.get("repositoryCredentials"))
    return ContainerDefinition(
        name=as_str(raw.get("name")) or "",
        image=as_str(raw.get("image")),
        essential=as_bool(raw.get("essential"), default=True),
        cpu=as_int(raw.get("cpu")),
        memory=as_int(raw.get("memory")),
        memory_reservation=as_int(raw.get("memoryReservation")),
        port_mappings=ports,
        environment=env,
        environment_files=tuple(
            s for s in (as_str(as_map(f).get("value")) for f in as_list(raw.get("environmentFiles"))) if s
        ),
        secrets=_secret_refs(raw.get("secrets"), f"{pointer}/secrets"),
        log_configuration=log_config,
        health_check=health,
        depends_on=deps,
        entry_point=as_strs(raw.get("entryPoint")),
        command=as_strs(raw.get("command")),
        repository_credentials=as_str(creds.get("credentialsParameter")),
        stop_timeout=as_int(raw.get("stopTimeout")),
        start_timeout=as_int(raw.get("startTimeout")),
        pointer=pointer,
        raw=raw,
    )


def parse_task_definition(raw: Mapping[str, Any], source: str = "aws") -> TaskDefinition:
    family = as_str(raw.get("family")) or ""
    revision = as_int(raw.get("revision"))
    arn = as_str(raw.get("taskDefinitionArn")) or (f"{family}:{revision}" if revision else family)
    return TaskDefinition(
        arn=arn,
        family=family,
        revision=revision,
        label=f"{family}:{revision}" if revision is not None else family,
        network_mode=as_str(raw.get("networkMode")),
        requires_compatibilities=as_strs(raw.get("requiresCompatibilities")) or (),
        compatibilities=as_strs(raw.get("compatibilities")) or (),
        cpu=as_str(raw.get("cpu")),
        memory=as_str(raw.get("memory")),
        execution_role_arn=as_str(raw.get("executionRoleArn")),
        task_role_arn=as_str(raw.get("taskRoleArn")),
        runtime_platform=as_map(raw.get("runtimePlatform")) or None,
        containers=tuple(
            parse_container_definition(as_map(c), f"/containerDefinitions/{i}")
            for i, c in enumerate(as_list(raw.get("containerDefinitions")))
        ),
        placement_constraints=tuple(as_map(c) for c in as_list(raw.get("placementConstraints"))),
        raw=raw,
        source=source,
    )


def parse_service(raw: Mapping[str, Any], source: str = "aws") -> Service:
    deployments = tuple(
        Deployment(
            id=as_str(d.get("id")) or "",
            status=as_str(d.get("status")) or "",
            task_definition_arn=as_str(d.get("taskDefinition")) or "",
            desired=as_int(d.get("desiredCount")) or 0,
            running=as_int(d.get("runningCount")) or 0,
            pending=as_int(d.get("pendingCount")) or 0,
            failed_tasks=as_int(d.get("failedTasks")) or 0,
            rollout_state=as_str(d.get("rolloutState")),
            rollout_state_reason=as_str(d.get("rolloutStateReason")),
            created_at=as_time(d.get("createdAt")),
            raw=d,
        )
        for d in map(as_map, as_list(raw.get("deployments")))
    )
    events = tuple(
        ServiceEvent(as_str(e.get("id")) or "", as_time(e.get("createdAt")), as_str(e.get("message")) or "")
        for e in map(as_map, as_list(raw.get("events")))
    )
    lbs = tuple(
        ServiceLoadBalancer(
            target_group_arn=as_str(lb.get("targetGroupArn")),
            load_balancer_name=as_str(lb.get("loadBalancerName")),
            container_name=as_str(lb.get("containerName")),
            container_port=as_int(lb.get("containerPort")),
            pointer=f"/loadBalancers/{i}",
        )
        for i, lb in enumerate(map(as_map, as_list(raw.get("loadBalancers"))))
    )
    awsvpc = as_map(as_map(raw.get("networkConfiguration")).get("awsvpcConfiguration"))
    network = (
        AwsVpcConfiguration(
            subnets=as_strs(awsvpc.get("subnets")) or (),
            security_groups=as_strs(awsvpc.get("securityGroups")) or (),
            assign_public_ip=as_str(awsvpc.get("assignPublicIp")),
        )
        if awsvpc
        else None
    )
    deploy_config = as_map(raw.get("deploymentConfiguration"))
    return Service(
        arn=as_str(raw.get("serviceArn")) or as_str(raw.get("serviceName")) or "",
        name=as_str(raw.get("serviceName")) or "",
        cluster_arn=as_str(raw.get("clusterArn")) or "",
        status=as_str(raw.get("status")) or "",
        desired=as_int(raw.get("desiredCount")) or 0,
        running=as_int(raw.get("runningCount")) or 0,
        pending=as_int(raw.get("pendingCount")) or 0,
        launch_type=as_str(raw.get("launchType")),
        capacity_provider_strategy=tuple(map(as_map, as_list(raw.get("capacityProviderStrategy")))),
        task_definition_arn=as_str(raw.get("taskDefinition")) or "",
        deployments=deployments,
        events=events,
        load_balancers=lbs,
        network=network,
        health_check_grace_period=as_int(raw.get("healthCheckGracePeriodSeconds")),
        circuit_breaker=as_map(deploy_config.get("deploymentCircuitBreaker")) or None,
        placement_constraints=tuple(map(as_map, as_list(raw.get("placementConstraints")))),
        enable_execute_command=as_bool(raw.get("enableExecuteCommand")),
        created_at=as_time(raw.get("createdAt")),
        raw=raw,
        source=source,
    )


def parse_task(raw: Mapping[str, Any]) -> Task:
    containers = tuple(
        Container(
            name=as_str(c.get("name")) or "",
            image=as_str(c.get("image")),
            image_digest=as_str(c.get("imageDigest")),
            last_status=as_str(c.get("lastStatus")),
            exit_code=as_int(c.get("exitCode")),
            reason=as_str(c.get("reason")),
            health_status=as_str(c.get("healthStatus")),
            runtime_id=as_str(c.get("runtimeId")),
            managed_agents=tuple(
                ManagedAgent(as_str(a.get("name")) or "", as_str(a.get("lastStatus")), as_str(a.get("reason")))
                for a in map(as_map, as_list(c.get("managedAgents")))
            ),
            pointer=f"/containers/{i}",
        )
        for i, c in enumerate(map(as_map, as_list(raw.get("containers"))))
    )
    subnet_id = private_ip = None
    for att in map(as_map, as_list(raw.get("attachments"))):
        if att.get("type") != "ElasticNetworkInterface":
            continue
        for detail in map(as_map, as_list(att.get("details"))):
            if detail.get("name") == "subnetId":
                subnet_id = as_str(detail.get("value"))
            elif detail.get("name") == "privateIPv4Address":
                private_ip = as_str(detail.get("value"))
    arn = as_str(raw.get("taskArn")) or ""
    return Task(
        arn=arn,
        id=arn.rsplit("/", 1)[-1],
        cluster_arn=as_str(raw.get("clusterArn")) or "",
        task_definition_arn=as_str(raw.get("taskDefinitionArn")) or "",
        group=as_str(raw.get("group")),
        last_status=as_str(raw.get("lastStatus")),
        desired_status=as_str(raw.get("desiredStatus")),
        stop_code=as_str(raw.get("stopCode")),
        stopped_reason=as_str(raw.get("stoppedReason")),
        launch_type=as_str(raw.get("launchType")),
        capacity_provider=as_str(raw.get("capacityProviderName")),
        platform_version=as_str(raw.get("platformVersion")),
        cpu=as_str(raw.get("cpu")),
        memory=as_str(raw.get("memory")),
        availability_zone=as_str(raw.get("availabilityZone")),
        container_instance_arn=as_str(raw.get("containerInstanceArn")),
        health_status=as_str(raw.get("healthStatus")),
        enable_execute_command=as_bool(raw.get("enableExecuteCommand")),
        created_at=as_time(raw.get("createdAt")),
        started_at=as_time(raw.get("startedAt")),
        stopping_at=as_time(raw.get("stoppingAt")),
        stopped_at=as_time(raw.get("stoppedAt")),
        pull_started_at=as_time(raw.get("pullStartedAt")),
        pull_stopped_at=as_time(raw.get("pullStoppedAt")),
        containers=containers,
        subnet_id=subnet_id,
        eni_private_ip=private_ip,
        raw=raw,
    )


def _resources(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in items:
        name = as_str(r.get("name"))
        if not name:
            continue
        if r.get("type") == "STRINGSET":
            out[name] = tuple(as_list(r.get("stringSetValue")))
        else:
            out[name] = as_int(r.get("integerValue"))
    return out


def parse_container_instance(raw: Mapping[str, Any]) -> ContainerInstance:
    return ContainerInstance(
        arn=as_str(raw.get("containerInstanceArn")) or "",
        ec2_instance_id=as_str(raw.get("ec2InstanceId")),
        status=as_str(raw.get("status")) or "",
        agent_connected=as_bool(raw.get("agentConnected")),
        remaining=_resources(map(as_map, as_list(raw.get("remainingResources")))),
        registered=_resources(map(as_map, as_list(raw.get("registeredResources")))),
        attributes={
            as_str(a.get("name")) or "": as_str(a.get("value")) for a in map(as_map, as_list(raw.get("attributes")))
        },
        running_tasks=as_int(raw.get("runningTasksCount")) or 0,
        pending_tasks=as_int(raw.get("pendingTasksCount")) or 0,
        raw=raw,
    )


def parse_snapshot(snapshot: Mapping[str, Any]) -> Evidence:
    """Build Evidence from a loaded (schema-checked) snapshot document."""
    data = as_map(snapshot.get("data"))
    source = as_str(snapshot.get("source")) or "snapshot"
    tds = [
        parse_task_definition(as_map(td), source=as_str(as_map(td).get("__source__")) or "aws")
        for td in as_list(data.get("task_definitions"))
    ]
    gaps = tuple(
        Gap(
            kind=as_str(g.get("kind")) or "",
            operation=as_str(g.get("operation")) or "",
            error_code=as_str(g.get("error_code")) or "",
            action=as_str(g.get("action")) or "",
            message=as_str(g.get("message")) or "",
            resource=as_str(g.get("resource")) or "",
        )
        for g in map(as_map, as_list(snapshot.get("gaps")))
    )
    return Evidence(
        source=source,
        region=as_str(snapshot.get("region")),
        account=as_str(snapshot.get("account")),
        target=dict(as_map(snapshot.get("target"))),
        collected_at=as_time(snapshot.get("collected_at")),
        kinds=frozenset(str(k) for k in data),
        gaps=gaps,
        task_definitions={td.arn: td for td in tds},
        services=tuple(parse_service(as_map(s)) for s in as_list(data.get("services"))),
        tasks=tuple(parse_task(as_map(t)) for t in as_list(data.get("tasks"))),
        container_instances=tuple(
            parse_container_instance(as_map(c)) for c in as_list(data.get("container_instances"))
        ),
        raw=data,
    )
