"""Command line: commands and options only (no AWS, no formatting). Commands load lazily for fast start."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from ecs_triage import __version__
from ecs_triage.errors import EXIT_USAGE, TriageError

# name -> (module, attribute, one-line help). Help is here so `--help` imports no command module.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "explain": (
        "ecs_triage.cli.explain",
        "explain",
        "Explain an ECS failure message: its cause and the fix.",
    ),
    "diagnose": ("ecs_triage.cli.diagnose", "diagnose", "Prove the root cause of a failing service or task."),
    "scan": ("ecs_triage.cli.scan", "scan", "Triage every service of a cluster: which are failing and why."),
    "lint": ("ecs_triage.cli.lint", "lint", "Find task-definition and service mistakes before deploy."),
    "demo": (
        "ecs_triage.cli.demo",
        "demo",
        "Diagnose a built-in simulated broken AWS account (no AWS needed).",
    ),
    "rule": ("ecs_triage.cli.rule", "rule", "Print the documentation of a check (e.g. ET101)."),
    "checks": ("ecs_triage.cli.rule", "checks", "List every check with its id, slug and title."),
    "iam-policy": (
        "ecs_triage.cli.iam_policy",
        "iam_policy",
        "Print the read-only IAM policy ecs-triage needs.",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n, (mod, _, _) in COMMANDS.items() if importlib.util.find_spec(mod) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        try:
            module = importlib.import_module(entry[0])
        except ModuleNotFoundError as exc:
            if exc.name == entry[0]:
                return None
            raise
        command: click.Command = getattr(module, entry[1])
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Every command's TriageError becomes one line on stderr and its documented exit code."""
        try:
            return super().invoke(ctx)
        except TriageError as exc:
            click.echo(f"ecs-triage: error: {exc.message}", err=True)
            ctx.exit(exc.exit_code)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(n, COMMANDS[n][2]) for n in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ecs-triage")
def cli() -> None:
    """ecs-triage: why did my Amazon ECS task fail to start or keep stopping?

    Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or input error, 3 could not collect.
    """


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="ecs-triage", standalone_mode=True)
    except TriageError as exc:
        click.echo(f"ecs-triage: error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("ecs-triage: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_USAGE)
