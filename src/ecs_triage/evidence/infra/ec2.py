"""EC2/VPC evidence by id: subnets, route tables, VPCs, endpoints, security groups, NACLs, NAT and
internet gateways, instances."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from ecs_triage.evidence.model import Evidence
from ecs_triage.evidence.parse import as_bool, as_int, as_list, as_map, as_str, as_strs

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

    def verdict(self, egress: bool, port: int, cidr: str) -> tuple[bool | None, NaclEntry | None]:
        """Does the ACL let TCP `port` traffic to (egress) or from (ingress) every address of `cidr` through?

        (True, entry) when the first entry covering the whole range allows; (False, entry) when it denies and
        no earlier entry allows part of the range; (None, entry) when an earlier entry allows only part of it
        (the traffic may well go there: no claim). An entry covering part of the range only denies part."""
        partial_allow = False
        for e in sorted((e for e in self.entries if e.egress == egress), key=lambda e: e.rule_number):
            if e.protocol not in ("-1", "6", "tcp"):
                continue
            ranged = e.protocol != "-1" and e.from_port is not None and e.to_port is not None
            if ranged and not (e.from_port or 0) <= port <= (e.to_port or 0):
                continue
            if cidr_contains(e.cidr, cidr):
                if e.allow:
                    return True, e
                return (None if partial_allow else False), e
            if e.allow and cidr_overlaps(e.cidr, cidr):
                partial_allow = True
        return (None if partial_allow else False), None


@dataclass(frozen=True)
class NatGateway:
    id: str
    vpc_id: str | None
    subnet_id: str | None
    state: str | None
    connectivity: str | None

    @property
    def private(self) -> bool:
        """A private NAT gateway (ConnectivityType private) reaches other networks, never the internet."""
        return (self.connectivity or "public").lower() == "private"


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


def service_name(region: str, short: str) -> str:
    """`com.amazonaws.us-east-1.ecr.dkr`: the VPC endpoint service name of an AWS service."""
    return f"com.amazonaws.{region}.{short}"


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


def _subnets(items: Any) -> dict[str, Subnet]:
    subnets = {}
    for i, raw in enumerate(map(as_map, as_list(items))):
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
    return subnets


def _route_tables(items: Any) -> tuple[RouteTable, ...]:
    route_tables = []
    for raw in map(as_map, as_list(items)):
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
    return tuple(route_tables)


def _vpcs(items: Any) -> dict[str, Vpc]:
    vpcs = {}
    for raw in map(as_map, as_list(items)):
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
    return vpcs


def _endpoints(items: Any) -> tuple[VpcEndpoint, ...]:
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
        for raw in map(as_map, as_list(items))
    )
    return endpoints


def _security_groups(items: Any) -> dict[str, SecurityGroup]:
    sgs = {}
    for i, raw in enumerate(map(as_map, as_list(items))):
        gid = as_str(raw.get("GroupId")) or ""
        sgs[gid] = SecurityGroup(
            id=gid,
            name=as_str(raw.get("GroupName")) or "",
            vpc_id=as_str(raw.get("VpcId")),
            ingress=_sg_rules(raw.get("IpPermissions"), "/IpPermissions"),
            egress=_sg_rules(raw.get("IpPermissionsEgress"), "/IpPermissionsEgress"),
            index=i,
        )
    return sgs


def _nacls(items: Any) -> tuple[NetworkAcl, ...]:
    nacls = []
    for i, raw in enumerate(map(as_map, as_list(items))):
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
    return tuple(nacls)


def _nat_gateways(items: Any) -> dict[str, NatGateway]:
    nats = {}
    for raw in map(as_map, as_list(items)):
        nid = as_str(raw.get("NatGatewayId")) or ""
        nats[nid] = NatGateway(
            nid,
            as_str(raw.get("VpcId")),
            as_str(raw.get("SubnetId")),
            as_str(raw.get("State")),
            as_str(raw.get("ConnectivityType")),
        )
    return nats


def _internet_gateways(items: Any) -> dict[str, InternetGateway]:
    igws = {}
    for raw in map(as_map, as_list(items)):
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
    return igws


def _instances(items: Any) -> dict[str, Ec2Instance]:
    instances = {}
    for raw in map(as_map, as_list(items)):
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
    return instances


class Network:
    """The VPC evidence by id, with the lookups the path reasoning needs. Each kind is parsed on first use,
    so a check reads (and must declare) only the kinds its reasoning consults."""

    def __init__(self, ev: Evidence) -> None:
        self.region = ev.region or "us-east-1"
        self.kinds = ev.kinds
        self._raw = ev.raw

    @cached_property
    def subnets(self) -> Mapping[str, Subnet]:
        return _subnets(self._raw.get("subnets"))

    @cached_property
    def route_tables(self) -> tuple[RouteTable, ...]:
        return _route_tables(self._raw.get("route_tables"))

    @cached_property
    def vpcs(self) -> Mapping[str, Vpc]:
        return _vpcs(self._raw.get("vpcs"))

    @cached_property
    def endpoints(self) -> tuple[VpcEndpoint, ...]:
        return _endpoints(self._raw.get("vpc_endpoints"))

    @cached_property
    def security_groups(self) -> Mapping[str, SecurityGroup]:
        return _security_groups(self._raw.get("security_groups"))

    @cached_property
    def nacls(self) -> tuple[NetworkAcl, ...]:
        return _nacls(self._raw.get("network_acls"))

    @cached_property
    def nat_gateways(self) -> Mapping[str, NatGateway]:
        return _nat_gateways(self._raw.get("nat_gateways"))

    @cached_property
    def internet_gateways(self) -> Mapping[str, InternetGateway]:
        return _internet_gateways(self._raw.get("internet_gateways"))

    @cached_property
    def instances(self) -> Mapping[str, Ec2Instance]:
        return _instances(self._raw.get("ec2_instances"))

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

    def internet_nats(self, vpc_id: str | None) -> list[NatGateway]:
        """The available public NAT gateways of a VPC (a private NAT gateway gives no internet access)."""
        return [
            n for n in self.nat_gateways.values() if n.vpc_id == vpc_id and n.state == "available" and not n.private
        ]


@lru_cache(maxsize=64)
def network(ev: Evidence) -> Network:
    return Network(ev)
