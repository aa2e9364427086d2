"""`ecs-triage scan`: which services of a cluster are failing, and why."""

from __future__ import annotations

import re
import sys

import click

from ecs_triage.cli._common import fail_on_option, format_option, progress_display
from ecs_triage.errors import InputError

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise InputError(f"--since {text!r}: use a number and a unit, e.g. 30m, 1h, 2d")
    return int(match.group(1)) * _UNIT[match.group(2)]


@click.command("scan")
@click.option("--cluster", "clusters", multiple=True, help="Cluster name or ARN (repeatable).")
@click.option("--all-clusters", is_flag=True, help="Scan every cluster in the Region(s).")
@click.option("--region", "regions", multiple=True, help="AWS Region (repeatable).")
@click.option("--profile", help="AWS profile name.")
@click.option("--since", default="1h", show_default=True, help="Window for stopped tasks and events.")
@format_option()
@fail_on_option()
def scan(
    clusters: tuple[str, ...],
    all_clusters: bool,
    regions: tuple[str, ...],
    profile: str | None,
    since: str,
    fmt: str,
    fail_on: str,
) -> None:
    """Triage every service of a cluster: one row per service that is not healthy, root cause first.

    \b
    ecs-triage scan --cluster prod
    ecs-triage scan --all-clusters --region us-east-1 --region eu-west-1
    """
    from ecs_triage.app.scan import render_scan, scan_clusters
    from ecs_triage.report import exit_code_for

    if not clusters and not all_clusters:
        raise InputError("give --cluster NAME (repeatable) or --all-clusters")
    if clusters and all_clusters:
        raise InputError("--cluster and --all-clusters exclude each other")
    seconds = parse_duration(since)
    with progress_display("scanning ...") as progress:
        result = scan_clusters(
            list(clusters) or None,
            all_clusters=all_clusters,
            regions=list(regions) or None,
            since_seconds=seconds,
            profile=profile,
            progress=progress,
        )
    click.echo(render_scan(result, fmt))
    sys.exit(exit_code_for(result.findings, fail_on))
