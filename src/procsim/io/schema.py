"""Field-by-field validation of loaded YAML, collecting located errors."""

from __future__ import annotations

from collections.abc import Iterable
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

    def error(self, message: str, line: int | None) -> None:
        self.errors.append(SchemaError(message, path=self.path, line=line or None))

    def mapping(self, value: Any, what: str, line: int) -> LDict | None:
        if isinstance(value, LDict):
            return value
        self.error(f"{what} must be a mapping, not {_describe(value)}", line_of(value, line))
        return None

    def keys(
        self, data: LDict, what: str, *, required: Iterable[str] = (), optional: Iterable[str] = ()
    ) -> None:
        """Report unknown keys (with the nearest known one) and missing ones."""
        required = list(required)
        known = [*required, *optional]
        for key in data:
            if key not in known:
                self.error(f"unknown key '{key}' in {what}{suggest(str(key), known)}", data.line_of(key))
        for key in required:
            if key not in data:
                self.error(f"{what} is missing required key '{key}'", data.line)

    def get(self, data: LDict, key: str, kind: type, what: str, *, required: bool = False) -> Any:
        """The value of ``key`` if it has type ``kind``; else record an error."""
        if key not in data:
            if required:
                self.error(f"{what} is missing required key '{key}'", data.line)
            return None
        value = data[key]
        if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
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
                self.error(f"{what} is missing required key '{key}'", data.line)
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
