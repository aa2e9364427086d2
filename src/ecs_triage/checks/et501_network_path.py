"""The task's subnet has no network path to an AWS service it needs to start.

What it detects:
    For each Fargate service (subnets from its `networkConfiguration`, since a failed task's ENI is gone)
    or task (subnet from its ENI attachment), or, on EC2, each container instance (the agent pulls images,
    fetches secrets and ships logs from the instance's own subnet, security groups and public IP, whatever
    the task's network mode), and for what the task definition needs to start, in order:
    every container's image (ECR `api` + `dkr`, and S3 for the layers; the internet for other registries
    and for ECR in another region: a Docker Hub sidecar needs the internet even when the main image comes
    through endpoints), secrets and parameters (Secrets Manager, SSM, KMS for customer keys; registry
    credentials always come from Secrets Manager) and logs (CloudWatch Logs for `awslogs`).
    A path exists through a public IP and a `0.0.0.0/0` route to an internet gateway in the subnet's route
    table (the explicit one, else the VPC's main table), through a public NAT gateway (a private NAT
    gateway gives no internet), or through VPC interface endpoints with private DNS (and the VPC's DNS
    support and hostnames on) plus an S3 gateway endpoint on the subnet's route table. The task security
    groups must allow egress on 443 (to the endpoints, and to the S3 prefix list or anywhere for S3), the
    endpoint security groups ingress on 443 from the task, and the subnet's network ACL outbound 443 and
    inbound ephemeral ports, judged against where the traffic goes: the VPC CIDR for interface endpoints,
    anywhere for the internet and S3 (an ACL that allows part of that range proves nothing). A standalone
    task's public IP is unknown (ECS does not record it and its ENI is gone): an internet gateway route is
    then a possible path, never a proved failure. The finding names the subnet, the route table and what
    is missing (for an endpoint design, the endpoint problem first), with the cause of the first need that
    fails (or the one a stopped task's timeout names): image-pull-network, secrets-network or log-network.
    A gap in any kind the path reasoning consults (security groups, ACLs, NAT gateways, VPCs) makes a
    finding-less outcome "skipped", never "passed".

Why it happens:
    Tasks in private subnets without a NAT gateway or endpoints, or whose default route goes to a private
    NAT gateway; `assignPublicIp` DISABLED in a public subnet; a sidecar image from a public registry in an
    endpoint-only VPC; an endpoint created without private DNS or in another VPC; the S3 gateway endpoint not
    associated with the subnet's route table (ECR layers come from S3); a security group or NACL that
    only allows the application's own ports.

How to fix:
    Create the missing VPC endpoints for everything the task needs, not only the first need that fails
    (image, then secrets, then logs: fixing only ECR makes the next start fail on CloudWatch Logs); the
    fix prints the `aws ec2 create-vpc-endpoint` commands with the real VPC, subnets, security group and
    service names. Or route `0.0.0.0/0` to a NAT gateway, or for
    public subnets enable `assignPublicIp`; open egress 443 on the task security group and ingress 443
    from it on the endpoints' security group.

References:
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.infra import (
    AwsVpcTarget,
    Need,
    Path,
    name_of,
    needs_of,
    network,
    path_to,
    pull_targets,
    service_name,
    stopped_says,
)

CHECK = Check(
    id="ET501",
    slug="network-path",
    title="The task's subnet has no network path to an AWS service it needs to start",
    category="network",
    severity="error",
    requires=("task_definitions", "subnets", "route_tables", "vpc_endpoints"),
    reads=(
        "services",
        "tasks",
        "container_instances",
        "ec2_instances",
        "vpcs",
        "security_groups",
        "network_acls",
        "nat_gateways",
        "secrets",
    ),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for target in pull_targets(ev):
        td = ev.task_definition(target.task_definition_arn)
        if td is None:
            continue
        failing: list[tuple[Need, list[Path]]] = []
        for need in needs_of(ev, td):
            paths = [path_to(ev, s, target.security_groups, target.public_ip, need.services) for s in target.subnets]
            bad = [p for p in paths if p.ok is False]
            if bad:
                failing.append((need, bad))
        if not failing:
            continue
        said, said_ref = stopped_says(ev, target.tasks)
        chosen = next((f for f in failing if f[0].name == said), failing[0])
        need, bad = chosen
        bad_subnets = {p.subnet for p in bad}
        running_there = [
            t
            for t in target.tasks
            if t.last_status == "RUNNING" and (t.subnet_id in bad_subnets or not target.fargate or t.subnet_id is None)
        ]
        if running_there and said is None:
            continue  # tasks run from there: something we cannot see (a proxy, a firewall, a TGW route) works
        others = [f for f in failing if f is not chosen]
        yield _hit(ev, target, need, bad, len(target.subnets), said_ref if said == need.name else None, others)


def _hit(
    ev: Evidence,
    target: AwsVpcTarget,
    need: Need,
    bad: list[Path],
    total: int,
    said: tuple[str, str, str] | None,
    others: list[tuple[Need, list[Path]]] = [],  # noqa: B006 - read only
) -> Hit:
    first = bad[0]
    facts = "; ".join(_facts(bad))
    which = "every subnet" if len(bad) == total else f"{len(bad)} of {total} subnets"
    message = f"Tasks cannot reach what they need for {need.why} from {which}: {facts}"
    if others:
        message += (
            "; the same subnets have no path either for "
            + " and ".join(_also(n, ps) for n, ps in others)
            + ", so the next start would fail there: the fix covers "
            + ("both" if len(others) == 1 else "all of them")
        )
    if target.fargate:
        config: dict[str, object] = {"subnets": list(target.subnets)}
        if target.public_ip is not None:
            config["assignPublicIp"] = "ENABLED" if target.public_ip else "DISABLED"
        evidence = [EvidenceRef(target.config, target.pointer, config)]
    else:
        evidence = [
            EvidenceRef(
                target.config,
                target.pointer,
                target.subnets[0],
                note="on EC2 the container agent pulls images, fetches secrets and ships logs from the instance",
            )
        ]
        message = message.replace("Tasks cannot reach", f"The container instance ({target.config}) cannot reach", 1)
    if said is not None:
        evidence.insert(0, EvidenceRef(said[0], said[1], said[2]))
    for p in bad[:2]:
        for proof in p.proofs[:3]:
            ref = EvidenceRef(f"{proof.kind} {proof.resource}", proof.pointer, proof.value, proof.note)
            if ref not in evidence:
                evidence.append(ref)
    if said is not None:
        confidence = 0.95
    elif len(bad) == total:
        confidence = 0.8
    else:
        confidence = 0.6
    return Hit(
        resource=target.resource,
        message=message,
        cause=need.cause,
        confidence=confidence,
        evidence=tuple(evidence),
        fix=_fix(ev, target, need, bad, others),
        signature=f"network.{need.name}:{first.subnet}",
    )


def _also(need: Need, bad: list[Path]) -> str:
    missing = list(dict.fromkeys(m for p in bad for m in p.missing_endpoints))
    return need.why + (f" (no {', '.join(missing)} endpoint)" if missing else "")


def _facts(bad: list[Path]) -> list[str]:
    """The problems of each subnet, subnets with the same problems (same route table) named together."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for p in bad:
        key = tuple(pr.replace(p.subnet, "\0") for pr in p.problems)
        groups.setdefault(key, []).append(p.subnet)
    out: list[str] = []
    for key, subnets in groups.items():
        for pr in key:
            text = pr.replace("\0", " and ".join(subnets) if len(subnets) == 2 else ", ".join(subnets))
            if len(subnets) > 1:
                text = text.replace(") routes 0.0.0.0/0", ") route 0.0.0.0/0", 1)
            if text not in out:
                out.append(text)
    return out


