"""A typed view of `target_groups` evidence (ELBv2 DescribeTargetGroups shape) and the resource names
lint rules use, so findings can be mapped back to a file and a line.

Values that are unknown (a CloudFormation intrinsic, a Terraform unknown) read as None; `present()` tells
"set but unknown" from "absent", so a rule never reports an unknown value as a mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ecs_triage.evidence.model import Evidence, Service, TaskDefinition
from ecs_triage.evidence.parse import as_bool, as_int, as_list, as_map, as_str

TASKDEF = "taskdef"
SERVICE = "service"
TARGET_GROUP = "target-group"


def taskdef_resource(td: TaskDefinition) -> str:
    return f"{TASKDEF} {td.label or td.arn}"


def service_resource(svc: Service) -> str:
    return f"{SERVICE} {svc.name or svc.arn}"


def present(raw: Mapping[str, Any] | None, key: str) -> bool:
    """The key is set (to a known or an unknown value)."""
    return raw is not None and key in raw and raw[key] is not None and raw[key] != ""


def unknown(raw: Mapping[str, Any] | None, key: str) -> bool:
    """The key is set to something that is not a plain value (an unresolved intrinsic)."""
    return raw is not None and isinstance(raw.get(key), (Mapping, list))


def is_intrinsic(value: Any) -> bool:
    """A CloudFormation intrinsic (`{"Ref": ...}`, `{"Fn::...": ...}`): a value unknown before deploy."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::"))


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


def is_awsvpc(td: TaskDefinition) -> bool | None:
    """True/False when the network mode is known (absent = bridge, or awsvpc on Fargate); None if unknown."""
    if td.network_mode is not None:
        return td.network_mode == "awsvpc"
    if unknown(td.raw, "networkMode"):
        return None
    return td.is_fargate


def essential_flag(raw: Mapping[str, Any]) -> bool:
    return as_bool(raw.get("essential"), default=True)
