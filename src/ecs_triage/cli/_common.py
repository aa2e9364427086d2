"""Options shared by the commands, and the bridge from TriageError to click."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import click

from ecs_triage.report import FAIL_ON_CHOICES

F = TypeVar("F", bound=Callable[..., Any])
REPORT_FORMATS = ("text", "json", "md", "sarif")


def format_option(choices: tuple[str, ...] = REPORT_FORMATS, default: str = "text") -> Callable[[F], F]:
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def fail_on_option(default: str = "error") -> Callable[[F], F]:
    return click.option(
        "--fail-on",
        type=click.Choice(FAIL_ON_CHOICES),
        default=default,
        show_default=True,
        help="Exit 1 when a finding is at or above this severity.",
    )


def aws_options(func: F) -> F:
    func = click.option("--region", help="AWS Region (default: from the AWS configuration).")(func)
    func = click.option("--profile", help="AWS profile name (default: from the AWS configuration).")(func)
    return func


class progress_display:
    """A spinner with the current step on stderr while collecting; nothing when stderr is not a terminal.

    `with progress_display("collecting evidence ...") as progress: progress("DescribeTasks ...")`
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self._status: Any = None

    def __enter__(self) -> Callable[[str], None]:
        if sys.stderr.isatty():
            from rich.console import Console

            self._status = Console(stderr=True).status(self.label)
            self._status.__enter__()
        return self.update

    def update(self, message: str) -> None:
        if self._status is not None:
            self._status.update(message)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._status is not None:
            self._status.__exit__(None, None, None)