def _fix(
    ev: Evidence,
    target: AwsVpcTarget,
    need: Need,
    bad: list[Path],
    others: list[tuple[Need, list[Path]]] = [],  # noqa: B006 - read only
) -> Fix:
    """One fix for every need that fails (image, secrets, logs): fixing only the first makes the next start
    fail on the next one."""
    net = network(ev)
    region = ev.region or "us-east-1"
    first = bad[0]
    vpc = first.vpc_id or ""
    steps: list[str] = []
    commands: list[str] = []
    sgs = list(target.security_groups)
    every = bad + [p for _, ps in others for p in ps if p.vpc_id == first.vpc_id]
    services = list(dict.fromkeys(s for n in (need, *(n for n, _ in others)) for s in n.services))
    missing = list(dict.fromkeys(m for p in every for m in p.missing_endpoints))
    missing.sort(key=lambda m: services.index(m) if m in services else len(services))
    route_tables = list(dict.fromkeys(p.route_table for p in bad if p.route_table))
    blocked = {b for p in every for b in p.blocked}
    if missing and services:
        interface = [m for m in missing if m != "s3"]
        if interface:
            steps.append(
                "Create interface endpoints with private DNS for "
                + ", ".join(service_name(region, m) for m in interface)
                + f" in {vpc}, in the task subnets, with a security group that allows TCP 443 from the tasks."
            )
        for m in interface:
            commands.append(
                aws_cli(
                    "ec2",
                    "create-vpc-endpoint",
                    vpc_id=vpc,
                    vpc_endpoint_type="Interface",
                    service_name=service_name(region, m),
                    subnet_ids=list(target.subnets),
                    security_group_ids=sgs or None,
                    private_dns_enabled=True,
                )
            )
        if "s3" in missing:
            steps.append(
                f"Create (or associate) the S3 gateway endpoint on route table {', '.join(route_tables)}: ECR image layers come from S3."
            )
            existing = net.endpoint(vpc, "s3", "Gateway")
            if existing is not None:
                commands.append(
                    aws_cli(
                        "ec2",
                        "modify-vpc-endpoint",
                        vpc_endpoint_id=existing.id,
                        add_route_table_ids=route_tables,
                    )
                )
            else:
                commands.append(
                    aws_cli(
                        "ec2",
                        "create-vpc-endpoint",
                        vpc_id=vpc,
                        vpc_endpoint_type="Gateway",
                        service_name=service_name(region, "s3"),
                        route_table_ids=route_tables,
                    )
                )
        if sgs and interface:
            steps.append(f"Let the endpoints' security group accept TCP 443 from the task security group {sgs[0]}.")
            commands.append(
                aws_cli(
                    "ec2",
                    "authorize-security-group-ingress",
                    group_id=sgs[0],
                    protocol="tcp",
                    port=443,
                    source_group=sgs[0],
                )
            )
    no_route = any("routes 0.0.0.0/0 nowhere" in pr for p in bad for pr in p.problems)
    internet_only = [n for n in (need, *(n for n, _ in others)) if not n.services]
    igw_no_ip = any("assignPublicIp is DISABLED" in pr for p in bad for pr in p.problems)
    if igw_no_ip and target.service and target.fargate:
        steps.insert(0, f"Or, since {first.subnet} routes to an internet gateway, give the tasks a public IP.")
        config = {
            "awsvpcConfiguration": {"subnets": list(target.subnets), "securityGroups": sgs, "assignPublicIp": "ENABLED"}
        }
        commands.insert(
            0,
            aws_cli(
                "ecs",
                "update-service",
                cluster=name_of(target.cluster_arn),
                service_=target.service,
                network_configuration=config,
            ),
        )
    elif no_route and first.nat_candidate:
        for rt in route_tables:
            commands.append(
                aws_cli(
                    "ec2",
                    "create-route",
                    route_table_id=rt,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=first.nat_candidate,
                )
            )
        steps.append(f"Or route 0.0.0.0/0 from {', '.join(route_tables)} to the NAT gateway {first.nat_candidate}.")
        if not first.explicit_route_table:
            steps.append(
                f"{first.route_table} is the VPC's main route table: the route applies to every subnet without its own table."
            )
    elif no_route and internet_only:
        steps.append(
            f"{internet_only[0].why.capitalize()} is outside AWS: give {first.subnet} a NAT gateway route "
            "(or a public IP and an internet gateway route)."
        )
    elif no_route and missing:
        publics = _public_subnets(ev, vpc)
        where = f"a public subnet of {vpc}" + (f" ({', '.join(publics[:2])})" if publics else "")
        steps.append(
            f"Or, instead of the endpoints, create a NAT gateway in {where} and route 0.0.0.0/0 from "
            f"{', '.join(route_tables)} to it: that one path covers {', '.join(missing)} (NAT data charges apply)."
        )
    if "security-group" in blocked:
        for p in bad:
            for g in p.endpoint_sgs_to_open:
                commands.append(
                    aws_cli(
                        "ec2",
                        "authorize-security-group-ingress",
                        group_id=g,
                        protocol="tcp",
                        port=443,
                        source_group=sgs[0] if sgs else None,
                    )
                )
        if sgs and not any(p.endpoint_sgs_to_open for p in bad):
            commands.append(
                aws_cli(
                    "ec2",
                    "authorize-security-group-egress",
                    group_id=sgs[0],
                    ip_permissions=[
                        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
                    ],
                )
            )
        steps.append("Allow TCP 443 from the tasks to the endpoints / internet in the security groups.")
    if "dns" in blocked:
        vpc_obj = net.vpcs.get(vpc)
        if vpc_obj is not None and (vpc_obj.dns_support is False or vpc_obj.dns_hostnames is False):
            commands.append(aws_cli("ec2", "modify-vpc-attribute", vpc_id=vpc, enable_dns_support={"Value": True}))
            commands.append(aws_cli("ec2", "modify-vpc-attribute", vpc_id=vpc, enable_dns_hostnames={"Value": True}))
        for e in net.endpoints:
            if e.vpc_id == vpc and e.type == "Interface" and not e.private_dns and _short(e.service_name) in services:
                commands.append(aws_cli("ec2", "modify-vpc-endpoint", vpc_endpoint_id=e.id, private_dns_enabled=True))
        steps.append("Turn on private DNS for the endpoints and DNS support + hostnames for the VPC.")
    if "nacl" in blocked:
        acls = list(dict.fromkeys(pr.resource for p in bad for pr in p.proofs if pr.kind == "network_acls"))
        steps.append(
            f"Allow outbound TCP 443 and inbound TCP 1024-65535 in the network ACL {', '.join(acls)} of "
            f"{', '.join(p.subnet for p in bad)}: to and from the VPC CIDR for interface endpoints, 0.0.0.0/0 "
            "(or the service's ranges) for the internet and S3."
        )
    reach = services + (["the internet"] if internet_only else [])
    return Fix(
        summary=f"Give {', '.join(p.subnet for p in bad)} a path to {', '.join(reach) or 'the internet'}",
        steps=tuple(steps),
        commands=tuple(commands),
        docs=("https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html",),
        risk="review",
    )


def _short(service_name: str) -> str:
    """`com.amazonaws.us-east-1.ecr.dkr` -> `ecr.dkr`."""
    parts = service_name.split(".")
    return ".".join(parts[3:]) if len(parts) > 3 else service_name


def _public_subnets(ev: Evidence, vpc: str) -> list[str]:
    """Subnets of `vpc` whose route table sends 0.0.0.0/0 to an internet gateway (where a NAT gateway goes)."""
    net = network(ev)
    out = []
    for s in net.subnets.values():
        if s.vpc_id != vpc:
            continue
        rt, _ = net.route_table_for(s)
        default = rt.default_route() if rt is not None else None
        if default is not None and default.active and (default.target or "").startswith("igw-"):
            out.append(s.id)
    return out
