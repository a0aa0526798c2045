"""Field-by-field validation of loaded YAML, collecting located errors."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from procsim.core.errors import SchemaError, suggest
from procsim.io.safe_yaml import LDict, LList, line_of

_TYPE_WORDS = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
}


class Reader:
    """Reads fields out of located mappings, recording each problem once.

    Methods return ``None`` (or an empty container) after recording an error,
    so that validation carries on and reports every problem in a file.
    """

    def __init__(self, path: str | None):
        self.path = path
        self.errors: list[SchemaError] = []
        self._seen: set[tuple[str, int | None]] = set()
        self._missing: set[tuple[int, str]] = set()

    def error(self, message: str, line: int | None) -> None:
        key = (message, line or None)
        if key not in self._seen:  # one problem, one message
            self._seen.add(key)
            self.errors.append(SchemaError(message, path=self.path, line=line or None))

    def missing(self, data: LDict, key: str, what: str, values: Iterable[str] = ()) -> None:
        """Record that ``data`` lacks required ``key``: once per mapping and key, however often asked."""
        if (id(data), key) in self._missing:
            return
        self._missing.add((id(data), key))
        listed = list(values)
        one_of = f" (one of: {', '.join(listed)})" if listed else ""
        self.error(f"{what} is missing required key '{key}'{one_of}", data.line)

    def mapping(self, value: Any, what: str, line: int) -> LDict | None:
        if isinstance(value, LDict):
            return value
        self.error(f"{what} must be a mapping, not {_describe(value)}", line_of(value, line))
        return None

    def keys(
        self,
        data: LDict,
        what: str,
        *,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
        choices: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """Report unknown keys (with the nearest known one, and every key allowed) and missing ones
        (with the values allowed, where ``choices`` lists them)."""
        required = list(required)
        known = [*required, *optional]
        for key in data:
            if key not in known:
                self.error(
                    f"unknown key '{key}' in {what}{suggest(str(key), known)}; allowed: {', '.join(known)}",
                    data.line_of(key),
                )
        for key in required:
            if key not in data:
                self.missing(data, key, what, (choices or {}).get(key, ()))

    def get(self, data: LDict, key: str, kind: type, what: str, *, required: bool = False) -> Any:
        """The value of ``key`` if it has type ``kind``; else record an error."""
        if key not in data:
            if required:
                self.missing(data, key, what)
            return None
        value = data[key]
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind is str and number and math.isfinite(value):  # a number as text; not .nan or .inf
            value = str(value)
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is str and ok and not value.strip():
            self.error(f"'{key}' in {what} must not be empty", data.line_of(key))
            return None
        if not ok:
            self.error(
                f"'{key}' in {what} must be {_TYPE_WORDS.get(kind, kind.__name__)}, not {_describe(value)}",
                data.line_of(key),
            )
            return None
        return value

    def names(self, data: LDict, key: str, what: str, *, required: bool = False) -> list[str]:
        """A list of names (a single name is accepted as a list of one)."""
        if key not in data:
            if required:
                self.missing(data, key, what)
            return []
        value = data[key]
        if isinstance(value, str) and value.strip():
            return [value]
        if not isinstance(value, LList):
            self.error(
                f"'{key}' in {what} must be a name or a list of names, not {_describe(value)}",
                data.line_of(key),
            )
            return []
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.error(
                    f"item {index + 1} of '{key}' in {what} must be a name, not {_describe(item)}",
                    value.line_of(index),
                )
            else:
                result.append(item)
        return result


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    text = str(value)
    return f"'{text[:40]}'" + ("..." if len(text) > 40 else "")


# ---------------------------------------------------------------------- the JSON Schemas
@lru_cache(maxsize=4)
def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a ``scenario`` or ``process`` file, shipped in the package."""
    name = f"{kind}.schema.json"
    shipped = Path(__file__).resolve().parent / "schemas" / name
    if shipped.is_file():  # an ordinary install: no need to import importlib.resources (as processes_dir)
        text = shipped.read_text(encoding="utf-8")
    else:
        from importlib import resources

        text = (resources.files("procsim.io") / "schemas" / name).read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def allowed_keys(kind: str, definition: str | None = None) -> tuple[list[str], list[str]]:
    """(required, optional) keys of an object in a file's JSON Schema: the one list of each.

    ``definition`` names an entry of the schema's ``$defs`` (e.g. ``event``); None, the top level.
    """
    schema = json_schema(kind)
    node = schema if definition is None else schema["$defs"][definition]
    required = list(node.get("required", []))
    return required, [key for key in node["properties"] if key not in required]


def allowed_choices(kind: str, definition: str | None = None) -> dict[str, tuple[str, ...]]:
    """The keys of an object in the schema that take one of a list of values, with the values."""
    schema = json_schema(kind)
    node = schema if definition is None else schema["$defs"][definition]
    return {key: tuple(spec["enum"]) for key, spec in node["properties"].items() if "enum" in spec}


def allowed_values(kind: str, definition: str | None, key: str) -> tuple[str, ...]:
    """The values an ``enum`` key of the schema allows (e.g. a scenario's ``kind``)."""
    schema = json_schema(kind)
    node = schema if definition is None else schema["$defs"][definition]
    return tuple(node["properties"][key]["enum"])
