"""Evidence collectors: everything that talks to AWS (read-only) and produces snapshots.

Public API (boto3 is imported only when a collection starts, so `iam-policy` and `--help` stay fast):
- `collect_target(cluster=, service= | task=, profile=, region=, progress=) -> snapshot dict`
- `collect_cluster(cluster= | all_clusters=True, regions=, since_seconds=, profile=, progress=) -> [snapshot]`
- `collect_definitions(task_definitions, profile=, region=, progress=) -> snapshot` (lint --live)
Snapshots follow docs/snapshot-format.md (`ecs-triage.snapshot/v1`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["collect_cluster", "collect_definitions", "collect_target"]


def collect_target(
    *,
    cluster: str,
    service: str | None = None,
    task: str | None = None,
    profile: str | None = None,
    region: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Collect one service (or one task) and everything it depends on into a snapshot."""
    from ecs_triage.collect.run import collect_target as run

    return run(cluster=cluster, service=service, task=task, profile=profile, region=region, progress=progress)


def collect_cluster(
    *,
    cluster: str | None,
    all_clusters: bool,
    regions: list[str] | None,
    since_seconds: int,
    profile: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Collect whole clusters (every service) for `scan`: one snapshot per cluster (per Region)."""
    from ecs_triage.collect.run import collect_cluster as run

    return run(
        cluster=cluster,
        all_clusters=all_clusters,
        regions=regions,
        since_seconds=since_seconds,
        profile=profile,
        progress=progress,
    )


def collect_definitions(
    task_definitions: list[dict[str, Any]],
    *,
    profile: str | None = None,
    region: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Collect what task definitions (e.g. from files) reference: roles, images, secrets, KMS keys, log groups."""
    from ecs_triage.collect.run import collect_definitions as run

    return run(task_definitions, profile=profile, region=region, progress=progress)
