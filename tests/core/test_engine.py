"""Engine: skipped on gaps, errors on crashing checks, ranking root cause first, folding symptoms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ecs_triage import engine
from ecs_triage.checks._api import Check, EvidenceRef, Hit
from ecs_triage.evidence import parse
from ecs_triage.registry import RegisteredCheck
from ecs_triage.report import exit_code_for


def _ev(data: dict[str, Any], gaps: list[dict[str, Any]] | None = None) -> Any:
    return parse.parse_snapshot({"schema": "ecs-triage.snapshot/v1", "data": data, "gaps": gaps or []})


def _check(
    cid: str, hits: list[Hit], requires: tuple[str, ...] = ("tasks",), severity: str = "error"
) -> RegisteredCheck:
    def evaluate(ev: Any) -> Iterator[Hit]:
        yield from hits

    meta = Check(cid, f"slug-{cid.lower()}", f"title {cid}", "task", severity, requires)  # type: ignore[arg-type]
    return RegisteredCheck(meta, evaluate, "doc", f"ecs_triage.checks.{cid.lower()}_x")


def _hit(cause: str, conf: float, root: bool = True, resource: str = "r") -> Hit:
    return Hit(
        resource=resource,
        message=f"{cause} {conf}",
        cause=cause,
        confidence=conf,
        root=root,
        evidence=(EvidenceRef(resource, "/a", 1),),
    )


def test_gap_makes_a_check_skipped_with_the_missing_permission() -> None:
    ev = _ev(
        {},
        [
            {
                "kind": "tasks",
                "operation": "DescribeTasks",
                "error_code": "AccessDeniedException",
                "action": "ecs:DescribeTasks",
            }
        ],
    )
    _, outcomes = engine.evaluate(ev, [_check("ET001", [_hit("oom-killed", 0.9)])])
    assert outcomes[0].status == "skipped"
    assert "missing permission ecs:DescribeTasks" in outcomes[0].reason


def test_partial_gap_never_passes() -> None:
    ev = _ev(
        {"tasks": []},
        [
            {
                "kind": "tasks",
                "operation": "DescribeTasks",
                "error_code": "AccessDenied",
                "action": "ecs:DescribeTasks",
                "resource": "svc",
            }
        ],
    )
    _, outcomes = engine.evaluate(ev, [_check("ET001", [])])
    assert outcomes[0].status == "skipped"


def test_kind_never_collected_is_not_applicable_and_present_kind_passes() -> None:
    _, outcomes = engine.evaluate(_ev({}), [_check("ET001", [])])
    assert outcomes[0].status == "not-applicable"
    _, outcomes = engine.evaluate(_ev({"tasks": []}), [_check("ET001", [])])
    assert outcomes[0].status == "passed"


def test_crashing_check_is_an_error_outcome() -> None:
    def boom(ev: Any) -> Iterator[Hit]:
        raise KeyError("x")

    meta = Check("ET002", "boom", "t", "task", "error", ("tasks",))
    _, outcomes = engine.evaluate(_ev({"tasks": []}), [RegisteredCheck(meta, boom, "", "m")])
    assert outcomes[0].status == "error"
    assert "KeyError" in outcomes[0].reason


def test_rank_puts_confirmed_root_before_symptoms_and_folds_same_cause() -> None:
    ev = _ev({"tasks": []})
    symptom = _check("ET100", [_hit("image-pull-auth", 0.9, root=False), _hit("unknown", 0.3, root=False)])
    confirmed = _check("ET101", [_hit("image-pull-auth", 0.8)])
    warning = _check("ET150", [_hit("log-config", 0.99)], severity="warning")
    found, _ = engine.evaluate(ev, [symptom, confirmed, warning])
    ranked = engine.rank(found)
    assert ranked[0].check == "ET101"
    assert [r.check for r in ranked[0].related] == ["ET100"]
    assert [f.cause for f in ranked] == ["image-pull-auth", "log-config", "unknown"]
    assert len(engine.rank(found, fold=False)) == 4


def test_fingerprint_is_stable_and_distinct() -> None:
    ev = _ev({"tasks": []})
    c = _check("ET101", [_hit("image-pull-auth", 0.8, resource="a"), _hit("image-pull-auth", 0.8, resource="b")])
    first = [f.fingerprint for f, _ in engine.evaluate(ev, [c])[0]]
    second = [f.fingerprint for f, _ in engine.evaluate(ev, [c])[0]]
    assert first == second and first[0] != first[1]


def test_exit_code_follows_fail_on() -> None:
    ev = _ev({"tasks": []})
    found, _ = engine.evaluate(ev, [_check("ET150", [_hit("log-config", 0.9)], severity="warning")])
    findings = engine.rank(found)
    assert exit_code_for(findings, "error") == 0
    assert exit_code_for(findings, "warning") == 1
    assert exit_code_for(findings, "info") == 1
    assert exit_code_for(findings, "none") == 0


def test_gap_in_a_kind_the_check_also_reads_never_passes() -> None:
    ev = _ev(
        {"tasks": []},
        [
            {
                "kind": "security_groups",
                "operation": "DescribeSecurityGroups",
                "error_code": "UnauthorizedOperation",
                "action": "ec2:DescribeSecurityGroups",
            }
        ],
    )
    base = _check("ET001", [])
    meta = Check("ET001", "x", "t", "task", "error", ("tasks",), reads=("security_groups",))
    _, outcomes = engine.evaluate(ev, [RegisteredCheck(meta, base.evaluate, "", "m")])
    assert outcomes[0].status == "skipped"
    assert "ec2:DescribeSecurityGroups" in outcomes[0].reason
    _, outcomes = engine.evaluate(ev, [base])  # the gap is in a kind this check does not read
    assert outcomes[0].status == "passed"
