"""ECR: repository, the exact tag or digest, manifest platforms, repository policy."""

from __future__ import annotations

import json
from typing import Any

from ecs_triage.collect.session import AwsSession, Sink
from ecs_triage.evidence import refs

MANIFEST_TYPES = [
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v1+json",
]
_INDEX_TYPES = {
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
}


def parse_image(image: str) -> dict[str, str] | None:
    """`123.dkr.ecr.us-east-1.amazonaws.com/repo:tag` -> the ECR API's parts; None for images not in private
    ECR. The parsing itself is `evidence.refs.parse_image` (shared with the evidence views)."""
    ref = refs.parse_image(image)
    if ref is None or not ref.is_ecr or ref.account is None or ref.region is None:
        return None
    out = {"registryId": ref.account, "region": ref.region, "repositoryName": ref.repository}
    if ref.digest:
        out["imageDigest"] = ref.digest
    else:
        out["imageTag"] = ref.tag or "latest"
    return out


def repository_arn(ref: dict[str, str]) -> str:
    """`arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME` (the partition follows the region)."""
    partition = refs.partition_of(ref["region"])
    return f"arn:{partition}:ecr:{ref['region']}:{ref['registryId']}:repository/{ref['repositoryName']}"


def platforms(manifest_text: str | None, media_type: str | None) -> list[dict[str, Any]] | None:
    """Platforms of an index manifest; None when the manifest is single-platform (its platform sits in
    the config blob, which a read-only describe cannot fetch) or unreadable."""
    if not manifest_text:
        return None
    try:
        manifest = json.loads(manifest_text)
    except ValueError:
        return None
    mtype = media_type or manifest.get("mediaType")
    if mtype in _INDEX_TYPES or "manifests" in manifest:
        out = []
        for m in manifest.get("manifests") or []:
            plat = m.get("platform") or {}
            if not plat or plat.get("os") == "unknown":  # attestation manifests
                continue
            entry = {"os": plat.get("os"), "architecture": plat.get("architecture")}
            if plat.get("variant"):
                entry["variant"] = plat["variant"]
            out.append(entry)
        return out
    return None


def repository(sess: AwsSession, sink: Sink, ref: dict[str, str]) -> dict | None:
    key = ("ecr_repo", ref["registryId"], ref["region"], ref["repositoryName"])
    resource = repository_arn(ref)

    def fetch(sub: Sink) -> dict | None:
        item: dict[str, Any] = {
            "repositoryName": ref["repositoryName"],
            "registryId": ref["registryId"],
            "region": ref["region"],
            "found": False,
            "repository": None,
            "policy": None,
        }

        def describe() -> bool:
            resp, code = sess.call(
                sub,
                "ecr_repositories",
                "ecr",
                "DescribeRepositories",
                resource,
                region=ref["region"],
                expected=("RepositoryNotFoundException",),
                registryId=ref["registryId"],
                repositoryNames=[ref["repositoryName"]],
            )
            if resp is None:
                return code == "RepositoryNotFoundException"
            repos = resp.get("repositories") or []
            item["found"] = bool(repos)
            item["repository"] = repos[0] if repos else None
            return True

        def policy() -> None:
            resp, _ = sess.call(
                sub,
                "ecr_repositories",
                "ecr",
                "GetRepositoryPolicy",
                resource,
                region=ref["region"],
                expected=("RepositoryPolicyNotFoundException", "RepositoryNotFoundException"),
                registryId=ref["registryId"],
                repositoryName=ref["repositoryName"],
            )
            if resp is not None and resp.get("policyText"):
                try:
                    item["policy"] = json.loads(resp["policyText"])
                except ValueError:
                    item["policy"] = {"__unparsed__": resp["policyText"]}

        ok, _ = sess.parallel([describe, policy])
        return item if ok else None

    return sess.once(sink, key, fetch)


def image(sess: AwsSession, sink: Sink, image_str: str, ref: dict[str, str]) -> dict | None:
    key = ("ecr_image", image_str)
    resource = repository_arn(ref)
    image_id: dict[str, str] = {k: ref[k] for k in ("imageTag", "imageDigest") if k in ref}

    def fetch(sub: Sink) -> dict | None:
        item: dict[str, Any] = {
            "image": image_str,
            "repositoryName": ref["repositoryName"],
            "registryId": ref["registryId"],
            **image_id,
            "found": False,
            "detail": None,
            "platforms": None,
            "failure": None,
        }
        not_found = ("ImageNotFoundException", "RepositoryNotFoundException")

        def call(op: str, **extra: Any) -> tuple[dict[str, Any] | None, str | None]:
            """One ECR call about this image (a missing image or repository is an expected answer)."""
            return sess.call(
                sub,
                "ecr_images",
                "ecr",
                op,
                resource,
                region=ref["region"],
                expected=not_found,
                registryId=ref["registryId"],
                repositoryName=ref["repositoryName"],
                imageIds=[image_id],
                **extra,
            )

        def describe() -> bool:
            resp, code = call("DescribeImages")
            if resp is None:
                if code in not_found:
                    item["failure"] = {"failureCode": code, "failureReason": f"{code} for {image_str}"}
                return code in not_found
            details = resp.get("imageDetails") or []
            item["detail"] = details[0] if details else None
            item["found"] = bool(details)
            return True

        def manifest() -> bool:
            resp, code = call("BatchGetImage", acceptedMediaTypes=MANIFEST_TYPES)
            if resp is None:
                return code in not_found
            images = resp.get("images") or []
            if images:
                img = images[0]
                item["platforms"] = platforms(img.get("imageManifest"), img.get("imageManifestMediaType"))
                item["manifestMediaType"] = img.get("imageManifestMediaType")
            failures = resp.get("failures") or []
            if failures and not images:
                item["failure"] = {k: failures[0].get(k) for k in ("failureCode", "failureReason")}
            return True

        ok1, ok2 = sess.parallel([describe, manifest])
        if item["failure"] is not None and item["detail"] is None:
            item["found"] = False
        return item if (ok1 or ok2) else None

    return sess.once(sink, key, fetch)
