"""The shared parts of the simulated account: network, clusters, roles, registry, load balancer.

Built through the real boto3 API against moto. One account (123456789012), one Region (us-east-1):
- `prod-vpc` 10.0.0.0/16: two public subnets (route to an internet gateway) and two private subnets (route to
  a NAT gateway). DNS hostnames on (moto crashes in RunTask without it, moto-notes 1.2).
- `ledger-vpc` 10.40.0.0/16: private subnets with only the VPC's main route table (local route): no internet
  gateway, no NAT, no VPC endpoints.
- clusters `prod` (Fargate) and `ec2-workers` (EC2, two m5.large container instances with `ecsInstanceRole`).
- `ecsTaskExecutionRole` with the AWS managed AmazonECSTaskExecutionRolePolicy (needs moto's
  `load_aws_managed_policies`), an application load balancer `prod-alb` with an HTTP listener.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ecs_triage.demo._moto import ACCOUNT, REGION, Clients, pin_task_lifecycle

REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
EXEC_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
EC2_ROLE_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
AMI_ID = "ami-12c6146b"  # one of moto's built-in Amazon Linux images; stands in for the ECS-optimized AMI


def trust(service: str = "ecs-tasks.amazonaws.com") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass
class Env:
    c: Clients
    now: datetime
    vpc: str = ""
    public_subnets: list[str] = field(default_factory=list)
    private_subnets: list[str] = field(default_factory=list)
    app_sg: str = ""
    alb_sg: str = ""
    ledger_vpc: str = ""
    ledger_subnets: list[str] = field(default_factory=list)
    ledger_sg: str = ""
    ledger_route_table: str = ""
    exec_role_arn: str = ""
    alb_arn: str = ""
    listener_arn: str = ""
    instance_ids: list[str] = field(default_factory=list)
    container_instances: list[str] = field(default_factory=list)
    repos: set[str] = field(default_factory=set)
    digests: dict[str, str] = field(default_factory=dict)
    rule_priority: int = 10
    task_arns: dict[str, list[str]] = field(default_factory=dict)  # service name -> tasks started for it

    def next_priority(self) -> int:
        self.rule_priority += 10
        return self.rule_priority


def _tag(kind: str, name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def build_base(c: Clients, now: datetime | None = None) -> Env:
    pin_task_lifecycle()
    env = Env(c=c, now=now or datetime.now(timezone.utc))
    _network(env)
    _ledger_network(env)
    _iam(env)
    _clusters(env)
    _load_balancer(env)
    return env


def _subnets(ec2: Any, vpc: str, route_table_id: str, name: str, *, first: int) -> list[str]:
    """One subnet per AZ (us-east-1a, us-east-1b: 10.0.{first}.0/24, 10.0.{first + 1}.0/24, named
    `{name}-a`, `{name}-b`), each associated with the route table."""
    out = []
    for i, az in enumerate(("us-east-1a", "us-east-1b")):
        sn = ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=f"10.0.{first + i}.0/24",
            AvailabilityZone=az,
            TagSpecifications=_tag("subnet", f"{name}-{az[-1]}"),
        )["Subnet"]["SubnetId"]
        ec2.associate_route_table(RouteTableId=route_table_id, SubnetId=sn)
        out.append(sn)
    return out


def _network(env: Env) -> None:
    ec2 = env.c.ec2
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=_tag("vpc", "prod-vpc"))["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    env.vpc = vpc
    igw = ec2.create_internet_gateway(TagSpecifications=_tag("internet-gateway", "prod-igw"))
    igw_id = igw["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc, TagSpecifications=_tag("route-table", "prod-public"))
    public_rt_id = public_rt["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)
    env.public_subnets.extend(_subnets(ec2, vpc, public_rt_id, "prod-public", first=0))
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(
        SubnetId=env.public_subnets[0], AllocationId=eip, TagSpecifications=_tag("natgateway", "prod-nat")
    )["NatGateway"]["NatGatewayId"]
    private_rt = ec2.create_route_table(VpcId=vpc, TagSpecifications=_tag("route-table", "prod-private"))
    private_rt_id = private_rt["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=private_rt_id, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    env.private_subnets.extend(_subnets(ec2, vpc, private_rt_id, "prod-private", first=10))
    env.alb_sg = ec2.create_security_group(GroupName="prod-alb", Description="prod ALB", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=env.alb_sg, IpPermissions=[_tcp(80, cidr="0.0.0.0/0"), _tcp(443, cidr="0.0.0.0/0")]
    )
    env.app_sg = ec2.create_security_group(GroupName="prod-services", Description="ECS services", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=env.app_sg, IpPermissions=[{**_tcp(8080), "UserIdGroupPairs": [{"GroupId": env.alb_sg}]}]
    )
    # Default egress (all traffic to 0.0.0.0/0) stays on both groups.


def _ledger_network(env: Env) -> None:
    ec2 = env.c.ec2
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16", TagSpecifications=_tag("vpc", "ledger-vpc"))["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    env.ledger_vpc = vpc
    for i, az in enumerate(("us-east-1a", "us-east-1b")):
        sn = ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=f"10.40.{i}.0/24",
            AvailabilityZone=az,
            TagSpecifications=_tag("subnet", f"ledger-private-{az[-1]}"),
        )["Subnet"]["SubnetId"]
        env.ledger_subnets.append(sn)
    main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"]
    env.ledger_route_table = main[0]["RouteTableId"] if main else ""
    env.ledger_sg = ec2.create_security_group(GroupName="ledger-sync", Description="ledger-sync tasks", VpcId=vpc)[
        "GroupId"
    ]


def _tcp(port: int, cidr: str | None = None) -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if cidr:
        perm["IpRanges"] = [{"CidrIp": cidr}]
    return perm


def _iam(env: Env) -> None:
    iam = env.c.iam
    role = iam.create_role(RoleName="ecsTaskExecutionRole", AssumeRolePolicyDocument=trust())["Role"]
    iam.attach_role_policy(RoleName="ecsTaskExecutionRole", PolicyArn=EXEC_POLICY_ARN)
    env.exec_role_arn = role["Arn"]
    iam.create_role(RoleName="ecsInstanceRole", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    iam.attach_role_policy(RoleName="ecsInstanceRole", PolicyArn=EC2_ROLE_POLICY_ARN)
    iam.create_instance_profile(InstanceProfileName="ecsInstanceRole")
    iam.add_role_to_instance_profile(InstanceProfileName="ecsInstanceRole", RoleName="ecsInstanceRole")


def _clusters(env: Env) -> None:
    ecs, ec2 = env.c.ecs, env.c.ec2
    ecs.create_cluster(
        clusterName="prod",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
        settings=[{"name": "containerInsights", "value": "enabled"}],
    )
    ecs.create_cluster(clusterName="ec2-workers")
    ec2_sg = ec2.create_security_group(GroupName="ec2-workers-hosts", Description="ECS hosts", VpcId=env.vpc)["GroupId"]
    reservation = ec2.run_instances(
        ImageId=AMI_ID,
        InstanceType="m5.large",
        MinCount=2,
        MaxCount=2,
        SubnetId=env.private_subnets[0],
        SecurityGroupIds=[ec2_sg],
        IamInstanceProfile={"Name": "ecsInstanceRole"},
        TagSpecifications=_tag("instance", "ec2-workers-host"),
    )
    for inst in reservation["Instances"]:
        env.instance_ids.append(inst["InstanceId"])
        doc = json.dumps(
            {
                "accountId": ACCOUNT,
                "availabilityZone": inst["Placement"]["AvailabilityZone"],
                "instanceId": inst["InstanceId"],
                "instanceType": "m5.large",
                "imageId": AMI_ID,
                "privateIp": inst.get("PrivateIpAddress", ""),
                "region": REGION,
            }
        )
        ci = ecs.register_container_instance(cluster="ec2-workers", instanceIdentityDocument=doc)
        env.container_instances.append(ci["containerInstance"]["containerInstanceArn"])


def _load_balancer(env: Env) -> None:
    elbv2 = env.c.elbv2
    lb = elbv2.create_load_balancer(
        Name="prod-alb", Subnets=env.public_subnets, SecurityGroups=[env.alb_sg], Scheme="internet-facing"
    )["LoadBalancers"][0]
    env.alb_arn = lb["LoadBalancerArn"]


def add_target_group(
    env: Env,
    name: str,
    *,
    port: int = 8080,
    path: str = "/health",
    health_port: str = "traffic-port",
    interval: int = 30,
    unhealthy: int = 3,
    host: str,
) -> str:
    """A target group (type ip) behind prod-alb, routed by host header."""
    elbv2 = env.c.elbv2
    tg = elbv2.create_target_group(
        Name=name,
        Protocol="HTTP",
        Port=port,
        VpcId=env.vpc,
        TargetType="ip",
        HealthCheckProtocol="HTTP",
        HealthCheckPort=health_port,
        HealthCheckPath=path,
        HealthCheckIntervalSeconds=interval,
        HealthCheckTimeoutSeconds=5,
        HealthyThresholdCount=2,
        UnhealthyThresholdCount=unhealthy,
        Matcher={"HttpCode": "200"},
    )["TargetGroups"][0]
    arn: str = tg["TargetGroupArn"]
    if not env.listener_arn:
        env.listener_arn = elbv2.create_listener(
            LoadBalancerArn=env.alb_arn,
            Protocol="HTTP",
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": arn}],
        )["Listeners"][0]["ListenerArn"]
    else:
        elbv2.create_rule(
            ListenerArn=env.listener_arn,
            Priority=env.next_priority(),
            Conditions=[{"Field": "host-header", "Values": [host]}],
            Actions=[{"Type": "forward", "TargetGroupArn": arn}],
        )
    return arn


def push_image(env: Env, repository: str, tag: str) -> str:
    """Create the ECR repository (once) and push a linux/amd64 image manifest under `tag`; returns the digest."""
    ecr = env.c.ecr
    if repository not in env.repos:
        ecr.create_repository(repositoryName=repository, imageScanningConfiguration={"scanOnPush": True})
        env.repos.add(repository)
    layer = hashlib.sha256(f"{repository}:{tag}:layer".encode()).hexdigest()
    config = hashlib.sha256(f"{repository}:{tag}:config".encode()).hexdigest()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 7023,
                "digest": f"sha256:{config}",
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 32654,
                    "digest": f"sha256:{layer}",
                }
            ],
        }
    )
    out = ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag=tag)
    digest: str = out["image"]["imageId"]["imageDigest"]
    env.digests[f"{repository}:{tag}"] = digest
    return digest
