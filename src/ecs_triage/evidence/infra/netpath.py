"""The network path from a task subnet to the AWS services it needs (IGW + public IP, NAT, VPC endpoints
with private DNS, security groups, network ACLs), and what a task definition needs to reach."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from ecs_triage.evidence.fargate import is_fargate
from ecs_triage.evidence.infra.ec2 import (
    Network,
    NetworkAcl,
    Subnet,
    Vpc,
    cidr_contains,
    cidr_overlaps,
    network,
    service_name,
)
from ecs_triage.evidence.model import Evidence, Task, TaskDefinition
from ecs_triage.evidence.parse import as_list, as_map, as_str
from ecs_triage.evidence.refs import ImageRef, is_aws_managed_key, parse_image, parse_value_from

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
    net: Network,
    sg_ids: Sequence[str],
    port: int,
    dest_cidr: str | None,
    dest_sgs: Sequence[str] = (),
    prefix: bool | str = False,
) -> bool | None:
    """Do the security groups allow TCP `port` out to `dest_cidr` / `dest_sgs` / a prefix list (`prefix`: True
    for any prefix list, a `pl-...` id for that one)? None when the groups are unknown."""
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
            if prefix and rule.prefix_lists and (prefix is True or prefix in rule.prefix_lists):
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


def _nacl_state(
    acl: NetworkAcl, subnet: Subnet, cidr: str, what: str, problems: list[str], proofs: list[Proof]
) -> bool | None:
    """Does the subnet's ACL let TCP 443 out to `cidr` and the replies (ephemeral ports) back in?"""
    out, out_entry = acl.verdict(True, 443, cidr)
    if out is False:
        problems.append(f"the network ACL {acl.id} of {subnet.id} denies outbound TCP 443 to {cidr} ({what})")
        proofs.append(Proof("network_acls", acl.id, out_entry.pointer if out_entry else "/Entries", "deny"))
        return False
    back, back_entry = acl.verdict(False, 49152, cidr)
    if back is False:
        problems.append(
            f"the network ACL {acl.id} of {subnet.id} denies inbound ephemeral ports (1024-65535) from {cidr} ({what})"
        )
        proofs.append(Proof("network_acls", acl.id, back_entry.pointer if back_entry else "/Entries", "deny"))
        return False
    return None if out is None or back is None else True


