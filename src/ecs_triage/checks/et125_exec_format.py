"""The container's program cannot run on the task's CPU architecture (exec format error).

What it detects:
    A stopped task's container reason, stop reason or log tail says `exec format error`. The check then
    compares the image's platforms (from the ECR manifest, when collected) with the task definition's
    `runtimePlatform.cpuArchitecture` (X86_64 when unset): when the image has no manifest for that
    architecture the cause is image-platform-mismatch; when it does, the binary or script itself is
    broken (a script without a `#!` line, a binary for another OS) and the cause is exec-format.

Why it happens:
    Almost always an image built on an ARM machine (Apple silicon, Graviton) and run on X86_64 Fargate,
    or the reverse. Otherwise an entrypoint script without a shebang or saved with Windows line endings.

How to fix:
    Build for the task's architecture (`docker buildx build --platform linux/amd64` or a multi-platform
    image `--platform linux/amd64,linux/arm64`), or set `runtimePlatform.cpuArchitecture` to the
    architecture the image was built for. For scripts, add `#!/bin/sh` and LF line endings.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#runtime-platform
    - https://docs.docker.com/build/building/multi-platform/
"""

from __future__ import annotations

import re

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator
from ecs_triage.evidence.infra import log_stream_for

CHECK = Check(
    id="ET125",
    slug="exec-format",
    title="The container's program cannot run on the task's CPU architecture",
    category="task",
    severity="error",
    requires=("tasks", "task_definitions"),
    reads=("log_events", "ecr_images"),
)

_EXEC_FORMAT = re.compile(r"exec format error", re.I)
_ARCH = {"X86_64": "amd64", "ARM64": "arm64"}


def _platforms(ev: Evidence, image: str | None) -> list[str] | None:
    for item in ev.raw.get("ecr_images", []) or []:
        if isinstance(item, dict) and item.get("image") == image and isinstance(item.get("platforms"), list):
            return [str(p.get("architecture")) for p in item["platforms"] if isinstance(p, dict)]
    return None


def evaluate(ev: Evidence) -> Iterator[Hit]:
    seen: set[tuple[str, str]] = set()
    for task in ev.stopped_tasks:
        td = ev.task_definition(task.task_definition_arn)
        for c in task.containers:
            texts = [(task.arn, f"{c.pointer}/reason", c.reason), (task.arn, "/stoppedReason", task.stopped_reason)]
            stream = log_stream_for(ev, task, c.name) if ev.has("log_events") else None
            texts += [(stream.resource, e.pointer, e.message) for e in stream.events[-5:]] if stream else []
            found = next(((r, p, t) for r, p, t in texts if t and _EXEC_FORMAT.search(t)), None)
            if found is None or (task.task_definition_arn, c.name) in seen:
                continue
            seen.add((task.task_definition_arn, c.name))
            arch = str((td.runtime_platform or {}).get("cpuArchitecture") or "X86_64") if td else "X86_64"
            want = _ARCH.get(arch.upper(), arch.lower())
            cd = td.container(c.name) if td else None
            platforms = _platforms(ev, cd.image if cd is not None else c.image)
            evidence = [EvidenceRef(found[0], found[1], found[2])]
            if td is not None:
                evidence.append(
                    EvidenceRef(td.label, "/runtimePlatform", dict(td.runtime_platform or {}), note=f"runs on {arch}")
                )
            if platforms is not None and want in platforms:
                cause, confidence = "exec-format", 0.75
                message = (
                    f"Container {c.name} failed with exec format error although image {cd.image if cd else c.image} has a {want} manifest: "
                    "the entrypoint is a script without a #! line (or with CRLF endings) or a binary for another OS"
                )
            else:
                cause = "image-platform-mismatch"
                confidence = 0.95 if platforms is not None else 0.8
                have = (
                    f"the image has only {', '.join(platforms) or 'no'} manifests"
                    if platforms is not None
                    else "the image's platforms were not collected"
                )
                message = (
                    f"Container {c.name} failed with exec format error: the task runs on {arch} ({want}) and {have}"
                )
                if platforms is not None:
                    evidence.append(EvidenceRef(f"ecr image {c.image}", "/platforms", platforms))
            other = "ARM64" if arch.upper() == "X86_64" else "X86_64"
            yield Hit(
                resource=task.arn,
                message=message,
                cause=cause,
                confidence=confidence,
                evidence=tuple(evidence),
                fix=Fix(
                    summary=f"Build {c.image or 'the image'} for linux/{want}, or run the task on the image's architecture",
                    steps=(
                        f"Rebuild and push for the task's architecture: docker buildx build --platform linux/{want} -t {c.image or '<image>'} --push .",
                        f"Or set runtimePlatform.cpuArchitecture to {other} in {td.family if td else 'the task definition'} if the image is built for it.",
                        "If the entrypoint is a script: start it with #!/bin/sh and save it with LF line endings.",
                    ),
                    snippet={"runtimePlatform": {"cpuArchitecture": other, "operatingSystemFamily": "LINUX"}}
                    if cause == "image-platform-mismatch"
                    else None,
                    snippet_title="alternative: task-definition patch" if cause == "image-platform-mismatch" else "",
                    risk="review",
                ),
                signature=f"exec.format:{cause}",
            )
