"""``procsim paths``, ``coverage``, ``scaffold`` and ``diff``: thin clients of the analysis modules.

Heavy modules (rich, the route analysis, the engine) are imported only when a
command runs, so that ``procsim --help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from procsim.analysis.method import ROUTE_METHOD
from procsim.cli.output import EXIT_OK, print_json, print_rich
from procsim.core.errors import ProcsimError, UnknownName, suggest
from procsim.io import DEFAULT_PROCESS

PATHS_HELP = (
    """\
Count the routes from the first state (or --from STATE) to each outcome, with the
shortest route to each; --show lists the routes themselves.

"""
    + ROUTE_METHOD
)

SCAFFOLD_HELP = """\
Write a skeleton alternative-outcome scenario that reaches OUTCOME along a shortest
route (the process's order breaks ties), from the first state or, with --extends and
--after, extending a scenario after one of its events. Each event sets the facts the
guards on its step need; dates, summaries, sources and the title are TODO markers.
`procsim check` reports the file as incomplete (exit status 3) until no TODO is left.
Without -o the scaffold is printed; with -o it is written atomically, never over an
existing file unless --force.
"""


def add_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    """Register the four commands with the CLI's ``add(name, help, handler)``."""
    paths = add("paths", "count the routes to each outcome, with the shortest (see paths --help)", cmd_paths)
    _long_help(paths, PATHS_HELP)
    paths.add_argument(
        "--from", dest="from_state", metavar="STATE", help="start here (default: the first state)"
    )
    paths.add_argument("--to", dest="to_state", metavar="STATE", help="count only the routes to STATE")
    paths.add_argument(
        "--max-loops",
        type=_count,
        default=1,
        metavar="N",
        help="at most N loop steps per route (default: %(default)s)",
    )
    paths.add_argument(
        "--show",
        type=_count,
        nargs="?",
        const=20,
        default=None,
        metavar="N",
        help="also list the routes, at most N (default 20)",
    )
    paths.add_argument(
        "--fact",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="fix a fact at the start, e.g. --fact regime=2020 (repeatable)",
    )
    paths.add_argument(
        "--process", default=DEFAULT_PROCESS, help="a process id or a process file (default: %(default)s)"
    )

    coverage = add(
        "coverage", "which states and transitions the scenarios exercise; outcomes none reaches", cmd_coverage
    )
    coverage.add_argument("paths", nargs="*", help="scenario files or folders (default: scenarios/)")
    coverage.add_argument("--process", default=DEFAULT_PROCESS, help="the process (default: %(default)s)")

    scaffold = add(
        "scaffold", "write a skeleton scenario that reaches an outcome (see scaffold --help)", cmd_scaffold
    )
    _long_help(scaffold, SCAFFOLD_HELP)
    scaffold.add_argument(
        "--to", dest="to_state", required=True, metavar="OUTCOME", help="the state to reach"
    )
    scaffold.add_argument(
        "--extends", dest="from_scenario", metavar="SCENARIO", help="extend this scenario (needs --after)"
    )
    scaffold.add_argument(
        "--after", metavar="EVENT", help="the event of SCENARIO after which the new route starts"
    )
    scaffold.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here (default: print)")
    scaffold.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    scaffold.add_argument(
        "--max-loops",
        type=_count,
        default=1,
        metavar="N",
        help="loop steps the route may take (default: %(default)s)",
    )
    scaffold.add_argument("--process", default=DEFAULT_PROCESS, help="the process (default: %(default)s)")

    diff = add("diff", "two scenarios side by side after their last shared event", cmd_diff)
    diff.add_argument("a", metavar="A", help="a scenario name or file")
    diff.add_argument("b", metavar="B", help="another")


def _long_help(parser: argparse.ArgumentParser, text: str) -> None:
    parser.description = text
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _load_process(name: str):
    from procsim.io.process_reader import load_process, load_process_file

    if name.endswith((".yaml", ".yml")) or "/" in name:
        return load_process_file(Path(name))
    return load_process(name)


def _state(process, name: str | None, what: str) -> str | None:
    if name is not None and name not in process.states:
        raise UnknownName(f"{what}: '{name}' is not a state of {process.id}{suggest(name, process.states)}")
    return name


# ---------------------------------------------------------------------- paths
def cmd_paths(args: argparse.Namespace) -> int:
    from procsim.analysis.routes import RouteSpace

    process = _load_process(args.process)
    start = _state(process, args.from_state, "--from") or process.initial
    target = _state(process, args.to_state, "--to")
    space = RouteSpace(process)
    region = None
    if args.fact:
        region = space.fixed(_facts(process, space, args.fact))
        if not region:
            raise ProcsimError("the --fact values contradict each other")
    report = space.report(start, target, args.max_loops, region)
    listed = None
    if args.show is not None:
        listed = list(space.routes(start, target, args.max_loops, region, limit=args.show))
    if args.json:
        from procsim.render.analysis_text import paths_json

        print_json(paths_json(process, report, listed))
    else:
        from procsim.render.analysis_text import paths_text

        print_rich(paths_text(process, report, listed, args.show))
    return EXIT_OK


def _facts(process, space, items: list[str]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise ProcsimError(f"--fact takes NAME=VALUE, not '{item}'")
        if name not in space.index:
            known = [*space.names]
            raise UnknownName(
                f"--fact: no guard reads '{name}'{suggest(name, known)}; "
                f"facts the guards read: {', '.join(known)}"
            )
        spec = process.facts.get(name)
        if spec is not None and spec.type == "bool":
            if value not in ("true", "false"):
                raise ProcsimError(f"--fact {name} takes true or false, not '{value}'")
            facts[name] = value == "true"
        else:
            allowed = [str(v) for v in space.domains[space.index[name]] if v is not None]
            if value not in allowed:
                raise ProcsimError(f"--fact {name} takes one of {', '.join(allowed)}; not '{value}'")
            facts[name] = value
    return facts


# ---------------------------------------------------------------------- coverage
def cmd_coverage(args: argparse.Namespace) -> int:
    from procsim.analysis.coverage import coverage
    from procsim.io.scenario_reader import scenario_files
    from procsim.workspace import check_file

    process = _load_process(args.process)
    replays, skipped = [], []
    for path in scenario_files(args.paths, args.scenarios):
        checked = check_file(path)
        if checked.incomplete:
            skipped.append({"file": str(path), "reason": "an incomplete scaffold (TODO markers left)"})
        elif checked.replayed is None:
            first = checked.errors[0] if checked.errors else "unreadable"
            skipped.append({"file": str(path), "reason": f"invalid: {first}"})
        elif checked.scenario_process != process.id:
            skipped.append({"file": str(path), "reason": f"a scenario of {checked.scenario_process}"})
        else:
            replays.append(checked.replayed.replay)
    cover = coverage(process, replays)
    if args.json:
        from procsim.render.analysis_text import coverage_json

        print_json(coverage_json(cover, skipped))
    else:
        from procsim.render.analysis_text import coverage_text

        print_rich(coverage_text(cover, skipped))
    return EXIT_OK


# ---------------------------------------------------------------------- scaffold
def cmd_scaffold(args: argparse.Namespace) -> int:
    from procsim.analysis.scaffold import plan_scaffold, scaffold_yaml
    from procsim.workspace import engine_for, open_scenario

    process = _load_process(args.process)
    target = _state(process, args.to_state, "--to")
    assert target is not None
    if (args.from_scenario is None) != (args.after is None):
        raise ProcsimError("--extends SCENARIO and --after EVENT go together")
    base = None
    if args.from_scenario is not None:
        base = open_scenario(args.from_scenario, args.scenarios)
        if base.process != process.id:
            raise ProcsimError(f"'{base.id}' is a scenario of {base.process}, not {process.id}")
    plan = plan_scaffold(
        process, target, engine=engine_for(process), base=base, after=args.after, max_loops=args.max_loops
    )
    command = f"procsim scaffold --to {target}" + (
        f" --extends {base.id} --after {args.after}" if base is not None else ""
    )
    text = scaffold_yaml(_with_command(plan, command))
    if args.output is None:
        if args.json:
            print_json({"target": target, "steps": len(plan.route), "yaml": text})
        else:
            sys.stdout.write(text)
        return EXIT_OK
    from procsim.io.atomic import write_text_atomic

    if args.output.exists() and not args.force:
        raise ProcsimError("the file exists; use --force to overwrite it", path=str(args.output))
    write_text_atomic(args.output, text)
    todos = sum(1 for line in text.splitlines() if "TODO" in line and not line.lstrip().startswith("#"))
    steps, events = len(plan.route), len(plan.events)
    out = sys.stderr if args.json else sys.stdout
    out.write(
        f"wrote {args.output}: {steps} step{'s' if steps != 1 else ''} to {target} "
        f"({events} event{'s' if events != 1 else ''}, side events included); fill in its TODO markers "
        f"({todos}), then run: procsim check {args.output}\n"
    )
    if base is not None and base.path and Path(base.path).resolve().parent != args.output.resolve().parent:
        out.write(f"note: it extends '{base.id}', so it must sit beside it in {Path(base.path).parent}/\n")
    if args.json:
        print_json({"target": target, "steps": len(plan.route), "file": str(args.output)})
    return EXIT_OK


def _with_command(plan, command: str):
    from attrs import evolve

    return evolve(plan, command=command)


# ---------------------------------------------------------------------- diff
def cmd_diff(args: argparse.Namespace) -> int:
    from procsim.analysis.diff import diff
    from procsim.workspace import replay_scenario

    first, second = (replay_scenario(name, args.scenarios, limits=False) for name in (args.a, args.b))
    if first.process.id != second.process.id:
        raise ProcsimError(f"'{args.a}' and '{args.b}' are scenarios of different processes")
    compared = diff(first.replay, second.replay)
    if args.json:
        from procsim.render.analysis_text import diff_json

        print_json(diff_json(compared))
    else:
        from procsim.render.analysis_text import diff_text

        print_rich(diff_text(first.process, compared))
    return EXIT_OK
