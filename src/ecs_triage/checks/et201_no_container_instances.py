"""The EC2 cluster has no active container instance with a connected agent.

What it detects:
    A service's events since its last steady state say no container instances were found (or the
    closest instance's agent is not connected), and the collected container instances confirm it: none
    is ACTIVE with `agentConnected` true. Also fires without the event when a non-Fargate service wants
    tasks, runs none, and the cluster has no usable instance.

Why it happens:
    The Auto Scaling group is at zero or its instances never joined: a wrong `ECS_CLUSTER` in the user
    data, an AMI without the ECS agent, an instance role without `AmazonEC2ContainerServiceforEC2Role`,
    no route from the instances to the ECS endpoints, or instances DRAINING.

How to fix:
    Scale the Auto Scaling group (or the capacity provider) up, check that new instances register in
    this cluster (`/etc/ecs/ecs.config`), that the instance profile lets the agent call ECS, and that the
    agent can reach ECS (NAT, public IP or the `ecs`, `ecs-agent`, `ecs-telemetry` endpoints).

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/launch_container_instance.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.fargate import is_fargate
from ecs_triage.evidence.infra import name_of, placement_failures

CHECK = Check(
    id="ET201",
    slug="no-container-instances",
    title="The cluster has no active container instance with a connected agent",
    category="service",
    severity="error",
    requires=("services", "container_instances"),
    reads=("task_definitions",),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    usable = [ci for ci in ev.container_instances if ci.status == "ACTIVE" and ci.agent_connected]
    if usable:
        return
    events = {
        pf.service.arn: pf
        for pf in placement_failures(ev)
        if pf.kind in ("no-container-instances", "agent-disconnected")
    }
    for svc in ev.services:
        fargate = is_fargate(ev, svc)
        pf = events.get(svc.arn)
        if pf is None and (fargate or svc.running >= svc.desired or svc.desired == 0):
            continue
        evidence = []
        if pf is not None:
            evidence.append(EvidenceRef(svc.arn, pf.pointer, pf.message))
        states = [f"{name_of(ci.arn)} {ci.status} agentConnected={ci.agent_connected}" for ci in ev.container_instances]
        for ci in ev.container_instances[:3]:
            evidence.append(EvidenceRef(ci.arn, "/agentConnected", ci.agent_connected, note=f"status {ci.status}"))
        cluster = name_of(svc.cluster_arn)
        seen = (
            f" (instances: {'; '.join(states[:5])})" if states else " (the cluster has no container instances at all)"
        )
        yield Hit(
            resource=svc.arn,
            message=f"Service {svc.name} wants {_n(svc.desired, 'task')} but cluster {cluster} has no ACTIVE container instance with a connected agent{seen}",
            cause="no-container-instances",
            confidence=0.95 if pf is not None else 0.8,
            evidence=tuple(evidence) or (EvidenceRef(svc.arn, "/runningCount", svc.running),),
            fix=Fix(
                summary=f"Bring container instances into cluster {cluster}",
                steps=(
                    f"Scale the Auto Scaling group (or capacity provider) of cluster {cluster} above zero.",
                    f"Check the instances' user data sets ECS_CLUSTER={cluster} in /etc/ecs/ecs.config.",
                    "Check the instance profile has AmazonEC2ContainerServiceforEC2Role and the instances can reach ECS.",
                ),
                commands=(
                    aws_cli("ecs", "list-container-instances", cluster=cluster),
                    aws_cli("ecs", "describe-clusters", clusters=cluster, include="ATTACHMENTS"),
                ),
                risk="review",
            ),
            signature="placement.no-container-instances",
        )


def _n(count: int, noun: str) -> str:
    """`1 task`, `2 tasks`."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
