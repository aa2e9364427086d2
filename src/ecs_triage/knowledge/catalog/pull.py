"""Image pull: auth, missing image, network path, platform, rate limit."""

from __future__ import annotations

from ecs_triage.knowledge import fixtemplates as fx
from ecs_triage.knowledge.model import Signature

PULL = (
    "cannotpullcontainer",
    "pull",
    "manifest",
    "registry",
    "docker.io",
    ".dkr.ecr.",
    "ecr",
    "image",
    "failed to resolve ref",
    "failed to copy",
)

EARLY: tuple[Signature, ...] = (
    Signature(
        id="pull.rate-limited",
        cause="registry-rate-limit",
        summary="The registry throttled the image pull (pull rate limit)",
        explanation="Docker Hub and other registries limit anonymous and free pulls per IP or account. Fargate "
        "tasks behind one NAT gateway share an address, so a deployment can exhaust the limit at once.",
        any_of=("toomanyrequests", "too many requests", "pull rate limit", "rate limit exceeded", "429 "),
        none_of=("logs.", "cloudwatch", "log stream", "log group", "throttlingexception", "secretsmanager", "ssm"),
        confidence=0.95,
        decide=("the image's registry: Docker Hub and other public registries rate-limit; ECR rarely does",),
        fix=fx.RATE_LIMIT,
        examples=("CannotPullContainerError: httpReadSeeker: failed open: 429 Too Many Requests - toomanyrequests",),
    ),
    Signature(
        id="pull.platform.no-descriptor",
        cause="image-platform-mismatch",
        summary="The image has no manifest for the task's OS/CPU architecture",
        explanation="The image index lists platforms; none matches the task's runtimePlatform (for example an "
        "arm64-only image on an X86_64 task, or a Windows image on Linux).",
        any_of=(
            "operating system does not match",
            "descriptor for the task's platform",
            "descriptor matching platform",
            "descriptor for platform",
            "no matching manifest for",
            "does not match the specified platform",
            "does not match the expected platform",
            "image platform",
            "platform mismatch",
            "image operating system",
        ),
        confidence=0.95,
        decide=("the image index's platforms vs the task definition's runtimePlatform",),
        fix=fx.PLATFORM,
    ),
)

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        id="pull.not-found.repo-or-auth",
        cause="image-not-found",
        summary="The image reference does not exist (Docker Hub answers 'pull access denied' for unknown names)",
        explanation="A public registry says 'repository does not exist or may require authorization' for a name "
        "it does not know; most often the image URI lost its registry prefix (it resolved to docker.io/library/...) "
        "or has a typo. It can also be a private repository pulled without credentials.",
        any_of=(
            "repository does not exist or may require",
            "does not exist or may require 'docker login'",
            "does not exist or may require docker login",
            "pull access denied",
        ),
        none_of=("not authorized to perform", "403", "accessdenied", "is not authorized"),
        confidence=0.6,
        decide=(
            "does the image URI carry the full registry host (an ECR URI)?",
            "does the repository exist, and is it private (then repositoryCredentials are needed)?",
        ),
        fix=fx.IMAGE_NOT_FOUND,
    ),
    Signature(
        id="pull.ecr.access-denied",
        cause="image-pull-auth",
        summary="The pulling identity may not pull the image (403 / not authorized)",
        explanation="On Fargate the task execution role pulls the image; on EC2 without an execution role the "
        "instance role does. It needs ecr:GetAuthorizationToken and ecr:BatchGetImage/GetDownloadUrlForLayer, and "
        "the repository policy (and, cross-account, the other account) must allow it.",
        context=PULL,
        any_of=(
            "role has the permissions",
            "check that the role",
            "permissions to pull",
            "403",
            "forbidden",
            "not authorized to perform: ecr",
            "not authorized to perform ecr",
            "no basic auth credentials",
            "401 unauthorized",
            "unauthorized: ",
            "authentication required",
            "access denied",
            "accessdenied",
            "denied: ",
            "insufficient_scope",
            "status: unauthorized",
            "requested access to the resource is denied",
        ),
        none_of=("secretsmanager", "ssm:", "kms", "logs:", "log group", "log stream"),
        confidence=0.9,
        decide=(
            "the execution role's ECR permissions (ecr:GetAuthorizationToken, ecr:BatchGetImage, "
            "ecr:GetDownloadUrlForLayer)",
            "the repository policy",
            "a cross-account or private-registry pull",
        ),
        fix=fx.PULL_AUTH,
    ),
    Signature(
        id="pull.not-found",
        cause="image-not-found",
        summary="The repository or the tag/digest does not exist",
        explanation="The registry answered that the manifest or repository is unknown: the tag was never pushed "
        "(or was deleted by a lifecycle policy), the repository name, account or Region in the URI is wrong.",
        context=PULL,
        any_of=(
            "image doesn't exist",
            "image does not exist",
            "check whether the image exists",
            "manifest unknown",
            "not found",
            "(404)",
            " 404",
            "repository does not exist",
            "does not exist in the registry",
            "name unknown",
            "invalid reference format",
            "no such image",
            "repositorynotfound",
            "imagenotfound",
            "unable to find image",
        ),
        none_of=("executable file not found", "secret", "ssm", "log group"),
        confidence=0.9,
        decide=("aws ecr describe-images for the exact tag in the task's Region and account",),
        fix=fx.IMAGE_NOT_FOUND,
    ),
    Signature(
        id="pull.network.timeout",
        cause="image-pull-network",
        summary="No network path from the task to the registry (or to S3 for the layers)",
        explanation="The pull timed out: the task's subnet has no route to the internet (public IP + internet "
        "gateway, or a NAT gateway) nor the VPC endpoints ECR needs (ecr.api, ecr.dkr and the S3 gateway endpoint "
        "for layers), or a security group/NACL blocks HTTPS, or DNS resolution is off.",
        context=PULL,
        any_of=(
            "check your network configuration",
            "check your task network",
            "i/o timeout",
            "context deadline exceeded",
            "context canceled",
            "request canceled",
            "client.timeout",
            "timeout exceeded",
            "tls handshake timeout",
            "dial tcp",
            "no such host",
            "connection reset",
            "connection refused",
            "network is unreachable",
            "starport-layer-bucket",
            "s3.amazonaws.com",
            "connection issue",
            "network configuration",
            "timed out",
            "eof",
        ),
        confidence=0.85,
        decide=(
            "the subnet's route table (internet gateway + public IP, or NAT), VPC endpoints for ecr.api, ecr.dkr "
            "and S3, security-group egress on 443",
        ),
        fix=fx.ECR_NETWORK,
    ),
    Signature(
        id="pull.registry-refused",
        cause="image-pull-auth",
        summary="The registry refused the pull without saying why (an unexpected status code)",
        explanation="The pull failed with an unexpected HTTP status and no detail (often the message was cut). "
        "Most often the registry refused the credentials (403/401); a 404 or 429 would say otherwise.",
        context=PULL,
        any_of=("unexpected status code", "failed open", "httpreaderseeker", "httpreadseeker"),
        confidence=0.45,
        decide=(
            "the full status code in the container's reason (403/401 auth, 404 missing, 429 rate limit)",
            "the execution role's ECR permissions",
        ),
        fix=fx.PULL_AUTH,
    ),
    Signature(
        id="pull.generic",
        cause="image-pull-network",
        summary="The image could not be pulled; the message does not say why",
        explanation="A bare CannotPullContainerError: on Fargate in private subnets the most common reason is "
        "no network path to the registry, but auth and missing tags give the same prefix when the detail is cut.",
        any_of=("cannotpullcontainer", "error pulling image", "failed to pull image", "pull image manifest"),
        confidence=0.35,
        decide=(
            "the rest of the container's reason (status code, timeout)",
            "the subnet's route to ECR",
            "the execution role's ECR permissions",
            "whether the tag exists",
        ),
        fix=fx.ECR_NETWORK,
    ),
)

__all__ = ["EARLY", "PULL", "SIGNATURES"]
