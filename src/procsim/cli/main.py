"""The ``procsim`` command: a thin client of the model, loaders and formatters."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from procsim.cli.analysis import add_commands as add_analysis_commands
from procsim.cli.output import (
    EXIT_INCOMPLETE,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    print_json,
    print_rich,
)
from procsim.core.errors import ProcsimError
from procsim.core.text import one_line
from procsim.io import DEFAULT_PROCESS

if TYPE_CHECKING:
    from procsim.core.dates import PartialDate


def cmd_list(args: argparse.Namespace) -> int:
    from procsim.io.process_reader import available_processes, load_process
    from procsim.io.scenario_reader import available_scenarios, load_scenario

    processes: list[dict[str, Any]] = []  # JSON records
    for name in available_processes():
        process = load_process(name)
        processes.append(
            {
                "id": name,
                "title": process.title,
                "states": len(process.states),
                "transitions": len(process.transitions),
            }
        )
    scenarios: list[dict[str, Any]] = []
    for path in available_scenarios(args.scenarios):
        try:
            scenario = load_scenario(path)
            scenarios.append(
                {
                    "id": scenario.id,
                    "title": scenario.title,
                    "kind": scenario.kind,
                    "extends": scenario.extends,
                    "events": len(scenario.events),
                    "end": scenario.end.state,
                    "status": scenario.end.status,
                    "path": str(path),
                    "valid": True,
                }
            )
        except ProcsimError as error:
            scenarios.append({"id": path.stem, "path": str(path), "valid": False, "error": str(error)})
    if args.json:
        print_json({"processes": processes, "scenarios": scenarios})
        return EXIT_OK
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Processes", title_justify="left")
    table.add_column("id", no_wrap=True, min_width=max((len(p["id"]) for p in processes), default=2))
    for column in ("title", "states", "transitions"):
        table.add_column(column, overflow="fold")
    for item in processes:
        table.add_row(Text(item["id"]), Text(item["title"]), str(item["states"]), str(item["transitions"]))
    print_rich(table)
    from rich.console import Group
    from rich.markup import escape
    from rich.padding import Padding

    # One entry a scenario: its id whole on its own line (the very thing a user types), then the rest.
    lines: list = [Text(f"Scenarios in {args.scenarios}/", style="italic")]
    for item in scenarios:
        lines.append(Text.from_markup(f"  [bold cyan]{escape(item['id'])}[/]"))
        if item["valid"]:
            extends = f"; extends {item['extends']}" if item["extends"] else ""
            about = (
                f"{item['kind']}{extends}; {item['events']} events; ends in {item['end']} ({item['status']})\n"
                f"{item['title']}"
            )
            lines.append(Padding(Text(about), (0, 0, 0, 6)))
        else:
            lines.append(Padding(Text.from_markup(f"[red]invalid:[/] {escape(item['error'])}"), (0, 0, 0, 6)))
    print_rich(Group(*lines))
    return EXIT_OK


def cmd_replay(args: argparse.Namespace) -> int:
    from procsim.render.text import replay_json, replay_text
    from procsim.workspace import replay_scenario

    replayed = replay_scenario(args.scenario, args.scenarios)
    if args.brief and args.sources:
        raise ProcsimError("--brief and --sources ask for less and more: choose one")
    if args.law_as_of is not None:
        return _print_lens(args, [replayed], None, _law_date(args.law_as_of))
    if args.json:
        print_json(replay_json(replayed.process, replayed.replay, replayed.runs))
    else:
        detail = "brief" if args.brief else "full" if args.sources else "normal"
        print_rich(replay_text(replayed.process, replayed.replay, replayed.runs, detail))
    return EXIT_OK


def _law_date(text: str) -> PartialDate:
    from procsim.core.dates import PartialDate
    from procsim.core.errors import ProcsimError

    try:
        return PartialDate.parse(text)
    except ValueError as error:
        raise ProcsimError(f"--law-as-of / law-diff: {error}") from None


def _print_lens(args: argparse.Namespace, replays: list[Any], first: Any, second: Any) -> int:
    from procsim.analysis.lawlens import compare_laws, lens_lines
    from procsim.workspace import engine_for

    reports = [compare_laws(engine_for(r.process), r.replay, first, second) for r in replays]
    if args.json:
        print_json(
            [
                {
                    "scenario": rep.scenario,
                    "first": rep.first.iso() if rep.first else None,
                    "second": rep.second.iso() if rep.second else None,
                    "differs": rep.differs,
                    "rows": [
                        {
                            "after_step": row.step,
                            "event": row.event,
                            "state": row.state,
                            "only_first": list(row.only_first),
                            "only_second": list(row.only_second),
                            "versions": list(row.versions) if row.versions else None,
                        }
                        for row in rep.rows
                    ],
                    "diverges": None
                    if rep.diverges is None
                    else {
                        "step": rep.diverges[0],
                        "event": rep.diverges[1],
                        "blocked_under": rep.diverges[2],
                    },
                }
                for rep in reports
            ]
        )
    else:
        from rich.text import Text

        for rep in reports:
            print_rich(Text("\n".join(lens_lines(rep))))
    return EXIT_OK


def cmd_law_diff(args: argparse.Namespace) -> int:
    from procsim.io.scenario_reader import load_scenario, scenario_files
    from procsim.workspace import replay_scenario

    first, second = _law_date(args.first), _law_date(args.second)
    replays = [replay_scenario(load_scenario(path)) for path in scenario_files(args.paths, args.scenarios)]
    if not args.all:
        from procsim.analysis.lawlens import compare_laws
        from procsim.workspace import engine_for

        replays = [r for r in replays if compare_laws(engine_for(r.process), r.replay, first, second).differs]
    return _print_lens(args, replays, first, second)


def cmd_deadlines(args: argparse.Namespace) -> int:
    from procsim.render.text import deadlines_json, deadlines_text
    from procsim.workspace import replay_scenario

    replayed = replay_scenario(args.scenario, args.scenarios)
    if args.json:
        print_json(deadlines_json(replayed.replay, replayed.runs))
    else:
        print_rich(deadlines_text(replayed.process, replayed.replay, replayed.runs))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from procsim.core.deadlines import EXTENSION_POWER, due_text
    from procsim.io.scenario_reader import scenario_files
    from procsim.workspace import check_file

    files = scenario_files(args.paths, args.scenarios)
    results: list[dict[str, Any]] = []
    problems = warnings = 0
    for path in files:
        checked = check_file(path)
        problems += len(checked.errors)
        todos = [
            {"file": str(path), "line": line, "message": f"incomplete: {where} is still TODO"}
            for line, where in checked.todos
        ]
        late = [
            {
                "file": run.closed_by.event.origin or str(path),
                "line": run.closed_by.event.line,
                "message": f"warning: event '{run.closed_by.event.id}' was late"
                + (
                    f" unless the court extended time ({EXTENSION_POWER}), which the sources do not say"
                    f" (the court dealt with it: '{run.heard_by.event.id}')"
                    if run.heard_by is not None
                    else ""
                )
                + f": {run.limit.describe()} ({run.limit.basis}) fell due {due_text(run.due)}, "
                f"and it happened {'on' if run.closed_by.event.date.precision == 'day' else 'in'} "
                f"{run.closed_by.event.date.human()}"
                + (f" [UNVERIFIED limit: {run.limit.unverified}]" if run.limit.unverified else ""),
            }
            for run in (checked.replayed.late if checked.replayed else [])
            if run.closed_by
        ]
        warnings += len(late)
        entry = {
            "file": str(path),
            "valid": checked.valid,
            "scenario": checked.replayed.scenario.id if checked.replayed else None,
            "final_state": checked.replayed.replay.final_state if checked.replayed else None,
            "problems": [
                {"file": e.path or str(path), "line": e.line, "message": e.message} for e in checked.errors
            ],
            "warnings": late,
        }
        if todos:
            entry.update(incomplete=True, todos=todos)
        results.append(entry)
    incomplete = sum(1 for item in results if item.get("incomplete"))
    if args.json:
        print_json({"files": results, "valid": problems == 0 and not incomplete, "incomplete": incomplete})
    else:
        out = sys.stdout
        for item in results:
            for problem in item["problems"] + item.get("todos", []) + item["warnings"]:
                place = f"{problem['file']}:{problem['line']}" if problem["line"] else problem["file"]
                out.write(one_line(f"{place}: {problem['message']}") + "\n")
        invalid = sum(1 for item in results if not item["valid"] and not item.get("incomplete"))
        summary = (
            f"{len(files)} scenario file{'s' if len(files) != 1 else ''} checked: "
            + (
                "all valid"
                if not invalid and not incomplete
                else "none invalid"
                if not invalid
                else f"{invalid} invalid, {problems} problem{'s' if problems != 1 else ''}"
            )
            + (f"; {warnings} late step{'s' if warnings != 1 else ''}" if warnings else "")
            + (f"; {incomplete} incomplete (TODO markers left)" if incomplete else "")
        )
        out.write(summary + "\n")
        drawn_from = Path(args.scenarios).resolve()
        undrawn = _undrawn(
            args.scenarios,
            [
                item["scenario"]
                for item in results
                if item["valid"] and Path(item["file"]).resolve().parent == drawn_from
            ],
        )
        if undrawn:
            out.write(
                f"note: {len(undrawn)} valid scenario{'s' if len(undrawn) != 1 else ''} without a diagram in "
                f"{Path(args.scenarios).parent / 'diagrams'}/ ({', '.join(undrawn)}): run procsim diagram --all "
                "(make test checks that diagrams/ is up to date)\n"
            )
    if problems:
        return EXIT_PROBLEMS
    return EXIT_INCOMPLETE if incomplete else EXIT_OK


def _undrawn(scenarios: Path, ids: list[str]) -> list[str]:
    """Valid scenarios of the scenarios folder that its diagrams/ folder (if any) has not drawn yet."""
    folder = Path(scenarios).parent / "diagrams"
    if not folder.is_dir():
        return []
    return [name for name in ids if not (folder / f"{name}.svg").exists()]


def cmd_explain(args: argparse.Namespace) -> int:
    from procsim.io.process_reader import load_process
    from procsim.render.text import explain_entry, explain_text

    process = load_process(args.process)
    data = explain_entry(process, " ".join(args.name))
    if args.json:
        print_json(data)
    else:
        print_rich(explain_text(data))
    return EXIT_OK


def cmd_step(args: argparse.Namespace) -> int:
    from procsim.cli.stepper import run_stepper

    return run_stepper(args)


def _common_options(top: bool) -> argparse.ArgumentParser:
    """The options every command takes, before or after the command's name.

    The top-level parser gives the defaults; a subcommand's copy has no default
    (SUPPRESS), so an option given before the command is not undone after it.
    """
    common = argparse.ArgumentParser(add_help=False)
    default: object = None if top else argparse.SUPPRESS
    common.add_argument(
        "--scenarios",
        type=Path,
        default=default,
        metavar="DIR",
        help="the scenarios folder (default: ./scenarios)",
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="print JSON for programs",
    )
    return common


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("procsim")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without install
        return "unknown"


class _VersionAction(argparse.Action):
    """``--version``, looked up only when asked: reading the package's metadata imports
    ``importlib.metadata`` and the email package, a third of ``procsim --help``'s start-up."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **_: Any) -> None:
        super().__init__(
            option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, help="show the version and exit"
        )

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option: Any = None
    ) -> None:
        sys.stdout.write(f"procsim {_version()}\n")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="procsim",
        description="Simulate the England & Wales route from a police complaint to the last appeal.",
        parents=[_common_options(top=True)],
    )
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common_options(top=False)

    def add(name: str, help_text: str, handler) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text, parents=[common])
        sub.set_defaults(handler=handler)
        return sub

    add("list", "list the processes and scenarios found", cmd_list)
    replay = add("replay", "replay a scenario step by step", cmd_replay)
    replay.add_argument("scenario", help="a scenario name in scenarios/ or a path to a file")
    replay.add_argument(
        "--brief", action="store_true", help="one line per step: date, what happened, the state it led to"
    )
    replay.add_argument(
        "--sources", action="store_true", help="also list every source of each step in full (long)"
    )
    replay.add_argument(
        "--law-as-of",
        metavar="DATE",
        help="the law-in-force lens: the options at each step under the rules of DATE, against the case's own",
    )
    law_diff = add(
        "law-diff",
        "list every scenario whose options or outcome differ under the law of two dates, and where",
        cmd_law_diff,
    )
    law_diff.add_argument("first", metavar="DATE1")
    law_diff.add_argument("second", metavar="DATE2")
    law_diff.add_argument("paths", nargs="*", help="files or folders (default: scenarios/)")
    law_diff.add_argument("--all", action="store_true", help="also list the scenarios that do not differ")
    deadlines = add(
        "deadlines", "every time limit that ran in a scenario, with due dates and verdicts", cmd_deadlines
    )
    deadlines.add_argument("scenario", help="a scenario name in scenarios/ or a path to a file")
    step = add("step", "step through a case: what-if branches, a quiz", cmd_step)
    step.description = (
        "Step through a scenario event by event (or explore the bare process with --bare), "
        "try what-if branches and save them, or take a quiz."
    )
    step.add_argument("scenario", nargs="?", help="a scenario name in scenarios/ or a path")
    step.add_argument(
        "--bare", action="store_true", help="explore the bare process from its first state, with no scenario"
    )
    step.add_argument(
        "--process", default=DEFAULT_PROCESS, help="with --bare: the process (default: %(default)s)"
    )
    step.add_argument("--quiz", action="store_true", help="guess each step before it is revealed")
    step.add_argument("--script", metavar="FILE", help="read commands from FILE ('-' for standard input)")
    check = add("check", "validate scenario files against the model", cmd_check)
    check.add_argument("paths", nargs="*", help="files or folders (default: scenarios/)")
    explain = add("explain", "explain a state, trigger, guard, side event or fact", cmd_explain)
    explain.add_argument(
        "name",
        nargs="+",
        metavar="NAME",
        help="its name (final_written_warning) or its words (final written warning)",
    )
    explain.add_argument("--process", default=DEFAULT_PROCESS, help="the process (default: %(default)s)")
    from procsim.cli.diagram import add_arguments as add_diagram_arguments
    from procsim.cli.diagram import cmd_diagram

    add_diagram_arguments(
        add("diagram", "draw the process, a case's path, a comparison or a timeline", cmd_diagram)
    )
    add_analysis_commands(add)  # paths, coverage, scaffold, diff
    from procsim.cli.html import add_arguments as add_html_arguments
    from procsim.cli.html import cmd_html

    add_html_arguments(
        add("html", "one self-contained HTML page to step through a case (or the process)", cmd_html)
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command (``argv``, else the command line) and return its exit status.

    Python's cycle collector is paused while the command runs, and runs as before afterwards.
    A command builds its data once and keeps it (the process model, the parsed files, the
    engine, the text it prints: some 50,000 objects) and frees what it drops by reference
    counting, yet the collector, triggered by those allocations, scans them again and again:
    about a tenth of the CPU time of ``replay``, ``check`` or ``deadlines``. A command leaves
    a few hundred objects in reference cycles whatever its size (the same for ``check`` on 200
    files as on 12), so nothing grows for want of the collector. ``step`` reads commands for
    as long as its user types (or pipes) them: it runs with the collector.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(argv)
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


def program() -> NoReturn:
    """The ``procsim`` program (and ``python -m procsim``): :func:`main` on the command line, then exit.

    Everything the command built is freed with the process, but the interpreter's exit first
    scans every object for reference cycles (whether or not the collector is enabled), about
    a tenth of a command's CPU time again. It is frozen (:func:`gc.freeze`) and left to
    reference counting: every file procsim writes is written and closed before this point.
    """
    gc.disable()  # as main() does, without enabling the collector for the exit
    try:
        status = _run(None)
    finally:
        gc.freeze()
    sys.exit(status)


def _run(argv: Sequence[str] | None) -> int:
    """Parse the arguments and run the command: its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.command == "step":
        gc.enable()
    if args.scenarios is None:
        from procsim.workspace import default_scenarios_dir

        args.scenarios = default_scenarios_dir()
    try:
        return args.handler(args)
    except ProcsimError as error:
        sys.stderr.write(f"procsim: {error}\n")
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        sys.stderr.write("procsim: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # never show a traceback to a user
        if os.environ.get("PROCSIM_DEBUG"):
            raise
        sys.stderr.write(
            f"procsim: internal error: {type(error).__name__}: {error} (set PROCSIM_DEBUG=1 for details)\n"
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
