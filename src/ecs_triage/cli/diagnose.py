"""`ecs-triage diagnose`: the root cause of a failing service or task, live or from a snapshot."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecs_triage.cli._common import aws_options, fail_on_option, format_option, progress_display
from ecs_triage.errors import InputError


@click.command("diagnose")
@click.option("--cluster", help="Cluster name or ARN.")
@click.option("--service", help="Service name or ARN.")
@click.option("--task", help="Task id or ARN.")
@click.option("--snapshot", "snapshot_file", type=click.Path(dir_okay=False), help="Diagnose a saved snapshot.")
@click.option("--save-snapshot", type=click.Path(dir_okay=False), help="Also write the collected snapshot here.")
@aws_options
@format_option()
@fail_on_option()
def diagnose(
    cluster: str | None,
    service: str | None,
    task: str | None,
    snapshot_file: str | None,
    save_snapshot: str | None,
    profile: str | None,
    region: str | None,
    fmt: str,
    fail_on: str,
) -> None:
    """Collect the evidence for a service or task (read-only) and prove its root cause.

    \b
    ecs-triage diagnose --cluster prod --service web
    ecs-triage diagnose --cluster prod --task 0123456789abcdef
    ecs-triage diagnose --snapshot web.snapshot.json
    """
    from ecs_triage.app.diagnose import diagnose_service, diagnose_snapshot
    from ecs_triage.evidence import snapshot as snapshots
    from ecs_triage.render import render
    from ecs_triage.report import exit_code_for

    if snapshot_file:
        if cluster or service or task:
            raise InputError("--snapshot cannot be combined with --cluster/--service/--task")
        try:
            snap = snapshots.load(snapshot_file)
        except snapshots.SnapshotError as exc:
            raise InputError(str(exc)) from None
        report = diagnose_snapshot(snap, origin=snapshot_file)
    else:
        if not cluster:
            raise InputError("give --cluster with --service or --task, or --snapshot FILE")
        if not service and not task:
            raise InputError("give --service or --task with --cluster")
        if service and task:
            raise InputError("give either --service or --task, not both")
        with progress_display("collecting evidence ...") as progress:
            report, snap = diagnose_service(cluster, service, task, profile=profile, region=region, progress=progress)
    if save_snapshot:
        try:
            snapshots.dump(snap, save_snapshot)
        except OSError as exc:
            raise InputError(f"cannot write snapshot {save_snapshot}: {exc.strerror}") from None
        click.echo(f"snapshot saved to {Path(save_snapshot)}", err=True)
    click.echo(render(report, fmt))
    sys.exit(exit_code_for(report.findings, fail_on))
