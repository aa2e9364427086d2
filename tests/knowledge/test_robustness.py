"""Odd and hostile input: never an exception, never a slow regex (no quadratic backtracking), always a label."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecs_triage.knowledge import KINDS, SIGNATURES, classify

LABELS = {s.cause for s in SIGNATURES.values()} | {"unknown"}

PATHOLOGICAL = {
    "hostport": "connection refused " + "a." * 30000,
    "env-var": "environment variable " + "A" * 60000,
    "upper-run": "missing required " + "ABC_" * 15000,
    "not-set": "is not set " + "AB " * 20000,
    "image-host": "CannotPullContainerError: 403 " + "a.b" * 20000,
    "image-path": "CannotPullContainerError: not found " + "x.y/" * 15000,
    "quotes": 'exec: "' * 9000,
    "host-quote": 'could not connect to server host "' + "h" * 60000,
    "digits": "CannotPullContainerError 403 " + "1" * 60000,
    "colons": "address already in use " + ":1" * 30000,
    "arns": "secret arn:aws:secretsmanager:" * 2000,
    "target-groups": "is unhealthy in (target-group " * 2000,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_text_is_fast(name: str) -> None:
    for kind in (None, "log"):
        start = time.process_time()
        m = classify(PATHOLOGICAL[name], kind=kind)
        assert time.process_time() - start < 0.5, name
        assert m.cause in LABELS


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(st.text(max_size=400), st.binary(max_size=200)),
    kind=st.sampled_from([None, *KINDS]),
    code=st.one_of(st.none(), st.integers(min_value=-5, max_value=300)),
)
def test_any_input_gives_a_label(text: str | bytes, kind: str | None, code: int | None) -> None:
    m = classify(text, kind=kind, exit_code=code)
    assert m.cause in LABELS
    assert 0.0 <= m.confidence <= 1.0
    assert (m.signature == "") == (m.fix is None)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(sorted({kw for s in SIGNATURES.values() for kw in s.any_of})), max_size=6))
def test_keyword_soup_gives_a_label(words: list[str]) -> None:
    m = classify(" ".join(words))
    assert m.cause in LABELS
    if m.signature:
        assert m.fix is not None and m.fix.render().summary
