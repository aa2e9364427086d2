"""`ecs-triage rule ID` and `ecs-triage checks`."""

from __future__ import annotations

import json
import sys

import click

from ecs_triage.errors import InputError


@click.command("rule")
@click.argument("check_id")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rule(check_id: str, fmt: str) -> None:
    """Print the documentation of CHECK_ID (an id such as ET101, or a slug)."""
    from ecs_triage import registry
    from ecs_triage.devtools.docs import render_check_page

    check = registry.get(check_id)
    if check is None:
        raise InputError(f"no check {check_id!r}; `ecs-triage checks` lists them")
    if fmt == "json":
        meta = check.meta
        click.echo(
            json.dumps(
                {
                    "check": meta.id,
                    "slug": meta.slug,
                    "title": meta.title,
                    "category": meta.category,
                    "severity": meta.severity,
                    "requires": list(meta.requires),
                    "modes": list(meta.modes),
                    "docs": check.doc,
                },
                indent=2,
            )
        )
        return
    page = render_check_page(check)
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(page))
    else:
        click.echo(page)


@click.command("checks")
@click.option("--mode", type=click.Choice(["all", "diagnose", "lint"]), default="all", show_default=True)
def checks(mode: str) -> None:
    """List every check: id, severity, modes, slug and title."""
    from ecs_triage import registry

    for check in registry.all_checks():
        meta = check.meta
        if mode != "all" and mode not in meta.modes:
            continue
        click.echo(f"{meta.id}  {meta.severity:<7}  {','.join(meta.modes):<15}  {meta.slug:<40}  {meta.title}")
