"""The text report: root cause first, evidence and commands verbatim, colour rules, footer facts."""

from __future__ import annotations

import io
import json
import re
import sys

import pytest

from ecs_triage.render import render
from ecs_triage.render._common import evidence_line
from ecs_triage.render.text import want_color
from ecs_triage.report import Report

from .conftest import LONG_POLICY_CMD, RESTART_CMD, SNIPPET

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_root_cause_comes_before_other_findings(diag: Report) -> None:
    out = render(diag, "text", color=False)
    root, other, info = diag.findings
    assert out.index("ROOT CAUSE") < out.index(root.title) < out.index("Other findings")
    assert out.index("Other findings") < out.index(other.check) < out.index(info.check)
    assert out.index("Other findings") < out.index("Checks:")
    # the header names the command, the target, where, and the source
    head = out.splitlines()[:2]
    assert "ecs-triage diagnose" in head[0] and "cluster=prod" in head[0] and "service=web" in head[0]
    assert "us-east-1 / 123456789012" in head[1] and "live" in head[1]


def test_root_cause_panel_has_title_cause_confidence_and_message(diag: Report) -> None:
    out = render(diag, "text", color=False, width=400)
    root = diag.findings[0]
    assert f"cause {root.cause}" in out
    assert "confidence 97%" in out
    assert root.message in out
    assert f"Docs: {root.docs_url}" in out


def test_evidence_lines_appear_verbatim(diag: Report) -> None:
    out = render(diag, "text", color=False, width=400)
    root = diag.findings[0]
    for ref in root.evidence:
        assert evidence_line(ref) in out
    # pointer in dotted form with its brackets intact (not eaten as rich markup), note shown
    assert 'containers[0].reason = "CannotPullContainerError' in out
    assert "(no statement allows it; evaluated locally)" in out


def test_commands_are_whole_unwrapped_unbordered_lines(diag: Report) -> None:
    out = render(diag, "text", color=False)  # default width 100, the policy command is much longer
    lines = out.splitlines()
    assert len(LONG_POLICY_CMD) > 100
    assert LONG_POLICY_CMD in lines
    assert RESTART_CMD in lines
    assert lines.index(LONG_POLICY_CMD) < lines.index(RESTART_CMD)


def test_fix_steps_numbered_and_snippet_pretty_printed(diag: Report) -> None:
    out = render(diag, "text", color=False)
    assert "Fix: Allow the execution role web-exec to pull from repository web" in out
    assert "  1. Attach the statement below to the execution role web-exec." in out
    assert "  2. Start a new deployment so the service retries the pull." in out
    assert "IAM statement for web-exec:" in out
    assert json.dumps(SNIPPET, indent=2) in out


def test_related_findings_are_folded_under_the_root_cause(diag: Report) -> None:
    out = render(diag, "text", color=False, width=200)
    also = out.index("Also seen, same cause:")
    assert out.index("ROOT CAUSE") < also < out.index("ET201 service-tasks-failing") < out.index("Other findings")


def test_footer_counts_skips_errors_gaps_and_notes(diag: Report) -> None:
    out = render(diag, "text", color=False, width=200)
    footer = out[out.index("Checks:") :]
    assert "4 findings (1 error, 2 warnings, 1 info)" in out
    assert "4 failed, 2 passed, 1 skipped, 1 not applicable, 1 error" in footer
    assert "ET601 skipped: missing permission logs:DescribeLogGroups" in footer
    assert "ET305 error: check crashed: KeyError: 'healthCheck'" in footer
    assert "logs:DescribeLogGroups on /ecs/web: AccessDeniedException" in footer
    assert diag.notes[0] in footer


def test_no_ansi_codes_when_color_false(diag: Report) -> None:
    assert not ANSI.search(render(diag, "text", color=False))


def test_ansi_codes_when_color_true(diag: Report) -> None:
    assert ANSI.search(render(diag, "text", color=True))


def test_no_color_env_turns_colour_off(diag: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Tty())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert want_color(None) is True
    assert ANSI.search(render(diag, "text"))
    monkeypatch.setenv("NO_COLOR", "1")
    assert want_color(None) is False
    assert not ANSI.search(render(diag, "text"))
    assert want_color(False) is False


def test_not_a_tty_turns_colour_off(diag: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert not ANSI.search(render(diag, "text"))


def test_lint_findings_show_file_and_line(lint: Report) -> None:
    out = render(lint, "text", color=False, width=200)
    assert "location infra/web task.json:4:3 (/memory)" in out
    assert "infra/web task.json:12 (/containerDefinitions/0/image)" in out
    assert "/abs/path/api.yaml" in out
    assert "region/account" not in out  # no AWS context in a lint report
    assert "source: lint" in out


def test_clean_report_says_nothing_is_wrong_and_what_was_checked(clean: Report) -> None:
    out = render(clean, "text", color=False)
    assert "ROOT CAUSE" not in out
    assert "No problems found: 3 checks passed." in out
    assert "ET101 image-pull-auth, ET102 image-tag-missing, ET501 subnet-route" in out
    assert "1 not applicable" in out


def test_clean_report_with_skipped_checks_is_not_called_all_clear(clean: Report) -> None:
    from dataclasses import replace

    from ecs_triage.report import Outcome

    skipped = Outcome("ET601", "log-group-missing", "Log group missing", "skipped", "missing permission logs:X")
    out = render(replace(clean, outcomes=(*clean.outcomes, skipped)), "text", color=False)
    assert "No problems found in what could be checked" in out
    assert "ET601 skipped: missing permission logs:X" in out


def test_markup_like_text_is_printed_literally(diag: Report) -> None:
    from dataclasses import replace

    root = replace(diag.findings[0], message="value [bold]x[/bold] and [red] stays")
    out = render(replace(diag, findings=(root,)), "text", color=False)
    assert "value [bold]x[/bold] and [red] stays" in out


def test_no_trailing_whitespace_or_newline(diag: Report) -> None:
    out = render(diag, "text", color=False)
    assert not out.endswith("\n")
    assert all(line == line.rstrip() for line in out.splitlines())


def test_lint_top_finding_label(lint: Report) -> None:
    out = render(lint, "text", color=False)
    assert "TOP FINDING  ET410 fargate-cpu-memory" in out
    assert "ROOT CAUSE" not in out


def test_urls_are_never_wrapped(diag: Report) -> None:
    from dataclasses import replace

    url = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/" + "x" * 120 + ".html#anchor"
    root = diag.findings[0]
    root = replace(root, fix=replace(root.fix, docs=(url,)))  # type: ignore[type-var]
    out = render(replace(diag, findings=(root,)), "text", color=False, width=80)
    assert f"See: {url}" in out.splitlines()
    assert f"Docs: {root.docs_url}" in out.splitlines()
