"""Safe, bounded YAML loading that remembers where each value came from.

Scenario and process files are data written by people, so they are loaded with
PyYAML's safe constructors only, and refused before parsing when they could make
the parser slow or the loader dangerous: files over ``MAX_BYTES``, nesting deeper
than ``MAX_DEPTH``, anchors and aliases (the vehicle of "billion laughs" bombs),
explicit tags, merge keys and duplicate keys. Dates stay strings so that a
scenario's date keeps the precision it was written with.

Mappings load as :class:`LDict` and sequences as :class:`LList`; both carry the
line of each key or item so that validation errors can name the place.

Parsing uses libyaml (PyYAML's C loader) when PyYAML was built with it, about ten
times faster, and the pure-Python loader otherwise: the same data, lines and refusals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from procsim.core.errors import LoadError
from procsim.core.text import has_unsafe

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_TEXT_CHARS = 10_000  # the longest text in the shipped files is under 1,000; Graphviz fails near 16,000
MAX_NUMBER_CHARS = 100  # a longer integer is not data a person wrote (and int() of >4300 digits fails)

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class LDict(dict):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        """The line of ``key`` if present, else the mapping's own line."""
        return self.key_lines.get(key, self.line)


class LList(list):
    """A sequence that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


def line_of(value: Any, default: int = 0) -> int:
    """The line a loaded value started on, if it is a container."""
    return getattr(value, "line", default) or default


class _Loader(yaml.SafeLoader):
    """SafeLoader without timestamp resolution, building located containers."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _deeper(loader: Any, node: yaml.Node) -> int:
    """Count one more level of nesting while constructing ``node``; refuse more than ``MAX_DEPTH``."""
    depth = getattr(loader, "_depth", 0) + 1
    if depth > MAX_DEPTH:
        raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", line=node.start_mark.line + 1)
    loader._depth = depth
    return depth


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LDict:
    depth = _deeper(loader, node)
    try:
        return _mapping(loader, node)
    finally:
        loader._depth = depth - 1


def _mapping(loader: Any, node: yaml.MappingNode) -> LDict:
    result = LDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise LoadError("merge keys ('<<') are not allowed", line=line)
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise LoadError("a mapping key must be a plain value", line=line) from None
        if key in result:
            raise LoadError(f"duplicate key '{key}' (first on line {result.key_lines[key]})", line=line)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> LList:
    depth = _deeper(loader, node)
    try:
        result = LList(loader.construct_object(child, deep=True) for child in node.value)
    finally:
        loader._depth = depth - 1
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    if len(node.value) > MAX_NUMBER_CHARS:
        raise LoadError(
            f"a number of {len(node.value)} characters; numbers are limited to {MAX_NUMBER_CHARS}",
            line=node.start_mark.line + 1,
        )
    return loader.construct_yaml_int(node)


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    text = loader.construct_scalar(node)
    if len(text) > MAX_TEXT_CHARS:
        raise LoadError(
            f"a text of {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}",
            line=node.start_mark.line + 1,
        )
    unsafe = has_unsafe(str(text).replace("\r", ""))
    if unsafe is not None:
        raise LoadError(
            f"text with the control character U+{ord(unsafe):04X} (only tabs and line breaks are allowed)",
            line=node.start_mark.line + 1,
        )
    return str(text)


#: The constructors that check values as they are built: the one list, for both loaders.
_CONSTRUCTORS: dict[str, Callable[[Any, Any], Any]] = {
    "tag:yaml.org,2002:int": _construct_int,
    "tag:yaml.org,2002:str": _construct_str,
    "tag:yaml.org,2002:map": _construct_mapping,
    "tag:yaml.org,2002:seq": _construct_sequence,
}
for _tag, _constructor in _CONSTRUCTORS.items():
    _Loader.add_constructor(_tag, _constructor)


