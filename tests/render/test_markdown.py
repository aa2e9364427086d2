"""Markdown for tickets and PR comments: structure, evidence table, fenced commands and snippet."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from ecs_triage.render import render
from ecs_triage.report import Report

from .conftest import SNIPPET


def _fenced(md: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)\n```$", md, flags=re.S | re.M)


def test_heading_and_sections_in_order(diag: Report) -> None:
    md = render(diag, "md")
    assert md.startswith("## ecs-triage diagnose: cluster=prod service=web\n")
    order = [
        "### Root cause: Execution role cannot pull the image",
        "#### Evidence",
        "#### Fix",
        "### Other findings",
        "### Checks",
    ]
    positions = [md.index(h) for h in order]
    assert positions == sorted(positions)
    assert "**Region:** `us-east-1`" in md and "**Account:** `123456789012`" in md


def test_evidence_table_rows(diag: Report) -> None:
    md = render(diag, "md")
    assert "| Resource | Pointer | Value | Note |" in md
    rows = [line for line in md.splitlines() if line.startswith("| `")]
    evidence_rows = rows[: len(diag.findings[0].evidence)]
    for ref, row in zip(diag.findings[0].evidence, evidence_rows):
        assert f"`{ref.resource}`" in row
        assert f"`{ref.dotted()}`" in row
    assert "no statement allows it; evaluated locally" in evidence_rows[2]


def test_commands_in_a_bash_fence_and_snippet_in_a_json_fence(diag: Report) -> None:
    md = render(diag, "md")
    fix = diag.findings[0].fix
    assert fix is not None
    assert _fenced(md, "bash") == ["\n".join(fix.commands)]
    snippets = _fenced(md, "json")
    assert len(snippets) == 1 and json.loads(snippets[0]) == SNIPPET
    assert "1. Attach the statement below to the execution role web-exec." in md
    assert "**Also seen, same cause:**" in md and "`ET201`" in md


def test_other_findings_table(diag: Report) -> None:
    md = render(diag, "md")
    section = md[md.index("### Other findings") : md.index("### Checks")]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Severity")]
    assert len(rows) == 2
    assert "ET303" in rows[0] and "warning" in rows[0] and "70%" in rows[0]
    assert "Set healthCheckGracePeriodSeconds to 60 on service web" in rows[0]
    assert "ET402" in rows[1] and "info" in rows[1]
    # every row has the header's seven cells
    assert all(len(re.split(r"(?<!\\)\|", r)) == 9 for r in rows)


def test_pipes_and_newlines_in_cells_are_escaped(diag: Report) -> None:
    other = replace(diag.findings[1], message="a | b\nc")
    md = render(replace(diag, findings=(diag.findings[0], other)), "md")
    assert "a \\| b<br>c" in md


def test_footer(diag: Report) -> None:
    md = render(diag, "md")
    footer = md[md.index("### Checks") :]
    assert "4 failed, 2 passed, 1 skipped, 1 not applicable, 1 error." in footer
    assert "- `ET601` skipped: missing permission logs:DescribeLogGroups" in footer
    assert "- `ET305` error: check crashed: KeyError: 'healthCheck'" in footer
    assert "logs:DescribeLogGroups on /ecs/web" in footer
    assert diag.notes[0] in footer


def test_lint_location_in_markdown(lint: Report) -> None:
    md = render(lint, "md")
    assert "- **Location:** `infra/web task.json:4:3` (`/memory`)" in md
    assert "`infra/web task.json:12`" in md


def test_clean_report(clean: Report) -> None:
    md = render(clean, "md")
    assert "### Root cause" not in md
    assert "No problems found" in md
    assert "3 checks passed." in md and "`ET501` subnet-route" in md


def test_plain_text_cannot_inject_markup(diag: Report) -> None:
    root = replace(diag.findings[0], message="# role <execution-role> lacks *all* of ecr:_Batch_")
    md = render(replace(diag, findings=(root,)), "md")
    assert "\\# role &lt;execution-role&gt; lacks \\*all\\* of ecr:\\_Batch\\_" in md
    assert "<execution-role>" not in md
