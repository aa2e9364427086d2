"""Target groups (with target health) and load balancers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ecs_triage.evidence.infra.logs import Readiness, log_stream_for, time_to_ready
from ecs_triage.evidence.model import Evidence, Service, Task
from ecs_triage.evidence.parse import as_int, as_list, as_map, as_str, as_strs

# ------------------------------------------------------------------------------------------------ ELB


@dataclass(frozen=True)
class TargetHealth:
    target_id: str
    port: int | None
    health_port: str | None
    state: str
    reason: str | None
    description: str | None
    pointer: str


@dataclass(frozen=True)
class TargetGroup:
    arn: str
    name: str
    protocol: str | None
    port: int | None
    target_type: str | None
    vpc_id: str | None
    health_check_protocol: str | None
    health_check_port: str | None  # "traffic-port" or a number as text
    health_check_path: str | None
    health_check_interval: int | None
    health_check_timeout: int | None
    healthy_threshold: int | None
    unhealthy_threshold: int | None
    matcher: str | None
    load_balancer_arns: tuple[str, ...]
    targets: tuple[TargetHealth, ...]
    targets_known: bool  # TargetHealthDescriptions present
    raw: Mapping[str, Any]

    @property
    def resource(self) -> str:
        return self.arn


@lru_cache(maxsize=64)
def target_groups(ev: Evidence) -> Mapping[str, TargetGroup]:
    out: dict[str, TargetGroup] = {}
    for raw in map(as_map, as_list(ev.raw.get("target_groups"))):
        arn = as_str(raw.get("TargetGroupArn")) or as_str(raw.get("TargetGroupName")) or ""
        targets = []
        for i, d in enumerate(map(as_map, as_list(raw.get("TargetHealthDescriptions")))):
            target = as_map(d.get("Target"))
            health = as_map(d.get("TargetHealth"))
            targets.append(
                TargetHealth(
                    target_id=as_str(target.get("Id")) or "",
                    port=as_int(target.get("Port")),
                    health_port=as_str(d.get("HealthCheckPort")),
                    state=as_str(health.get("State")) or "",
                    reason=as_str(health.get("Reason")),
                    description=as_str(health.get("Description")),
                    pointer=f"/TargetHealthDescriptions/{i}/TargetHealth",
                )
            )
        matcher = as_map(raw.get("Matcher"))
        out[arn] = TargetGroup(
            arn=arn,
            name=as_str(raw.get("TargetGroupName")) or (arn.split("/")[-2] if arn.count("/") >= 2 else arn),
            protocol=as_str(raw.get("Protocol")),
            port=as_int(raw.get("Port")),
            target_type=as_str(raw.get("TargetType")),
            vpc_id=as_str(raw.get("VpcId")),
            health_check_protocol=as_str(raw.get("HealthCheckProtocol")),
            health_check_port=as_str(raw.get("HealthCheckPort")),
            health_check_path=as_str(raw.get("HealthCheckPath")),
            health_check_interval=as_int(raw.get("HealthCheckIntervalSeconds")),
            health_check_timeout=as_int(raw.get("HealthCheckTimeoutSeconds")),
            healthy_threshold=as_int(raw.get("HealthyThresholdCount")),
            unhealthy_threshold=as_int(raw.get("UnhealthyThresholdCount")),
            matcher=as_str(matcher.get("HttpCode")) or as_str(matcher.get("GrpcCode")),
            load_balancer_arns=as_strs(raw.get("LoadBalancerArns")) or (),
            targets=tuple(targets),
            targets_known=isinstance(raw.get("TargetHealthDescriptions"), list),
            raw=raw,
        )
    return out


@dataclass(frozen=True)
class LoadBalancer:
    arn: str
    name: str
    type: str | None
    scheme: str | None
    vpc_id: str | None
    security_groups: tuple[str, ...]


@lru_cache(maxsize=64)
def load_balancers(ev: Evidence) -> Mapping[str, LoadBalancer]:
    out = {}
    for raw in map(as_map, as_list(ev.raw.get("load_balancers"))):
        arn = as_str(raw.get("LoadBalancerArn")) or ""
        out[arn] = LoadBalancer(
            arn=arn,
            name=as_str(raw.get("LoadBalancerName")) or "",
            type=as_str(raw.get("Type")),
            scheme=as_str(raw.get("Scheme")),
            vpc_id=as_str(raw.get("VpcId")),
            security_groups=as_strs(raw.get("SecurityGroups")) or (),
        )
    return out


# ------------------------------------------------------------------------ health-check root causes
# ET301 (health-check port) and ET302 (grace period) name why targets are unhealthy; ET303 (unhealthy
# targets) reports the symptom and folds under them when their evidence holds. The predicates live here so
# the checks agree.


@dataclass(frozen=True)
class Warmup:
    """How long a task of the service took to be ready, from its log tail."""

    readiness: Readiness
    task: Task
    stream: str  # the log stream's resource label

    @property
    def seconds(self) -> float:
        return self.readiness.seconds


def lb_container(ev: Evidence, svc: Service) -> str:
    """The container the service registers with its (first) load balancer."""
    if not svc.load_balancers:
        return ""
    td = ev.task_definition(svc.task_definition_arn)
    return svc.load_balancers[0].container_name or (td.containers[0].name if td and td.containers else "")


def warmup_of(ev: Evidence, svc: Service) -> Warmup | None:
    """The longest time to ready among the service's tasks whose log tail says when they were ready."""
    if not ev.has("log_events"):
        return None
    cname = lb_container(ev, svc)
    best: Warmup | None = None
    for t in ev.tasks_of(svc):
        stream = log_stream_for(ev, t, cname)
        r = time_to_ready(stream, t.started_at) if stream else None
        if r is not None and stream is not None and (best is None or r.seconds > best.seconds):
            best = Warmup(r, t, stream.resource)
    return best


def elb_killed(ev: Evidence, svc: Service) -> tuple[Task, ...]:
    """The service's stopped tasks the load balancer's health checks killed."""
    return tuple(t for t in ev.tasks_of(svc) if "elb health check" in (t.stopped_reason or "").lower())


def grace_too_short(ev: Evidence, svc: Service) -> bool:
    """ET302's evidence: the measured warm-up exceeds the grace period (by 30 s, or at all when the load
    balancer killed tasks), or tasks were killed with no grace period at all."""
    if not svc.load_balancers:
        return False
    grace = svc.health_check_grace_period or 0
    killed = bool(elb_killed(ev, svc))
    w = warmup_of(ev, svc)
    if w is not None:
        return w.seconds > grace and (killed or w.seconds >= grace + 30)
    return killed and grace == 0


def health_check_port_mismatch(ev: Evidence, svc: Service, target_group_arn: str) -> bool:
    """ET301's evidence: the target group health-checks a numeric port that is neither the registered
    container port nor one of the container's mapped ports."""
    tg = target_groups(ev).get(target_group_arn)
    if tg is None or not tg.health_check_port or not tg.health_check_port.isdigit():
        return False
    for lb in svc.load_balancers:
        if lb.target_group_arn != target_group_arn or lb.container_port is None:
            continue
        hc = int(tg.health_check_port)
        td = ev.task_definition(svc.task_definition_arn)
        cd = td.container(lb.container_name or "") if td else None
        mapped = {x for p in (cd.port_mappings if cd else ()) for x in (p.container_port, p.host_port) if x}
        return hc != lb.container_port and hc not in mapped
    return False
