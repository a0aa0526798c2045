"""What every command shares: exit statuses, and printing rich text or JSON to stdout."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

#: Exit statuses: success; problems found in the input; a usage error; a scenario with
#: TODO markers left (incomplete); an internal error (a bug in procsim).
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERNAL = 0, 1, 2, 3, 70


def console(stderr: bool = False) -> Any:
    """A rich console for a terminal."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def safe_segments(renderable: Any, target: Any) -> Any:
    """``renderable`` rendered for the console ``target``, with every control character in
    its text shown escaped (:func:`procsim.core.text.printable`): rich's own styles still
    work, and nothing a file says can act on the terminal."""
    from rich.segment import Segment, Segments

    from procsim.core.text import printable

    return Segments(
        segment if segment.control else Segment(printable(segment.text), segment.style)
        for segment in target.render(renderable, target.options)
    )


def print_rich(renderable: Any) -> None:
    """Rich output on a terminal; plain text without trailing spaces otherwise. Either way
    no control character from a file's text reaches the terminal."""
    if sys.stdout.isatty():
        target = console()
        target.print(safe_segments(renderable, target))
        return
    from rich.console import Console

    with open(os.devnull, "w") as sink:
        plain = Console(
            width=int(os.environ.get("COLUMNS", 100)),
            color_system=None,
            highlight=False,
            force_terminal=False,
            file=sink,
        )
        with plain.capture() as capture:
            plain.print(renderable)
    from procsim.core.text import printable

    text = printable(capture.get())  # plain: any control character came from a file's text
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    sys.stdout.write("\n".join(line.rstrip() for line in lines) + "\n")


def print_json(data: Any) -> None:
    """JSON for programs, on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
