"""Typed views of the raw runtime and infrastructure evidence, and the reasoning checks share over them.

Kinds read here (shapes: docs/snapshot-format.md): `log_events`, `target_groups`, `load_balancers`,
`subnets`, `route_tables`, `vpcs`, `vpc_endpoints`, `security_groups`, `network_acls`, `nat_gateways`,
`internet_gateways`, `ec2_instances`. Every function takes an `Evidence` and returns frozen dataclasses,
cached per Evidence (Evidence hashes by identity). Each object keeps `resource` (what to name in an
`EvidenceRef`) and `pointer` (where its fields sit in that raw payload).

Also here, because several checks need it and it is pure data reasoning:
  * log analysis: the missing environment variable, the unreachable host:port, the last error lines, and
    the time from the first log line to "listening/ready";
  * the network path from a subnet to an AWS service (IGW with public IP, NAT, VPC endpoints with private
    DNS, security group egress, endpoint security group ingress, network ACLs, free IPs).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from ecs_triage.evidence.model import Container, ContainerDefinition, Evidence, Service, Task, TaskDefinition
from ecs_triage.evidence.parse import as_bool, as_int, as_list, as_map, as_str, as_strs, as_time

# ----------------------------------------------------------------------------------------------- logs


@dataclass(frozen=True)
class LogEvent:
    timestamp: datetime | None
    message: str
    pointer: str  # inside the stream's payload: /events/3/message


@dataclass(frozen=True)
class LogStream:
    group: str
    stream: str
    task_arn: str | None
    container_name: str | None
    found: bool
    events: tuple[LogEvent, ...]
    resource: str  # "log-stream GROUP/STREAM"

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(e.message for e in self.events)


def _time(value: Any) -> datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 10**11:
        value = value / 1000.0  # CloudWatch Logs timestamps are epoch milliseconds
    return as_time(value)


@lru_cache(maxsize=64)
def log_streams(ev: Evidence) -> tuple[LogStream, ...]:
    out = []
    for raw in map(as_map, as_list(ev.raw.get("log_events"))):
        group = as_str(raw.get("logGroupName")) or ""
        stream = as_str(raw.get("logStreamName")) or ""
        events = []
        for i, e in enumerate(map(as_map, as_list(raw.get("events")))):
            msg = as_str(e.get("message"))
            if msg is None:
                continue
            events.append(LogEvent(_time(e.get("timestamp")), msg.rstrip("\n"), f"/events/{i}/message"))
        out.append(
            LogStream(
                group=group,
                stream=stream,
                task_arn=as_str(raw.get("taskArn")),
                container_name=as_str(raw.get("containerName")),
                found=as_bool(raw.get("found"), default=True),
                events=tuple(events),
                resource=f"log-stream {group}/{stream}",
            )
        )
    return tuple(out)


def log_stream_for(ev: Evidence, task: Task, container: str) -> LogStream | None:
    """The collected log tail of one container of one task (by taskArn + containerName, else stream name)."""
    suffix = f"/{container}/{task.id}"
    for s in log_streams(ev):
        if s.task_arn == task.arn and s.container_name == container:
            return s
    for s in log_streams(ev):
        if s.stream.endswith(suffix):
            return s
    return None


_ENV_NAME = r"([A-Z][A-Z0-9_]{2,})"
_MISSING_VAR = [
    re.compile(p)
    for p in (
        rf"(?i:missing (?:required )?(?:environment|env) ?(?:variable|var)s?)[:\s]+['\"`]?{_ENV_NAME}",
        rf"(?i:(?:environment|env) ?(?:variable|var))[:\s]+['\"`]?{_ENV_NAME}['\"`]?\s+(?i:is\s+)?(?i:not set|missing|required|undefined|is not defined|must be set|unset)",
        rf"['\"`]?{_ENV_NAME}['\"`]?\s+(?i:(?:environment )?(?:variable )?(?:is )?(?:not set|not defined|undefined|missing|must be (?:set|provided|defined)|is required|required but not set))",
        rf"KeyError: ['\"]{_ENV_NAME}['\"]",
        rf"(?i:required (?:environment|env) ?(?:variable|var))[:\s]+['\"`]?{_ENV_NAME}",
        rf"(?i:no value (?:set )?for)\s+['\"`]?{_ENV_NAME}",
        rf"os\.environ\[['\"]{_ENV_NAME}['\"]\]",
        rf"(?i:unset (?:environment )?variable)[:\s]+['\"`]?{_ENV_NAME}",
    )
]


def missing_variables(lines: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """Environment variable names the log says are missing: ((NAME, line index), ...) in order, unique."""
    seen: dict[str, int] = {}
    for i, line in enumerate(lines):
        for pattern in _MISSING_VAR:
            for m in pattern.finditer(line):
                seen.setdefault(m.group(1), i)
    return tuple(seen.items())


_HOSTPORT = r"\[?([A-Za-z0-9_.\-:]+?)\]?:(\d{1,5})"
_UNREACHABLE = [
    re.compile(p, re.I)
    for p in (
        rf"ECONNREFUSED\s+{_HOSTPORT}",
        rf"ETIMEDOUT\s+{_HOSTPORT}",
        rf"EHOSTUNREACH\s+{_HOSTPORT}",
        rf"dial tcp\s+{_HOSTPORT}:\s*(?:connect|i/o timeout|connection refused)",
        rf"connect(?:ion)? to\s+{_HOSTPORT}\s+(?:failed|refused|timed out)",
        r'connection to server at "([^"]+)"(?: \([^)]*\))?, port (\d+) failed',
        r'server running on host "([^"]+)"(?: \([^)]*\))? and accepting\s+TCP/IP connections on port (\d+)',
        rf"(?:could not|couldn't|can't|cannot|unable to|failed to) connect(?: to)?(?: \w+)*? (?:at |on |to )?{_HOSTPORT}",
        rf"Connection refused[^0-9A-Za-z]*(?:to )?{_HOSTPORT}",
        r"Can't connect to (?:MySQL|Redis|local MySQL) server on '([^']+)' \((?:\d+)\)(?::(\d+))?",
        rf"Error connecting to {_HOSTPORT}",
        rf"{_HOSTPORT}[: ]+(?:Connection refused|connection timed out|Connection timed out|No route to host)",
        rf"timed? ?out (?:connecting|while connecting) to {_HOSTPORT}",
    )
]
_UNREACHABLE_HOST_ONLY = re.compile(
    r"(?:getaddrinfo (?:ENOTFOUND|EAI_AGAIN)|lookup|could not translate host name|Name or service not known for|"
    r"Unknown host|UnknownHostException:?)\s+['\"]?([A-Za-z0-9_.\-]+)",
    re.I,
)


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int | None
    line: int  # index into the stream's events
    text: str

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}" if self.port is not None else self.host

    @property
    def is_local(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def unreachable_endpoints(lines: Sequence[str]) -> tuple[Endpoint, ...]:
    """host:port the log says could not be reached (refused, timed out, unknown host), in order, unique."""
    out: dict[str, Endpoint] = {}
    for i, line in enumerate(lines):
        for pattern in _UNREACHABLE:
            for m in pattern.finditer(line):
                host = m.group(1).strip("[]")
                port = as_int(m.group(2)) if m.lastindex and m.lastindex >= 2 and m.group(2) else None
                ep = Endpoint(host, port, i, line.strip())
                out.setdefault(ep.label, ep)
        if not out:
            m2 = _UNREACHABLE_HOST_ONLY.search(line)
            if m2 and ("." in m2.group(1) or m2.group(1) == "localhost"):
                ep = Endpoint(m2.group(1), None, i, line.strip())
                out.setdefault(ep.label, ep)
    return tuple(out.values())


_ERROR_LINE = re.compile(
    r"(Traceback \(most recent call last\)|^\s*\w+(\.\w+)*(Error|Exception)\b|\bException\b|\bpanic:|\bfatal error\b|"
    r"\bFATAL\b|\bERROR\b|\bUnhandled\b|\bUncaught\b|\bError:|^\s*at [\w.$<>]+\(|Caused by:|\bsegmentation fault\b)",
)


def error_lines(lines: Sequence[str], limit: int = 5) -> tuple[tuple[int, str], ...]:
    """The last `limit` lines that look like errors (exceptions, panics, FATAL/ERROR), with their index."""
    hits = [(i, line.strip()) for i, line in enumerate(lines) if line.strip() and _ERROR_LINE.search(line)]
    return tuple(hits[-limit:])


_READY = re.compile(
    r"(listening (on|at)\b|\bstarted on port\b|\blistening\b.*\bport\b|server (is )?(running|started|listening)|\bstarted\b.*\bin \d|"
    r"\bStarted \w+ in [\d.]+ ?s|\bready (to|for) (accept|serve|handle)|application (has )?started|"
    r"\bserving on\b|Uvicorn running on|Booting worker|Now listening on|startup complete|\bready\b)",
    re.I,
)


@dataclass(frozen=True)
class Readiness:
    seconds: float
    first: LogEvent
    ready: LogEvent


def time_to_ready(stream: LogStream) -> Readiness | None:
    """Seconds from the first log line to the first line saying the app listens / is ready."""
    if not stream.events or stream.events[0].timestamp is None:
        return None
    first = stream.events[0]
    for e in stream.events:
        if e.timestamp is not None and _READY.search(e.message):
            assert first.timestamp is not None
            return Readiness((e.timestamp - first.timestamp).total_seconds(), first, e)
    return None


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
            name=as_str(raw.get("TargetGroupName")) or arn.split("/")[-2] if "/" in arn else arn,
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
            targets_known="TargetHealthDescriptions" in raw,
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


# ------------------------------------------------------------------------------------------------ EC2


@dataclass(frozen=True)
class Subnet:
    id: str
    vpc_id: str | None
    cidr: str | None
    availability_zone: str | None
    available_ips: int | None
    map_public_ip: bool
    name: str | None
    index: int  # position in data.subnets


@dataclass(frozen=True)
class Route:
    destination: str | None  # IPv4 CIDR
    prefix_list: str | None
    target: str | None  # igw-..., nat-..., tgw-..., pcx-..., eni-..., vpce-..., local
    state: str | None
    pointer: str

    @property
    def is_default(self) -> bool:
        return self.destination == "0.0.0.0/0"

    @property
    def active(self) -> bool:
        return self.state in (None, "active")


@dataclass(frozen=True)
class RouteTable:
    id: str
    vpc_id: str | None
    main: bool
    subnet_ids: tuple[str, ...]
    routes: tuple[Route, ...]

    def default_route(self) -> Route | None:
        return next((r for r in self.routes if r.is_default), None)


@dataclass(frozen=True)
class Vpc:
    id: str
    cidrs: tuple[str, ...]
    dns_support: bool | None
    dns_hostnames: bool | None


@dataclass(frozen=True)
class VpcEndpoint:
    id: str
    vpc_id: str | None
    service_name: str
    type: str  # Interface | Gateway | GatewayLoadBalancer
    state: str | None
    private_dns: bool
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    route_table_ids: tuple[str, ...]

    @property
    def usable(self) -> bool:
        return (self.state or "available").lower() == "available"


@dataclass(frozen=True)
class SgRule:
    protocol: str  # "-1", "tcp", "udp", "6" ...
    from_port: int | None
    to_port: int | None
    cidrs: tuple[str, ...]
    prefix_lists: tuple[str, ...]
    group_ids: tuple[str, ...]
    pointer: str

    def covers_tcp(self, port: int) -> bool:
        if self.protocol in ("-1", "all"):
            return True
        if self.protocol.lower() not in ("tcp", "6"):
            return False
        if self.from_port is None or self.to_port is None:
            return True
        return self.from_port <= port <= self.to_port


@dataclass(frozen=True)
class SecurityGroup:
    id: str
    name: str
    vpc_id: str | None
    ingress: tuple[SgRule, ...]
    egress: tuple[SgRule, ...]
    index: int


@dataclass(frozen=True)
class NaclEntry:
    rule_number: int
    egress: bool
    protocol: str
    allow: bool
    cidr: str | None
    from_port: int | None
    to_port: int | None
    pointer: str

    def matches_tcp(self, port: int, address: str) -> bool:
        if self.protocol not in ("-1", "6", "tcp"):
            return False
        if (
            self.protocol != "-1"
            and self.from_port is not None
            and self.to_port is not None
            and not self.from_port <= port <= self.to_port
        ):
            return False
        return cidr_contains(self.cidr, address)


@dataclass(frozen=True)
class NetworkAcl:
    id: str
    vpc_id: str | None
    default: bool
    subnet_ids: tuple[str, ...]
    entries: tuple[NaclEntry, ...]
    index: int

    def decide(self, egress: bool, port: int, address: str = "0.0.0.0") -> NaclEntry | None:
        """The first entry (by rule number) that decides TCP traffic on `port` to/from `address`."""
        for e in sorted((e for e in self.entries if e.egress == egress), key=lambda e: e.rule_number):
            if e.matches_tcp(port, address):
                return e
        return None


@dataclass(frozen=True)
class NatGateway:
    id: str
    vpc_id: str | None
    subnet_id: str | None
    state: str | None
    connectivity: str | None


@dataclass(frozen=True)
class InternetGateway:
    id: str
    vpc_ids: tuple[str, ...]


@dataclass(frozen=True)
class Ec2Instance:
    id: str
    instance_type: str | None
    state: str | None
    subnet_id: str | None
    availability_zone: str | None
    private_ip: str | None
    instance_profile_arn: str | None


def cidr_contains(cidr: str | None, address: str) -> bool:
    if not cidr:
        return False
    try:
        net = ipaddress.ip_network(cidr, strict=False)
        if "/" in address:
            other = ipaddress.ip_network(address, strict=False)
            return other.version == net.version and other.subnet_of(net)  # type: ignore[arg-type]
        return ipaddress.ip_address(address) in net
    except ValueError:
        return False


def cidr_overlaps(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    try:
        return ipaddress.ip_network(a, strict=False).overlaps(ipaddress.ip_network(b, strict=False))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return False


def _name_tag(raw: Mapping[str, Any]) -> str | None:
    for tag in map(as_map, as_list(raw.get("Tags"))):
        if tag.get("Key") == "Name":
            return as_str(tag.get("Value"))
    return None


def _sg_rules(items: Any, base: str) -> tuple[SgRule, ...]:
    out = []
    for i, p in enumerate(map(as_map, as_list(items))):
        out.append(
            SgRule(
                protocol=str(p.get("IpProtocol", "-1")).lower(),
                from_port=as_int(p.get("FromPort")),
                to_port=as_int(p.get("ToPort")),
                cidrs=tuple(
                    c for c in (as_str(as_map(r).get("CidrIp")) for r in as_list(p.get("IpRanges"))) if c is not None
                )
                + tuple(
                    c
                    for c in (as_str(as_map(r).get("CidrIpv6")) for r in as_list(p.get("Ipv6Ranges")))
                    if c is not None
                ),
                prefix_lists=tuple(
                    c
                    for c in (as_str(as_map(r).get("PrefixListId")) for r in as_list(p.get("PrefixListIds")))
                    if c is not None
                ),
                group_ids=tuple(
                    c
                    for c in (as_str(as_map(r).get("GroupId")) for r in as_list(p.get("UserIdGroupPairs")))
                    if c is not None
                ),
                pointer=f"{base}/{i}",
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Network:
    """The VPC evidence by id, with the lookups the path reasoning needs."""

    region: str
    kinds: frozenset[str]
    subnets: Mapping[str, Subnet]
    route_tables: tuple[RouteTable, ...]
    vpcs: Mapping[str, Vpc]
    endpoints: tuple[VpcEndpoint, ...]
    security_groups: Mapping[str, SecurityGroup]
    nacls: tuple[NetworkAcl, ...]
    nat_gateways: Mapping[str, NatGateway]
    internet_gateways: Mapping[str, InternetGateway]
    instances: Mapping[str, Ec2Instance]

    def route_table_for(self, subnet: Subnet) -> tuple[RouteTable | None, bool]:
        """(the subnet's route table, True when explicitly associated; False for the VPC's main table)."""
        for rt in self.route_tables:
            if subnet.id in rt.subnet_ids:
                return rt, True
        for rt in self.route_tables:
            if rt.main and rt.vpc_id == subnet.vpc_id:
                return rt, False
        return None, False

    def nacl_for(self, subnet: Subnet) -> NetworkAcl | None:
        for acl in self.nacls:
            if subnet.id in acl.subnet_ids:
                return acl
        return next((a for a in self.nacls if a.default and a.vpc_id == subnet.vpc_id), None)

    def endpoint(self, vpc_id: str | None, service: str, type_: str = "Interface") -> VpcEndpoint | None:
        name = service_name(self.region, service)
        found = [e for e in self.endpoints if e.vpc_id == vpc_id and e.service_name == name and e.type == type_]
        return next((e for e in found if e.usable), found[0] if found else None)


@lru_cache(maxsize=64)
def network(ev: Evidence) -> Network:
    data = ev.raw
    subnets = {}
    for i, raw in enumerate(map(as_map, as_list(data.get("subnets")))):
        sid = as_str(raw.get("SubnetId")) or ""
        subnets[sid] = Subnet(
            id=sid,
            vpc_id=as_str(raw.get("VpcId")),
            cidr=as_str(raw.get("CidrBlock")),
            availability_zone=as_str(raw.get("AvailabilityZone")),
            available_ips=as_int(raw.get("AvailableIpAddressCount")),
            map_public_ip=as_bool(raw.get("MapPublicIpOnLaunch")),
            name=_name_tag(raw),
            index=i,
        )
    route_tables = []
    for raw in map(as_map, as_list(data.get("route_tables"))):
        assoc = list(map(as_map, as_list(raw.get("Associations"))))
        routes = []
        for j, r in enumerate(map(as_map, as_list(raw.get("Routes")))):
            target = next(
                (
                    as_str(r.get(k))
                    for k in (
                        "NatGatewayId",
                        "GatewayId",
                        "TransitGatewayId",
                        "VpcPeeringConnectionId",
                        "NetworkInterfaceId",
                        "InstanceId",
                        "EgressOnlyInternetGatewayId",
                        "LocalGatewayId",
                        "CarrierGatewayId",
                        "CoreNetworkArn",
                    )
                    if as_str(r.get(k))
                ),
                None,
            )
            routes.append(
                Route(
                    destination=as_str(r.get("DestinationCidrBlock")),
                    prefix_list=as_str(r.get("DestinationPrefixListId")),
                    target=target,
                    state=as_str(r.get("State")),
                    pointer=f"/Routes/{j}",
                )
            )
        route_tables.append(
            RouteTable(
                id=as_str(raw.get("RouteTableId")) or "",
                vpc_id=as_str(raw.get("VpcId")),
                main=any(as_bool(a.get("Main")) for a in assoc),
                subnet_ids=tuple(s for s in (as_str(a.get("SubnetId")) for a in assoc) if s),
                routes=tuple(routes),
            )
        )
    vpcs = {}
    for raw in map(as_map, as_list(data.get("vpcs"))):
        vid = as_str(raw.get("VpcId")) or ""
        cidrs = [as_str(raw.get("CidrBlock"))] + [
            as_str(as_map(a).get("CidrBlock")) for a in as_list(raw.get("CidrBlockAssociationSet"))
        ]
        dns_s, dns_h = raw.get("EnableDnsSupport"), raw.get("EnableDnsHostnames")
        vpcs[vid] = Vpc(
            id=vid,
            cidrs=tuple(dict.fromkeys(c for c in cidrs if c)),
            dns_support=as_bool(dns_s) if dns_s is not None else None,
            dns_hostnames=as_bool(dns_h) if dns_h is not None else None,
        )
    endpoints = tuple(
        VpcEndpoint(
            id=as_str(raw.get("VpcEndpointId")) or "",
            vpc_id=as_str(raw.get("VpcId")),
            service_name=as_str(raw.get("ServiceName")) or "",
            type=as_str(raw.get("VpcEndpointType")) or "Interface",
            state=as_str(raw.get("State")),
            private_dns=as_bool(raw.get("PrivateDnsEnabled")),
            subnet_ids=as_strs(raw.get("SubnetIds")) or (),
            security_group_ids=tuple(
                g for g in (as_str(as_map(x).get("GroupId")) for x in as_list(raw.get("Groups"))) if g
            ),
            route_table_ids=as_strs(raw.get("RouteTableIds")) or (),
        )
        for raw in map(as_map, as_list(data.get("vpc_endpoints")))
    )
    sgs = {}
    for i, raw in enumerate(map(as_map, as_list(data.get("security_groups")))):
        gid = as_str(raw.get("GroupId")) or ""
        sgs[gid] = SecurityGroup(
            id=gid,
            name=as_str(raw.get("GroupName")) or "",
            vpc_id=as_str(raw.get("VpcId")),
            ingress=_sg_rules(raw.get("IpPermissions"), "/IpPermissions"),
            egress=_sg_rules(raw.get("IpPermissionsEgress"), "/IpPermissionsEgress"),
            index=i,
        )
    nacls = []
    for i, raw in enumerate(map(as_map, as_list(data.get("network_acls")))):
        entries = []
        for j, e in enumerate(map(as_map, as_list(raw.get("Entries")))):
            ports = as_map(e.get("PortRange"))
            entries.append(
                NaclEntry(
                    rule_number=as_int(e.get("RuleNumber")) or 0,
                    egress=as_bool(e.get("Egress")),
                    protocol=str(e.get("Protocol", "-1")).lower(),
                    allow=(as_str(e.get("RuleAction")) or "").lower() == "allow",
                    cidr=as_str(e.get("CidrBlock")),
                    from_port=as_int(ports.get("From")),
                    to_port=as_int(ports.get("To")),
                    pointer=f"/Entries/{j}",
                )
            )
        nacls.append(
            NetworkAcl(
                id=as_str(raw.get("NetworkAclId")) or "",
                vpc_id=as_str(raw.get("VpcId")),
                default=as_bool(raw.get("IsDefault")),
                subnet_ids=tuple(
                    s for s in (as_str(as_map(a).get("SubnetId")) for a in as_list(raw.get("Associations"))) if s
                ),
                entries=tuple(entries),
                index=i,
            )
        )
    nats = {}
    for raw in map(as_map, as_list(data.get("nat_gateways"))):
        nid = as_str(raw.get("NatGatewayId")) or ""
        nats[nid] = NatGateway(
            nid,
            as_str(raw.get("VpcId")),
            as_str(raw.get("SubnetId")),
            as_str(raw.get("State")),
            as_str(raw.get("ConnectivityType")),
        )
    igws = {}
    for raw in map(as_map, as_list(data.get("internet_gateways"))):
        iid = as_str(raw.get("InternetGatewayId")) or ""
        igws[iid] = InternetGateway(
            iid,
            tuple(
                v
                for v in (
                    as_str(as_map(a).get("VpcId"))
                    for a in as_list(raw.get("Attachments"))
                    if (as_str(as_map(a).get("State")) or "available") in ("available", "attached")
                )
                if v
            ),
        )
    instances = {}
    for raw in map(as_map, as_list(data.get("ec2_instances"))):
        iid = as_str(raw.get("InstanceId")) or ""
        instances[iid] = Ec2Instance(
            id=iid,
            instance_type=as_str(raw.get("InstanceType")),
            state=as_str(as_map(raw.get("State")).get("Name")),
            subnet_id=as_str(raw.get("SubnetId")),
            availability_zone=as_str(as_map(raw.get("Placement")).get("AvailabilityZone")),
            private_ip=as_str(raw.get("PrivateIpAddress")),
            instance_profile_arn=as_str(as_map(raw.get("IamInstanceProfile")).get("Arn")),
        )
    return Network(
        region=ev.region or "us-east-1",
        kinds=ev.kinds,
        subnets=subnets,
        route_tables=tuple(route_tables),
        vpcs=vpcs,
        endpoints=endpoints,
        security_groups=sgs,
        nacls=tuple(nacls),
        nat_gateways=nats,
        internet_gateways=igws,
        instances=instances,
    )


# --------------------------------------------------------------------------------------- network path

# What each need reaches: the endpoint service short names it takes when there is no internet path.
NEEDS: Mapping[str, tuple[str, ...]] = {
    "image": ("ecr.api", "ecr.dkr", "s3"),
    "logs": ("logs",),
    "secretsmanager": ("secretsmanager",),
    "ssm": ("ssm",),
    "kms": ("kms",),
    "exec": ("ssmmessages",),
}
NETWORK_KINDS = ("subnets", "route_tables", "vpcs", "vpc_endpoints", "security_groups")


def service_name(region: str, short: str) -> str:
    return f"com.amazonaws.{region}.{short}"


@dataclass(frozen=True)
class Proof:
    """One observed fact for an EvidenceRef: the raw kind, the resource id, a pointer and the value."""

    kind: str
    resource: str
    pointer: str
    value: Any
    note: str = ""


@dataclass(frozen=True)
class Path:
    """Whether a subnet reaches a set of AWS services, and if not, why and what is missing.

    `ok`: True (a path exists), False (proved missing), None (cannot tell: a route through a transit
    gateway, peering or appliance; or evidence absent). `via` names the path when ok. `problems` are
    one-line facts; `missing_endpoints` the endpoint service short names to create (s3 = gateway);
    `blocked` the part that blocks an otherwise present path ("security-group", "nacl", "dns").
    """

    subnet: str
    route_table: str | None
    explicit_route_table: bool
    ok: bool | None
    via: str
    problems: tuple[str, ...]
    missing_endpoints: tuple[str, ...]
    blocked: tuple[str, ...]
    proofs: tuple[Proof, ...]
    vpc_id: str | None
    nat_candidate: str | None  # an available NAT gateway in the VPC, for the fix
    endpoint_sgs_to_open: tuple[str, ...] = ()


def _sg_allows_egress(
    net: Network, sg_ids: Sequence[str], port: int, dest_cidr: str | None, dest_sgs: Sequence[str] = (), prefix=False
) -> bool | None:
    groups = [net.security_groups.get(g) for g in sg_ids]
    if not sg_ids or any(g is None for g in groups):
        return None
    for g in groups:
        assert g is not None
        for rule in g.egress:
            if not rule.covers_tcp(port):
                continue
            if any(c in ("0.0.0.0/0", "::/0") for c in rule.cidrs):
                return True
            if dest_cidr and any(cidr_overlaps(c, dest_cidr) for c in rule.cidrs):
                return True
            if dest_sgs and set(rule.group_ids) & set(dest_sgs):
                return True
            if prefix and rule.prefix_lists:
                return True
    return False


def _sg_allows_ingress(net: Network, sg_ids: Sequence[str], port: int, src_sgs: Sequence[str], src_cidr: str | None):
    groups = [net.security_groups.get(g) for g in sg_ids]
    if not sg_ids or any(g is None for g in groups):
        return None
    for g in groups:
        assert g is not None
        for rule in g.ingress:
            if not rule.covers_tcp(port):
                continue
            if set(rule.group_ids) & set(src_sgs):
                return True
            if any(c in ("0.0.0.0/0",) for c in rule.cidrs):
                return True
            if src_cidr and any(cidr_contains(c, src_cidr) for c in rule.cidrs):
                return True
    return False


def path_to(
    ev: Evidence,
    subnet_id: str,
    security_groups: Sequence[str],
    public_ip: bool,
    services: Sequence[str],
) -> Path:
    """Can tasks in `subnet_id` with `security_groups` reach the AWS `services` (endpoint short names)?"""
    net = network(ev)
    proofs: list[Proof] = []
    problems: list[str] = []
    subnet = net.subnets.get(subnet_id)
    if subnet is None:
        return Path(subnet_id, None, False, None, "", ("subnet not in the evidence",), (), (), (), None, None)
    rt, explicit = net.route_table_for(subnet)
    vpc = net.vpcs.get(subnet.vpc_id or "")
    nat_candidate = next(
        (n.id for n in net.nat_gateways.values() if n.vpc_id == subnet.vpc_id and n.state == "available"), None
    )
    if rt is None:
        return Path(
            subnet_id, None, False, None, "", ("route table not in the evidence",), (), (), (), subnet.vpc_id, None
        )
    rt_kind = "explicit" if explicit else "main"
    default = rt.default_route()
    internet_via = ""
    internet_state: bool | None = False
    if default is not None and default.active and default.target:
        tgt = default.target
        proofs.append(Proof("route_tables", rt.id, default.pointer, {"0.0.0.0/0": tgt}))
        if tgt.startswith("igw-"):
            if public_ip:
                internet_via, internet_state = f"internet gateway {tgt} with a public IP", True
            else:
                problems.append(
                    f"{subnet.id} routes 0.0.0.0/0 to the internet gateway {tgt} (route table {rt.id}, {rt_kind}) "
                    "but the task gets no public IP (assignPublicIp is DISABLED)"
                )
        elif tgt.startswith("nat-"):
            nat = net.nat_gateways.get(tgt)
            if nat is None or (nat.state or "available") == "available":
                internet_via, internet_state = f"NAT gateway {tgt}", True
            else:
                problems.append(f"the NAT gateway {tgt} that {rt.id} routes 0.0.0.0/0 to is {nat.state}")
        else:
            # transit gateway, peering, an appliance: the path goes on beyond what we can see
            internet_via, internet_state = f"{tgt} (beyond what ecs-triage can see)", None
    else:
        where = f"(route table {rt.id}, {rt_kind})"
        if default is not None and not default.active:
            problems.append(
                f"{subnet.id} routes 0.0.0.0/0 to {default.target} but the route is {default.state} {where}"
            )
            proofs.append(Proof("route_tables", rt.id, default.pointer, {"State": default.state}))
        else:
            label = "private" if not public_ip else "public IP but"
            problems.append(f"{subnet.id} ({label}) routes 0.0.0.0/0 nowhere {where}")
            proofs.append(Proof("route_tables", rt.id, "/Routes", [r.destination or r.prefix_list for r in rt.routes]))

    blocked: list[str] = []
    sg_open: list[str] = []
    missing: list[str] = []
    via_endpoints: list[str] = []
    endpoint_ok = True
    for short in services:
        if short == "s3":
            ep = net.endpoint(subnet.vpc_id, "s3", "Gateway")
            if ep is not None and ep.usable and rt.id in ep.route_table_ids:
                via_endpoints.append(ep.id)
                continue
            if ep is not None and rt.id not in ep.route_table_ids:
                problems.append(f"the S3 gateway endpoint {ep.id} is not associated with {rt.id}")
                proofs.append(Proof("vpc_endpoints", ep.id, "/RouteTableIds", list(ep.route_table_ids)))
            missing.append("s3")
            endpoint_ok = False
            continue
        ep = net.endpoint(subnet.vpc_id, short)
        if ep is None or not ep.usable:
            missing.append(short)
            endpoint_ok = False
            continue
        if not ep.private_dns:
            problems.append(f"the {short} endpoint {ep.id} has private DNS disabled")
            proofs.append(Proof("vpc_endpoints", ep.id, "/PrivateDnsEnabled", False))
            blocked.append("dns")
            endpoint_ok = False
            continue
        if vpc is not None and (vpc.dns_support is False or vpc.dns_hostnames is False):
            problems.append(
                f"{vpc.id} has enableDnsSupport={vpc.dns_support} enableDnsHostnames={vpc.dns_hostnames}: "
                "endpoint private DNS names do not resolve"
            )
            proofs.append(Proof("vpcs", vpc.id, "/EnableDnsHostnames", vpc.dns_hostnames))
            blocked.append("dns")
            endpoint_ok = False
            continue
        ingress = _sg_allows_ingress(net, ep.security_group_ids, 443, security_groups, subnet.cidr)
        if ingress is False:
            problems.append(
                f"the {short} endpoint's security group {', '.join(ep.security_group_ids)} does not allow "
                f"TCP 443 from the task security group or {subnet.cidr}"
            )
            sg_open.extend(ep.security_group_ids)
            blocked.append("security-group")
            endpoint_ok = False
            continue
        egress = _sg_allows_egress(net, security_groups, 443, _vpc_cidr(vpc, subnet), ep.security_group_ids)
        if egress is False:
            problems.append(f"the task security groups {', '.join(security_groups)} allow no TCP 443 egress to {ep.id}")
            blocked.append("security-group")
            endpoint_ok = False
            continue
        via_endpoints.append(ep.id)

    if missing and internet_state is not True:
        names = ", ".join(service_name(net.region, s) for s in missing)
        problems.append(f"the VPC {subnet.vpc_id} has no {names} endpoint" + ("s" if len(missing) > 1 else ""))
        proofs.append(
            Proof(
                "vpc_endpoints",
                subnet.vpc_id or "",
                "/",
                [e.service_name for e in net.endpoints if e.vpc_id == subnet.vpc_id],
            )
        )

    # internet path: task SG egress 443 to 0.0.0.0/0, NACL out 443 + in ephemeral
    if internet_state is True:
        egress = _sg_allows_egress(net, security_groups, 443, "0.0.0.0/0", prefix="s3" in services)
        if egress is False:
            problems.append(f"the task security groups {', '.join(security_groups)} allow no TCP 443 egress")
            for g in security_groups:
                sg = net.security_groups.get(g)
                if sg:
                    proofs.append(Proof("security_groups", g, "/IpPermissionsEgress", len(sg.egress)))
            blocked.append("security-group")
            internet_state = False
    acl = net.nacl_for(subnet)
    if acl is not None and (internet_state is True or via_endpoints):
        out = acl.decide(True, 443)
        back = acl.decide(False, 49152)
        if out is None or not out.allow:
            problems.append(f"the network ACL {acl.id} of {subnet.id} denies outbound TCP 443")
            proofs.append(Proof("network_acls", acl.id, out.pointer if out else "/Entries", "deny"))
            blocked.append("nacl")
            internet_state, endpoint_ok = False, False
        elif back is None or not back.allow:
            problems.append(f"the network ACL {acl.id} of {subnet.id} denies inbound ephemeral ports (1024-65535)")
            proofs.append(Proof("network_acls", acl.id, back.pointer if back else "/Entries", "deny"))
            blocked.append("nacl")
            internet_state, endpoint_ok = False, False

    if internet_state is True:
        ok: bool | None = True
        via = internet_via
    elif endpoint_ok and not missing and via_endpoints:
        ok, via = True, "VPC endpoints " + ", ".join(via_endpoints)
    elif internet_state is None:
        ok, via = None, internet_via
    else:
        ok, via = False, ""
    return Path(
        subnet=subnet.id,
        route_table=rt.id,
        explicit_route_table=explicit,
        ok=ok,
        via=via,
        problems=tuple(problems),
        missing_endpoints=tuple(missing) if internet_state is not True else (),
        blocked=tuple(dict.fromkeys(blocked)),
        proofs=tuple(proofs),
        vpc_id=subnet.vpc_id,
        nat_candidate=nat_candidate,
        endpoint_sgs_to_open=tuple(dict.fromkeys(sg_open)),
    )


def _vpc_cidr(vpc: Vpc | None, subnet: Subnet) -> str | None:
    return vpc.cidrs[0] if vpc is not None and vpc.cidrs else subnet.cidr


@dataclass(frozen=True)
class AwsVpcTarget:
    """Where awsvpc tasks of one service (or one standalone task) get their network interface."""

    resource: str  # the service ARN or task ARN
    cluster_arn: str
    service: str | None
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    public_ip: bool
    pointer: str  # where the configuration sits in the resource's payload
    tasks: tuple[Task, ...]


@lru_cache(maxsize=64)
def awsvpc_targets(ev: Evidence) -> tuple[AwsVpcTarget, ...]:
    """The services' awsvpc network configuration (a failed task's ENI is gone) plus the subnets of tasks
    that still carry an ENI attachment and belong to no collected service."""
    out = []
    covered: set[str] = set()
    for svc in ev.services:
        tasks = ev.tasks_of(svc)
        if svc.network is None:
            continue
        subnets = list(svc.network.subnets)
        for t in tasks:
            if t.subnet_id and t.subnet_id not in subnets:
                subnets.append(t.subnet_id)
        covered.update(t.arn for t in tasks)
        out.append(
            AwsVpcTarget(
                resource=svc.arn,
                cluster_arn=svc.cluster_arn,
                service=svc.name,
                subnets=tuple(subnets),
                security_groups=svc.network.security_groups,
                public_ip=(svc.network.assign_public_ip or "DISABLED").upper() == "ENABLED",
                pointer="/networkConfiguration/awsvpcConfiguration",
                tasks=tasks,
            )
        )
    for t in ev.tasks:
        if t.arn in covered or not t.subnet_id:
            continue
        out.append(
            AwsVpcTarget(
                resource=t.arn,
                cluster_arn=t.cluster_arn,
                service=t.service_name,
                subnets=(t.subnet_id,),
                security_groups=(),
                public_ip=False,
                pointer="/attachments",
                tasks=(t,),
            )
        )
    return tuple(out)


# ------------------------------------------------------------------------------------- small lookups


def name_of(arn: str | None) -> str:
    """`arn:aws:ecs:...:cluster/prod` -> `prod`; `.../service/prod/web` -> `web`; a name stays a name."""
    return (arn or "").rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1] if arn else ""


def service_of(ev: Evidence, task: Task) -> Service | None:
    name = task.service_name
    return next((s for s in ev.services if s.name == name), None) if name else None


def failing_services(ev: Evidence) -> tuple[Service, ...]:
    """Services with fewer running tasks than desired or a failed/rolling-back deployment."""
    out = []
    for s in ev.services:
        failed = any(d.rollout_state == "FAILED" or d.failed_tasks for d in s.deployments if d.status == "PRIMARY")
        if s.running < s.desired or failed:
            out.append(s)
    return tuple(out)


def task_memory_mib(td: TaskDefinition) -> int | None:
    """What the scheduler reserves: task-level memory, else the sum of container memory/memoryReservation."""
    if td.memory and td.memory.isdigit():
        return int(td.memory)
    total = 0
    for c in td.containers:
        value = c.memory_reservation or c.memory
        if value is None:
            return None
        total += value
    return total or None


def task_cpu_units(td: TaskDefinition) -> int | None:
    if td.cpu and td.cpu.isdigit():
        return int(td.cpu)
    total = sum(c.cpu or 0 for c in td.containers)
    return total or None


@dataclass(frozen=True)
class Exit:
    """A container of a stopped task that exited non-zero, with its definition and its collected log tail."""

    task: Task
    container: Container
    definition: ContainerDefinition | None
    task_definition: TaskDefinition | None
    service: Service | None
    stream: LogStream | None

    @property
    def lines(self) -> tuple[str, ...]:
        return self.stream.lines if self.stream else ()


@lru_cache(maxsize=64)
def exits(ev: Evidence) -> tuple[Exit, ...]:
    out = []
    for task in ev.stopped_tasks:
        td = ev.task_definition(task.task_definition_arn)
        for c in task.containers:
            if c.exit_code is None or c.exit_code == 0:
                continue
            out.append(
                Exit(
                    task,
                    c,
                    td.container(c.name) if td else None,
                    td,
                    service_of(ev, task),
                    log_stream_for(ev, task, c.name),
                )
            )
    return tuple(out)


def defined_names(cd: ContainerDefinition | None) -> set[str]:
    """Names set in a container's environment or secrets (environment files are opaque: not included)."""
    if cd is None:
        return set()
    return {e.name for e in cd.environment} | {s.name for s in cd.secrets}


