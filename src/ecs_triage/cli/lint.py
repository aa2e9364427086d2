"""`ecs-triage lint PATH...`: task-definition, service and target-group mistakes, before deploy."""

from __future__ import annotations

import sys

import click

from ecs_triage.cli._common import aws_options, fail_on_option, format_option, progress_display
from ecs_triage.errors import EXIT_USAGE, InputError


@click.command("lint")
@click.argument("paths", nargs=-1, required=True)
@format_option()
@fail_on_option()
@click.option("--select", help="Only these checks: comma-separated ids, id prefixes (ET1) or slugs.")
@click.option("--ignore", help="Skip these checks: comma-separated ids, id prefixes (ET1) or slugs.")
@click.option(
    "--live",
    is_flag=True,
    help="Also check, read-only with your AWS credentials, that the images, secrets, log groups and roles the "
    "definitions reference exist and are allowed.",
)
@aws_options
def lint(
    paths: tuple[str, ...],
    fmt: str,
    fail_on: str,
    select: str | None,
    ignore: str | None,
    live: bool,
    profile: str | None,
    region: str | None,
) -> None:
    """Lint task definitions, services and target groups in PATHS (files or directories; - for stdin).

    \b
    Understands (detected from the content): register-task-definition --cli-input-json JSON,
    describe-task-definition output, CloudFormation YAML/JSON (CDK and SAM included) and
    Terraform plan JSON (terraform show -json plan.out).

    \b
    ecs-triage lint taskdef.json
    ecs-triage lint cdk.out/ --format sarif > lint.sarif
    terraform show -json plan.out | ecs-triage lint - --fail-on warning
    """
    if (profile or region) and not live:
        raise InputError("--profile and --region only apply with --live")
    from ecs_triage.app.lint import lint_paths
    from ecs_triage.render import render
    from ecs_triage.report import exit_code_for

    with progress_display("collecting evidence ...") as progress:
        result = lint_paths(
            paths, select=select, ignore=ignore, live=live, profile=profile, region=region, progress=progress
        )
    linted = result.report.extra.get("files") or []
    if linted or result.report.notes or not result.errors:  # a report of nothing read reads as "no problems"
        click.echo(render(result.report, fmt))
    for line in result.errors:
        click.echo(f"ecs-triage: error: {line}", err=True)
    if result.errors:
        sys.exit(EXIT_USAGE)
    sys.exit(exit_code_for(result.report.findings, fail_on))
