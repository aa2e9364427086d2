"""The `Fix` record and the `aws ...` command builder (shell-quoted)."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Risk = Literal["safe", "review", "disruptive"]


@dataclass(frozen=True)
class Fix:
    """A concrete fix: summary, ordered steps, ready-to-run commands, an optional JSON snippet."""

    summary: str
    steps: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    snippet: Mapping[str, Any] | list[Any] | None = None
    snippet_title: str = ""
    docs: tuple[str, ...] = ()
    risk: Risk = "review"
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "summary": self.summary,
            "steps": list(self.steps),
            "commands": list(self.commands),
            "risk": self.risk,
            "docs": list(self.docs),
        }
        if self.snippet is not None:
            out["snippet"] = self.snippet
            out["snippet_title"] = self.snippet_title
        return out


def aws_cli(service: str, operation: str, /, *args: object, **options: object) -> str:
    """Build a shell-quoted `aws SERVICE OPERATION --opt value ...` command line.

    Keyword options become `--kebab-case` flags; `True` gives a bare flag, `None`/`False` are left out;
    dicts and lists are passed as compact JSON. A trailing underscore is dropped, so an option that clashes
    with a parameter name is written `service_="web"` (-> `--service web`).
    """
    parts = ["aws", service, operation]
    parts.extend(shlex.quote(str(a)) for a in args)
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.rstrip("_").replace("_", "-")
        if value is True:
            parts.append(flag)
            continue
        if isinstance(value, (dict, list)):
            text = json.dumps(value, separators=(",", ":"), sort_keys=False)
        else:
            text = str(value)
        parts.extend([flag, shlex.quote(text)])
    return " ".join(parts)
