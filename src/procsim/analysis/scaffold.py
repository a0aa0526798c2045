"""Skeleton scenarios: a shortest route to an outcome, with TODO markers to fill in.

:func:`plan_scaffold` finds a shortest feasible route (from the first state, or
from a scenario's event) to an outcome and the facts its guards need;
:func:`scaffold_yaml` writes it as a scenario file whose dates, summaries,
sources and title are ``TODO`` markers. :func:`todo_markers` finds the markers
left in a loaded file, so that ``procsim check`` can call it incomplete.

Pure: nothing here reads or writes files (the CLI does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from procsim.analysis.routes import Route, RouteSpace, WitnessStep
from procsim.core.dates import PartialDate
from procsim.core.effects import apply_transition, derived_from, writes
from procsim.core.engine import Engine
from procsim.core.errors import EngineError
from procsim.core.model import Process
from procsim.core.scenario import Scenario
from procsim.io.scenario_writer import scenario_text

TODO = "TODO"
SOURCE_ID = "TODO-source"


@frozen
class ScaffoldEvent:
    """One event to write: a trigger (or side event), its actor, and the facts it must set."""

    id: str
    name: str
    side: bool
    actor: str
    actors: tuple[str, ...]
    facts: Mapping[str, Any]
    label: str
    date_hint: str
    needs: tuple[str, ...] = ()


@frozen
class ScaffoldPlan:
    """A scaffold: the route, the events that make it, and where it starts."""

    process: Process
    target: str
    route: Route
    events: tuple[ScaffoldEvent, ...]
    base: Scenario | None = None
    after: str | None = None
    command: str = ""


def plan_scaffold(
    process: Process,
    target: str,
    *,
    engine: Engine | None = None,
    base: Scenario | None = None,
    after: str | None = None,
    max_loops: int = 1,
    space: RouteSpace | None = None,
) -> ScaffoldPlan:
    """A shortest route to ``target``: from the first state, or after event ``after`` of ``base``.

    Raise :class:`~procsim.core.errors.EngineError` when no route can reach it.
    """
    space = space or RouteSpace(process)
    current = process.default_facts()
    established: set[str] = set()
    start = process.initial
    after_date: PartialDate | None = None
    taken_ids: set[str] = set()
    if base is not None:
        if engine is None:
            raise ValueError("a scaffold that extends a scenario needs its engine")
        start, current, established, after_date = _replay_until(engine, base, after)
        taken_ids = {event.id for event in base.events}
    view = dict(current)
    for name, derived in process.derived.items():
        view[name] = derived.value_for(current.get(derived.from_date))
        if derived.from_date in established:
            established.add(name)
    region = space.fixed({name: view[name] for name in established if name in space.index})
    if not region:
        raise EngineError(f"the facts at '{after}' are not ones the model's guards can read")
    route = space.shortest(start, target, max_loops, facts=region)
    if route is None:
        where = f"after '{after}' of '{base.id}'" if base is not None else f"from '{start}'"
        raise EngineError(
            f"no route reaches '{target}' {where} within the guards and {max_loops} "
            f"loop step{'s' if max_loops != 1 else ''} (try --max-loops)"
        )
    if not route.moves:
        raise EngineError(f"the case is already in '{target}' there: nothing to scaffold")
    # a derived fact (the regime) not yet fixed: choose one value, so that the date hint can say it
    for name in process.derived:
        if name in space.index and name not in established:
            values = space.feasible_values(route, name, region)
            chosen = values[-1] if values else None
            if chosen is not None:
                region = space.intersect(region, space.fixed({name: chosen}))
                view[name] = chosen
    witness = space.witness(route, region, prefer=view)
    assert witness is not None
    events = _events(process, witness.steps, current, view, taken_ids, after_date)
    return ScaffoldPlan(process, target, route, tuple(events), base, after)


def _replay_until(engine: Engine, base: Scenario, after: str | None):
    """The state and facts after event ``after`` of ``base``, and the facts the base established."""
    ids = [event.id for event in base.events]
    if after is None or after not in ids:
        from procsim.core.errors import suggest

        raise EngineError(f"'{after}' is not an event of '{base.id}'{suggest(str(after), ids)}")
    case = engine.new_case(base.initial_facts)
    process = engine.process
    established = set(base.initial_facts)
    try:
        for event in base.events[: ids.index(after) + 1]:
            step = engine.apply(case, event)
            established.update(event.facts)
            if step.side_event is not None:
                established.update(fact for fact, _ in step.side_event.sets)
            if step.transition is not None:
                transition = step.transition
                established.update(write.fact for write in writes(process, transition))
                for guard in transition.guards:
                    established.update(process.guards[guard].condition.facts_read())
        return case.state, dict(case.facts), established, base.events[ids.index(after)].date
    finally:
        engine.discard(case)


def _events(
    process: Process,
    steps: Sequence[WitnessStep],
    current: dict[str, Any],
    view: dict[str, Any],
    taken: set[str],
    after_date: PartialDate | None,
) -> list[ScaffoldEvent]:
    """Events for the witness's steps, each setting the facts its guards need that are not so yet."""
    events: list[ScaffoldEvent] = []
    used = set(taken)

    def new_id(name: str) -> str:
        stem = name.replace("_", "-")
        candidate, number = stem, 1
        while candidate in used:
            number += 1
            candidate = f"{stem}-{number}"
        used.add(candidate)
        return candidate

    def date_hint() -> str:
        if not events and after_date is not None:
            return f"YYYY-MM-DD, not before {after_date.iso()} (the event it follows)"
        return "YYYY-MM-DD"

    for step in steps:
        for side_name, fact, _old, new in step.changes:
            side = process.side_events[side_name]
            events.append(
                ScaffoldEvent(
                    new_id(side_name),
                    side_name,
                    True,
                    side.actors[0],
                    side.actors,
                    {fact: new},
                    side.label,
                    date_hint(),
                )
            )
            current[fact] = new
        transition = step.transition
        facts: dict[str, Any] = {}
        needs = []
        for guard_name in transition.guards:
            guard = process.guards[guard_name]
            needs.append(f"{guard.label} ({guard.condition.describe()})")
            for fact in guard.condition.facts_read():
                if fact in process.derived or fact not in step.facts or step.facts[fact] is None:
                    continue
                if current.get(fact) != step.facts[fact]:
                    facts[fact] = step.facts[fact]
        hint = date_hint()
        for name in derived_from(process, transition.records_date or ""):
            derived = process.derived[name]
            if view.get(name) is not None:
                if any(
                    name in process.guards[g].condition.facts_read()
                    for s in steps
                    for g in s.transition.guards
                ):
                    hint = f"YYYY-MM-DD, {_range_words(derived.ranges, view[name])} ({name} {view[name]})"
                else:
                    hint = f"YYYY-MM-DD (it decides the {name}; no step on this route reads it)"
        actor = transition.actors[0]
        events.append(
            ScaffoldEvent(
                new_id(transition.trigger),
                transition.trigger,
                False,
                actor,
                transition.actors,
                facts,
                process.triggers[transition.trigger].label,
                hint,
                tuple(needs),
            )
        )
        current.update(facts)
        apply_transition(process, transition, current, date=None, actor=actor, given=facts)
    return events


