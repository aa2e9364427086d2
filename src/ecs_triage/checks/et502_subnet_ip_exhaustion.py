"""A task subnet has no free IP address for the task's network interface.

What it detects:
    An awsvpc service's (or task's) subnet reports `AvailableIpAddressCount` 0, so ECS cannot create
    the task's ENI there. When every subnet of the service is full no task can start; when some are,
    tasks placed in them fail. A stopped task or service event mentioning free IP addresses confirms it.

Why it happens:
    Small subnets (a /28 has 11 usable addresses) shared with other workloads, ENIs left behind by
    Lambda functions or deleted resources, or a service scaled beyond what its subnets hold; each awsvpc
    task uses one address.

How to fix:
    Add larger subnets to the service's network configuration (or add a secondary CIDR to the VPC and
    create new subnets), release unused ENIs, or spread the service over more subnets and Availability
    Zones.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking.html
    - https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
"""

from __future__ import annotations

import re

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.infra import awsvpc_targets, network

CHECK = Check(
    id="ET502",
    slug="subnet-ip-exhaustion",
    title="A task subnet has no free IP address",
    category="network",
    severity="error",
    requires=("subnets",),
    reads=("services", "tasks"),
)

_SAYS = re.compile(r"free IP|available IP|IP addresses|InsufficientFreeAddressesInSubnet", re.I)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    net = network(ev)
    for target in awsvpc_targets(ev):
        full = [net.subnets[s] for s in target.subnets if s in net.subnets and net.subnets[s].available_ips == 0]
        if not full:
            continue
        evidence = [EvidenceRef(f"subnets {s.id}", "/AvailableIpAddressCount", 0, note=f"CIDR {s.cidr}") for s in full]
        said = None
        svc = next((s for s in ev.services if s.arn == target.resource), None)
        for i, e in enumerate(svc.events[:20] if svc else ()):
            if _SAYS.search(e.message):
                said = EvidenceRef(target.resource, f"/events/{i}/message", e.message)
                break
        for t in target.tasks:
            if said is None and t.stopped_reason and _SAYS.search(t.stopped_reason):
                said = EvidenceRef(t.arn, "/stoppedReason", t.stopped_reason)
        if said is not None:
            evidence.insert(0, said)
        others = [s for s in target.subnets if s not in {f.id for f in full}]
        every = not others
        names = ", ".join(f"{s.id} ({s.cidr})" for s in full)
        message = f"{names} {'has' if len(full) == 1 else 'have'} no free IP address: " + (
            "no task of this service can get a network interface"
            if every
            else f"tasks placed there fail while {', '.join(others)} still work"
        )
        vpc = full[0].vpc_id or ""
        yield Hit(
            resource=target.resource,
            message=message,
            cause="subnet-ip-exhaustion",
            confidence=0.95 if said is not None or every else 0.7,
            evidence=tuple(evidence),
            fix=Fix(
                summary=f"Give the tasks subnets with free addresses (not {', '.join(s.id for s in full)})",
                steps=(
                    f"Find what holds the addresses in {', '.join(s.id for s in full)} (unused ENIs can be deleted).",
                    f"Create larger subnets in {vpc} (add a secondary CIDR if needed) and put them in the service's networkConfiguration.",
                ),
                commands=(
                    *tuple(
                        aws_cli(
                            "ec2",
                            "describe-network-interfaces",
                            filters=f"Name=subnet-id,Values={s.id}",
                            query="NetworkInterfaces[].[NetworkInterfaceId,Status,Description]",
                        )
                        for s in full
                    ),
                    aws_cli(
                        "ec2",
                        "describe-subnets",
                        filters=f"Name=vpc-id,Values={vpc}",
                        query="Subnets[].[SubnetId,CidrBlock,AvailableIpAddressCount]",
                    ),
                ),
                risk="review",
            ),
            signature="network.subnet-full",
        )
