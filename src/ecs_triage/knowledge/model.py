"""The catalog's records: `Signature` (a known failure), `FixTemplate` (its fix, with placeholders), `Match`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, NamedTuple

from ecs_triage.fixes.model import Fix, Risk, aws_cli

_RENDERED: dict[tuple[Any, ...], tuple[FixTemplate, Fix]] = {}  # (template, the values it uses) -> rendered Fix
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def _fill(text: str, values: Mapping[str, Any]) -> str:
    if "{" not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else f"<{m.group(1)}>", text)


def _fill_any(obj: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(obj, str):
        return _fill(obj, values)
    if isinstance(obj, Mapping):
        return {_fill(str(k), values): _fill_any(v, values) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_fill_any(v, values) for v in obj]
    return obj


@dataclass(frozen=True)
class Command:
    """An `aws SERVICE OPERATION ...` command whose option values may hold `{placeholders}`."""

    service: str
    operation: str
    options: tuple[tuple[str, Any], ...] = ()

    def render(self, values: Mapping[str, Any]) -> str:
        # aws_cli strips a trailing "_", so "service_" gives --service without clashing with its parameters
        opts = {(k + "_" if k in ("service", "operation") else k): _fill_any(v, values) for k, v in self.options}
        return aws_cli(self.service, self.operation, **opts)


def cmd(aws_service: str, operation: str, /, **options: Any) -> Command:
    return Command(aws_service, operation, tuple(options.items()))


@dataclass(frozen=True)
class FixTemplate:
    """A fix with `{placeholders}` (e.g. `{execution_role_arn}`) that later checks fill from evidence."""

    summary: str
    steps: tuple[str, ...] = ()
    commands: tuple[Command, ...] = ()
    snippet: Any = None
    snippet_title: str = ""
    docs: tuple[str, ...] = ()
    risk: Risk = "review"

    @cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(sorted(self.placeholders()))

    def placeholders(self) -> frozenset[str]:
        """Every placeholder name the template uses."""
        found: set[str] = set()

        def walk(obj: Any) -> None:
            if isinstance(obj, str):
                found.update(_PLACEHOLDER.findall(obj))
            elif isinstance(obj, Mapping):
                for k, v in obj.items():
                    walk(str(k))
                    walk(v)
            elif isinstance(obj, (list, tuple)):
                for v in obj:
                    walk(v)

        walk(self.summary)
        walk(self.steps)
        walk(self.snippet)
        for c in self.commands:
            walk([v for _, v in c.options])
        return frozenset(found)

    def render(self, **values: Any) -> Fix:
        """Fill the placeholders; those not given are rendered as `<name>` so they stay visible."""
        vals = {k: v for k, v in values.items() if v is not None and v != ""}
        key = (id(self), tuple((k, str(vals[k])) for k in self._names if k in vals))
        cached = _RENDERED.get(key)
        if cached is not None and cached[0] is self:
            return cached[1]
        fix = self._render(vals)
        if len(_RENDERED) >= 4096:
            _RENDERED.clear()
        _RENDERED[key] = (self, fix)
        return fix

    def _render(self, vals: Mapping[str, Any]) -> Fix:
        return Fix(
            summary=_fill(self.summary, vals),
            steps=tuple(_fill(s, vals) for s in self.steps),
            commands=tuple(c.render(vals) for c in self.commands),
            snippet=_fill_any(self.snippet, vals) if self.snippet is not None else None,
            snippet_title=_fill(self.snippet_title, vals),
            docs=self.docs,
            risk=self.risk,
        )


@dataclass(frozen=True)
class Signature:
    """One known failure: how to recognise it, what it means, what decides it, how to fix it.

    `any_of`: lowercase substrings, at least one must occur (cheap pre-check); `all_of`: lowercase substrings
    that must all occur; `context`: a second any-of group (the area the message must come from); `regex`: an optional pattern (case-insensitive) that must also match, whose named
    groups become captures; `extract`: patterns run on the winner only, their named groups become captures; `none_of`: lowercase substrings that veto the match; `kinds`: the message kinds
    it applies to (empty: any). The first signature that matches, in catalog order, wins.
    """

    id: str
    cause: str
    summary: str
    explanation: str
    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    regex: str = ""
    extract: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    confidence: float = 0.9
    decide: tuple[str, ...] = ()
    fix: FixTemplate | None = None
    generic: bool = False  # a wrapper (e.g. "Essential container in task exited"): the exit code may decide
    examples: tuple[str, ...] = field(default=(), repr=False)


class Match(NamedTuple):
    """The result of `classify`: the signature that matched (or none), its cause label and what decides it.

    Immutable (a named tuple: cheap to build, which matters at tens of thousands of messages per second)."""

    signature: str
    cause: str
    confidence: float
    summary: str
    explanation: str = ""
    decide: tuple[str, ...] = ()
    captures: Mapping[str, str] = MappingProxyType({})
    fix: FixTemplate | None = None

    @property
    def matched(self) -> bool:
        return bool(self.signature)

    def render_fix(self, **values: Any) -> Fix | None:
        """The fix filled with the captures, overridden by `values`."""
        if self.fix is None:
            return None
        merged: dict[str, Any] = dict(self.captures)
        merged.update(values)
        return self.fix.render(**merged)

    def to_dict(self) -> dict[str, Any]:
        fix = self.render_fix()
        return {
            "cause": self.cause,
            "signature": self.signature,
            "confidence": round(self.confidence, 2),
            "summary": self.summary,
            "explanation": self.explanation,
            "decide": list(self.decide),
            "captures": dict(self.captures),
            "fix": fix.to_dict() if fix is not None else None,
        }
