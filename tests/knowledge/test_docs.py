"""docs/explain.md carries the generated signature list; it must match the catalog."""

from __future__ import annotations

from pathlib import Path

from ecs_triage.knowledge import SIGNATURES
from ecs_triage.knowledge.docs import BEGIN, END, signature_table, splice

DOC = Path(__file__).resolve().parents[2] / "docs" / "explain.md"


def test_signature_list_in_sync() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    assert splice(text) == text, "run: python -m ecs_triage.knowledge.docs --write docs/explain.md"


def test_table_lists_every_signature() -> None:
    table = signature_table()
    for sig_id in SIGNATURES:
        assert f"`{sig_id}`" in table
