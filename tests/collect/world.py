"""A small moto world for the collectors (moto-notes section 5): a Fargate service with stopped and
running tasks, execution/task roles with managed and inline policies, an ECR repository with an image,
a secret encrypted with a customer KMS key, an SSM parameter, a log group with a stopped container's
stream, a target group behind an ALB, and a VPC with subnets, route tables, an endpoint and a NAT."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import boto3

ACCOUNT = "123456789012"
REGION = "us-east-1"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@dataclass
class World:
    cluster: str = "prod"
    service: str = "web"
    exec_role_arn: str = ""
    task_role_arn: str = ""
    secret_arn: str = ""
    key_arn: str = ""
    tg_arn: str = ""
    lb_arn: str = ""
    vpc_id: str = ""
    subnets: list[str] = field(default_factory=list)
    sg_id: str = ""
    endpoint_sg_id: str = ""
    td_arn: str = ""
    image: str = ""
    stopped: list[str] = field(default_factory=list)
    running: list[str] = field(default_factory=list)
    managed_policy_arn: str = ""
    boundary_arn: str = ""


def _fargate_ready_vpc(ec2: Any, w: World) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # moto's run_task needs private DNS names (moto-notes 2)
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    w.vpc_id = vpc
    s1 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    s2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    w.subnets = [s1, s2]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=s2)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=s2, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=s1)
    w.sg_id = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    w.endpoint_sg_id = ec2.create_security_group(GroupName="endpoints", Description="ep", VpcId=vpc)["GroupId"]
    ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName=f"com.amazonaws.{REGION}.secretsmanager",
        VpcEndpointType="Interface",
        SubnetIds=[s1],
        SecurityGroupIds=[w.endpoint_sg_id],
        PrivateDnsEnabled=True,
    )


def build_world(n_stopped: int = 2, n_running: int = 1) -> World:
    """Build the world inside an active mock_aws context."""
    w = World()
    iam = boto3.client("iam", region_name=REGION)
    ecr = boto3.client("ecr", region_name=REGION)
    kms = boto3.client("kms", region_name=REGION)
    sm = boto3.client("secretsmanager", region_name=REGION)
    ssm = boto3.client("ssm", region_name=REGION)
    logs = boto3.client("logs", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    elbv2 = boto3.client("elbv2", region_name=REGION)
    ecs = boto3.client("ecs", region_name=REGION)

    _fargate_ready_vpc(ec2, w)
    # IAM: execution role with a managed policy, an inline policy and a permission boundary
    w.exec_role_arn = iam.create_role(RoleName="web-exec", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    w.task_role_arn = iam.create_role(RoleName="web-task", Path="/app/", AssumeRolePolicyDocument=json.dumps(TRUST))[
        "Role"
    ]["Arn"]
    pull = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Resource": "*"}
        ],
    }
    w.managed_policy_arn = iam.create_policy(PolicyName="pull", PolicyDocument=json.dumps(pull))["Policy"]["Arn"]
    w.boundary_arn = iam.create_policy(
        PolicyName="boundary",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="web-exec", PolicyArn=w.managed_policy_arn)
    iam.put_role_permissions_boundary(RoleName="web-exec", PermissionsBoundary=w.boundary_arn)
    # the same managed policy on the task role: fetched once for both roles
    iam.attach_role_policy(RoleName="web-task", PolicyArn=w.managed_policy_arn)
    iam.put_role_policy(
        RoleName="web-exec",
        PolicyName="logs",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}],
            }
        ),
    )
    # ECR
    ecr.create_repository(repositoryName="web")
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 1,
            "digest": "sha256:" + "a" * 64,
        },
        "layers": [],
    }
    ecr.put_image(repositoryName="web", imageManifest=json.dumps(manifest), imageTag="v1")
    ecr.set_repository_policy(
        repositoryName="web",
        policyText=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "pull",
                        "Effect": "Allow",
                        "Principal": {"AWS": w.exec_role_arn},
                        "Action": "ecr:BatchGetImage",
                    }
                ],
            }
        ),
    )
    w.image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:v1"
    # Secrets Manager + KMS, SSM
    w.key_arn = kms.create_key(Description="app")["KeyMetadata"]["Arn"]
    w.secret_arn = sm.create_secret(Name="db-pass", SecretString="s3cr3t", KmsKeyId=w.key_arn)["ARN"]
    ssm.put_parameter(Name="/web/api-url", Value="https://x", Type="String")
    # Logs
    logs.create_log_group(logGroupName="/ecs/web")
    # ELBv2
    lb = elbv2.create_load_balancer(Name="web", Subnets=w.subnets, SecurityGroups=[w.sg_id])["LoadBalancers"][0]
    w.lb_arn = lb["LoadBalancerArn"]
    tg = elbv2.create_target_group(
        Name="web", Protocol="HTTP", Port=8080, VpcId=w.vpc_id, TargetType="ip", HealthCheckPath="/health"
    )["TargetGroups"][0]
    w.tg_arn = tg["TargetGroupArn"]
    elbv2.create_listener(
        LoadBalancerArn=w.lb_arn,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": w.tg_arn}],
    )
    # ECS
    ecs.create_cluster(clusterName=w.cluster)
    td = ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        executionRoleArn=w.exec_role_arn,
        taskRoleArn=w.task_role_arn,
        containerDefinitions=[
            {
                "name": "app",
                "image": w.image,
                "memoryReservation": 256,  # moto's run_task needs a container-level memory (moto-notes 2)
                "essential": True,
                "portMappings": [{"containerPort": 8080}],
                "environment": [{"name": "DB_HOST", "value": "db.internal"}],
                "secrets": [
                    {"name": "DB_PASS", "valueFrom": w.secret_arn + ":password::"},
                    {"name": "API_URL", "valueFrom": "/web/api-url"},
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "/ecs/web", "awslogs-region": REGION, "awslogs-stream-prefix": "web"},
                },
            }
        ],
    )["taskDefinition"]
    w.td_arn = td["taskDefinitionArn"]
    net = {
        "awsvpcConfiguration": {"subnets": [w.subnets[0]], "securityGroups": [w.sg_id], "assignPublicIp": "DISABLED"}
    }
    ecs.create_service(
        cluster=w.cluster,
        serviceName=w.service,
        taskDefinition=w.td_arn,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=net,
        loadBalancers=[{"targetGroupArn": w.tg_arn, "containerName": "app", "containerPort": 8080}],
    )
    # an unrelated service whose tasks must not leak into the snapshot of `web`
    ecs.create_service(
        cluster=w.cluster,
        serviceName="other",
        taskDefinition=w.td_arn,
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=net,
    )
    n = n_stopped + n_running
    arns: list[str] = []
    while len(arns) < n:
        got = ecs.run_task(
            cluster=w.cluster,
            taskDefinition=w.td_arn,
            launchType="FARGATE",
            count=min(10, n - len(arns)),
            startedBy="ecs-svc/1",
            group=f"service:{w.service}",
            networkConfiguration=net,
        )["tasks"]
        arns.extend(t["taskArn"] for t in got)
    ecs.run_task(
        cluster=w.cluster,
        taskDefinition=w.td_arn,
        launchType="FARGATE",
        group="service:other",
        networkConfiguration=net,
    )
    w.stopped, w.running = arns[:n_stopped], arns[n_stopped:]
    from moto.ecs.models import ecs_backends

    backend = ecs_backends[ACCOUNT][REGION]
    now = datetime.now(timezone.utc)
    for arn in w.stopped:
        task = backend.tasks[w.cluster][arn]
        task.status = "STOPPED"
        task.desired_status = "STOPPED"
        task.stop_code = "EssentialContainerExited"
        task.stopped_reason = "Essential container in task exited"
        task.stopped_at = now
        c = task.containers[0]
        c.exitCode = 1
        c.task_arn = arn
        stream = f"web/app/{arn.rsplit('/', 1)[-1]}"
        logs.create_log_stream(logGroupName="/ecs/web", logStreamName=stream)
        logs.put_log_events(
            logGroupName="/ecs/web",
            logStreamName=stream,
            logEvents=[{"timestamp": int(now.timestamp() * 1000) + i, "message": f"line {i}"} for i in range(3)]
            + [{"timestamp": int(now.timestamp() * 1000) + 9, "message": "KeyError: 'DATABASE_URL'"}],
        )
    svc = backend._get_service(w.cluster, w.service)
    svc.events.insert(0, {"id": "e1", "createdAt": now, "message": "(service web) has started 1 tasks"})
    return w
