"""Generates docs/checks/ETnnn.md from each check module's docstring (a test keeps them in sync)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ecs_triage.registry import RegisteredCheck, all_checks

REQUIRED_SECTIONS = ("What it detects", "Why it happens", "How to fix", "References")


def render_check_page(check: RegisteredCheck) -> str:
    meta = check.meta
    head = [
        f"# {meta.id} {meta.slug}",
        "",
        f"**{meta.title}**",
        "",
        f"- Severity: {meta.severity}",
        f"- Category: {meta.category}",
        f"- Runs in: {', '.join(meta.modes)}",
        f"- Needs: {', '.join(meta.requires)}",
        *([f"- Also reads: {', '.join(meta.reads)}"] if meta.reads else []),
        "",
    ]
    body: list[str] = []
    section: list[str] = []

    def flush() -> None:
        # Section bodies are indented in the docstring; dedent them so Markdown does not show code blocks.
        body.extend(textwrap.dedent("\n".join(section)).splitlines())
        section.clear()

    for line in check.doc.splitlines():
        stripped = line.strip()
        if stripped.rstrip(":") in REQUIRED_SECTIONS and not stripped.startswith("#"):
            flush()
            body.extend(["", f"## {stripped.rstrip(':')}"])
        else:
            section.append(line)
    flush()
    return "\n".join(head + body).rstrip() + "\n"


def write_all(root: Path) -> list[Path]:
    out = []
    root.mkdir(parents=True, exist_ok=True)
    for check in all_checks():
        path = root / f"{check.id}.md"
        path.write_text(render_check_page(check), encoding="utf-8")
        out.append(path)
    index = ["# Checks", "", "| id | slug | severity | runs in | title |", "|---|---|---|---|---|"]
    for check in all_checks():
        m = check.meta
        index.append(f"| [{m.id}]({m.id}.md) | {m.slug} | {m.severity} | {', '.join(m.modes)} | {m.title} |")
    (root / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    return out