def path_to(
    ev: Evidence,
    subnet_id: str,
    security_groups: Sequence[str],
    public_ip: bool | None,
    services: Sequence[str],
) -> Path:
    """Can tasks in `subnet_id` with `security_groups` reach the AWS `services` (endpoint short names; () =
    the internet itself)? `public_ip` None: unknown (a standalone task whose ENI is gone), so an internet
    gateway route is a possible path, never a proved failure."""
    net = network(ev)
    subnet = net.subnets.get(subnet_id)
    if subnet is None:
        return Path(subnet_id, None, False, None, "", ("subnet not in the evidence",), (), (), (), None, None)
    rt, explicit = net.route_table_for(subnet)
    if rt is None:
        return Path(
            subnet_id, None, False, None, "", ("route table not in the evidence",), (), (), (), subnet.vpc_id, None
        )
    nats = net.internet_nats(subnet.vpc_id)
    nat_candidate = nats[0].id if nats else None
    vpc = net.vpcs.get(subnet.vpc_id or "")

    # --- the internet path: the subnet's default route
    route_problems: list[str] = []
    route_proofs: list[Proof] = []
    rt_kind = "explicit" if explicit else "main"
    default = rt.default_route()
    internet_via = ""
    internet_state: bool | None = False
    if default is not None and default.active and default.target:
        tgt = default.target
        route_proofs.append(Proof("route_tables", rt.id, default.pointer, {"0.0.0.0/0": tgt}))
        if tgt.startswith("igw-"):
            if public_ip:
                internet_via, internet_state = f"internet gateway {tgt} with a public IP", True
            elif public_ip is None:
                internet_via, internet_state = f"internet gateway {tgt}, if the task got a public IP", None
                route_problems.append(
                    f"{subnet.id} routes 0.0.0.0/0 to the internet gateway {tgt} (route table {rt.id}, {rt_kind}); "
                    "whether the task had a public IP is not in the evidence"
                )
            else:
                route_problems.append(
                    f"{subnet.id} routes 0.0.0.0/0 to the internet gateway {tgt} (route table {rt.id}, {rt_kind}) "
                    "but the task gets no public IP (assignPublicIp is DISABLED)"
                )
        elif tgt.startswith("nat-"):
            nat = net.nat_gateways.get(tgt)
            if nat is not None and nat.private:
                route_problems.append(
                    f"{subnet.id} routes 0.0.0.0/0 to the private NAT gateway {tgt} (route table {rt.id}, "
                    f"{rt_kind}), which has no internet access"
                )
                route_proofs.append(Proof("nat_gateways", tgt, "/ConnectivityType", nat.connectivity))
            elif nat is None or (nat.state or "available") == "available":
                internet_via, internet_state = f"NAT gateway {tgt}", True
            else:
                route_problems.append(f"the NAT gateway {tgt} that {rt.id} routes 0.0.0.0/0 to is {nat.state}")
                route_proofs.append(Proof("nat_gateways", tgt, "/State", nat.state))
        else:
            # transit gateway, peering, an appliance: the path goes on beyond what we can see
            internet_via, internet_state = f"{tgt} (beyond what ecs-triage can see)", None
    else:
        where = f"(route table {rt.id}, {rt_kind})"
        if default is not None and not default.active:
            route_problems.append(
                f"{subnet.id} routes 0.0.0.0/0 to {default.target} but the route is {default.state} {where}"
            )
            route_proofs.append(Proof("route_tables", rt.id, default.pointer, {"State": default.state}))
        else:
            label = "public IP but" if public_ip else "private"
            route_problems.append(f"{subnet.id} ({label}) routes 0.0.0.0/0 nowhere {where}")
            route_proofs.append(
                Proof("route_tables", rt.id, "/Routes", [r.destination or r.prefix_list for r in rt.routes])
            )

    # --- the endpoint path: one endpoint per service
    ep_problems: list[str] = []
    ep_proofs: list[Proof] = []
    blocked: list[str] = []
    sg_open: list[str] = []
    missing: list[str] = []
    via_endpoints: list[str] = []
    endpoint_ok = True
    endpoint_uncertain = False
    s3_gateway: str | None = None  # the S3 gateway endpoint on the path
    for short in services:
        if short == "s3":
            ep = net.endpoint(subnet.vpc_id, "s3", "Gateway")
            if ep is not None and ep.usable and rt.id in ep.route_table_ids:
                prefix_list = next((r.prefix_list for r in rt.routes if r.target == ep.id and r.prefix_list), None)
                egress = _sg_allows_egress(net, security_groups, 443, None, prefix=prefix_list or True)
                if egress is False:
                    ep_problems.append(
                        f"the task security groups {', '.join(security_groups)} allow no TCP 443 egress to the S3 "
                        f"prefix list{' ' + prefix_list if prefix_list else ''} or 0.0.0.0/0 (S3 gateway endpoint {ep.id})"
                    )
                    ep_proofs.extend(_egress_proofs(net, security_groups))
                    blocked.append("security-group")
                    endpoint_ok = False
                    continue
                via_endpoints.append(ep.id)
                s3_gateway = ep.id
                continue
            if ep is not None and rt.id not in ep.route_table_ids:
                ep_problems.append(f"the S3 gateway endpoint {ep.id} is not associated with {rt.id}")
                ep_proofs.append(Proof("vpc_endpoints", ep.id, "/RouteTableIds", list(ep.route_table_ids)))
            missing.append("s3")
            endpoint_ok = False
            continue
        ep = net.endpoint(subnet.vpc_id, short)
        if ep is None or not ep.usable:
            missing.append(short)
            endpoint_ok = False
            continue
        if not ep.private_dns:
            ep_problems.append(f"the {short} endpoint {ep.id} has private DNS disabled")
            ep_proofs.append(Proof("vpc_endpoints", ep.id, "/PrivateDnsEnabled", False))
            blocked.append("dns")
            endpoint_ok = False
            continue
        if vpc is not None and (vpc.dns_support is False or vpc.dns_hostnames is False):
            ep_problems.append(
                f"{vpc.id} has enableDnsSupport={vpc.dns_support} enableDnsHostnames={vpc.dns_hostnames}: "
                "endpoint private DNS names do not resolve"
            )
            ep_proofs.append(Proof("vpcs", vpc.id, "/EnableDnsHostnames", vpc.dns_hostnames))
            blocked.append("dns")
            endpoint_ok = False
            continue
        ingress = _sg_allows_ingress(net, ep.security_group_ids, 443, security_groups, subnet.cidr)
        if ingress is False:
            ep_problems.append(
                f"the {short} endpoint's security group {', '.join(ep.security_group_ids)} does not allow "
                f"TCP 443 from the task security group or {subnet.cidr}"
            )
            sg_open.extend(ep.security_group_ids)
            blocked.append("security-group")
            endpoint_ok = False
            continue
        egress = _sg_allows_egress(net, security_groups, 443, _vpc_cidr(vpc, subnet), ep.security_group_ids)
        if egress is False:
            ep_problems.append(
                f"the task security groups {', '.join(security_groups)} allow no TCP 443 egress to {ep.id}"
            )
            blocked.append("security-group")
            endpoint_ok = False
            continue
        via_endpoints.append(ep.id)

    if missing and internet_state is not True:
        names = ", ".join(service_name(net.region, s) for s in missing)
        ep_problems.append(f"the VPC {subnet.vpc_id} has no {names} endpoint" + ("s" if len(missing) > 1 else ""))
        ep_proofs.append(
            Proof(
                "vpc_endpoints",
                subnet.vpc_id or "",
                "/",
                [e.service_name for e in net.endpoints if e.vpc_id == subnet.vpc_id],
            )
        )

    # --- the internet path: task SG egress 443 anywhere, NACL out 443 + in ephemeral to anywhere
    if internet_state is True:
        egress = _sg_allows_egress(net, security_groups, 443, "0.0.0.0/0", prefix=set(services) <= {"s3"})
        if egress is False:
            route_problems.append(f"the task security groups {', '.join(security_groups)} allow no TCP 443 egress")
            route_proofs.extend(_egress_proofs(net, security_groups))
            blocked.append("security-group")
            internet_state = False
    acl = net.nacl_for(subnet)
    if acl is not None and internet_state is True:
        state = _nacl_state(acl, subnet, "0.0.0.0/0", "the internet", route_problems, route_proofs)
        if state is not True:
            internet_state = state
            if state is False:
                blocked.append("nacl")
    # --- the endpoint path: interface endpoints sit in the VPC (its CIDR), S3 behind a gateway is public space
    if acl is not None and endpoint_ok and not missing and via_endpoints:
        interface = [e for e in via_endpoints if e != s3_gateway]
        checks: list[tuple[str, str]] = []
        if interface:
            vpc_cidr = _vpc_cidr(vpc, subnet)
            if vpc_cidr:
                checks.append((vpc_cidr, "the interface endpoints"))
            else:
                endpoint_uncertain = True
        if s3_gateway:
            checks.append(("0.0.0.0/0", "S3 through the gateway endpoint"))
        for cidr, what in checks:
            state = _nacl_state(acl, subnet, cidr, what, ep_problems, ep_proofs)
            if state is False:
                blocked.append("nacl")
                endpoint_ok = False
                break
            if state is None:
                endpoint_uncertain = True

    endpoints_state: bool | None = False
    if endpoint_ok and not missing and via_endpoints:
        endpoints_state = None if endpoint_uncertain else True
    if internet_state is True:
        ok: bool | None = True
        via = internet_via
    elif endpoints_state is True:
        ok, via = True, "VPC endpoints " + ", ".join(via_endpoints)
    elif internet_state is None or endpoints_state is None:
        ok, via = None, internet_via or "VPC endpoints " + ", ".join(via_endpoints)
    else:
        ok, via = False, ""
    # an endpoint design (the VPC has endpoints for what is needed) names the endpoint problem first
    endpoint_design = bool(via_endpoints) or any(
        net.endpoint(subnet.vpc_id, s, "Gateway" if s == "s3" else "Interface") is not None for s in services
    )
    if endpoint_design:
        problems, proofs = ep_problems + route_problems, ep_proofs + route_proofs
    else:
        problems, proofs = route_problems + ep_problems, route_proofs + ep_proofs
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


