"""The service's load balancer points at a container name or port the task definition does not expose.

What it detects:
    For each `loadBalancers[]` entry of a service: the `containerName` is not a container of the service's
    task definition, or that container has no port mapping whose `containerPort` is the entry's
    `containerPort`.

Why it happens:
    The port in the service (or the CloudFormation/Terraform service resource) and the port in the
    container definition are edited in different places. ECS rejects the service ("The container web did
    not have a container port 8080 defined") or, after a task-definition change, the deployment fails.

How to fix:
    Make the service's `containerPort` one of the container's `portMappings[].containerPort` (and the
    name one of the containers), usually by adding the port mapping.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/register-multiple-targetgroups.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import service_resource

CHECK = Check(
    id="ET351",
    slug="lb-container-port-not-mapped",
    title="Load balancer container port is not mapped by the container",
    category="load-balancing",
    severity="error",
    requires=("services", "task_definitions"),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for svc in ev.services:
        td = ev.task_definition(svc.task_definition_arn)
        if td is None:
            continue
        resource = service_resource(svc)
        for lb in svc.load_balancers:
            if lb.container_name is None or lb.container_port is None:
                continue
            container = td.container(lb.container_name)
            if container is None:
                names = ", ".join(c.name for c in td.containers)
                yield Hit(
                    resource=resource,
                    message=(
                        f"Service {svc.name}: load balancer containerName {lb.container_name!r} is not a container "
                        f"of {td.label} (containers: {names})."
                    ),
                    cause="invalid-task-definition",
                    confidence=0.95,
                    evidence=(EvidenceRef(resource, f"{lb.pointer}/containerName", lb.container_name),),
                    fix=Fix(
                        summary=f"Use one of the containers of {td.label}: {names}.",
                        docs=(DOCS,),
                        risk="safe",
                    ),
                    pointer=f"{lb.pointer}/containerName",
                    signature="elb.container-name-missing",
                )
                continue
            raw_ports = container.raw.get("portMappings")
            if raw_ports is not None and not isinstance(raw_ports, list):
                continue  # unknown
            if any(pm.container_port is None for pm in container.port_mappings):
                continue  # a port that is not known yet
            ports = [pm.container_port for pm in container.port_mappings]
            if lb.container_port in ports:
                continue
            shown = ", ".join(str(p) for p in ports) or "none"
            yield Hit(
                resource=resource,
                message=(
                    f"Service {svc.name}: load balancer sends traffic to {lb.container_name}:{lb.container_port}, "
                    f"but {lb.container_name} in {td.label} maps container ports: {shown}."
                ),
                cause="invalid-task-definition",
                confidence=0.95,
                evidence=(
                    EvidenceRef(resource, f"{lb.pointer}/containerPort", lb.container_port),
                    EvidenceRef(f"taskdef {td.label}", f"{container.pointer}/portMappings", ports),
                ),
                fix=Fix(
                    summary=(
                        f"Add containerPort {lb.container_port} to {lb.container_name}'s portMappings, or point the "
                        f"service at {ports[0]}."
                        if ports
                        else f"Add containerPort {lb.container_port} to {lb.container_name}'s portMappings."
                    ),
                    snippet={"portMappings": [{"containerPort": lb.container_port, "protocol": "tcp"}]},
                    snippet_title=f"containerDefinitions[{lb.container_name}]",
                    docs=(DOCS,),
                    risk="safe",
                ),
                pointer=f"{lb.pointer}/containerPort",
                signature="elb.container-port-not-mapped",
            )
