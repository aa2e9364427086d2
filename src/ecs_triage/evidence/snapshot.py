"""Load, dump and redact snapshots (format: docs/snapshot-format.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

SCHEMA = "ecs-triage.snapshot/v1"
LOG_EXCERPT_MAX_EVENTS = 50
LOG_EXCERPT_MAX_CHARS = 2000
MASK = "***"
# Environment values that are safe to keep (they help diagnosis and are rarely secret).
_KEEP_ENV_VALUE = re.compile(r"^(true|false|yes|no|on|off|\d{1,6}|debug|info|warn|warning|error|)$", re.I)


class SnapshotError(ValueError):
    """The file is not a snapshot this version can read."""


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(snapshot: Mapping[str, Any]) -> str:
    return json.dumps(snapshot, default=_default, indent=1, sort_keys=False)


def dump(snapshot: Mapping[str, Any], path: str | Path) -> None:
    Path(path).write_text(dumps(snapshot), encoding="utf-8")


def validate(doc: Any, origin: str = "snapshot") -> dict[str, Any]:
    """Check the envelope of a snapshot document; raise SnapshotError with a one-line reason."""
    if not isinstance(doc, dict):
        raise SnapshotError(f"{origin}: not a snapshot (top level is not a JSON object)")
    schema = doc.get("schema")
    if schema != SCHEMA:
        raise SnapshotError(f"{origin}: unsupported snapshot schema {schema!r} (expected {SCHEMA!r})")
    data = doc.get("data")
    if not isinstance(data, dict):
        raise SnapshotError(f"{origin}: snapshot has no 'data' object")
    for kind, payload in data.items():
        if not isinstance(payload, (list, dict)):
            raise SnapshotError(f"{origin}: data.{kind} must be a list or an object")
    gaps = doc.get("gaps", [])
    if not isinstance(gaps, list) or not all(isinstance(g, dict) for g in gaps):
        raise SnapshotError(f"{origin}: 'gaps' must be a list of objects")
    if not isinstance(doc.get("target", {}), dict):
        raise SnapshotError(f"{origin}: 'target' must be an object")
    return doc


def loads(text: str, origin: str = "snapshot") -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{origin}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    return validate(doc, origin)


def load(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{p}: cannot read snapshot ({exc.__class__.__name__})") from None
    return loads(text, str(p))


def redact(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Mask environment values (in place) and cap log excerpts; record what was redacted.

    `secrets[].valueFrom` references are kept: they are names, not values, and diagnosis needs them.
    """
    data = snapshot.get("data", {})
    masked = 0
    for td in data.get("task_definitions", []) or []:
        for cd in td.get("containerDefinitions", []) or []:
            for env in cd.get("environment", []) or []:
                value = env.get("value")
                if isinstance(value, str) and not _KEEP_ENV_VALUE.match(value):
                    env["value"] = MASK
                    masked += 1
    capped = 0
    for stream in data.get("log_events", []) or []:
        events = stream.get("events", []) or []
        if len(events) > LOG_EXCERPT_MAX_EVENTS:
            stream["events"] = events[-LOG_EXCERPT_MAX_EVENTS:]
            capped += 1
        for ev in stream["events"]:
            msg = ev.get("message")
            if isinstance(msg, str) and len(msg) > LOG_EXCERPT_MAX_CHARS:
                ev["message"] = msg[:LOG_EXCERPT_MAX_CHARS] + "…"
    snapshot["redaction"] = {
        "environment_values_masked": masked,
        "log_streams_capped": capped,
        "log_events_kept_per_stream": LOG_EXCERPT_MAX_EVENTS,
        "secret_values": "never collected",
    }
    return snapshot
