"""The container's command or entrypoint cannot be executed.

What it detects:
    A stopped task's container reason, stop reason or log tail says `executable file not found in
    $PATH`, `no such file or directory` for the program started, or `permission denied` when starting it,
    or the container exited with 126 (not executable) or 127 (not found) and its log tail says so. The
    finding shows the task definition's `entryPoint` and `command`, and spots the classic mistake of a
    whole command line written as one array element (`["node index.js"]`), which Docker runs as a
    single program name containing spaces.

Why it happens:
    The program is not in the image (a slim base image, a build stage that did not copy it), it is not on
    `PATH`, the file is not executable (`chmod +x` missing), the command array is malformed, or the
    task definition's `command` overrides an image `ENTRYPOINT` that expected arguments only.

How to fix:
    Write `entryPoint`/`command` as one array element per argument, use the absolute path of a program
    that exists in the image, make scripts executable in the Dockerfile, and test with
    `docker run --entrypoint` on the same image.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_environment
    - https://docs.docker.com/reference/dockerfile/#entrypoint
"""

from __future__ import annotations

import json
import re

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.infra import clip, log_stream_for

CHECK = Check(
    id="ET124",
    slug="entrypoint-not-found",
    title="The container's command or entrypoint cannot be executed",
    category="task",
    severity="error",
    requires=("tasks", "task_definitions"),
    reads=("log_events",),
)

_NOT_FOUND = re.compile(
    r'exec(?:: |\s+)"?([^":]+?)"?: (?:stat \S+: )?'
    r"(executable file not found in \$?PATH|no such file or directory|permission denied)"
    r"|executable file not found in \$?PATH|exec .*: permission denied",
    re.I,
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    seen: set[tuple[str, str]] = set()
    for task in ev.stopped_tasks:
        td = ev.task_definition(task.task_definition_arn)
        for c in task.containers:
            texts = [(task.arn, f"{c.pointer}/reason", c.reason), (task.arn, "/stoppedReason", task.stopped_reason)]
            stream = log_stream_for(ev, task, c.name) if ev.has("log_events") else None
            if stream is not None and c.exit_code in (126, 127):
                texts += [(stream.resource, e.pointer, e.message) for e in stream.events[-5:]]
            found = next(((r, p, t, m) for r, p, t in texts if t for m in [_NOT_FOUND.search(t)] if m), None)
            if found is None:
                continue
            resource, pointer, text, m = found
            if (task.task_definition_arn, c.name) in seen:
                continue
            seen.add((task.task_definition_arn, c.name))
            program = m.group(1).strip() if m.group(1) else None
            cd = td.container(c.name) if td else None
            evidence = [EvidenceRef(resource, pointer, text)]
            detail = ""
            snippet = None
            if cd is not None:
                evidence.append(
                    EvidenceRef(td.label if td else "", f"{cd.pointer}/entryPoint", list(cd.entry_point or []))
                )
                evidence.append(EvidenceRef(td.label if td else "", f"{cd.pointer}/command", list(cd.command or [])))
                detail = f"; entryPoint {json.dumps(list(cd.entry_point or []))}, command {json.dumps(list(cd.command or []))}"
                for field, value in (("entryPoint", cd.entry_point), ("command", cd.command)):
                    if value and " " in value[0] and not value[0].startswith(("sh ", "/bin/sh")) and len(value) == 1:
                        detail += f"; {field} holds a whole command line in one element: Docker looks for a program named {value[0]!r}"
                        snippet = {"containerDefinitions": [{"name": c.name, field: value[0].split()}]}
            what = f"program {program!r}" if program else "its program"
            yield Hit(
                resource=task.arn,
                message=f"Container {c.name} could not start {what}: {clip(text, 200)}{detail}",
                cause="entrypoint-not-found",
                confidence=0.95 if snippet or program else 0.85,
                evidence=tuple(evidence),
                fix=Fix(
                    summary=f"Make the entrypoint/command of {c.name} name a program that exists and is executable in {c.image or 'the image'}",
                    steps=(
                        "Write entryPoint and command as one array element per argument.",
                        f"Check the program exists in the image: docker run --rm --entrypoint sh {c.image or '<image>'} -c 'command -v {(program or 'PROGRAM').split()[0]}'",
                        "Make scripts executable (RUN chmod +x ...) and give them a shebang line.",
                    ),
                    snippet=snippet,
                    snippet_title=f"task-definition patch for {td.family}" if snippet and td else "",
                    risk="review",
                ),
                signature="exec.not-found",
            )