def _range_words(ranges: Sequence[tuple[PartialDate | None, str]], value: str) -> str:
    lower = upper = None
    for position, (before, candidate) in enumerate(ranges):
        if candidate == value:
            upper = before
            lower = ranges[position - 1][0] if position > 0 else None
            break
    words = []
    if lower is not None:
        words.append(f"on or after {lower.iso()}")
    if upper is not None:
        words.append(f"before {upper.iso()}")
    return " and ".join(words) or "any date"


# ---------------------------------------------------------------------- YAML
def scaffold_yaml(plan: ScaffoldPlan) -> str:
    """The scaffold as a scenario file: valid in shape, with TODO markers to fill."""
    process = plan.process
    target = process.states[plan.target]
    route_words = ", ".join(process.triggers[m.trigger].label for m in plan.route.moves)
    steps = len(plan.route)
    header = [
        f"Scaffold written by `{plan.command or 'procsim scaffold'}`:",
        f"a shortest route to '{target.label}' ({plan.target}), {steps} step{'s' if steps != 1 else ''}"
        f" ({len(plan.events)} event{'s' if len(plan.events) != 1 else ''}). Replace every TODO (title,",
        "summary, dates, event summaries, sources), then run `procsim check`: it reports this file as",
        "incomplete (exit status 3) until no TODO is left. Facts set below are those the guards on the",
        "route need.",
    ]
    doc: dict[str, Any] = {"process": process.id}
    if plan.base is not None:
        doc.update(extends=plan.base.id, diverges_after=plan.after)
    doc.update(
        title=f"{TODO}: a one-line title",
        kind="hypothetical",
        summary=f"{TODO}: what this hypothetical shows and what differs. Its route: {route_words}.",
        sources=[
            {
                "id": SOURCE_ID,
                "publisher": f"{TODO}: who published it",
                "title": f"{TODO}: its title",
                "date": f"{TODO}: YYYY-MM-DD",
                "url": f"{TODO}: its address (or replace url with seed: a file in shared/seeds/)",
            }
        ],
    )
    events, comments = [], []
    for event in plan.events:
        item: dict[str, Any] = {
            "id": event.id,
            "date": f"{TODO}: {event.date_hint}" if event.date_hint else TODO,
            ("side" if event.side else "trigger"): event.name,
            "actor": event.actor,
            "summary": f"{TODO}: what happened ({event.label})",
            "sources": [SOURCE_ID],
        }
        if event.facts:
            item["facts"] = dict(event.facts)
        events.append(item)
        notes = [f"guards: {'; '.join(event.needs)}"] if event.needs else []
        if len(event.actors) > 1:
            notes.append(f"actor: one of {', '.join(event.actors)}")
        comments.append(notes)
    doc["events"] = events
    end: dict[str, Any] = {"state": plan.target}
    if target.can_end:
        end["status"] = "concluded"
    else:
        end.update(status="pending", as_of=f"{TODO}: YYYY-MM-DD (sources checked up to)")
    doc["end"] = end
    return scenario_text(doc, header=header, event_comments=comments)