def _libyaml_loader() -> Any:
    """:class:`_Loader` on libyaml's parser (same resolvers, located containers), or None."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None

    class _CLoader(yaml.CSafeLoader):
        pass

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    for tag, constructor in _CONSTRUCTORS.items():
        _CLoader.add_constructor(tag, constructor)
    return _CLoader


#: The loader class used: libyaml's when PyYAML has it, else the pure-Python one.
LOADER: Any = _libyaml_loader() or _Loader


#: Without a match, a text has no anchor ('&name'), alias ('*name') or tag ('!...').
_MAYBE_MARKED = re.compile(r"[&*]\S|!")


#: What the parser's messages mean for someone editing a scenario, by a phrase of the message.
_SYNTAX_WORDS = (
    (
        "expected <block end>",
        "a line indented differently from the lines around it: keys of one mapping line up",
    ),
    (
        "mapping values are not allowed",
        "a 'key: value' where none can be: check this line's indentation, or "
        "quote a value that contains ': '",
    ),
    ("did not find expected key", "a line inside a mapping that is not 'key: value': check its indentation"),
    ("did not find expected '-'", "a list item indented differently from the others"),
    ("did not find expected node content", "an unfinished [list] or {mapping}, or a value missing after ':'"),
    ("did not find expected ',' or ']'", "a [list] that is not closed with ']'"),
    ("did not find expected ',' or '}'", "a {mapping} that is not closed with '}'"),
    ("found unexpected end of stream", "a quoted text that is never closed: check the quotes"),
    (
        "found unknown escape character",
        "a backslash in double quotes that is not an escape: write \\\\ or use single quotes",
    ),
    (
        "cannot start any token",
        "a character that cannot start a value here (a tab? YAML indents with spaces only)",
    ),
)


def syntax_in_words(problem: str) -> str:
    """A YAML parser's problem said in words, with the parser's own words after it."""
    for phrase, words in _SYNTAX_WORDS:
        if phrase in problem:
            return f"{words} (the parser says: {problem})"
    return problem


def _prescan(text: str) -> None:
    """Refuse aliases, anchors, explicit tags and deep nesting before composing.

    With libyaml a text that cannot hold an anchor, alias or tag is not scanned: libyaml
    composes without recursion, and the constructors refuse deep nesting as they go.
    """
    if LOADER is not _Loader and not _MAYBE_MARKED.search(text):
        return
    depth = 0
    for event in yaml.parse(text, Loader=LOADER):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            raise LoadError("aliases ('*name') are not allowed", line=line)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise LoadError(f"anchors ('&{anchor}') are not allowed", line=line)
        tag = getattr(event, "tag", None)
        if tag is not None:
            implicit = getattr(event, "implicit", True)
            explicit = not (implicit[0] if isinstance(implicit, tuple) else implicit)
            if explicit:
                raise LoadError(f"tags ('{tag}') are not allowed", line=line)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", line=line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def loads(text: str, path: str | None = None) -> Any:
    """Parse YAML text safely; errors are :class:`LoadError` naming ``path`` and line."""
    try:
        if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise LoadError(f"file is larger than {MAX_BYTES // 1024} KiB; refused")
        _prescan(text)
        return yaml.load(text, Loader=LOADER)
    except LoadError as error:
        raise error.at(path=path) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        if "nesting depth" in str(error.problem):  # libyaml's own limit (1,000) can answer before ours
            raise LoadError(f"nesting deeper than {MAX_DEPTH} levels", path=path, line=line) from None
        problem = " ".join(str(error.problem or error.context or "invalid YAML").split())
        raise LoadError(f"YAML syntax error: {syntax_in_words(problem)}", path=path, line=line) from None
    except yaml.YAMLError as error:
        raise LoadError(f"YAML error: {' '.join(str(error).split())}", path=path) from None
    except RecursionError:
        raise LoadError("nesting too deep", path=path) from None


def load_file(path: Path) -> Any:
    """Read (a regular file, at most ``MAX_BYTES``) and parse a YAML file."""
    from procsim.io.files import read_text

    return loads(read_text(path, MAX_BYTES), str(path))
