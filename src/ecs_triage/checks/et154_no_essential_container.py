"""No container in the task definition is essential.

What it detects:
    A task definition in which every container sets `"essential": false`.

Why it happens:
    Marking a sidecar non-essential is common; marking all of them (often by copying the sidecar's block)
    is a mistake. ECS rejects the registration ("Task definition does not have any essential
    container"); and a task whose main process exits would otherwise keep running without it.

How to fix:
    Set `"essential": true` on the main application container (it is the default when omitted).

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_environment
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import taskdef_resource

CHECK = Check(
    id="ET154",
    slug="no-essential-container",
    title="No essential container",
    category="task",
    severity="error",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_environment"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        if not td.containers or any(c.essential for c in td.containers):
            continue
        if any(c.raw.get("essential") not in (False, "false", "False") for c in td.containers):
            continue  # an unknown value (template expression): it may be true
        resource = taskdef_resource(td)
        main = next((c for c in td.containers if c.port_mappings), td.containers[0])
        yield Hit(
            resource=resource,
            message=f"Task definition {td.label}: all {len(td.containers)} containers are essential: false.",
            cause="invalid-task-definition",
            confidence=0.95,
            evidence=tuple(EvidenceRef(resource, f"{c.pointer}/essential", False) for c in td.containers),
            fix=Fix(
                summary=f"Mark the main container ({main.name}) essential.",
                snippet={"name": main.name, "essential": True},
                snippet_title=f"containerDefinitions[{main.name}]",
                docs=(DOCS,),
                risk="safe",
            ),
            pointer=f"{main.pointer}/essential",
            signature="taskdef.no-essential",
        )