def _egress_proofs(net: Network, security_groups: Sequence[str]) -> list[Proof]:
    out = []
    for g in security_groups:
        sg = net.security_groups.get(g)
        if sg:
            out.append(Proof("security_groups", g, "/IpPermissionsEgress", len(sg.egress)))
    return out


def _vpc_cidr(vpc: Vpc | None, subnet: Subnet) -> str | None:
    return vpc.cidrs[0] if vpc is not None and vpc.cidrs else subnet.cidr


@dataclass(frozen=True)
class AwsVpcTarget:
    """Where awsvpc tasks of one service (or one standalone task) get their network interface."""

    resource: str  # the service ARN or task ARN
    cluster_arn: str
    service: str | None
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]  # () = unknown (a standalone task: its ENI's groups are not in the evidence)
    public_ip: bool | None  # None = unknown (a standalone task whose ENI carries no public IP in the evidence)
    pointer: str  # where the configuration sits in `config_resource` (default: `resource`)
    tasks: tuple[Task, ...]
    config_resource: str = ""
    fargate: bool = True  # False: an EC2 container instance's own network (the agent pulls and logs from it)
    task_definition_arn: str = ""

    @property
    def config(self) -> str:
        return self.config_resource or self.resource


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
                public_ip=_task_public_ip(t),
                pointer="/attachments",
                tasks=(t,),
            )
        )
    return tuple(out)


