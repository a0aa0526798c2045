"""``procsim diagram``: draw the process, a case's path, a comparison or a timeline.

A thin client: it loads the model and scenarios, asks :mod:`procsim.render.diagram`
for the representation and the bytes, and writes them. Graphviz and matplotlib
are imported only when something is drawn.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from procsim.cli.output import EXIT_OK, EXIT_PROBLEMS, print_json
from procsim.core.errors import ProcsimError, UnknownName, suggest
from procsim.core.text import one_line
from procsim.io import DEFAULT_PROCESS

FORMATS = ("svg", "png", "pdf", "dot", "mermaid")
CONTEXTS = ("near", "full")  # as procsim.render.diagram.ir.CONTEXTS, without importing the package for --help
TEXT_FORMATS = ("dot", "mermaid")
SUFFIXES = {
    "svg": "svg",
    "png": "png",
    "pdf": "pdf",
    "dot": "dot",
    "gv": "dot",
    "mmd": "mermaid",
    "mermaid": "mermaid",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenarios_to_draw",
        nargs="*",
        metavar="SCENARIO",
        help="none: the whole process; one: its path; two or more: a comparison",
    )
    view = parser.add_mutually_exclusive_group()
    view.add_argument("--forum", metavar="NAME", help="one forum of the process in detail")
    view.add_argument("--overview", action="store_true", help="the process with each forum as one box")
    view.add_argument("--timeline", action="store_true", help="the scenario on a dated axis")
    parser.add_argument(
        "--context",
        choices=CONTEXTS,
        default=None,
        help="around a path or comparison: 'near' (default) draws the stages one step "
        "from the path, the ways not taken, and counts the rest of each forum; "
        "'full' draws every stage of each forum the case went through",
    )
    parser.add_argument("--format", choices=FORMATS, help="svg (default), png, pdf, dot or mermaid")
    parser.add_argument(
        "--page",
        choices=("slide", "a4"),
        default=None,
        help="with --format pdf: fit the drawing to a 16:9 slide (13.33 x 7.5 in) or a landscape A4 page",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="the file to write ('-': standard output; default: NAME.svg, .png or .pdf "
        "here, dot and mermaid to standard output); with --all, the folder "
        "(default: diagrams/ beside the scenarios folder)",
    )
    parser.add_argument(
        "--all", action="store_true", help="regenerate every diagram in diagrams/ (SVG and PNG)"
    )
    parser.add_argument(
        "--check", action="store_true", help="with --all: write nothing; exit 1 naming each stale diagram"
    )
    parser.add_argument(
        "--redraw", action="store_true", help="with --all: redraw every file, not only the stale ones"
    )
    parser.add_argument("--process", default=None, help="the process, when no scenario is given")


def cmd_diagram(args: argparse.Namespace) -> int:
    if (args.check or args.redraw) and not args.all:
        raise ProcsimError("--check and --redraw go with --all: procsim diagram --all --check")
    if args.all:
        if (
            args.scenarios_to_draw
            or args.forum
            or args.overview
            or args.timeline
            or args.format
            or args.context
        ):
            raise ProcsimError("--all draws every diagram: give no scenario, view, context or format with it")
        return _all(args)
    drawing = _one(args)
    fmt = args.format or _format_from(args.output) or "svg"
    if args.page and fmt != "pdf":
        raise ProcsimError("--page goes with a PDF: procsim diagram ... --format pdf --page slide")
    if args.json and not args.output:
        print_json(drawing.ir.to_json())
        return EXIT_OK
    data = drawing.render(fmt, page=args.page)
    output = args.output
    if args.json and output == "-":
        raise ProcsimError("--json and -o - both print to standard output: choose one")
    if output is None and fmt in TEXT_FORMATS:
        output = "-"
    if output == "-":
        sys.stdout.buffer.write(data) if hasattr(sys.stdout, "buffer") else sys.stdout.write(data.decode())
        sys.stdout.flush()
        return EXIT_OK
    from procsim.render.diagram.render import write_file

    path = Path(output) if output else Path(f"{drawing.name}.{'mmd' if fmt == 'mermaid' else fmt}")
    write_file(path, data)
    if args.json:
        print_json({"written": str(path), "format": fmt, "diagram": drawing.ir.to_json()})
    else:
        sys.stdout.write(f"wrote {path}\n")
    return EXIT_OK


def _format_from(output: str | None) -> str | None:
    if not output or output == "-":
        return None
    return SUFFIXES.get(Path(output).suffix.lower().lstrip("."))


# ---------------------------------------------------------------------- one diagram
def _one(args: argparse.Namespace):
    from procsim.io.process_reader import load_process
    from procsim.render.diagram import extract
    from procsim.render.diagram.catalogue import Drawing
    from procsim.workspace import open_scenario, replay_scenario

    names = args.scenarios_to_draw
    if args.context and (not names or args.timeline):
        raise ProcsimError("--context is for a path or a comparison: procsim diagram SCENARIO --context full")
    if not names:
        if args.timeline:
            raise ProcsimError("a timeline is of a scenario: procsim diagram SCENARIO --timeline")
        process = load_process(args.process or DEFAULT_PROCESS)
        if args.forum:
            if args.forum not in process.forums:
                raise UnknownName(
                    f"no forum '{args.forum}' in {process.id}; the forums are: "
                    f"{', '.join(process.forums)}{suggest(args.forum, process.forums)}"
                )
            diagram = extract.forum_diagram(process, args.forum)
        elif args.overview:
            diagram = extract.overview_diagram(process)
        else:
            diagram = extract.process_diagram(process)
        return Drawing(diagram.name, diagram)
    if args.forum or args.overview:
        raise ProcsimError("--forum and --overview draw the process: give no scenario with them")
    scenarios = [open_scenario(name, args.scenarios) for name in names]
    processes = {s.process for s in scenarios}
    if len(processes) > 1:
        raise ProcsimError("the scenarios follow different processes: " + ", ".join(sorted(processes)))
    process = load_process(scenarios[0].process)
    replays = [replay_scenario(scenario, limits=False).replay for scenario in scenarios]
    if args.timeline:
        if len(replays) > 1:
            raise ProcsimError("a timeline is of one scenario")
        item = extract.timeline_diagram(process, replays[0])
        return Drawing(item.name, item)
    context = args.context or "near"
    if len(replays) == 1:
        diagram = extract.path_diagram(process, replays[0], context=context)
    else:
        diagram = extract.compare_diagram(process, replays, context=context)
    return Drawing(diagram.name, diagram)


# ---------------------------------------------------------------------- every diagram
def _all(args: argparse.Namespace) -> int:
    from procsim.io.process_reader import available_processes, load_process
    from procsim.io.scenario_reader import available_scenarios
    from procsim.render.diagram.catalogue import check, drawings, write_all
    from procsim.workspace import replay_scenario

    folder = Path(args.output) if args.output else Path(args.scenarios).parent / "diagrams"
    processes = [load_process(name) for name in available_processes()]
    replays = []
    failed = 0
    for path in available_scenarios(Path(args.scenarios)):
        try:
            replays.append(replay_scenario(str(path)).replay)
        except ProcsimError as error:  # one bad file does not stop the others
            failed += 1
            sys.stderr.write(f"procsim: {error.at(path=str(path))} (its diagrams are left as they are)\n")
    items = drawings(processes, replays)
    from procsim.render.html.site import site_outputs, site_pages

    pages = site_outputs(site_pages(processes, replays), folder)  # the case pages and their index
    if args.check:
        problems = check(items, folder, extra=pages)
        if args.json:
            print_json(
                {
                    "folder": str(folder),
                    "up_to_date": not problems,
                    "stale": [{"file": str(path), "reason": reason} for path, reason in problems],
                }
            )
        else:
            for path, reason in problems:
                sys.stdout.write(f"{one_line(str(path))}: {reason}\n")
            count = len(items) * 2 + len(pages)
            sys.stdout.write(
                f"{count} diagram files checked in {folder}/: "
                + (
                    "all up to date\n"
                    if not problems
                    else f"{len(problems)} stale; run: procsim diagram --all\n"
                )
            )
        return EXIT_OK if not problems and not failed else EXIT_PROBLEMS
    progress = None
    if sys.stderr.isatty() and not args.json:
        total = len(items) * 2 + len(pages)

        def progress(path: Path) -> None:
            sys.stderr.write(f"\r\x1b[Kdrawing {path.name} ({total} files to check)")
            sys.stderr.flush()

        sys.stderr.write(f"checking {total} diagram files in {folder}/ ...")
        sys.stderr.flush()
    result = write_all(items, folder, force=args.redraw, remove=not failed, progress=progress, extra=pages)
    written = result.written
    if progress is not None:
        sys.stderr.write("\r\x1b[K")
    if args.json:
        print_json(
            {
                "folder": str(folder),
                "written": [str(path) for path in written],
                "removed": [str(path) for path in result.removed],
            }
        )
    else:
        total = len(items) * 2 + len(pages)
        for path in result.removed:
            sys.stdout.write(f"removed {one_line(str(path))} (procsim wrote it; it is no longer generated)\n")
        sys.stdout.write(
            f"wrote {len(written)} diagram file{'s' if len(written) != 1 else ''} in {one_line(str(folder))}/"
            + (f" ({total - len(written)} already up to date)" if len(written) < total else "")
            + (f"; removed {len(result.removed)}" if result.removed else "")
            + "\n"
        )
    return EXIT_PROBLEMS if failed else EXIT_OK
