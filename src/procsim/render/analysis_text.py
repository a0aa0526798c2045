"""Text (rich) and JSON-ready data for ``paths``, ``coverage`` and ``diff``.

Pure functions: nothing here prints. ``_cli`` hands the results to rich.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from procsim.analysis.coverage import Coverage, describe_transition
from procsim.analysis.diff import ScenarioDiff
from procsim.analysis.method import ROUTE_METHOD
from procsim.analysis.routes import Move, Route, RouteReport
from procsim.core.engine import Step
from procsim.core.model import STATUS_WORDS, Process

METHOD = " ".join(ROUTE_METHOD.split())


# ---------------------------------------------------------------------- paths
def _move_json(move: Move) -> dict[str, Any]:
    return {"trigger": move.trigger, "from": move.source, "to": move.dest, "loop": move.loop}


def _route_json(route: Route) -> dict[str, Any]:
    return {
        "end": route.end,
        "steps": len(route),
        "loops": route.loops,
        "moves": [_move_json(m) for m in route.moves],
    }


def paths_json(
    process: Process, report: RouteReport, listed: Sequence[Route] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "process": process.id,
        "from": report.start,
        "to": report.target,
        "max_loops": report.max_loops,
        "method": METHOD,
        "total": report.total,
        "outcomes": [
            {
                "state": o.state.name,
                "label": o.state.label,
                "status": o.state.status,
                "status_words": STATUS_WORDS[o.state.status],
                "routes": o.count,
                "shortest": _route_json(o.shortest) if o.shortest else None,
            }
            for o in report.outcomes
        ],
        "not_counted": {"stopped_by_loop_bound": report.stopped_by_loops, "stuck": report.stuck},
        "loop_steps": [_move_json(m) for m in report.loop_moves],
    }
    if report.target is None:
        data["terminal_total"] = sum(o.count for o in report.terminal)
        data["provisional_total"] = sum(o.count for o in report.provisional)
    if listed is not None:
        data["routes"] = [_route_json(route) for route in listed]
    return data


def route_words(route: Route) -> str:
    """'start -trigger-> state -trigger-> state', marking loop steps."""
    parts = [route.start]
    for move in route.moves:
        parts.append(f"-{move.trigger}{' (loop)' if move.loop else ''}-> {move.dest}")
    return " ".join(parts)


def paths_text(
    process: Process, report: RouteReport, listed: Sequence[Route] | None = None, limit: int | None = None
) -> Group:
    start = process.states[report.start]
    loops = f"at most {report.max_loops} loop step{'s' if report.max_loops != 1 else ''} per route"
    head = f"Routes from {escape(start.label)} ([cyan]{report.start}[/])"
    if report.target:
        head += f" to {escape(process.states[report.target].label)} ([cyan]{report.target}[/])"
    parts: list[Any] = [Text.from_markup(f"[bold]{head}[/], {loops}"), Text("")]
    groups = [
        ("Terminal outcomes", report.terminal),
        ("Concluded unless challenged (a route may stop here)", report.provisional),
    ]
    if report.target:
        groups = [("Routes", report.outcomes)]
    for title, outcomes in groups:
        if not outcomes:
            continue
        table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
        table.add_column("outcome")
        table.add_column("state")
        table.add_column("routes", justify="right")
        table.add_column("shortest", justify="right")
        shown = [o for o in outcomes if o.count] if report.target is None else outcomes
        if not shown:
            continue
        for outcome in shown:
            steps = "-" if outcome.shortest is None else str(len(outcome.shortest))
            table.add_row(escape(outcome.state.label), outcome.state.name, f"{outcome.count:,}", steps)
        parts += [table, Text("")]
    missing = [o.state.name for o in report.outcomes if not o.count]
    if missing and report.target is None:
        parts += [Text(f"No route reaches: {', '.join(missing)}."), Text("")]
    parts.append(Text.from_markup("[bold]The shortest route to each[/] (ties: the process's order of steps)"))
    for outcome in report.outcomes:
        if outcome.shortest is not None:
            parts.append(
                Text(
                    f"  {outcome.state.name} ({len(outcome.shortest)}): "
                    + " > ".join(m.trigger for m in outcome.shortest.moves)
                )
            )
    parts.append(Text(""))
    if report.target is None:
        parts.append(
            Text(
                f"{report.total:,} routes end in an outcome: {sum(o.count for o in report.terminal):,} in a terminal "
                f"state, {sum(o.count for o in report.provisional):,} where a decision is concluded unless challenged."
            )
        )
    else:
        parts.append(Text(f"{report.total:,} routes reach {report.target}."))
    if report.target is None and (report.stopped_by_loops or report.stuck):
        parts.append(
            Text(
                f"Not counted: {report.stopped_by_loops:,} routes stop where only a loop step could follow "
                f"(--max-loops {report.max_loops} used up); {report.stuck:,} reach a state where no step's guards can hold."
            )
        )
    names = sorted({f"{m.trigger} -> {m.dest}" for m in report.loop_moves})
    parts.append(Text.from_markup(f"[dim]Loop steps ({len(names)}): {escape(', '.join(names))}.[/]"))
    parts.append(Text.from_markup(f"[dim]Method: {escape(METHOD)}[/]"))
    if listed is not None:
        parts += [
            Text(""),
            Text.from_markup(
                f"[bold]Routes[/] (the first {len(listed)}"
                + (f"; --show {limit} asked" if limit else "")
                + ")"
            ),
        ]
        for number, route in enumerate(listed, 1):
            parts.append(
                Text(
                    f"{number:>4}. [{len(route)} steps{', ' + str(route.loops) + ' loop' if route.loops else ''}"
                    f"{'s' if route.loops > 1 else ''}] {route_words(route)}"
                )
            )
    return Group(*parts)


# ---------------------------------------------------------------------- coverage
def coverage_json(cover: Coverage, skipped: Sequence[dict[str, str]] = ()) -> dict[str, Any]:
    process = cover.process
    return {
        "process": process.id,
        "scenarios": list(cover.scenarios),
        "skipped": list(skipped),
        "states": {
            "total": len(cover.states),
            "exercised": len(cover.states_exercised),
            "by_state": {name: list(ids) for name, ids in cover.states.items()},
            "missed": cover.states_missed,
        },
        "transitions": {
            "total": len(cover.transitions),
            "exercised": len(cover.transitions_exercised),
            "list": [
                {
                    "position": i,
                    "trigger": process.transitions[i].trigger,
                    "from": process.transitions[i].source,
                    "to": process.transitions[i].dest,
                    "guards": list(process.transitions[i].guards),
                    "scenarios": list(ids),
                }
                for i, ids in cover.transitions.items()
            ],
        },
        "outcomes": {
            "terminal_reached": {
                s.name: list(cover.ends[s.name]) for s in cover.outcomes_reached("terminal")
            },
            "terminal_unreached": [s.name for s in cover.outcomes_missed("terminal")],
            "provisional_reached": {
                s.name: list(cover.ends[s.name]) for s in cover.outcomes_reached("provisional")
            },
            "provisional_unreached": [s.name for s in cover.outcomes_missed("provisional")],
        },
    }


def coverage_text(cover: Coverage, skipped: Sequence[dict[str, str]] = ()) -> Group:
    process = cover.process
    n_states, n_moves = len(cover.states), len(cover.transitions)
    hit_states, hit_moves = cover.states_exercised, cover.transitions_exercised
    parts: list[Any] = [
        Text.from_markup(
            f"[bold]Coverage of {escape(process.id)}[/] by {len(cover.scenarios)} scenario"
            f"{'s' if len(cover.scenarios) != 1 else ''}: {escape(', '.join(cover.scenarios))}"
        ),
        Text(
            f"States: {len(hit_states)} of {n_states} exercised ({100 * len(hit_states) // max(n_states, 1)}%). "
            f"Transitions: {len(hit_moves)} of {n_moves} exercised ({100 * len(hit_moves) // max(n_moves, 1)}%)."
        ),
    ]
    for item in skipped:
        parts.append(Text(f"Skipped {item['file']}: {item['reason']}"))
    sections = [
        (
            "Terminal outcomes no scenario reaches",
            [f"{s.name}  ({s.label})" for s in cover.outcomes_missed("terminal")],
        ),
        (
            "Outcomes concluded unless challenged that no scenario ends in",
            [f"{s.name}  ({s.label})" for s in cover.outcomes_missed("provisional")],
        ),
        ("Outcomes scenarios end in", [f"{name}: {', '.join(ids)}" for name, ids in cover.ends.items()]),
        ("States exercised (scenarios)", [f"{name} ({len(cover.states[name])})" for name in hit_states]),
        (
            "Transitions exercised (scenarios)",
            [f"{describe_transition(process, i)} ({len(cover.transitions[i])})" for i in hit_moves],
        ),
        ("States not exercised", cover.states_missed),
        ("Transitions not exercised", [describe_transition(process, i) for i in cover.transitions_missed]),
    ]
    for title, items in sections:
        parts.append(Text(""))
        parts.append(
            Text.from_markup(f"[bold]{escape(title)}[/] ({len(items)})" + ("" if items else ": none"))
        )
        parts += [Text(f"  {item}") for item in items]
    return Group(*parts)


# ---------------------------------------------------------------------- diff
def _step_json(step: Step) -> dict[str, Any]:
    event = step.event
    return {
        "id": event.id,
        "date": event.date.iso(),
        "event": event.name,
        "kind": "transition" if step.moved else "side",
        "actor": event.actor,
        "state_before": step.before,
        "state_after": step.after,
        "summary": event.summary,
    }


def diff_json(result: ScenarioDiff) -> dict[str, Any]:
    last = result.last_shared
    return {
        "a": result.a.scenario.id,
        "b": result.b.scenario.id,
        "shared_events": result.shared,
        "last_shared": _step_json(last) if last else None,
        "a_after": [_step_json(s) for s in result.a_after],
        "b_after": [_step_json(s) for s in result.b_after],
        "a_end": {"state": result.a.final_state, "status": result.a.scenario.end.status},
        "b_end": {"state": result.b.final_state, "status": result.b.scenario.end.status},
    }


def diff_text(process: Process, result: ScenarioDiff) -> Group:
    a, b = result.a.scenario, result.b.scenario
    last = result.last_shared
    parts: list[Any] = [Text.from_markup(f"[bold]{escape(a.id)}[/] and [bold]{escape(b.id)}[/]")]
    if last is None:
        parts.append(Text("They share no event: they differ from the first."))
    else:
        parts.append(
            Text.from_markup(
                f"They share {result.shared} event{'s' if result.shared != 1 else ''}; the last: "
                f"{last.event.date.human()}, [cyan]{escape(last.event.id)}[/] ({escape(last.event.name)}), "
                f"then in {escape(process.states[last.after].label)} ({last.after})."
            )
        )
    if result.same:
        parts.append(Text("After it they do the same: the scenarios run alike."))
        return Group(*parts)
    table = Table(show_edge=False, pad_edge=False, show_lines=False)
    table.add_column("#", justify="right")
    table.add_column(Text(a.id), overflow="fold")
    table.add_column(Text(b.id), overflow="fold")
    rows = max(len(result.a_after), len(result.b_after))
    for index in range(rows):
        cells = []
        for steps in (result.a_after, result.b_after):
            cells.append(Text(_step_cell(process, steps[index]) if index < len(steps) else ""))
        table.add_row(str(result.shared + index + 1), *cells)
    parts += [Text(""), table, Text("")]
    for scenario, replayed in ((a, result.a), (b, result.b)):
        state = process.states[replayed.final_state]
        status = STATUS_WORDS[state.status] if scenario.end.status == "concluded" else "pending"
        parts.append(Text(f"{scenario.id} ends in {state.label} ({state.name}): {status}."))
    return Group(*parts)


def _step_cell(process: Process, step: Step) -> str:
    event = step.event
    where = f"-> {step.after}" if step.moved else f"(stays in {step.after})"
    return f"{event.date.iso()}  {event.name} by {event.actor} {where}"


__all__ = [
    "METHOD",
    "coverage_json",
    "coverage_text",
    "diff_json",
    "diff_text",
    "paths_json",
    "paths_text",
    "route_words",
]