# ---------------------------------------------------------------------- markers
def todo_markers(data: Any) -> list[tuple[int, str]]:
    """Every value in a loaded scenario that is still a TODO marker: (line, what it is)."""
    found: list[tuple[int, str]] = []
    _walk(data, (), getattr(data, "line", 0), found, data)
    return found


def _walk(value: Any, path: tuple, line: int, found: list[tuple[int, str]], top: Any) -> None:
    if isinstance(value, str):
        if value.lstrip().startswith(TODO):
            found.append((line, _where(path, top)))
        return
    if isinstance(value, dict):
        for key, item in value.items():
            line_of = getattr(value, "line_of", None)
            _walk(item, (*path, key), line_of(key) if line_of else line, found, top)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            line_of = getattr(value, "line_of", None)
            _walk(item, (*path, index), line_of(index) if line_of else line, found, top)


def _where(path: tuple, top: Any) -> str:
    """E.g. "event 'make-complaint': date", "source 'TODO-source': title", "summary"."""
    if len(path) >= 2 and path[0] in ("events", "sources") and isinstance(path[1], int):
        try:
            item = top[path[0]][path[1]]
            name = item.get("id") if isinstance(item, dict) else None
        except (KeyError, IndexError, TypeError):
            name = None
        kind = "event" if path[0] == "events" else "source"
        label = f"{kind} '{name}'" if name else f"{kind} {path[1] + 1}"
        rest = [str(p) for p in path[2:] if not isinstance(p, int)]
        return f"{label}: {' '.join(rest)}" if rest else label
    return " ".join(str(p) for p in path if not isinstance(p, int)) or "the file"


__all__ = ["TODO", "ScaffoldEvent", "ScaffoldPlan", "plan_scaffold", "scaffold_yaml", "todo_markers"]
