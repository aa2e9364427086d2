"""The image tag, digest or repository the task definition names does not exist in ECR.

What it detects:
    For each container whose image is in a private Amazon ECR registry, ecs-triage asked ECR for the
    exact tag or digest (`DescribeImages`/`BatchGetImage`) and for the repository. The check reports an
    image whose repository does not exist, or whose tag or digest is not in the repository
    (`ImageNotFound`, `ImageTagDoesNotMatchDigest`). A `CannotPullContainerError ... not found` /
    `manifest unknown` in a stopped task is the hypothesis the registry confirms; without a stopped task
    the registry's answer alone is reported, with a lower confidence. When ecs-triage was not allowed to
    look (AccessDenied), it says nothing rather than claiming the image is missing.

Why it happens:
    The pipeline registered the task definition before (or without) pushing the tag; a lifecycle policy
    expired the image; the tag is mistyped, or the URI points to another account or Region; the
    repository was deleted or never created.

How to fix:
    Push the image with that tag to the repository (or point the task definition at a tag that exists),
    then start the task again. The finding prints the commands that list the tags that are there.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-push-ecr-image.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET102",
    slug="image-not-found",
    title="The image tag or repository does not exist in ECR",
    category="task",
    severity="error",
    requires=("task_definitions", "ecr_images"),
    reads=("ecr_repositories", "tasks", "services"),
)

_REPO_MISSING = {"RepositoryNotFoundException"}
_IMAGE_MISSING = {"ImageNotFound", "ImageNotFoundException", "ImageTagDoesNotMatchDigest", "MissingDigestAndTag"}


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for subj in sx.subjects(ev):
        hyps = sx.hypotheses(ev, subj, {"image-not-found"})
        seen: set[str] = set()
        for cd in subj.td.containers:
            img = access.parse_image(cd.image)
            if img is None or not img.is_ecr or img.text in seen:
                continue
            seen.add(img.text)
            repo = access.repository(ev, img.repository, img.ecr_account)
            view = access.image(ev, img.text)
            repo_missing = repo is not None and not repo.found and not access.is_access_denied(repo.error_code)
            if view is not None and access.is_access_denied(view.error_code):
                continue
            if repo is not None and access.is_access_denied(repo.error_code):
                repo_missing = False
            if view is not None and (view.error_code in _REPO_MISSING or view.failure_code in _REPO_MISSING):
                repo_missing = True
            image_missing = (
                view is not None
                and not view.found
                and (view.failure_code in _IMAGE_MISSING or view.error_code in _IMAGE_MISSING or not view.error_code)
            )
            if not repo_missing and not image_missing:
                continue
            matched = sx.about(hyps, img.text, img.repository, container=cd.name)
            evidence = [h.evidence for h in matched[:2]]
            evidence.append(sx.td_ref(subj.td, f"{cd.pointer}/image", img.text))
            repo_arn = img.repository_arn() or ""
            if repo_missing:
                what = f"repository {img.repository} does not exist in account {img.ecr_account} ({img.ecr_region})"
                if repo is not None:
                    evidence.append(sx.item_ref("ecr_repositories", repo, "found"))
                if view is not None:
                    evidence.append(sx.item_ref("ecr_images", view, "error_code" if view.error_code else "found"))
            else:
                assert view is not None
                why = f" ({view.failure_code}: {view.failure_reason})" if view.failure_code else ""
                what = f"{'digest' if img.digest else 'tag'} {img.reference} is not in repository {repo_arn}{why}"
                evidence.append(sx.item_ref("ecr_images", view, "failure" if view.failure_code else "found"))
            yield Hit(
                resource=repo_arn,
                message=f"Container {cd.name} ({subj.name}) uses {img.text}, but the {what}",
                cause="image-not-found",
                confidence=sx.CONFIRMED if matched else sx.CONFIG_STRONG,
                evidence=sx.refs(evidence, EvidenceRef),
                fix=_fix(img, repo_missing, subj.td.family, cd.name),
                signature="pull.ecr.repository-missing" if repo_missing else "pull.ecr.tag-missing",
                pointer=f"{cd.pointer}/image",
            )


def _fix(img: access.ImageRef, repo_missing: bool, family: str, container: str) -> Fix:
    registry = img.registry
    target = f"{registry}/{img.repository}:{img.tag or 'latest'}"
    push = (
        f"Log in to {registry} (aws ecr get-login-password --region {img.ecr_region} piped to docker login "
        f"--username AWS --password-stdin {registry}) and docker push {target}.",
    )
    if repo_missing:
        return Fix(
            summary=f"Create repository {img.repository} in {img.ecr_account} ({img.ecr_region}) and push the image, or fix the image URI",
            steps=(
                f"Check the image URI of container {container} in task definition {family}: account, Region and name.",
                f"If it is right, create the repository {img.repository} (second command).",
                *push,
            ),
            commands=(
                aws_cli("ecr", "describe-repositories", registry_id=img.ecr_account, region=img.ecr_region),
                aws_cli("ecr", "create-repository", repository_name=img.repository, region=img.ecr_region),
            ),
            docs=("https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-create.html",),
        )
    return Fix(
        summary=f"Push {img.reference} to {img.repository} or point container {container} at a tag that exists",
        steps=(
            f"List the tags in {img.repository} (first command).",
            f"Push the missing {'digest' if img.digest else 'tag'} {img.reference}, or register a new revision of "
            f"{family} whose container {container} uses an existing tag, then redeploy.",
            *push,
        ),
        commands=(
            aws_cli(
                "ecr",
                "list-images",
                repository_name=img.repository,
                registry_id=img.ecr_account,
                region=img.ecr_region,
            ),
        ),
        docs=("https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-push-ecr-image.html",),
        risk="safe",
    )
