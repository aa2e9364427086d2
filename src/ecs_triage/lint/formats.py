"""Input files -> ECS API shapes. Detects the format from the content, never from the file name.

Every parser returns `Resource`s in the snapshot's raw API shapes (docs/snapshot-format.md):
`task_definitions` (RegisterTaskDefinition camelCase), `services` (CreateService/DescribeServices) and
`target_groups` (ELBv2 DescribeTargetGroups PascalCase), each with a map from pointers inside the API
shape to pointers inside the file, so a finding's pointer leads back to a line.

Values that cannot be known before deploy (CloudFormation intrinsics, Terraform unknowns) stay as they are
or are left out: `evidence.parse` turns a value of the wrong type into None, and rules treat a key that is
present with an unknown value as unknown, never as a mistake.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ecs_triage.evidence.elbv2_view import TARGET_GROUP
from ecs_triage.evidence.lintview import SERVICE, TASKDEF
from ecs_triage.lint.positions import Loaded, LoadError, escape, load_json, load_yaml

MAX_BYTES = 10 * 1024 * 1024
KINDS = ("task_definitions", "services", "target_groups")


class InputFileError(ValueError):
    """A file that could not be read as an input; the message is one line."""


@dataclass
class Resource:
    kind: str  # task_definitions | services | target_groups
    name: str  # task definition label (family), service name, target group name
    logical: str  # CloudFormation logical id, Terraform address, or "" for a plain file
    payload: dict[str, Any]
    pmap: dict[str, str]  # pointer in the API shape -> pointer in the file

    @property
    def resource_id(self) -> str:
        prefix = {"task_definitions": TASKDEF, "services": SERVICE, "target_groups": TARGET_GROUP}[self.kind]
        return f"{prefix} {self.name}"

    def file_pointer(self, api_pointer: str) -> str:
        """The file pointer of the deepest mapped node at or above `api_pointer`, plus the unmapped rest."""
        p, rest = api_pointer, ""
        while p not in self.pmap:
            if not p:
                return rest
            head, _, last = p.rpartition("/")
            rest = f"/{last}{rest}"
            p = head
        return self.pmap[p] + rest


@dataclass
class Parsed:
    file: str
    format: str  # register-task-definition | describe-task-definition | cloudformation | terraform-plan | ...
    kinds: tuple[str, ...]
    resources: list[Resource]
    loaded: Loaded
    notes: list[str] = field(default_factory=list)


class NotRecognized(ValueError):
    """Readable JSON/YAML that is none of the inputs lint understands."""


# ------------------------------------------------------------------------------------------ reading
def decode(data: bytes, name: str) -> str:
    if len(data) > MAX_BYTES:
        raise InputFileError(f"{name}: file too large ({len(data) / 1048576:.1f} MB > {MAX_BYTES // 1048576} MB)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputFileError(f"{name}: not valid UTF-16 text") from None
    if b"\x00" in data[:8192]:
        raise InputFileError(f"{name}: binary file, not JSON or YAML")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(f"{name}: not UTF-8 text (invalid byte at line {line})") from None


def load_text(text: str, name: str) -> Loaded:
    stripped = text.lstrip("\ufeff \t\r\n")
    try:
        if stripped.startswith(("{", "[")):
            return load_json(text)
        return load_yaml(text)
    except LoadError as exc:
        raise InputFileError(f"{name}: {exc.message}") from None


def parse_text(text: str, name: str) -> Parsed:
    """Load and convert one file. Raises InputFileError (unreadable) or NotRecognized."""
    loaded = load_text(text, name)
    doc = loaded.value
    if not isinstance(doc, Mapping):
        raise NotRecognized(f"{name}: not an ECS task definition, service, CloudFormation template or Terraform plan")
    for detect in (_cloudformation, _terraform, _describe_td, _register_td, _services_file, _target_groups_file):
        parsed = detect(doc, name, loaded)
        if parsed is not None:
            for tag, line in loaded.unknown_tags:
                parsed.notes.append(f"{name}:{line}: unknown tag {tag}: its value is treated as unknown")
            link_by_name(parsed.resources)
            return parsed
    raise NotRecognized(f"{name}: not an ECS task definition, service, CloudFormation template or Terraform plan")


# ------------------------------------------------------------------------------------------ helpers
def identity_map(value: Any, api: str, file: str, pmap: dict[str, str]) -> None:
    pmap[api] = file
    if isinstance(value, Mapping):
        for k, v in value.items():
            identity_map(v, f"{api}/{escape(str(k))}", f"{file}/{escape(str(k))}", pmap)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            identity_map(v, f"{api}/{i}", f"{file}/{i}", pmap)


def _plain(doc: Mapping[str, Any], kind: str, name: str, base: str, logical: str = "") -> Resource:
    payload = {k: v for k, v in doc.items() if not str(k).startswith("__")}
    pmap: dict[str, str] = {}
    identity_map(payload, "", base, pmap)
    return Resource(kind, name, logical, payload, pmap)


def _td_name(payload: Mapping[str, Any], fallback: str) -> str:
    family = payload.get("family")
    revision = payload.get("revision")
    if isinstance(family, str) and family:
        return f"{family}:{revision}" if isinstance(revision, int) and not isinstance(revision, bool) else family
    return fallback


def _ensure_td_identity(res: Resource, file: str) -> None:
    """Lint task definitions get a unique synthetic ARN (a file may hold several of the same family)."""
    if not isinstance(res.payload.get("family"), str) or not res.payload.get("family"):
        res.payload["family"] = res.name
    if not isinstance(res.payload.get("taskDefinitionArn"), str):
        res.payload["taskDefinitionArn"] = f"lint:{file}#{res.logical or res.name}"


def link_by_name(resources: list[Resource]) -> None:
    """A service whose taskDefinition is a literal family, family:revision or ARN of a task definition in
    the same file is linked to it."""
    tds = [r for r in resources if r.kind == "task_definitions"]
    for svc in (r for r in resources if r.kind == "services"):
        ref = svc.payload.get("taskDefinition")
        if not isinstance(ref, str) or any(ref == td.payload.get("taskDefinitionArn") for td in tds):
            continue
        short = ref.rsplit("/", 1)[-1]
        for td in tds:
            family = td.payload.get("family")
            if isinstance(family, str) and (short == family or short.split(":", 1)[0] == family):
                svc.payload["taskDefinition"] = td.payload["taskDefinitionArn"]
                break


# ------------------------------------------------------------------- plain ECS API JSON (CLI inputs)
def _register_td(doc: Mapping[str, Any], name: str, loaded: Loaded) -> Parsed | None:
    if not isinstance(doc.get("containerDefinitions"), list):
        return None
    res = _plain(doc, "task_definitions", _td_name(doc, "task-definition"), "")
    _ensure_td_identity(res, name)
    return Parsed(name, "register-task-definition", ("task_definitions",), [res], loaded)


def _describe_td(doc: Mapping[str, Any], name: str, loaded: Loaded) -> Parsed | None:
    inner = doc.get("taskDefinition")
    if not isinstance(inner, Mapping) or not isinstance(inner.get("containerDefinitions"), list):
        return None
    res = _plain(inner, "task_definitions", _td_name(inner, "task-definition"), "/taskDefinition")
    _ensure_td_identity(res, name)
    return Parsed(name, "describe-task-definition", ("task_definitions",), [res], loaded)


def _services_file(doc: Mapping[str, Any], name: str, loaded: Loaded) -> Parsed | None:
    items: list[tuple[Mapping[str, Any], str]] = []
    if isinstance(doc.get("services"), list):
        items = [(s, f"/services/{i}") for i, s in enumerate(doc["services"]) if isinstance(s, Mapping)]
    elif isinstance(doc.get("service"), Mapping):
        items = [(doc["service"], "/service")]
    elif isinstance(doc.get("serviceName"), str) and "taskDefinition" in doc:
        items = [(doc, "")]
    if not items:
        return None
    out = []
    for svc, base in items:
        sname = svc.get("serviceName") if isinstance(svc.get("serviceName"), str) else base or "service"
        out.append(_plain(svc, "services", str(sname), base))
    return Parsed(name, "ecs-service", ("services",), out, loaded)


def _target_groups_file(doc: Mapping[str, Any], name: str, loaded: Loaded) -> Parsed | None:
    tgs = doc.get("TargetGroups")
    if not isinstance(tgs, list):
        return None
    out = []
    for i, tg in enumerate(tgs):
        if isinstance(tg, Mapping):
            tname = tg.get("TargetGroupName") if isinstance(tg.get("TargetGroupName"), str) else f"tg{i}"
            out.append(_plain(tg, "target_groups", str(tname), f"/TargetGroups/{i}"))
    return Parsed(name, "describe-target-groups", ("target_groups",), out, loaded)


# ----------------------------------------------------------------------------------- CloudFormation
CFN_TYPES = {
    "AWS::ECS::TaskDefinition": "task_definitions",
    "AWS::ECS::Service": "services",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "target_groups",
}
# Keys whose values are user maps: kept verbatim (logConfiguration.options, dockerLabels ...).
USER_MAPS = frozenset({"Options", "DockerLabels", "DriverOpts", "Labels"})


def is_intrinsic(value: Any) -> bool:
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::"))


def literal(value: Any) -> Any:
    """Resolve the intrinsics that need no deploy-time value (`Fn::Sub` without variables, `Fn::Join` of
    literals); anything else is returned unchanged (unknown)."""
    if not is_intrinsic(value):
        return value
    key, arg = next(iter(value.items()))
    if key == "Fn::Sub" and isinstance(arg, str) and "${" not in arg.replace("${!", ""):
        return arg.replace("${!", "${")
    if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
        parts = [literal(p) for p in arg[1]] if isinstance(arg[1], list) else None
        if parts is not None and all(isinstance(p, (str, int, float)) and not isinstance(p, bool) for p in parts):
            return arg[0].join(str(p) for p in parts)
    return value


def _ref_target(value: Any) -> str | None:
    """The logical id a `Ref`/`Fn::GetAtt` points to."""
    if not is_intrinsic(value):
        return None
    key, arg = next(iter(value.items()))
    if key == "Ref" and isinstance(arg, str):
        return arg
    if key == "Fn::GetAtt":
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            return arg[0]
        if isinstance(arg, str):
            return arg.split(".", 1)[0]
    return None


def camel(value: Any, api: str, file: str, pmap: dict[str, str], verbatim: bool = False) -> Any:
    """CloudFormation PascalCase properties -> API camelCase, recording pointers."""
    pmap[api] = file
    if is_intrinsic(value):
        return literal(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = str(k)
            new = key if verbatim or not key else key[0].lower() + key[1:]
            out[new] = camel(v, f"{api}/{escape(new)}", f"{file}/{escape(key)}", pmap, verbatim or key in USER_MAPS)
        return out
    if isinstance(value, list):
        return [camel(v, f"{api}/{i}", f"{file}/{i}", pmap, verbatim) for i, v in enumerate(value)]
    return value


def _cloudformation(doc: Mapping[str, Any], name: str, loaded: Loaded) -> Parsed | None:
    resources = doc.get("Resources")
    if not isinstance(resources, Mapping) or not (
        "AWSTemplateFormatVersion" in doc
        or any(isinstance(r, Mapping) and isinstance(r.get("Type"), str) for r in resources.values())
    ):
        return None
    out: list[Resource] = []
    for logical, res in resources.items():
        if not isinstance(res, Mapping) or str(res.get("Type")) not in CFN_TYPES:
            continue
        kind = CFN_TYPES[res["Type"]]
        props = res.get("Properties")
        base = f"/Resources/{escape(str(logical))}/Properties"
        if not isinstance(props, Mapping):
            props = {}
            base = f"/Resources/{escape(str(logical))}"
        pmap: dict[str, str] = {}
        if kind == "target_groups":
            payload = {k: literal(v) for k, v in props.items()}
            identity_map(payload, "", base, pmap)
            tg_name = payload.pop("Name", None)
            if "/Name" in pmap:
                pmap["/TargetGroupName"] = pmap["/Name"]
            payload["TargetGroupName"] = tg_name if isinstance(tg_name, str) else str(logical)
            payload["TargetGroupArn"] = f"lint:targetgroup/{logical}"
            out.append(Resource(kind, payload["TargetGroupName"], str(logical), payload, pmap))
            continue
        payload = camel(props, "", base, pmap)
        if kind == "task_definitions":
            r = Resource(kind, _td_name(payload, str(logical)), str(logical), payload, pmap)
            r.payload["taskDefinitionArn"] = f"lint:taskdef/{logical}"
            _ensure_td_identity(r, name)
            out.append(r)
        else:
            sname = payload.get("serviceName")
            if not isinstance(sname, str) or not sname:
                payload["serviceName"] = sname = str(logical)
            out.append(Resource(kind, sname, str(logical), payload, pmap))
    # Links: a service's TaskDefinition / TargetGroupArn that `Ref` a resource of this template.
    by_logical = {r.logical: r for r in out}
    for svc in (r for r in out if r.kind == "services"):
        target = by_logical.get(_ref_target(svc.payload.get("taskDefinition")) or "")
        if target is not None and target.kind == "task_definitions":
            svc.payload["taskDefinition"] = target.payload["taskDefinitionArn"]
        for lb in _l(svc.payload.get("loadBalancers")):
            if not isinstance(lb, dict):
                continue
            tg = by_logical.get(_ref_target(lb.get("targetGroupArn")) or "")
            if tg is not None and tg.kind == "target_groups":
                lb["targetGroupArn"] = tg.payload["TargetGroupArn"]
    parsed = Parsed(name, "cloudformation", KINDS, out, loaded)
    if not out:
        parsed.notes.append(f"{name}: CloudFormation template with no ECS task definition, service or target group")
    return parsed


# -------------------------------------------------------------------------------------- Terraform
TF_TYPES = {
    "aws_ecs_task_definition": "task_definitions",
    "aws_ecs_service": "services",
    "aws_lb_target_group": "target_groups",
    "aws_alb_target_group": "target_groups",
}
_INDEX = re.compile(r"\[[^\]]*\]")


def _tf_resources(module: Any, base: str, out: list[tuple[Mapping[str, Any], str]], depth: int = 0) -> None:
    if not isinstance(module, Mapping) or depth > 50:
        return
    for i, r in enumerate(_l(module.get("resources"))):
        if isinstance(r, Mapping) and r.get("mode", "managed") == "managed" and str(r.get("type")) in TF_TYPES:
            out.append((r, f"{base}/resources/{i}"))
    for i, child in enumerate(_l(module.get("child_modules"))):
        _tf_resources(child, f"{base}/child_modules/{i}", out, depth + 1)


def _tf_references(doc: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    """address -> {"task_definition": [refs], "load_balancer/0/target_group_arn": [refs]} from `configuration`,
    with references made absolute (module prefix added)."""
    out: dict[str, dict[str, list[str]]] = {}

    def walk(module: Any, prefix: str, depth: int) -> None:
        if not isinstance(module, Mapping) or depth > 50:
            return
        for r in _l(module.get("resources")):
            if not isinstance(r, Mapping) or r.get("type") != "aws_ecs_service":
                continue
            expr = _m(r.get("expressions"))
            refs: dict[str, list[str]] = {}
            td = expr.get("task_definition")
            if isinstance(td, Mapping):
                refs["task_definition"] = [prefix + str(x) for x in _l(td.get("references"))]
            for i, lb in enumerate(_l(expr.get("load_balancer"))):
                tg = lb.get("target_group_arn") if isinstance(lb, Mapping) else None
                if isinstance(tg, Mapping):
                    refs[f"load_balancer/{i}/target_group_arn"] = [prefix + str(x) for x in _l(tg.get("references"))]
            out[prefix + str(r.get("address", ""))] = refs
        for call_name, call in _m(module.get("module_calls")).items():
            if isinstance(call, Mapping):
                walk(call.get("module"), f"{prefix}module.{call_name}.", depth + 1)

    config = doc.get("configuration")
    if isinstance(config, Mapping):
        walk(config.get("root_module"), "", 0)
    return out


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _m(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _block(values: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    block = values.get(key)
    if isinstance(block, list) and block and isinstance(block[0], Mapping):
        return block[0]
    return block if isinstance(block, Mapping) else {}


def _put(
    payload: dict[str, Any], pmap: dict[str, str], api_key: str, values: Mapping[str, Any], tf_key: str, vptr: str
):  # type: ignore[no-untyped-def]
    if tf_key in values and values[tf_key] is not None:
        payload[api_key] = values[tf_key]
        pmap[f"/{api_key}"] = f"{vptr}/{tf_key}"


def _tf_task_definition(values: Mapping[str, Any], vptr: str, notes: list[str], where: str) -> tuple[dict, dict]:  # type: ignore[type-arg]
    payload: dict[str, Any] = {}
    pmap: dict[str, str] = {"": vptr}
    for api_key, tf_key in (
        ("family", "family"),
        ("cpu", "cpu"),
        ("memory", "memory"),
        ("networkMode", "network_mode"),
        ("requiresCompatibilities", "requires_compatibilities"),
        ("executionRoleArn", "execution_role_arn"),
        ("taskRoleArn", "task_role_arn"),
        ("pidMode", "pid_mode"),
        ("ipcMode", "ipc_mode"),
    ):
        _put(payload, pmap, api_key, values, tf_key, vptr)
    rp = _block(values, "runtime_platform")
    if rp:
        payload["runtimePlatform"] = {
            k2: rp[k1]
            for k1, k2 in (
                ("cpu_architecture", "cpuArchitecture"),
                ("operating_system_family", "operatingSystemFamily"),
            )
            if rp.get(k1) is not None
        }
        pmap["/runtimePlatform"] = f"{vptr}/runtime_platform"
    cds = values.get("container_definitions")
    if isinstance(cds, str):
        try:
            decoded = json.loads(cds)
        except (ValueError, RecursionError):
            notes.append(f"{where}: container_definitions is not valid JSON; its containers were not linted")
            decoded = None
        if isinstance(decoded, list):
            payload["containerDefinitions"] = decoded
            pmap["/containerDefinitions"] = f"{vptr}/container_definitions"
    elif cds is None:
        notes.append(f"{where}: container_definitions is unknown until apply; its containers were not linted")
    elif isinstance(cds, list):
        payload["containerDefinitions"] = cds
        identity_map(cds, "/containerDefinitions", f"{vptr}/container_definitions", pmap)
    return payload, pmap


def _tf_service(values: Mapping[str, Any], vptr: str) -> tuple[dict, dict]:  # type: ignore[type-arg]
    payload: dict[str, Any] = {}
    pmap: dict[str, str] = {"": vptr}
    for api_key, tf_key in (
        ("serviceName", "name"),
        ("taskDefinition", "task_definition"),
        ("launchType", "launch_type"),
        ("desiredCount", "desired_count"),
        ("healthCheckGracePeriodSeconds", "health_check_grace_period_seconds"),
        ("platformVersion", "platform_version"),
        ("enableExecuteCommand", "enable_execute_command"),
    ):
        _put(payload, pmap, api_key, values, tf_key, vptr)
    lbs = values.get("load_balancer")
    if isinstance(lbs, list):
        payload["loadBalancers"] = []
        pmap["/loadBalancers"] = f"{vptr}/load_balancer"
        for i, lb in enumerate(lbs):
            if not isinstance(lb, Mapping):
                continue
            item: dict[str, Any] = {}
            for api_key, tf_key in (
                ("targetGroupArn", "target_group_arn"),
                ("containerName", "container_name"),
                ("containerPort", "container_port"),
                ("loadBalancerName", "elb_name"),
            ):
                if lb.get(tf_key) not in (None, ""):
                    item[api_key] = lb[tf_key]
                    pmap[f"/loadBalancers/{len(payload['loadBalancers'])}/{api_key}"] = (
                        f"{vptr}/load_balancer/{i}/{tf_key}"
                    )
            pmap[f"/loadBalancers/{len(payload['loadBalancers'])}"] = f"{vptr}/load_balancer/{i}"
            payload["loadBalancers"].append(item)
    net = _block(values, "network_configuration")
    if net:
        awsvpc: dict[str, Any] = {}
        for api_key, tf_key in (("subnets", "subnets"), ("securityGroups", "security_groups")):
            if isinstance(net.get(tf_key), list):
                awsvpc[api_key] = net[tf_key]
        if isinstance(net.get("assign_public_ip"), bool):
            awsvpc["assignPublicIp"] = "ENABLED" if net["assign_public_ip"] else "DISABLED"
        payload["networkConfiguration"] = {"awsvpcConfiguration": awsvpc}
        pmap["/networkConfiguration"] = f"{vptr}/network_configuration"
    cps = values.get("capacity_provider_strategy")
    if isinstance(cps, list) and cps:
        payload["capacityProviderStrategy"] = [
            {"capacityProvider": c.get("capacity_provider"), "weight": c.get("weight"), "base": c.get("base")}
            for c in cps
            if isinstance(c, Mapping)
        ]
        pmap["/capacityProviderStrategy"] = f"{vptr}/capacity_provider_strategy"
    return payload, pmap


def _tf_target_group(values: Mapping[str, Any], vptr: str) -> tuple[dict, dict]:  # type: ignore[type-arg]
    payload: dict[str, Any] = {}
    pmap: dict[str, str] = {"": vptr}
    for api_key, tf_key in (
        ("TargetGroupName", "name"),
        ("TargetGroupArn", "arn"),
        ("Port", "port"),
        ("Protocol", "protocol"),
        ("TargetType", "target_type"),
        ("VpcId", "vpc_id"),
    ):
        _put(payload, pmap, api_key, values, tf_key, vptr)
    hc = _block(values, "health_check")
    hptr = f"{vptr}/health_check/0" if isinstance(values.get("health_check"), list) else f"{vptr}/health_check"
    for api_key, tf_key in (
        ("HealthCheckPort", "port"),
        ("HealthCheckPath", "path"),
        ("HealthCheckProtocol", "protocol"),
        ("HealthCheckEnabled", "enabled"),
        ("HealthCheckIntervalSeconds", "interval"),
    ):
        if hc.get(tf_key) not in (None, ""):
            payload[api_key] = hc[tf_key]
            pmap[f"/{api_key}"] = f"{hptr}/{tf_key}"
    return payload, pmap


def _terraform(doc: Mapping[str, Any], name: str, loaded: Loaded) -> Parsed | None:
    if "format_version" not in doc or not any(k in doc for k in ("planned_values", "resource_changes", "values")):
        return None
    found: list[tuple[Mapping[str, Any], str]] = []
    for top in ("planned_values", "values"):
        section = doc.get(top)
        if isinstance(section, Mapping):
            _tf_resources(section.get("root_module"), f"/{top}/root_module", found)
            if found:
                break
    items: list[tuple[str, str, Mapping[str, Any], str]] = []  # (address, type, values, pointer)
    if found:
        for item, ptr in found:
            values = item.get("values")
            if isinstance(values, Mapping):
                items.append((str(item.get("address", "")), str(item["type"]), values, f"{ptr}/values"))
    else:
        for i, rc in enumerate(_l(doc.get("resource_changes"))):
            if (
                not isinstance(rc, Mapping)
                or str(rc.get("type")) not in TF_TYPES
                or rc.get("mode", "managed") != "managed"
            ):
                continue
            change = _m(rc.get("change"))
            after = change.get("after")
            if isinstance(after, Mapping) and change.get("actions") != ["delete"]:
                items.append(
                    (str(rc.get("address", "")), str(rc["type"]), after, f"/resource_changes/{i}/change/after")
                )
    notes: list[str] = []
    out: list[Resource] = []
    for address, rtype, values, vptr in items:
        kind = TF_TYPES[rtype]
        if kind == "task_definitions":
            payload, pmap = _tf_task_definition(values, vptr, notes, f"{name} {address}")
            r = Resource(kind, _td_name(payload, address), address, payload, pmap)
            r.payload["taskDefinitionArn"] = f"lint:taskdef/{address}"
            _ensure_td_identity(r, name)
        elif kind == "services":
            payload, pmap = _tf_service(values, vptr)
            sname = payload.get("serviceName") if isinstance(payload.get("serviceName"), str) else address
            payload["serviceName"] = sname
            r = Resource(kind, str(sname), address, payload, pmap)
        else:
            payload, pmap = _tf_target_group(values, vptr)
            tname = payload.get("TargetGroupName") if isinstance(payload.get("TargetGroupName"), str) else address
            payload["TargetGroupName"] = tname
            if not isinstance(payload.get("TargetGroupArn"), str):
                payload["TargetGroupArn"] = f"lint:targetgroup/{address}"
            r = Resource(kind, str(tname), address, payload, pmap)
        out.append(r)
    # Links from the configuration's references (values are unknown in a plan until apply).
    by_base: dict[str, Resource] = {}
    for r in out:
        by_base.setdefault(_INDEX.sub("", r.logical), r)
    refs = _tf_references(doc)

    def resolve(candidates: list[str], kind: str) -> Resource | None:
        for ref in candidates:
            for cand in (ref, ref.rsplit(".", 1)[0]):
                hit = by_base.get(_INDEX.sub("", cand))
                if hit is not None and hit.kind == kind:
                    return hit
        return None

    for svc in (r for r in out if r.kind == "services"):
        srefs = refs.get(_INDEX.sub("", svc.logical), {})
        td = resolve(srefs.get("task_definition", []), "task_definitions")
        if td is not None:
            svc.payload["taskDefinition"] = td.payload["taskDefinitionArn"]
        for i, lb in enumerate(_l(svc.payload.get("loadBalancers"))):
            tg = resolve(srefs.get(f"load_balancer/{i}/target_group_arn", []), "target_groups")
            if tg is not None:
                lb["targetGroupArn"] = tg.payload["TargetGroupArn"]
    parsed = Parsed(name, "terraform-plan", KINDS, out, loaded, notes)
    if not out:
        parsed.notes.append(f"{name}: Terraform plan with no aws_ecs_task_definition, aws_ecs_service or target group")
    return parsed


def load_yaml_value(text: str) -> Any:
    """The value of a YAML (or JSON) text with CloudFormation tags in long form (no positions)."""
    return load_yaml(text).value
