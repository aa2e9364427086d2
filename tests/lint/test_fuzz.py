"""Fuzz: random and mutated definitions through every parser and every lint rule. No traceback, no crashed
check, every pointer of valid JSON located."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecs_triage.app.lint import lint_parsed, select_checks
from ecs_triage.lint import formats
from ecs_triage.lint.positions import json_positions

INPUTS = Path(__file__).with_name("inputs")
SEEDS = [
    json.loads(p.read_text(encoding="utf-8")) if p.suffix == ".json" else formats.load_yaml_value(p.read_text())
    for p in sorted(INPUTS.iterdir())
    if p.suffix in (".json", ".yaml")
]
CHECKS = select_checks(None, None)
KEYS = st.sampled_from(
    [
        "cpu",
        "memory",
        "networkMode",
        "containerDefinitions",
        "portMappings",
        "hostPort",
        "containerPort",
        "secrets",
        "valueFrom",
        "healthCheck",
        "dependsOn",
        "essential",
        "logConfiguration",
        "options",
        "Ref",
        "Fn::If",
        "Type",
        "Properties",
        "loadBalancers",
        "TargetType",
        "HealthCheckPort",
        "container_definitions",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["FARGATE", "awsvpc", "bridge", "HEALTHY", "awslogs", "traffic-port", "512", "2 GB", "latest"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.one_of(KEYS, st.text(max_size=8)), children, max_size=4)
    ),
    max_leaves=20,
)


def _lint_text(text: str) -> None:
    try:
        parsed = formats.parse_text(text, "fuzz")
    except (formats.InputFileError, formats.NotRecognized):
        return
    found, outcomes = lint_parsed(parsed, CHECKS)
    crashed = [o for o in outcomes if o.status == "error"]
    assert not crashed, crashed
    for f, _ in found:
        assert f.location is not None and f.location.file == "fuzz"


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _mutate(doc: Any, data: st.DataObject) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            return doc
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["replace", "delete", "duplicate"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        else:
            parent[path[-1]] = data.draw(VALUES)
    return doc


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_real_world_inputs_never_crash(seed: Any, data: st.DataObject) -> None:
    doc = _mutate(seed, data)
    _lint_text(json.dumps(doc))
    _lint_text(yaml.safe_dump(doc))


@FUZZ
@given(VALUES)
def test_random_documents_never_crash(value: Any) -> None:
    _lint_text(json.dumps(value))
    _lint_text(json.dumps({"containerDefinitions": [value], "requiresCompatibilities": ["FARGATE"], "cpu": value}))
    _lint_text(json.dumps({"taskDefinition": {"containerDefinitions": value if isinstance(value, list) else [value]}}))
    _lint_text(json.dumps({"Resources": {"T": {"Type": "AWS::ECS::TaskDefinition", "Properties": value}}}))
    _lint_text(
        json.dumps(
            {
                "format_version": "1.2",
                "planned_values": {
                    "root_module": {
                        "resources": [{"type": "aws_ecs_task_definition", "address": "a.b", "values": value}]
                    }
                },
            }
        )
    )


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        text = formats.decode(data, "fuzz")
    except formats.InputFileError:
        return
    _lint_text(text)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("{}[]:,\"'!- \n\tabc01#&*|>")), max_size=120))
def test_random_json_and_yaml_syntax_never_crash(text: str) -> None:
    _lint_text(text)


@FUZZ
@given(VALUES)
def test_every_pointer_of_valid_json_has_a_position(value: Any) -> None:
    for indent in (None, 2):
        text = json.dumps(value, indent=indent)
        positions = json_positions(text)
        for path in _paths(value):
            pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
            assert pointer in positions, (pointer, text)
