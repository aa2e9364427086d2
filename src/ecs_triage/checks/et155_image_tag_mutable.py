"""A container image uses the `latest` tag or no tag at all.

What it detects:
    A container `image` with no tag and no digest (which means `latest`) or with the tag `latest`.
    Template placeholders (`${IMAGE}`, `{{ image }}`) and unknown values are ignored.

Why it happens:
    `latest` is whatever was pushed last: two tasks of the same revision can run different code, a
    rollback does not roll back, and many ECR repositories (with immutable tags or CI that pushes only
    versioned tags) have no `latest` at all, so the pull fails with `CannotPullContainerError ...
    not found`.

How to fix:
    Pin an immutable tag (a version or the commit SHA) or a digest (`repo@sha256:...`), and enable tag
    immutability on the ECR repository.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-considerations.html
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
"""

from __future__ import annotations

import re

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence.access import parse_image
from ecs_triage.evidence.lintview import taskdef_resource

CHECK = Check(
    id="ET155",
    slug="image-tag-mutable",
    title="Image uses the latest tag or no tag",
    category="task",
    severity="warning",
    requires=("task_definitions",),
    modes=("lint",),
)

DOCS = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"
_TEMPLATED = re.compile(r"\$\{|\{\{|<[A-Za-z0-9_.-]+>|#\{|%\(")


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for td in ev.task_definitions.values():
        resource = taskdef_resource(td)
        for c in td.containers:
            if not c.image or _TEMPLATED.search(c.image):
                continue
            image = parse_image(c.image)
            if image is None or image.digest or (image.tag and image.tag != "latest"):
                continue
            what = "the tag latest" if image.tag else "no tag (so latest)"
            commands: tuple[str, ...] = ()
            if image.is_ecr:
                commands = (
                    aws_cli(
                        "ecr",
                        "describe-images",
                        repository_name=image.repository,
                        registry_id=image.ecr_account,
                        region=image.ecr_region,
                        query="sort_by(imageDetails,&imagePushedAt)[-1].[imageTags,imageDigest]",
                    ),
                )
            base = c.image.split("@", 1)[0]
            if image.tag:
                base = base[: -len(":latest")]
            yield Hit(
                resource=resource,
                message=f"Container {c.name}: image {c.image} uses {what}; the running code is not pinned.",
                cause="image-not-found",
                confidence=0.4,
                evidence=(EvidenceRef(resource, f"{c.pointer}/image", c.image),),
                fix=Fix(
                    summary=f"Pin {base} to an immutable tag or a digest.",
                    steps=(
                        "Tag images with a version or the commit SHA in CI and use that tag here, "
                        f"or pin the digest: {base}@sha256:<digest>.",
                        "Enable tag immutability on the repository.",
                    ),
                    commands=commands,
                    docs=(DOCS,),
                    risk="safe",
                ),
                pointer=f"{c.pointer}/image",
                signature="image.mutable-tag",
            )
