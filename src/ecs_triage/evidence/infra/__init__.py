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

Modules: `logs` (log tails), `elb` (target groups, load balancers), `ec2` (VPC evidence), `netpath` (path
reasoning, what a task needs to reach), `tasks` (small ECS lookups, exited containers, placement failures).
Import from this package: `from ecs_triage.evidence.infra import network, path_to`.
"""

from __future__ import annotations

from ecs_triage.evidence.infra.ec2 import (
    Ec2Instance,
    InternetGateway,
    NaclEntry,
    NatGateway,
    Network,
    NetworkAcl,
    Route,
    RouteTable,
    SecurityGroup,
    SgRule,
    Subnet,
    Vpc,
    VpcEndpoint,
    cidr_contains,
    cidr_overlaps,
    network,
    service_name,
)
from ecs_triage.evidence.infra.elb import LoadBalancer, TargetGroup, TargetHealth, load_balancers, target_groups
from ecs_triage.evidence.infra.logs import (
    Endpoint,
    LogEvent,
    LogStream,
    Readiness,
    connection_failure,
    error_lines,
    log_stream_for,
    log_streams,
    missing_variables,
    time_to_ready,
    unreachable_endpoints,
)
from ecs_triage.evidence.infra.netpath import (
    NETWORK_KINDS,
    AwsVpcTarget,
    Need,
    Path,
    Proof,
    awsvpc_targets,
    is_fargate,
    needs_of,
    path_to,
    pull_targets,
    stopped_says,
)
from ecs_triage.evidence.infra.tasks import (
    Exit,
    PlacementFailure,
    asg_of_instance,
    defined_names,
    dotted,
    exits,
    failing_services,
    launch_failures,
    name_of,
    placement_failures,
    service_of,
    task_cpu_units,
    task_memory_mib,
)

__all__ = [
    "NETWORK_KINDS",
    "AwsVpcTarget",
    "Ec2Instance",
    "Endpoint",
    "Exit",
    "InternetGateway",
    "LoadBalancer",
    "LogEvent",
    "LogStream",
    "NaclEntry",
    "NatGateway",
    "Need",
    "Network",
    "NetworkAcl",
    "Path",
    "PlacementFailure",
    "Proof",
    "Readiness",
    "Route",
    "RouteTable",
    "SecurityGroup",
    "SgRule",
    "Subnet",
    "TargetGroup",
    "TargetHealth",
    "Vpc",
    "VpcEndpoint",
    "asg_of_instance",
    "awsvpc_targets",
    "cidr_contains",
    "cidr_overlaps",
    "connection_failure",
    "defined_names",
    "dotted",
    "error_lines",
    "exits",
    "failing_services",
    "is_fargate",
    "launch_failures",
    "load_balancers",
    "log_stream_for",
    "log_streams",
    "missing_variables",
    "name_of",
    "needs_of",
    "network",
    "path_to",
    "placement_failures",
    "pull_targets",
    "service_name",
    "service_of",
    "stopped_says",
    "target_groups",
    "task_cpu_units",
    "task_memory_mib",
    "time_to_ready",
    "unreachable_endpoints",
]
