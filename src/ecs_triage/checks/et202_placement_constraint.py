"""The service's placement constraints cannot be satisfied by any container instance.

What it detects:
    Service events since the last steady state say a task could not be placed because a placement
    constraint was unsatisfied (`memberOf constraint unsatisfied`, `DistinctInstance placement constraint
    unsatisfied`, a missing attribute). The finding quotes the constraints of the service and the task
    definition and, for `distinctInstance`, compares the number of usable instances with the tasks wanted.

Why it happens:
    A `memberOf` expression matches no instance (an attribute, instance type or Availability Zone that
    the cluster's instances do not have), `distinctInstance` allows one task per instance and there are
    fewer instances than tasks (deployments need one more), or a custom attribute was never set.

How to fix:
    Fix or relax the expression, add instances that match it, set the attribute
    (`aws ecs put-attributes`), or for `distinctInstance` add instances or lower
    `minimumHealthyPercent` so old tasks stop first.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.infra import name_of, placement_failures

CHECK = Check(
    id="ET202",
    slug="placement-constraint",
    title="The service's placement constraints cannot be satisfied",
    category="service",
    severity="error",
    requires=("services",),
    reads=("task_definitions", "container_instances"),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for pf in placement_failures(ev):
        if pf.kind != "placement-constraint":
            continue
        svc = pf.service
        td = ev.task_definition(svc.task_definition_arn)
        constraints = [dict(c) for c in svc.placement_constraints] + [
            dict(c) for c in (td.placement_constraints if td else ())
        ]
        evidence = [EvidenceRef(svc.arn, pf.pointer, pf.message)]
        if svc.placement_constraints:
            evidence.append(EvidenceRef(svc.arn, "/placementConstraints", [dict(c) for c in svc.placement_constraints]))
        if td is not None and td.placement_constraints:
            evidence.append(EvidenceRef(td.label, "/placementConstraints", [dict(c) for c in td.placement_constraints]))
        usable = [ci for ci in ev.container_instances if ci.status == "ACTIVE" and ci.agent_connected]
        detail = ""
        distinct = any(str(c.get("type", "")).lower() == "distinctinstance" for c in constraints)
        if distinct and ev.has("container_instances"):
            detail = f"; distinctInstance allows one task per instance: {_n(len(usable), 'usable instance')} for {_n(svc.desired, 'task')} (a deployment needs more)"
        exprs = [str(c.get("expression")) for c in constraints if c.get("expression")]
        if exprs:
            detail += f"; memberOf expression {'; '.join(exprs)}"
        cluster = name_of(svc.cluster_arn)
        yield Hit(
            resource=svc.arn,
            message=f"Service {svc.name} cannot place tasks: a placement constraint is unsatisfied{detail}",
            cause="placement-constraint",
            confidence=0.9 if constraints else 0.75,
            evidence=tuple(evidence),
            fix=Fix(
                summary=f"Relax the placement constraints of {svc.name} or add instances that satisfy them",
                steps=(
                    "Compare the expression with the instances' attributes (instance type, AZ, custom attributes).",
                    "Add matching instances, set the missing attribute, or relax/remove the constraint.",
                ),
                commands=(
                    aws_cli("ecs", "list-attributes", cluster=cluster, target_type="container-instance"),
                    aws_cli("ecs", "update-service", cluster=cluster, service_=svc.name, placement_constraints="[]"),
                ),
                snippet={"placementConstraints": constraints} if constraints else None,
                snippet_title="current constraints" if constraints else "",
                risk="review",
            ),
            signature="placement.constraint",
        )


def _n(count: int, noun: str) -> str:
    """`1 task`, `2 tasks`."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
