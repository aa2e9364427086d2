"""Contract tests over the check registry."""

from __future__ import annotations

import re
from pathlib import Path

from ecs_triage import registry
from ecs_triage.checks._api import CATEGORIES, SEVERITIES
from ecs_triage.devtools.docs import REQUIRED_SECTIONS, render_check_page

ROOT = Path(__file__).resolve().parents[2]
TAXONOMY = ROOT.parent / "shared" / "taxonomy.md"


def test_ids_and_slugs_are_unique_and_well_formed() -> None:
    checks = registry.all_checks()
    assert checks, "no checks registered"
    ids = [c.id for c in checks]
    slugs = [c.meta.slug for c in checks]
    assert len(set(ids)) == len(ids)
    assert len(set(slugs)) == len(slugs)
    for c in checks:
        assert re.fullmatch(r"ET\d{3}", c.id), c.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c.meta.slug), c.meta.slug
        assert c.module.rsplit(".", 1)[-1].startswith(c.id.lower() + "_"), c.module
        assert c.meta.severity in SEVERITIES
        assert c.meta.category in CATEGORIES
        assert c.meta.requires, f"{c.id} declares no evidence kinds"
        assert c.meta.modes and set(c.meta.modes) <= {"diagnose", "lint"}


def test_every_check_documents_the_four_sections() -> None:
    for c in registry.all_checks():
        for section in REQUIRED_SECTIONS:
            assert re.search(rf"^\s*{section}:?\s*$", c.doc, re.M), f"{c.id} docstring lacks '{section}'"


def test_generated_docs_are_in_sync() -> None:
    for c in registry.all_checks():
        page = ROOT / "docs" / "checks" / f"{c.id}.md"
        assert page.exists(), f"{page} missing: run `python -m ecs_triage.devtools docs`"
        assert page.read_text(encoding="utf-8") == render_check_page(c), (
            f"{page} is stale: run `python -m ecs_triage.devtools docs`"
        )


def taxonomy_labels() -> set[str]:
    return set(re.findall(r"^\| ([a-z0-9-]+) \|", TAXONOMY.read_text(encoding="utf-8"), re.M)) - {"label"}


def test_taxonomy_is_readable() -> None:
    labels = taxonomy_labels()
    assert {"image-pull-auth", "unknown", "oom-killed"} <= labels
