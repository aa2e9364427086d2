"""Line maps of JSON and YAML, and CloudFormation short-form tags."""

from __future__ import annotations

import json

import pytest
import yaml

from ecs_triage.lint.positions import CfnSafeLoader, LoadError, json_positions, load_json, load_yaml


def test_json_positions_of_keys_and_items() -> None:
    text = '{\n  "a": 1,\n  "list": [\n    {"b/c": "x"},\n    2\n  ],\n  "s": "has \\" quote, and {brace}",\n  "z": null\n}'
    pos = json_positions(text)
    assert pos[""] == (1, 1)
    assert pos["/a"] == (2, 3)
    assert pos["/list"] == (3, 3)
    assert pos["/list/0"] == (4, 5)
    assert pos["/list/0/b~1c"] == (4, 6)
    assert pos["/list/1"] == (5, 5)
    assert pos["/s"] == (7, 3)
    assert pos["/z"] == (8, 3)


def test_json_positions_cover_every_pointer_of_a_compact_document() -> None:
    doc = {"x": [1, {"y": [True, None, "a,b]"]}], "w": {"": 0}}
    text = json.dumps(doc)
    pos = json_positions(text)
    assert set(pos) == {"", "/x", "/x/0", "/x/1", "/x/1/y", "/x/1/y/0", "/x/1/y/1", "/x/1/y/2", "/w", "/w/"}
    assert all(line == 1 for line, _ in pos.values())


def test_invalid_json_reports_the_line() -> None:
    with pytest.raises(LoadError) as info:
        load_json('{\n  "a": 1,\n  "b": [1, 2,]\n}')
    assert info.value.line == 3
    assert "line 3" in info.value.message


def test_yaml_short_form_tags_become_long_form_with_positions() -> None:
    text = (
        "Resources:\n"
        "  T:\n"
        "    Properties:\n"
        "      Family: !Sub '${AWS::StackName}-web'\n"
        "      Role: !GetAtt Role.Arn\n"
        "      Cpu: !If [IsProd, '1024', !Ref SmallCpu]\n"
        "      Other: !Whatever x\n"
    )
    loaded = load_yaml(text)
    props = loaded.value["Resources"]["T"]["Properties"]
    assert props["Family"] == {"Fn::Sub": "${AWS::StackName}-web"}
    assert props["Role"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert props["Cpu"] == {"Fn::If": ["IsProd", "1024", {"Ref": "SmallCpu"}]}
    assert props["Other"] == {"Fn::Whatever": "x"}
    assert loaded.unknown_tags == [("!Whatever", 7)]
    assert loaded.positions["/Resources/T/Properties/Cpu"] == (6, 7)
    assert loaded.positions["/Resources/T/Properties/Cpu/Fn::If/2"][0] == 6


def test_yaml_scalars_keep_their_types() -> None:
    loaded = load_yaml("a: 1\nb: true\nc: '1'\nd: 2024-01-01\ne: null\nf: .inf\n")
    assert loaded.value == {"a": 1, "b": True, "c": "1", "d": "2024-01-01", "e": None, "f": ".inf"}


def test_invalid_yaml_reports_the_line() -> None:
    with pytest.raises(LoadError) as info:
        load_yaml("a: 1\nb:\n  - x\n  y: [\n")
    assert info.value.line is not None and info.value.line >= 4


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(LoadError, match="alias"):
        load_yaml("\n".join(lines))


def test_cfn_safe_loader_reads_short_forms() -> None:
    doc = yaml.load("X: !Ref Y\nZ: !GetAtt A.B\nS: !Select [0, !GetAZs '']\n", Loader=CfnSafeLoader)
    assert doc == {"X": {"Ref": "Y"}, "Z": {"Fn::GetAtt": ["A", "B"]}, "S": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}