def _task_public_ip(task: Task) -> bool | None:
    """True when the task's ENI attachment names a public IP; None otherwise (ECS does not record
    assignPublicIp on a standalone task, and a stopped task's ENI is gone)."""
    for att in map(as_map, as_list(task.raw.get("attachments"))):
        for d in map(as_map, as_list(att.get("details"))):
            if str(d.get("name", "")).lower() in ("publicipv4address", "publicip") and as_str(d.get("value")):
                return True
    return None


# ----------------------------------------------------------------------------- what a task must reach


@dataclass(frozen=True)
class Need:
    """A group of AWS services a task must reach to start, and why."""

    name: str  # "image" | "secrets" | "logs" | "exec"
    cause: str  # the taxonomy label when the path is missing
    services: tuple[str, ...]  # endpoint short names; () = the internet itself (a registry outside AWS)
    why: str  # "image 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1"


def _ref_service(ref: str, region: str, account: str | None, registry_auth: bool = False) -> str | None:
    """The endpoint a secret reference needs (None: another region, reached over the internet). A
    `repositoryCredentials` reference is always Secrets Manager; a bare `secrets` name is an SSM parameter."""
    vf = parse_value_from(ref, region, account, credentials=registry_auth)
    if vf.service not in ("secretsmanager", "ssm") or (vf.region and vf.region != region):
        return None
    return vf.service