def dotted(pointer: str) -> str:
    """`/containerDefinitions/0/environment` -> `containerDefinitions[0].environment`."""
    out = ""
    for part in pointer.strip("/").split("/"):
        if not part:
            continue
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


# ------------------------------------------------------------------------------------------ placement

_PLACE = re.compile(r"unable to place a task", re.I)
_STEADY = re.compile(r"has reached a steady state", re.I)
_PLACEMENT_KINDS = (
    ("insufficient-memory", re.compile(r"insufficient memory|RESOURCE:MEMORY", re.I)),
    ("insufficient-cpu", re.compile(r"insufficient CPU|RESOURCE:CPU", re.I)),
    ("insufficient-ports", re.compile(r"already using a port|RESOURCE:PORTS", re.I)),
    ("insufficient-eni", re.compile(r"RESOURCE:ENI|unable to attach network interface|insufficient ENI", re.I)),
    ("no-container-instances", re.compile(r"no container instances? (?:were|was) found|No Container Instances", re.I)),
    (
        "placement-constraint",
        re.compile(r"memberOf|distinctInstance|placement constraint|constraint unsatisfied|missing attribute", re.I),
    ),
    ("agent-disconnected", re.compile(r"agent connected|agent is not connected|agent disconnected", re.I)),
)


@dataclass(frozen=True)
class PlacementFailure:
    service: Service
    kind: str  # a taxonomy label, or "agent-disconnected"
    message: str
    pointer: str  # /events/N/message in the service payload
    count: int  # how many such events since the last steady state
    instance: str | None  # the "closest matching" container instance named in the event


