"""``procsim html``: one self-contained HTML page for a case, or for the bare process.

A thin client: it loads and replays the scenario, asks :mod:`procsim.render.html`
for the page and writes it atomically. Without ``-o`` the page is written to
``NAME.html`` in the current folder (``-o -``: standard output).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from procsim.core.errors import ProcsimError

EXIT_OK = 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", help="a scenario name in scenarios/ or a path to a file")
    parser.add_argument(
        "--process",
        dest="process_id",
        nargs="?",
        const="police_misconduct_ew",
        default=None,
        metavar="ID",
        help="the bare process instead of a scenario (default: police_misconduct_ew)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="the file to write (default: NAME.html here; '-': standard output)",
    )


def cmd_html(args: argparse.Namespace) -> int:
    from procsim.render.html.page import process_page, scenario_page

    if args.process_id and args.scenario:
        raise ProcsimError("give a scenario or --process, not both")
    from procsim.workspace import engine_for

    if args.process_id:
        from procsim.io.process_reader import load_process

        process = load_process(args.process_id)
        page = process_page(process, engine_for(process))
    elif args.scenario:
        from procsim.workspace import replay_scenario

        replayed = replay_scenario(args.scenario, args.scenarios)
        page = scenario_page(replayed.process, replayed.replay, engine_for(replayed.process))
    else:
        raise ProcsimError("give a scenario (procsim html oconnor) or --process for the bare process")
    data = page.render()
    if args.output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return EXIT_OK
    from procsim.io.atomic import write_bytes_atomic

    path = Path(args.output) if args.output else Path(f"{page.name}.html")
    try:
        write_bytes_atomic(path, data)
    except OSError as error:
        raise ProcsimError(f"cannot write {path}: {error.strerror or error}") from None
    if args.json:
        import json

        sys.stdout.write(json.dumps({"file": str(path), "bytes": len(data)}) + "\n")
    else:
        sys.stderr.write(f"wrote {path} ({len(data) // 1024} KB); open it in a browser, no network needed\n")
    return EXIT_OK