def needs_of(ev: Evidence, td: TaskDefinition) -> tuple[Need, ...]:
    """What the task must reach to start, in the order ECS needs it: images (every container's), secrets, logs."""
    region = ev.region or "us-east-1"
    out: list[Need] = []
    ecr_images: list[str] = []
    internet_refs: list[ImageRef] = []
    for cd in td.containers:
        image = parse_image(cd.image)
        if image is None:
            continue
        if image.is_ecr and image.region == region:
            ecr_images.append(image.text)
        else:
            internet_refs.append(image)  # another registry, or ECR in another region: over the internet
    if ecr_images:
        out.append(Need("image", "image-pull-network", ("ecr.api", "ecr.dkr", "s3"), f"image {ecr_images[0]}"))
    if internet_refs:
        first = internet_refs[0]
        where = "Amazon ECR in another region" if first.is_ecr else "a registry on the internet"
        out.append(Need("image", "image-pull-network", (), f"image {first.text} ({where})"))
    secret_services: list[str] = []
    refs = [(s.value_from, False) for cd in td.containers for s in cd.secrets]
    refs += [
        (s.value_from, False)
        for cd in td.containers
        if cd.log_configuration
        for s in cd.log_configuration.secret_options
    ]
    refs += [(cd.repository_credentials, True) for cd in td.containers if cd.repository_credentials]
    for text, registry_auth in refs:
        service = _ref_service(text or "", region, ev.account, registry_auth)
        if service is not None and service not in secret_services:
            secret_services.append(service)
    for item in map(as_map, as_list(ev.raw.get("secrets"))):
        key = as_str(as_map(item.get("secret")).get("KmsKeyId"))
        if key and not is_aws_managed_key(key) and "kms" not in secret_services:
            secret_services.append("kms")
    if secret_services:
        out.append(Need("secrets", "secrets-network", tuple(secret_services), f"{len(refs)} secret reference(s)"))
    if any(cd.log_configuration and cd.log_configuration.driver == "awslogs" for cd in td.containers):
        out.append(Need("logs", "log-network", ("logs",), "the awslogs log driver"))
    return tuple(out)


_SAYS = {  # specific service names first: "unable to pull secrets or registry auth" prefixes both kinds
    "secrets": re.compile(
        r"from asm|secretsmanager|Secrets Manager|\bssm\b|Parameter Store|GetParameters|retrieve secret", re.I
    ),
    "image": re.compile(
        r"Amazon ECR|\.ecr\.|\becr\b|CannotPullContainer|pull image|ref pull|pulling image|manifest|registry", re.I
    ),
    "logs": re.compile(r"log driver|logger|awslogs|cloudwatch log|create stream|CreateLogStream", re.I),
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


@lru_cache(maxsize=64)
def pull_targets(ev: Evidence) -> tuple[AwsVpcTarget, ...]:
    """Where the image pull, secrets and log traffic of each service leaves from: the task ENI on Fargate
    (the service's awsvpc configuration), the container instance on EC2 (its subnet, security groups and
    public IP), whatever the task's network mode."""
    out: list[AwsVpcTarget] = []
    for t in awsvpc_targets(ev):
        svc = next((s for s in ev.services if s.arn == t.resource), None)
        task = t.tasks[0] if t.tasks and svc is None else None
        if is_fargate(ev, svc, task):
            td_arn = svc.task_definition_arn if svc else (task.task_definition_arn if task else "")
            out.append(replace(t, task_definition_arn=td_arn))
    instances = {as_str(i.get("InstanceId")): i for i in map(as_map, as_list(ev.raw.get("ec2_instances")))}
    for svc in ev.services:
        if is_fargate(ev, svc):
            continue
        groups: dict[tuple[str, tuple[str, ...], bool], str] = {}
        for ci in ev.container_instances:
            raw = instances.get(ci.ec2_instance_id)
            if raw is None or ci.status != "ACTIVE":
                continue
            subnet = as_str(raw.get("SubnetId"))
            sgs = tuple(g for g in (as_str(as_map(x).get("GroupId")) for x in as_list(raw.get("SecurityGroups"))) if g)
            if subnet:
                groups.setdefault((subnet, sgs, bool(raw.get("PublicIpAddress"))), ci.ec2_instance_id or "")
        for (subnet, sgs, public), instance_id in groups.items():
            out.append(
                AwsVpcTarget(
                    resource=svc.arn,
                    cluster_arn=svc.cluster_arn,
                    service=svc.name,
                    subnets=(subnet,),
                    security_groups=sgs,
                    public_ip=public,
                    pointer="/SubnetId",
                    tasks=ev.tasks_of(svc),
                    config_resource=f"ec2 instance {instance_id}",
                    fargate=False,
                    task_definition_arn=svc.task_definition_arn,
                )
            )
    return tuple(out)
