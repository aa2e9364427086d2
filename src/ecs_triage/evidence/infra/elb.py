"""Target groups (with target health) and load balancers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ecs_triage.evidence.model import Evidence
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
