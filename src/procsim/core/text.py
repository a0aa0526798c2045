"""The one home of making text from a file safe to show: control characters escaped.

Text read from scenario and process files (and file names) can carry terminal escape
sequences (ESC, BEL, OSC 52), bidirectional overrides that reorder what is shown, and
line breaks that would make one message look like several. :func:`printable` shows
each such character as a visible escape (``\\x1b``, ``\\u202e``, ``\\n``) so that
nothing from a file can act on a terminal, and :func:`one_line` does the same for line
breaks so that one problem is always one line.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL; bidirectional embeddings, overrides and isolates; line and
# paragraph separators; the noncharacters U+FFFE/U+FFFF; a lone surrogate
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]"
)
_UNSAFE_LINE = re.compile(_UNSAFE.pattern[:-1] + "\t\n]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control or reordering character shown escaped; tabs and
    newlines are kept."""
    return _UNSAFE.sub(_escape, text)


def one_line(text: str) -> str:
    """``text`` as one line: as :func:`printable`, and tabs and line breaks escaped too."""
    return _UNSAFE_LINE.sub(_escape, text)


def has_unsafe(text: str) -> str | None:
    """The first character :func:`printable` would escape, or None."""
    match = _UNSAFE.search(text)
    return match.group() if match else None
