"""Errors that end a command with a one-line message and a documented exit code.

Exit codes (see docs/exit-codes.md):
  0  nothing at or above --fail-on
  1  findings at or above --fail-on
  2  usage or input error (bad option, bad file, no such cluster/service/task)
  3  could not collect (no credentials, no region, endpoint unreachable, throttled for good)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_COLLECT = 3


class TriageError(Exception):
    """An error with a one-line message for the user and an exit code."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(TriageError):
    """Bad input: a file, an option value, a target that does not exist."""

    exit_code = EXIT_USAGE


class CollectError(TriageError):
    """The evidence could not be collected at all (credentials, region, endpoint)."""

    exit_code = EXIT_COLLECT