_CLOSEST = re.compile(r"closest matching \(?container-instance ([^)\s]+)\)?", re.I)


def placement_failures(ev: Evidence) -> tuple[PlacementFailure, ...]:
    """Placement failures in each service's events since its last steady state, newest first, one per kind."""
    out: list[PlacementFailure] = []
    for svc in ev.services:
        found: dict[str, PlacementFailure] = {}
        counts: dict[str, int] = {}
        for i, e in enumerate(svc.events):
            if _STEADY.search(e.message):
                break
            if not _PLACE.search(e.message):
                continue
            for kind, pattern in _PLACEMENT_KINDS:
                if pattern.search(e.message):
                    counts[kind] = counts.get(kind, 0) + 1
                    if kind not in found:
                        m = _CLOSEST.search(e.message)
                        found[kind] = PlacementFailure(
                            svc, kind, e.message, f"/events/{i}/message", 0, m.group(1) if m else None
                        )
                    break
        out.extend(
            PlacementFailure(f.service, f.kind, f.message, f.pointer, counts[k], f.instance) for k, f in found.items()
        )
    return tuple(out)


def asg_of_instance(ev: Evidence, instance_id: str | None) -> str | None:
    """The Auto Scaling group an EC2 instance belongs to (its aws:autoscaling:groupName tag)."""
    for raw in map(as_map, as_list(ev.raw.get("ec2_instances"))):
        if instance_id and raw.get("InstanceId") == instance_id:
            for tag in map(as_map, as_list(raw.get("Tags"))):
                if tag.get("Key") == "aws:autoscaling:groupName":
                    return as_str(tag.get("Value"))
    return None


