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


def _parse_line(number: int, raw: bytes | str) -> tuple[Any, str, str | None, int | None] | BadLine | None:
    """One JSON line -> (id, text, kind, exit_code), a BadLine, or None for a blank line."""
    if len(raw) > MAX_LINE_BYTES:
        return BadLine(number, f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB")
    line = _decode(raw).strip()
    if not line:
        return None
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return BadLine(number, f"invalid JSON ({str(exc).splitlines()[0][:80]})")
    if not isinstance(obj, dict):
        return BadLine(number, f"expected a JSON object, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str):
        return BadLine(number, 'missing "text" (a string)')
    try:
        kind = parse_kind(obj.get("kind")) if obj.get("kind") is not None else None
        code = parse_exit_code(obj.get("exit_code"))
    except InputError as exc:
        return BadLine(number, exc.message)
    return obj.get("id", number), text, kind, code


def run_jsonl(
    lines: Iterable[bytes | str], write: Callable[[dict[str, Any]], None], bad: Callable[[BadLine], None]
) -> int:
    """Classify each JSON line `{"id", "text", "kind"?, "exit_code"?}`; `write` gets one result per good line,
    `bad` one report per malformed line (then it goes on). Blank lines are skipped. Returns the bad-line count."""
    return _classify_lines(lines, lambda match, ident: write(result(match, ident)), bad)


def _classify_lines(
    lines: Iterable[bytes | str], emit: Callable[[Match, Any], None], bad: Callable[[BadLine], None]
) -> int:
    """The loop of `run_jsonl`/`run_jsonl_lines`: `emit(match, ident)` per good line; returns the bad-line count."""
    count = 0
    for number, raw in enumerate(lines, start=1):
        parsed = _parse_line(number, raw)
        if parsed is None:
            continue
        if isinstance(parsed, BadLine):
            count += 1
            bad(parsed)
            continue
        ident, text, kind, code = parsed
        emit(classify(text, kind=kind, exit_code=code), ident)
    return count


_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_HEAD_CACHE: dict[tuple[str, str, float, str], str] = {}
_FIX_CACHE: dict[tuple[int, tuple[tuple[str, str], ...]], tuple[object, str]] = {}


def result_line(match: Match, ident: Any = None) -> str:
    """`result(match, ident)` as one compact JSON line (same keys, same order), built from cached fragments:
    the parts that depend only on the signature and on the rendered fix are serialised once."""
    key = (match.signature, match.cause, match.confidence, match.summary)
    head = _HEAD_CACHE.get(key)
    if head is None:
        head = (
            f',"cause":{_DUMPS(match.cause)},"signature":{_DUMPS(match.signature)},'
            f'"confidence":{_DUMPS(round(match.confidence, 2))},"summary":{_DUMPS(match.summary)},"fix":'
        )
        if len(_HEAD_CACHE) < 4096:
            _HEAD_CACHE[key] = head
    if match.fix is None:
        fix_json = "null"
    else:
        fkey = (id(match.fix), tuple(match.captures.items()))
        hit = _FIX_CACHE.get(fkey)
        if hit is not None and hit[0] is match.fix:
            fix_json = hit[1]
        else:
            fix = match.render_fix()
            fix_json = _DUMPS(fix.to_dict()) if fix is not None else "null"
            if len(_FIX_CACHE) >= 4096:
                _FIX_CACHE.clear()
            _FIX_CACHE[fkey] = (match.fix, fix_json)
    tail_key = (match.signature, "", -1.0, "")
    tail = _HEAD_CACHE.get(tail_key)
    if tail is None:
        tail = f',"decide":{_DUMPS(list(match.decide))},"explanation":{_DUMPS(match.explanation)},"captures":'
        if len(_HEAD_CACHE) < 4096:
            _HEAD_CACHE[tail_key] = tail
    return f'{{"id":{_DUMPS(ident)}{head}{fix_json}{tail}{_DUMPS(dict(match.captures))}}}'


def run_jsonl_lines(lines: Iterable[bytes | str], write: Callable[[str], None], bad: Callable[[BadLine], None]) -> int:
    """`run_jsonl`, writing each result as a JSON line (the batch command's fast path)."""
    return _classify_lines(lines, lambda match, ident: write(result_line(match, ident)), bad)


def examples() -> Iterator[dict[str, Any]]:
    """The bundled example messages (`ecs_triage/data/examples.jsonl`)."""
    from importlib import resources  # only here: it costs start-up time

    data = resources.files("ecs_triage.data").joinpath("examples.jsonl").read_text(encoding="utf-8")
    for line in data.splitlines():
        if line.strip():
            yield json.loads(line)
