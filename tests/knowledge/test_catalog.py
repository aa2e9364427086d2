"""The catalog against the taxonomy contract, the exit-code rules, fix templates, and the corpus accuracy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ecs_triage.fixes import Fix
from ecs_triage.knowledge import SIGNATURES, FixTemplate, Match, classify, get_signature
from ecs_triage.knowledge.catalog import CATALOG
from ecs_triage.knowledge.matcher import word_key

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
TAXONOMY = SHARED / "taxonomy.md"
CORPUS = SHARED / "corpus" / "public.jsonl"


def taxonomy_labels() -> list[str]:
    assert TAXONOMY.exists(), f"{TAXONOMY} missing: the project expects ../shared beside the checkout"
    rows = re.findall(r"^\|\s*([a-z][a-z0-9-]*)\s*\|", TAXONOMY.read_text(encoding="utf-8"), flags=re.M)
    labels = [r for r in rows if r != "label"]
    assert "unknown" in labels and len(labels) > 30
    return labels


def test_every_taxonomy_label_has_a_signature() -> None:
    covered = {s.cause for s in SIGNATURES.values()}
    missing = [label for label in taxonomy_labels() if label not in covered]
    assert not missing, f"labels with no signature: {missing}"


def test_every_signature_cause_is_a_taxonomy_label() -> None:
    labels = set(taxonomy_labels())
    bad = {s.id: s.cause for s in SIGNATURES.values() if s.cause not in labels}
    assert not bad


def test_signature_records_are_complete_and_ids_unique() -> None:
    ids = [s.id for s in CATALOG]
    assert len(ids) == len(set(ids))
    for sig in SIGNATURES.values():
        assert re.fullmatch(r"[a-z0-9]+(?:[.-][a-z0-9]+)+", sig.id), sig.id
        assert sig.summary and sig.explanation, sig.id
        assert 0.0 < sig.confidence <= 1.0, sig.id
        assert sig.fix is not None, sig.id
        if sig.confidence < 0.6:
            assert sig.decide, f"{sig.id}: a low-confidence signature must name the evidence that decides"
        for kw in (*sig.any_of, *sig.context, *sig.all_of, *sig.none_of):
            assert kw == kw.lower() and kw.strip(), (sig.id, kw)
            assert word_key(kw), (sig.id, kw)
    assert get_signature("pull.ecr.access-denied") is SIGNATURES["pull.ecr.access-denied"]
    assert get_signature("no.such.signature") is None


def test_every_signature_is_reachable() -> None:
    """Each catalog signature wins for at least its own summary-like probe or an example; none is dead code
    hidden behind an earlier, broader one."""
    probes = {
        sig.id: [*sig.examples, *(f"{kw}" for kw in sig.any_of)]
        for sig in CATALOG
        if not sig.regex  # regex-gated signatures are covered by test_variants
    }
    unreachable = []
    for sig_id, texts in probes.items():
        sig = SIGNATURES[sig_id]
        ctx = sig.context[0] + " " if sig.context else ""
        kind = sig.kinds[0] if sig.kinds else None
        if not any(classify(ctx + t, kind=kind).signature == sig_id for t in texts):
            unreachable.append(sig_id)
    assert not unreachable


@pytest.mark.parametrize(
    ("code", "cause", "signal"),
    [
        (0, "app-exit-other", None),
        (1, "app-exit-other", None),
        (2, "app-exit-other", None),
        (126, "entrypoint-not-found", None),
        (127, "entrypoint-not-found", None),
        (137, "oom-killed", "SIGKILL"),
        (139, "app-exit-other", "SIGSEGV"),
        (143, "user-or-deployment-stop", "SIGTERM"),
        (134, "app-exit-other", "SIGABRT"),
        (130, "app-exit-other", "SIGINT"),
        (255, "app-exit-other", None),
    ],
)
def test_exit_codes(code: int, cause: str, signal: str | None) -> None:
    m = classify("Essential container in task exited", kind="stopped_reason", exit_code=code)
    assert m.cause == cause
    assert m.captures["exit_code"] == str(code)
    assert m.captures.get("signal") == signal
    if signal:
        assert signal in m.summary or str(code) in m.summary or m.signature == f"exit.{code}"


def test_exit_137_without_oom_reason_is_uncertain_and_says_what_decides() -> None:
    bare = classify("Essential container in task exited", exit_code=137)
    sure = classify("OutOfMemoryError: Container killed due to memory usage", exit_code=137)
    assert bare.cause == sure.cause == "oom-killed"
    assert bare.confidence < 0.6 < sure.confidence
    assert any("OutOfMemoryError" in d for d in bare.decide)
    assert any("stoppedReason" in d for d in bare.decide)


def test_exit_code_in_the_text_is_read() -> None:
    assert classify("Essential container in task exited. Exit code: 127").cause == "entrypoint-not-found"
    assert classify("Essential container in task exited").cause == "app-exit-other"
    assert classify("Essential container in task exited").confidence < 0.5


def test_exit_code_alone_and_specific_text_wins_over_exit_code() -> None:
    assert classify("", exit_code=139).signature == "exit.139"
    m = classify("CannotStartContainerError: dependency graph: failed to resolve container ordering", exit_code=143)
    assert m.cause == "container-dependency"
    assert m.captures["signal"] == "SIGTERM"


def test_no_match_is_unknown_never_a_guess() -> None:
    for text in ("", "   ", "hello world", "the quick brown fox", "\x00\x01\x02\xff", "Ω≈ç√∫"):
        m = classify(text)
        assert isinstance(m, Match)
        assert (m.cause, m.signature, m.fix) == ("unknown", "", None)
        assert m.confidence == 0.0


def test_huge_text_is_classified_from_its_ends_quickly() -> None:
    head = "CannotPullContainerError: pull image manifest has been retried 5 time(s): 403 Forbidden "
    assert classify(head + "x" * 10_000_000).cause == "image-pull-auth"
    assert classify("y " * 5_000_000 + "OutOfMemoryError: Container killed due to memory usage").cause == "oom-killed"


def test_fix_template_renders_with_visible_placeholders() -> None:
    tpl = SIGNATURES["secrets.access-denied"].fix
    assert isinstance(tpl, FixTemplate)
    assert {"execution_role_name", "secret_arn"} <= tpl.placeholders()
    empty = tpl.render()
    assert isinstance(empty, Fix)
    assert "<execution_role_name>" in empty.summary
    assert any("'<execution_role_name>'" in c or "<execution_role_name>" in c for c in empty.commands)
    arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbC123"
    full = tpl.render(execution_role_name="web-exec", secret=arn, secret_arn=arn)
    assert "<" not in full.summary
    assert any("--role-name web-exec" in c for c in full.commands)
    assert full.snippet is not None and full.snippet["Resource"] == arn
    assert not re.search(r"\{[a-z_]+\}", json.dumps(full.snippet))


def test_every_fix_template_renders() -> None:
    for sig in SIGNATURES.values():
        assert sig.fix is not None
        fix = sig.fix.render()
        assert fix.summary and "{" not in fix.summary, sig.id
        for c in fix.commands:
            assert c.startswith("aws "), (sig.id, c)


def load_corpus() -> list[dict[str, object]]:
    assert CORPUS.exists(), f"{CORPUS} missing: the project expects ../shared beside the checkout"
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_corpus_accuracy_at_least_97_percent() -> None:
    rows = load_corpus()
    wrong = []
    for r in rows:
        m = classify(str(r["text"]), kind=str(r["kind"]), exit_code=r["exit_code"])  # type: ignore[arg-type]
        if m.cause != r["label"]:
            wrong.append((r["id"], r["label"], m.cause))
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy >= 0.97, wrong


def test_corpus_misses_are_honest() -> None:
    """Where the catalog misses the corpus label, it must not claim certainty."""
    for r in load_corpus():
        m = classify(str(r["text"]), kind=str(r["kind"]), exit_code=r["exit_code"])  # type: ignore[arg-type]
        if m.cause != r["label"]:
            assert m.confidence <= 0.5, (r["id"], m.signature, m.confidence)
            assert m.decide