# ----------------------------------------------------------------------------- what a task must reach


@dataclass(frozen=True)
class Need:
    """A group of AWS services a task must reach to start, and why."""

    name: str  # "image" | "secrets" | "logs" | "exec"
    cause: str  # the taxonomy label when the path is missing
    services: tuple[str, ...]  # endpoint short names; () = the internet itself (a registry outside AWS)
    why: str  # "image 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1"


_ECR = re.compile(r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/")


def needs_of(ev: Evidence, td: TaskDefinition) -> tuple[Need, ...]:
    """What the task must reach to start, in the order ECS needs it: image, secrets, logs."""
    region = ev.region or "us-east-1"
    out: list[Need] = []
    for cd in td.containers:
        image = cd.image or ""
        m = _ECR.match(image)
        if m and m.group(2) == region:
            out.append(Need("image", "image-pull-network", ("ecr.api", "ecr.dkr", "s3"), f"image {image}"))
        elif image and not m:
            out.append(Need("image", "image-pull-network", (), f"image {image} (a registry on the internet)"))
        if out:
            break
    secret_services: list[str] = []
    refs = [s.value_from for cd in td.containers for s in cd.secrets]
    refs += [s.value_from for cd in td.containers if cd.log_configuration for s in cd.log_configuration.secret_options]
    refs += [cd.repository_credentials for cd in td.containers if cd.repository_credentials]
    for ref in refs:
        service = "secretsmanager" if ref.startswith("arn:aws:secretsmanager:") else "ssm"
        arn_region = ref.split(":")[3] if ref.startswith("arn:") and ref.count(":") >= 4 else region
        if arn_region == region and service not in secret_services:
            secret_services.append(service)
    for item in map(as_map, as_list(ev.raw.get("secrets"))):
        key = as_str(as_map(item.get("secret")).get("KmsKeyId"))
        if key and "alias/aws/" not in key and "kms" not in secret_services:
            secret_services.append("kms")
    if secret_services:
        out.append(Need("secrets", "secrets-network", tuple(secret_services), f"{len(refs)} secret reference(s)"))
    if any(cd.log_configuration and cd.log_configuration.driver == "awslogs" for cd in td.containers):
        out.append(Need("logs", "log-network", ("logs",), "the awslogs log driver"))
    return tuple(out)


_SAYS = {  # secrets first: "unable to pull secrets or registry auth" names a registry too
    "secrets": re.compile(r"secret|ssm|asm|parameter store|GetParameters", re.I),
    "logs": re.compile(r"log driver|logger|awslogs|cloudwatch log|create stream|CreateLogStream", re.I),
    "image": re.compile(r"CannotPullContainer|pull image|ref pull|pulling image|manifest|registry", re.I),
}
_NETWORKISH = re.compile(
    r"timeout|timed out|deadline exceeded|context canceled|dial tcp|connection|unable to reach|no such host|"
    r"request canceled|i/o",
    re.I,
)


def stopped_says(ev: Evidence, tasks: Iterable[Task]) -> tuple[str | None, tuple[str, str, str] | None]:
    """(need named by a stopped task's network-looking failure, (task ARN, pointer, text)) or (None, None)."""
    for t in tasks:
        if t.last_status != "STOPPED":
            continue
        texts = [(f"{c.pointer}/reason", c.reason) for c in t.containers] + [("/stoppedReason", t.stopped_reason)]
        for pointer, text in texts:
            if not text or not _NETWORKISH.search(text):
                continue
            for need, pattern in _SAYS.items():
                if pattern.search(text):
                    return need, (t.arn, pointer, text)
    return None, None
