"""A typed view of `target_groups` evidence (ELBv2 DescribeTargetGroups shape) for the lint rules, with
`resource` names that map a finding back to a file and a line (the generic lint helpers: `lintview`).

Values that are unknown (a CloudFormation intrinsic, a Terraform unknown) read as None. The diagnose side
reads target groups through `infra.elb` (its own defaults: no API defaults filled in, ARN as resource).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ecs_triage.evidence.model import Evidence, Service, ServiceLoadBalancer, TaskDefinition
from ecs_triage.evidence.parse import as_int, as_list, as_map, as_str

TARGET_GROUP = "target-group"


@dataclass(frozen=True)
class TargetGroupView:
    arn: str
    name: str
    port: int | None
    protocol: str | None
    target_type: str | None  # "instance" when absent (the API default); None when unknown
    health_check_port: str | None  # "traffic-port" when absent; None when unknown
    health_check_path: str | None
    health_check_protocol: str | None
    index: int
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def resource(self) -> str:
        return f"{TARGET_GROUP} {self.name or self.arn}"

    @property
    def health_check_port_number(self) -> int | None:
        return as_int(self.health_check_port) if self.health_check_port != "traffic-port" else None


@lru_cache(maxsize=64)
def target_groups(ev: Evidence) -> tuple[TargetGroupView, ...]:
    out = []
    for i, item in enumerate(as_list(ev.raw.get("target_groups"))):
        raw = as_map(item)
        tt = raw.get("TargetType", "instance")
        hcp = raw.get("HealthCheckPort", "traffic-port")
        out.append(
            TargetGroupView(
                arn=as_str(raw.get("TargetGroupArn")) or "",
                name=as_str(raw.get("TargetGroupName")) or "",
                port=as_int(raw.get("Port")),
                protocol=as_str(raw.get("Protocol")),
                target_type=(as_str(tt) or "").lower() or None,
                health_check_port=as_str(hcp),
                health_check_path=as_str(raw.get("HealthCheckPath")),
                health_check_protocol=as_str(raw.get("HealthCheckProtocol")),
                index=i,
                raw=raw,
            )
        )
    return tuple(out)


@lru_cache(maxsize=64)
def _by_arn(ev: Evidence) -> dict[str, TargetGroupView]:
    out: dict[str, TargetGroupView] = {}
    for tg in target_groups(ev):
        out.setdefault(tg.arn, tg)
    return out


def target_group(ev: Evidence, arn: str | None) -> TargetGroupView | None:
    if not arn:
        return None
    return _by_arn(ev).get(arn)


def service_target_groups(
    ev: Evidence,
) -> Iterator[tuple[Service, TaskDefinition, ServiceLoadBalancer, TargetGroupView]]:
    """Each (service, its task definition, one of its loadBalancers, that target group), in service order: the walk
    ET352 and ET353 share. Skips a service whose task definition, a load balancer whose target group is not in
    the evidence."""
    for svc in ev.services:
        td = ev.task_definition(svc.task_definition_arn)
        if td is None:
            continue
        for lb in svc.load_balancers:
            tg = target_group(ev, lb.target_group_arn)
            if tg is not None:
                yield svc, td, lb, tg
