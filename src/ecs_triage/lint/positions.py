"""Line-aware loading of JSON and YAML: the value plus a map JSON pointer -> (line, column).

JSON values come from `json.loads` (the authority on validity); a small scanner then walks the same text
and records where each member and item starts (the key for members, the value for array items).
YAML is composed into nodes (libyaml when available), then converted here: CloudFormation short-form
tags (`!Ref`, `!Sub`, `!GetAtt a.b`, `!If` ...) become their long form (`{"Ref": ...}`, `{"Fn::Sub": ...}`);
unknown tags become `{"Fn::<Tag>": value}`, an unknown value, and are listed in `unknown_tags`.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Position = tuple[int, int]  # 1-based line, 1-based column

MAX_NODES = 500_000  # guards against alias expansion bombs
MAX_DEPTH = 200


class LoadError(ValueError):
    """The text is not valid JSON/YAML; `line` when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Loaded:
    value: Any
    positions: dict[str, Position]
    syntax: str  # "json" | "yaml"
    unknown_tags: list[tuple[str, int]] = field(default_factory=list)

    def locate(self, pointer: str) -> tuple[str, Position | None]:
        """The deepest pointer at or above `pointer` that has a position, and that position."""
        p = pointer
        while True:
            if p in self.positions:
                return p, self.positions[p]
            if not p:
                return "", None
            p = p.rsplit("/", 1)[0]


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


# --------------------------------------------------------------------------------------------- JSON
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"[-+0-9.eE]+|true|false|null")


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def pos(self, offset: int) -> Position:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


def load_json(text: str) -> Loaded:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise LoadError("JSON nested too deeply") from None
    return Loaded(value, json_positions(text), "json")


def json_positions(text: str) -> dict[str, Position]:
    """Pointer -> position for valid JSON text (members at their key, items at their value)."""
    lines = _Lines(text)
    out: dict[str, Position] = {}
    # stack entries: [is_object, pointer, key_or_index, key_offset]
    stack: list[list[Any]] = []
    expect_key = False
    i, n = 0, len(text)

    def child(offset: int) -> str:
        if not stack:
            ptr, at = "", offset
        else:
            top = stack[-1]
            if top[0]:
                ptr, at = f"{top[1]}/{escape(top[2])}", top[3]
            else:
                ptr, at = f"{top[1]}/{top[2]}", offset
        out[ptr] = lines.pos(at)
        return ptr

    while i < n:
        c = text[i]
        if c in " \t\r\n\ufeff":
            i += 1
        elif c == '"':
            m = _STRING.match(text, i)
            end = m.end() if m else n
            if expect_key and stack:
                stack[-1][2] = json.loads(text[i:end]) if m else ""
                stack[-1][3] = i
                expect_key = False
            else:
                child(i)
            i = end
        elif c in "{[":
            ptr = child(i)
            stack.append([c == "{", ptr, None if c == "{" else 0, i])
            expect_key = c == "{"
            i += 1
        elif c in "}]":
            if stack:
                stack.pop()
            expect_key = False
            i += 1
        elif c == ",":
            if stack:
                if stack[-1][0]:
                    expect_key = True
                else:
                    stack[-1][2] += 1
            i += 1
        elif c == ":":
            i += 1
        else:
            m = _SCALAR.match(text, i)
            child(i)
            i = m.end() if m and m.end() > i else i + 1
    return out


# --------------------------------------------------------------------------------------------- YAML
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FN_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
}
_STD_PREFIX = "tag:yaml.org,2002:"


class CfnSafeLoader(yaml.SafeLoader):
    """A SafeLoader that reads CloudFormation short-form intrinsics into their long form (no positions)."""


def _short_form(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return _intrinsic(tag_suffix, value)


CfnSafeLoader.add_multi_constructor("!", _short_form)


def _intrinsic(name: str, value: Any) -> dict[str, Any]:
    if name in _FN_TAGS:
        return {_FN_TAGS[name]: value}
    if name == "GetAtt" and isinstance(value, str):
        head, _, tail = value.partition(".")
        return {"Fn::GetAtt": [head, tail]}
    return {f"Fn::{name}": value}


KNOWN_TAGS = frozenset(
    {
        "Ref",
        "Condition",
        "Sub",
        "GetAtt",
        "If",
        "Join",
        "Select",
        "Split",
        "FindInMap",
        "ImportValue",
        "Equals",
        "And",
        "Or",
        "Not",
        "Base64",
        "Cidr",
        "GetAZs",
        "Transform",
        "Length",
        "ToJsonString",
        "ForEach",
    }
)


class _Converter:
    def __init__(self) -> None:
        self.positions: dict[str, Position] = {}
        self.unknown_tags: list[tuple[str, int]] = []
        self.nodes = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def convert(self, node: yaml.Node, ptr: str, at: yaml.Node | None, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise LoadError(f"YAML expands to more than {MAX_NODES} nodes (alias expansion?)")
        if depth > MAX_DEPTH:
            raise LoadError(f"YAML nested deeper than {MAX_DEPTH} levels")
        mark = (at or node).start_mark
        self.positions[ptr] = (mark.line + 1, mark.column + 1)
        tag = node.tag or ""
        if tag.startswith("!") and not tag.startswith("!!"):
            name = tag[1:]
            if name not in KNOWN_TAGS:
                self.unknown_tags.append((tag, mark.line + 1))
            key = next(iter(_intrinsic(name, None)))
            self.positions[f"{ptr}/{escape(key)}"] = self.positions[ptr]
            inner = self._plain(node, f"{ptr}/{escape(key)}", depth)
            return _intrinsic(name, inner)
        return self._plain(node, ptr, depth)

    def _plain(self, node: yaml.Node, ptr: str, depth: int) -> Any:
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if key is None or isinstance(key, (dict, list)):
                    key = str(getattr(key_node, "value", ""))[:80]
                key = str(key)
                out[key] = self.convert(value_node, f"{ptr}/{escape(key)}", key_node, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, f"{ptr}/{i}", None, depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        tag = node.tag or ""
        if not tag.startswith(_STD_PREFIX) or not isinstance(node, yaml.ScalarNode):
            return node.value if isinstance(node.value, str) else None
        if tag.endswith(("str", "binary", "timestamp")):
            return node.value
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            return node.value
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return node.value
        return value


def load_yaml(text: str) -> Loaded:
    try:
        node = yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = (exc.problem or exc.context or "syntax error").strip()
        where = f" at line {line} column {mark.column + 1}" if mark is not None else ""
        raise LoadError(f"invalid YAML{where}: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else 'syntax error'}") from None
    except RecursionError:
        raise LoadError("YAML nested too deeply") from None
    if node is None:
        return Loaded(None, {}, "yaml")
    conv = _Converter()
    try:
        value = conv.convert(node, "", None, 0)
    except RecursionError:
        raise LoadError("YAML nested too deeply") from None
    return Loaded(value, conv.positions, "yaml", conv.unknown_tags)
