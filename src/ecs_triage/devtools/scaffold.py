"""`new-check`: writes a check module and its fixture folder from a template."""

from __future__ import annotations

from pathlib import Path

TEMPLATE = '''"""{title}.

What it detects:
    TODO

Why it happens:
    TODO

How to fix:
    TODO

References:
    - TODO
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, Hit, Iterator

CHECK = Check(
    id="{id}",
    slug="{slug}",
    title="{title}",
    category="{category}",
    severity="error",
    requires=("task_definitions",),
)


def evaluate(ev: Evidence) -> Iterator[Hit]:
    return iter(())
'''


def new_check(check_id: str, slug: str, title: str, category: str, root: Path = Path(".")) -> list[Path]:
    module = root / "src/ecs_triage/checks" / f"{check_id.lower()}_{slug.replace('-', '_')}.py"
    fixtures = root / "tests/checks" / module.stem
    if module.exists():
        raise SystemExit(f"{module} exists")
    module.write_text(TEMPLATE.format(id=check_id.upper(), slug=slug, title=title, category=category))
    fixtures.mkdir(parents=True, exist_ok=True)
    return [module, fixtures]
