"""Every evidence kind an access check (ET101-ET119, ET400-ET449, ET600-ET649) actually reads is declared in its
`requires` or `reads` (review item 2): otherwise a gap in that kind lets the check pass silently.

Each check runs over its own fixtures with an Evidence proxy that records the kinds touched (typed ECS fields,
`raw[kind]` lookups, `has(kind)`), including the reads done for it by `evidence.access` and `iam.support`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_triage import registry
from ecs_triage.evidence import parse, snapshot


def load_fixture(path: Path) -> dict[str, Any]:
    """As tests/checks/test_fixtures.py loads a fixture (without its expect block)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    doc.pop("expect", None)
    doc.setdefault("schema", snapshot.SCHEMA)
    doc.setdefault("source", "snapshot")
    doc.setdefault("region", "us-east-1")
    doc.setdefault("account", "123456789012")
    doc.setdefault("data", {})
    return snapshot.loads(json.dumps(doc, default=str), str(path))


CHECKS_DIR = Path(__file__).resolve().parents[1] / "checks"
OWNED = re.compile(r"^ET(10[1-9]|11\d|4[0-4]\d|6[0-4]\d)$")
# typed fields of Evidence -> the kind they come from
FIELDS = {
    "task_definitions": "task_definitions",
    "task_definition": "task_definitions",
    "services": "services",
    "tasks": "tasks",
    "tasks_of": "tasks",
    "stopped_tasks": "tasks",
    "running_tasks": "tasks",
    "container_instances": "container_instances",
}


class _RecordingRaw(Mapping[str, Any]):
    def __init__(self, raw: Mapping[str, Any], seen: set[str]) -> None:
        self._raw, self._seen = raw, seen

    def __getitem__(self, key: str) -> Any:
        self._seen.add(key)
        return self._raw[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._seen.add(key)
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("a check iterated over every raw kind")

    def __len__(self) -> int:
        return len(self._raw)


class _RecordingEvidence:
    """Delegates to a real Evidence and records which kinds were read (hashes by identity, like Evidence)."""

    def __init__(self, ev: Any) -> None:
        self._ev = ev
        self.seen: set[str] = set()
        self.raw = _RecordingRaw(ev.raw, self.seen)

    def has(self, kind: str) -> bool:
        self.seen.add(kind)
        return bool(self._ev.has(kind))

    def __getattr__(self, name: str) -> Any:
        if name in FIELDS:
            self.seen.add(FIELDS[name])
        return getattr(self._ev, name)


def _cases() -> list[Any]:
    out = []
    for check in registry.all_checks():
        if not OWNED.match(check.id):
            continue
        for path in sorted((CHECKS_DIR / check.module.rsplit(".", 1)[-1]).glob("*.yaml")):
            out.append(pytest.param(check, path, id=f"{check.id}/{path.name}"))
    return out


@pytest.mark.parametrize(("check", "path"), _cases())
def test_kinds_read_are_declared(check: registry.RegisteredCheck, path: Path) -> None:
    doc = load_fixture(path)
    ev = parse.parse_snapshot(doc)
    if any(k not in ev.kinds for k in check.meta.requires):
        pytest.skip("the engine does not run the check on this fixture")  # a skipped/not-applicable fixture
    rec = _RecordingEvidence(ev)
    list(check.evaluate(rec))
    undeclared = rec.seen - set(check.meta.requires) - set(check.meta.reads)
    assert not undeclared, f"{check.id} reads {sorted(undeclared)} without declaring them in requires/reads"


def test_the_recorder_sees_what_a_view_reads() -> None:
    """The recorder itself: a typed field and a raw view lookup both show up."""
    from ecs_triage.evidence import access

    ev = parse.parse_snapshot(
        {"schema": "ecs-triage.snapshot/v1", "region": "us-east-1", "account": "1", "data": {"secrets": []}}
    )
    rec = _RecordingEvidence(ev)
    assert access.secrets(rec) == ()  # type: ignore[arg-type]
    _ = rec.stopped_tasks
    assert rec.seen == {"secrets", "tasks"}
