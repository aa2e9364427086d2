"""Helpers the lint rules share, not tied to one AWS service: the resource names that map a finding back to a
file and a line, and the tests for unknown values.

Values that are unknown (a CloudFormation intrinsic, a Terraform unknown) read as None; `present()` tells
"set but unknown" from "absent", so a rule never reports an unknown value as a mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecs_triage.evidence.model import Service, TaskDefinition

TASKDEF = "taskdef"
SERVICE = "service"


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


def is_awsvpc(td: TaskDefinition) -> bool | None:
    """True/False when the network mode is known (absent = bridge, or awsvpc on Fargate); None if unknown."""
    if td.network_mode is not None:
        return td.network_mode == "awsvpc"
    if unknown(td.raw, "networkMode"):
        return None
    return td.is_fargate
