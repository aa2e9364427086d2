"""A `dependsOn` condition can never be met.

What it detects:
    A container `dependsOn` entry with condition `HEALTHY` on a container that has no `healthCheck`, or a
    `dependsOn` entry naming a container that is not in the task definition.

Why it happens:
    The `HEALTHY` condition waits for the dependency's container health check to pass; a container without
    a health check never becomes healthy, so the dependent container never starts and the task stops with
    "dependency ... did not become healthy" (or the API rejects the definition). Renamed containers leave
    stale `containerName` references.

How to fix:
    Add a `healthCheck` to the dependency, or use the condition `START` (or `COMPLETE`/`SUCCESS` for
    init containers); fix the container name.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_dependson
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.lintview import present, taskdef_resource

CHECK = Check(
    id="ET156",
    slug="depends-on-condition-unmeetable",
    title="Container dependsOn condition can never be met",
    category="task",
    severity="error",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        resource = taskdef_resource(td)
        names = {c.name for c in td.containers}
        for c in td.containers:
            for dep in c.depends_on:
                if not dep.container_name:
                    continue
                target = td.container(dep.container_name)
                if target is None:
                    yield Hit(
                        resource=resource,
                        message=(
                            f"Container {c.name} depends on {dep.container_name!r}, which is not a container of "
                            f"{td.label} (containers: {', '.join(sorted(names))})."
                        ),
                        cause="invalid-task-definition",
                        confidence=0.95,
                        evidence=(EvidenceRef(resource, f"{dep.pointer}/containerName", dep.container_name),),
                        fix=Fix(
                            summary=f"Point dependsOn of {c.name} at an existing container.",
                            steps=(f"Use one of: {', '.join(sorted(names - {c.name})) or '(none)'}.",),
                            docs=(DOCS,),
                            risk="safe",
                        ),
                        pointer=f"{dep.pointer}/containerName",
                        signature="taskdef.depends-on-missing",
                    )
                    continue
                if dep.condition.upper() != "HEALTHY" or target.health_check is not None:
                    continue
                if present(target.raw, "healthCheck"):
                    continue  # set, but unknown
                yield Hit(
                    resource=resource,
                    message=(
                        f"Container {c.name} waits for {target.name} to be HEALTHY, but {target.name} has no "
                        "healthCheck: it never becomes healthy and the task stops."
                    ),
                    cause="container-dependency",
                    confidence=0.95,
                    evidence=(
                        EvidenceRef(resource, f"{dep.pointer}/condition", dep.condition),
                        EvidenceRef(resource, f"{target.pointer}/healthCheck", None, note="not set"),
                    ),
                    fix=Fix(
                        summary=f"Add a healthCheck to {target.name}, or depend on it with condition START.",
                        snippet={
                            "name": target.name,
                            "healthCheck": {
                                "command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
                                "interval": 15,
                                "timeout": 5,
                                "retries": 3,
                                "startPeriod": 60,
                            },
                        },
                        snippet_title=f"containerDefinitions[{target.name}] (adapt the command)",
                        docs=(DOCS,),
                        risk="review",
                    ),
                    pointer=f"{dep.pointer}/condition",
                    signature="taskdef.depends-on-healthy-no-check",
                )
