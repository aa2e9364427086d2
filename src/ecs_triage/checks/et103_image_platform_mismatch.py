"""The image has no build for the task's CPU architecture or operating system.

What it detects:
    For each container whose image is in Amazon ECR, the platforms of the image's manifest (or of each
    manifest of an image index) are compared with the platform the task runs on: the task definition's
    `runtimePlatform` (`cpuArchitecture` X86_64 or ARM64, `operatingSystemFamily`; when unset, Linux on
    X86_64), or, on EC2 without `runtimePlatform`, the `ecs.cpu-architecture` attribute of the cluster's
    container instances. An image built only for `linux/arm64` on an X86_64 task (or the reverse) is
    reported. `CannotPullContainerError: ... does not contain descriptor matching platform` or an
    `exec format error` in a stopped task is the hypothesis the manifest confirms; without a stopped task
    the manifest alone is reported, with a lower confidence.

Why it happens:
    The image was built on an Apple silicon laptop or an ARM build agent (linux/arm64) and deployed to
    X86_64 Fargate, or the task was switched to Graviton (ARM64) while the pipeline still builds amd64
    only; a Windows image runs on a Linux task.

How to fix:
    Build the image for the task's platform (`docker buildx build --platform linux/amd64 ...`, or a
    multi-platform image for both), push it, and redeploy; or, when the image is right, set the task
    definition's `runtimePlatform.cpuArchitecture` to the image's architecture.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#runtime-platform
    - https://docs.docker.com/build/building/multi-platform/
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET103",
    slug="image-platform-mismatch",
    title="The image has no build for the task's CPU architecture",
    category="task",
    severity="error",
    requires=("task_definitions", "ecr_images"),
    reads=("container_instances", "tasks", "services"),
)

_ARCH = {"X86_64": "amd64", "ARM64": "arm64", "x86_64": "amd64", "arm64": "arm64", "aarch64": "arm64"}
_ECS_ARCH = {"amd64": "X86_64", "arm64": "ARM64"}


def _wanted(ev: Evidence, subj: sx.Subject) -> tuple[str, str, str]:
    """(os, architecture, where it comes from)."""
    rp = subj.td.runtime_platform or {}
    family = str(rp.get("operatingSystemFamily") or "LINUX")
    os_name = "windows" if family.upper().startswith("WINDOWS") else "linux"
    arch_raw = rp.get("cpuArchitecture")
    if arch_raw:
        return os_name, _ARCH.get(str(arch_raw), str(arch_raw).lower()), "/runtimePlatform/cpuArchitecture"
    if not subj.fargate:
        archs = {ci.attributes.get("ecs.cpu-architecture") for ci in ev.container_instances} - {None}
        if len(archs) == 1:
            arch = str(archs.pop())
            return os_name, _ARCH.get(arch, arch), "container instances' ecs.cpu-architecture"
    return os_name, "amd64", "default (no runtimePlatform: X86_64)"


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for subj in sx.subjects(ev):
        hyps = sx.hypotheses(ev, subj, {"image-platform-mismatch", "exec-format"})
        os_name, arch, source = _wanted(ev, subj)
        for cd in subj.td.containers:
            img = access.parse_image(cd.image)
            view = access.image(ev, cd.image)
            if img is None or view is None or not view.found or not view.platforms:
                continue
            real = [p for p in view.platforms if p.architecture not in ("", "unknown")]
            if not real or any(p.os == os_name and p.architecture == arch for p in real):
                continue
            have = ", ".join(sorted({str(p) for p in real}))
            matched = sx.about(hyps, img.text, container=cd.name)
            evidence = [h.evidence for h in matched[:2]]
            evidence.append(sx.item_ref("ecr_images", view, "platforms", f"the image is built for {have}"))
            if source.startswith("/"):
                evidence.append(sx.td_ref(subj.td, source, (subj.td.runtime_platform or {}).get("cpuArchitecture")))
            else:
                evidence.append(sx.td_ref(subj.td, "/runtimePlatform", subj.td.runtime_platform, source))
            other = real[0].architecture
            yield Hit(
                resource=subj.td.arn,
                message=(
                    f"Container {cd.name} ({subj.name}) runs on {os_name}/{arch} ({source}), but {img.text} "
                    f"is built only for {have}"
                ),
                cause="image-platform-mismatch",
                confidence=sx.CONFIRMED if matched else sx.CONFIG_STRONG,
                evidence=sx.refs(evidence, EvidenceRef),
                fix=_fix(subj, img, os_name, arch, other),
                signature="pull.platform-mismatch",
                pointer=f"{cd.pointer}/image",
            )


def _fix(subj: sx.Subject, img: access.ImageRef, os_name: str, arch: str, other: str) -> Fix:
    steps = [
        f"Rebuild {img.text} for {os_name}/{arch} (or for both platforms): docker buildx build "
        f"--platform {os_name}/{arch},{os_name}/{other} -t {img.text} --push .",
        "Redeploy the service (force a new deployment) so tasks pull the new manifest.",
    ]
    snippet = None
    if subj.fargate and other in _ECS_ARCH and os_name == "linux":
        steps.append(
            f"Or, if {other} is intended, register a new revision of {subj.td.family} with the runtimePlatform below."
        )
        snippet = {"runtimePlatform": {"cpuArchitecture": _ECS_ARCH[other], "operatingSystemFamily": "LINUX"}}
    commands: tuple[str, ...] = ()
    if img.is_ecr:
        commands = (
            aws_cli(
                "ecr",
                "describe-images",
                repository_name=img.repository,
                registry_id=img.ecr_account,
                image_ids=f"imageTag={img.tag}" if img.tag else f"imageDigest={img.digest}",
                region=img.ecr_region,
            ),
        )
    return Fix(
        summary=f"Build {img.text} for {os_name}/{arch}, the platform of {subj.td.family}",
        steps=tuple(steps),
        commands=commands,
        snippet=snippet,
        snippet_title=f"Task definition patch for {subj.td.family}" if snippet else "",
        docs=("https://docs.docker.com/build/building/multi-platform/",),
    )
