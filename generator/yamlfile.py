"""Read the small YAML files users edit (themes.yml, sources.yml) with line numbers.

PyYAML's composer keeps a mark (line, column) on every node; we walk the node
tree ourselves so every error can say `file:line` and what to write instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigFileError

# libyaml's parser when PyYAML was built with it (the wheels are): the same events, nodes and marks, ten
# times faster than the pure-Python one, which `mkdocs serve` would pay on every rebuild.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Located:
    """A YAML value with the 1-based line it starts on."""

    value: Any
    line: int
    key_line: int | None = None  # for a mapping's entry: the line of its key


def load(path: Path, error: type[ConfigFileError]) -> Located | None:
    """Parse `path` into nested Located values; None when the file is empty."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 ({exc.reason}); save it as UTF-8") from exc
    try:
        _check_events(text, path, error)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        if "nesting depth" in problem:  # libyaml's own limit (1,000), met while it reads ahead of our check
            raise error(_TOO_DEEP.format(where=where)) from None
        raise error(f"{where}: invalid YAML: {problem}; fix the syntax there") from exc
    return None if node is None else _located(node, path, error)


MAX_DEPTH = 32  # these files nest three or four levels; PyYAML's composer recurses per level
_STANDARD_TAG = "tag:yaml.org,2002:"
_TOO_DEEP = "{where}: nested more than " + str(MAX_DEPTH) + " levels deep; this file needs only a few levels"


def _check_events(text: str, path: Path, error: type[ConfigFileError]) -> None:
    """Refuse, before anything is built, what a hand-edited settings file never needs and an
    attack uses: anchors and aliases ("billion laughs": a few hundred bytes that expand to
    gigabytes), custom tags (`!foo`), and nesting deep enough to exhaust the stack.
    PyYAML's parser yields events iteratively, so this check costs time linear in the text."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise error(f"{path}:{line}: YAML anchors and aliases (&name, *name) are not accepted here; "
                        "write the value out in full")
        tag = getattr(event, "tag", None)
        if tag and not tag.startswith(_STANDARD_TAG) and tag != "!":
            raise error(f"{path}:{line}: YAML tag {tag!r} is not accepted here; remove it "
                        "(quote the value if it is text)")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise error(_TOO_DEEP.format(where=f"{path}:{line}"))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _located(node: yaml.Node, path: Path, error: type[ConfigFileError]) -> Located:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if not isinstance(key_node, yaml.ScalarNode):
                raise error(f"{path}:{key_node.start_mark.line + 1}: a key must be plain text")
            if key in mapping:
                raise error(
                    f"{path}:{key_node.start_mark.line + 1}: duplicate key {key!r} "
                    f"(first on line {mapping[key].line}); keep one"
                )
            child = _located(value_node, path, error)
            mapping[key] = Located(child.value, child.line, key_node.start_mark.line + 1)
        return Located(mapping, line)
    if isinstance(node, yaml.SequenceNode):
        return Located([_located(item, path, error) for item in node.value], line)
    # Scalars: let PyYAML's resolver give ints, dates, bools as usual.
    assert isinstance(node, yaml.ScalarNode), node  # a YAML node is a mapping, a sequence or a scalar
    return Located(_scalar(node, path, error), line)


# C0/C1 controls other than tab and newline, and lone surrogates: XML (feeds, SVG) and
# UTF-8 cannot hold them, and YAML's "\x01" and "\ud800" escapes let them into a hand-edited file.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _scalar(node: yaml.ScalarNode, path: Path, error: type[ConfigFileError]) -> Any:
    loader = yaml.SafeLoader("")
    try:
        value = loader.construct_object(node, deep=True)
        if isinstance(value, str) and (bad := _CONTROL.search(value)):
            raise error(f"{path}:{node.start_mark.line + 1}: {value[:40]!r} holds the character "
                        f"U+{ord(bad[0]):04X}, which no page or feed can hold; remove it")
        return value
    except ValueError as exc:  # a date-like value that is no date: 2024-02-30
        raise error(f"{path}:{node.start_mark.line + 1}: {node.value!r} is not a valid value ({exc}); "
                    "write a date as YYYY-MM-DD, or quote the text") from None
    finally:
        loader.dispose()


def expect(located: Located, kind: type, what: str, path: Path, error: type[ConfigFileError]) -> Any:
    """The value of `located` if it is a `kind`, else an error naming the line."""
    if not isinstance(located.value, kind):
        raise error(f"{path}:{located.line}: {what} must be {_KIND_NAMES.get(kind, kind.__name__)}")
    return located.value


_KIND_NAMES: dict[type, str] = {dict: "a mapping (key: value)", list: "a list", str: "text"}
