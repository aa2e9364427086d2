"""`explain`: classify raw ECS failure messages, one at a time or as JSON lines. No AWS, no formatting."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ecs_triage.errors import InputError
from ecs_triage.knowledge import KINDS, Match, classify, normalize_kind

MAX_LINE_BYTES = 16 * 1024 * 1024  # a JSON line longer than this is reported, not parsed


def parse_kind(kind: str | None) -> str | None:
    """The canonical kind, or InputError naming the accepted ones."""
    try:
        return normalize_kind(kind)
    except ValueError:
        raise InputError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}") from None


def parse_exit_code(value: Any) -> int | None:
    """An exit code from an option or a JSON value: an integer (or digits), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InputError(f"exit code must be an integer, not {value!r}")
    if isinstance(value, int):
        code = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        code = int(value.strip())
    else:
        raise InputError(f"exit code must be an integer, not {value!r}")
    if not -(2**31) <= code < 2**32:
        raise InputError(f"exit code out of range: {code}")
    return code


def explain(text: str, kind: str | None = None, exit_code: int | None = None) -> Match:
    """Classify one message. Empty text with no exit code is an input error."""
    if not text.strip() and exit_code is None:
        raise InputError("empty text: nothing to explain (give the message, or - to read it from stdin)")
    return classify(text, kind=parse_kind(kind), exit_code=exit_code)


def result(match: Match, ident: Any = None) -> dict[str, Any]:
    """The JSON result of one message: id, cause, signature, confidence, summary, fix, decide (+ explanation,
    captures)."""
    body = match.to_dict()
    return {
        "id": ident,
        "cause": body["cause"],
        "signature": body["signature"],
        "confidence": body["confidence"],
        "summary": body["summary"],
        "fix": body["fix"],
        "decide": body["decide"],
        "explanation": body["explanation"],
        "captures": body["captures"],
    }


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


def _decode(raw: bytes | str) -> str:
    return raw if isinstance(raw, str) else raw.decode("utf-8", "replace")


def run_jsonl(
    lines: Iterable[bytes | str], write: Callable[[dict[str, Any]], None], bad: Callable[[BadLine], None]
) -> int:
    """Classify each JSON line `{"id", "text", "kind"?, "exit_code"?}`; `write` gets one result per good line,
    `bad` one report per malformed line (then it goes on). Blank lines are skipped. Returns the bad-line count."""
    count = 0
    for number, raw in enumerate(lines, start=1):
        if len(raw) > MAX_LINE_BYTES:
            count += 1
            bad(BadLine(number, f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB"))
            continue
        line = _decode(raw).strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            count += 1
            bad(BadLine(number, f"invalid JSON ({str(exc).splitlines()[0][:80]})"))
            continue
        if not isinstance(obj, dict):
            count += 1
            bad(BadLine(number, f"expected a JSON object, got {type(obj).__name__}"))
            continue
        text = obj.get("text")
        if not isinstance(text, str):
            count += 1
            bad(BadLine(number, 'missing "text" (a string)'))
            continue
        try:
            kind = parse_kind(obj.get("kind")) if obj.get("kind") is not None else None
            code = parse_exit_code(obj.get("exit_code"))
        except InputError as exc:
            count += 1
            bad(BadLine(number, exc.message))
            continue
        ident = obj.get("id", number)
        write(result(classify(text, kind=kind, exit_code=code), ident))
    return count


def examples() -> Iterator[dict[str, Any]]:
    """The bundled example messages (`ecs_triage/data/examples.jsonl`)."""
    from importlib import resources  # only here: it costs start-up time

    data = resources.files("ecs_triage.data").joinpath("examples.jsonl").read_text(encoding="utf-8")
    for line in data.splitlines():
        if line.strip():
            yield json.loads(line)
