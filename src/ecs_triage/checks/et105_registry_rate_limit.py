"""Docker Hub (or another registry) throttled the image pull.

What it detects:
    A stopped task whose pull failed with `toomanyrequests` / `429 Too Many Requests` / "You have reached
    your pull rate limit", for a container whose image comes from Docker Hub (or from the registry the
    message names). The finding says whether the pulls are anonymous (no `repositoryCredentials`), which
    have the lowest limit and, behind a NAT gateway, share one public IP across every task.
    A rate limit is transient and leaves no trace in the configuration: without a stopped task that says
    it (ECS forgets them after about an hour) there is nothing to confirm, and the check reports nothing.

Why it happens:
    Anonymous Docker Hub pulls are limited per source IP address; every task behind the same NAT gateway
    (or Fargate public IP pool) counts against it. Deployments that start many tasks at once, or tasks
    that keep restarting, exhaust it quickly.

How to fix:
    Pull through Amazon ECR instead: create an ECR pull-through cache rule for Docker Hub (it needs Docker
    Hub credentials in a Secrets Manager secret named `ecr-pullthroughcache/...`) and change the image to
    the cached URI; or copy the image into your own ECR repository; or at least authenticate the pulls
    with `repositoryCredentials`, which raises the limit.

References:
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html
    - https://docs.docker.com/docker-hub/usage/
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli
from ecs_triage.evidence import access
from ecs_triage.iam import support as sx

CHECK = Check(
    id="ET105",
    slug="registry-rate-limit",
    title="The registry throttled the image pull (rate limit)",
    category="task",
    severity="error",
    requires=("task_definitions", "tasks"),
    reads=("services",),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    for subj in sx.subjects(ev):
        hyps = sx.hypotheses(ev, subj, {"registry-rate-limit"})
        if not hyps:
            continue
        for cd in subj.td.containers:
            img = access.parse_image(cd.image)
            if img is None or img.is_ecr:
                continue
            named = [h for h in hyps if img.repository in h.text or img.text in h.text]
            host_named = [h for h in hyps if img.registry in h.text or (img.is_docker_hub and "docker" in h.text)]
            matched = named or host_named or [h for h in hyps if h.container == cd.name]
            if not matched:
                continue
            anonymous = not cd.repository_credentials
            yield Hit(
                resource=subj.td.arn,
                message=(
                    f"Pulls of {img.text} for container {cd.name} ({subj.name}) were throttled by "
                    f"{'Docker Hub' if img.is_docker_hub else img.registry} ({len(matched)} message(s))"
                    + (
                        "; the pulls are anonymous (no repositoryCredentials), which has the lowest limit"
                        if anonymous
                        else ""
                    )
                ),
                cause="registry-rate-limit",
                confidence=sx.CONFIRMED if named or host_named else 0.85,
                evidence=sx.refs(
                    (
                        *(h.evidence for h in matched[:2]),
                        sx.td_ref(subj.td, f"{cd.pointer}/image", img.text),
                    ),
                    EvidenceRef,
                ),
                fix=_fix(ev, subj.td.family, cd.name, img, subj.td.execution_role_arn),
                signature="pull.rate-limited",
                pointer=f"{cd.pointer}/image",
            )


def _fix(ev: Evidence, family: str, container: str, img: access.ImageRef, role: str | None) -> Fix:
    region = ev.region or "us-east-1"
    account = ev.account or ""
    if img.is_docker_hub:
        domain = "amazonaws.com.cn" if access.partition_of(region) == "aws-cn" else "amazonaws.com"
        cached = f"{account}.dkr.ecr.{region}.{domain}/docker-hub/{img.repository}:{img.tag or 'latest'}"
        secret = f"arn:{access.partition_of(region)}:secretsmanager:{region}:{account}:secret:ecr-pullthroughcache/docker-hub"
        steps = [
            "Store a Docker Hub user name and access token in a Secrets Manager secret named "
            "ecr-pullthroughcache/docker-hub (the prefix is required).",
            "Create the ECR pull-through cache rule for Docker Hub (first command).",
            f"Register a new revision of {family} with container {container} using {cached}.",
        ]
        if role:
            steps.append(
                f"The first pull creates the cached repository: allow {access.role_name_of(role)} "
                "ecr:CreateRepository and ecr:BatchImportUpstreamImage on "
                f"arn:{access.partition_of(region)}:ecr:{region}:{account}:repository/docker-hub/*."
            )
        return Fix(
            summary=f"Pull {img.text} through an ECR pull-through cache ({cached})",
            steps=tuple(steps),
            commands=(
                aws_cli(
                    "ecr",
                    "create-pull-through-cache-rule",
                    ecr_repository_prefix="docker-hub",
                    upstream_registry_url="registry-1.docker.io",
                    credential_arn=secret,
                    region=region,
                ),
            ),
            snippet={"image": cached},
            snippet_title=f"Container definition patch for {container}",
            docs=("https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html",),
        )
    return Fix(
        summary=f"Mirror {img.text} into Amazon ECR or authenticate the pulls from {img.registry}",
        steps=(
            f"Copy {img.text} into an ECR repository in {account} ({region}) and point container {container} at it, "
            "or add repositoryCredentials for the registry to raise its limit.",
        ),
        commands=(aws_cli("ecr", "create-repository", repository_name=img.repository, region=region),),
        docs=("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html",),
    )
