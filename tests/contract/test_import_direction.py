"""Import direction (DESIGN section 2): evidence imports nothing of the project; only collect/ and the
demo import boto3 or moto; checks import only _api, evidence, knowledge, iam and fixes."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "ecs_triage"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(sub: str) -> list[Path]:
    return sorted((SRC / sub).rglob("*.py"))


def test_evidence_imports_nothing_of_the_project() -> None:
    for path in _modules("evidence"):
        bad = {n for n in _imports(path) if n.startswith("ecs_triage") and not n.startswith("ecs_triage.evidence")}
        assert not bad, f"{path.name} imports {bad}"


def test_only_collect_and_demo_import_boto3_or_moto() -> None:
    allowed = {"collect", "demo"}
    for path in sorted(SRC.rglob("*.py")):
        top = path.relative_to(SRC).parts[0]
        if top in allowed:
            continue
        bad = {n for n in _imports(path) if n.split(".")[0] in {"boto3", "botocore", "moto"}}
        assert not bad, f"{path.relative_to(SRC)} imports {bad}"


def test_checks_import_only_the_check_api() -> None:
    allowed = (
        "ecs_triage.checks._api",
        "ecs_triage.evidence",
        "ecs_triage.knowledge",
        "ecs_triage.iam",
        "ecs_triage.fixes",
    )
    for path in _modules("checks"):
        bad = {n for n in _imports(path) if n.startswith("ecs_triage") and not n.startswith(allowed)}
        assert not bad, f"{path.name} imports {bad}"
