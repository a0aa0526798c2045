"""Turn replays, checks and model entries into rich text and JSON-ready data.

Pure functions: nothing here prints. ``_cli`` hands the results to rich.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen
from rich.console import Group
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from procsim.core.dates import describe_gap
from procsim.core.deadlines import LimitRun, due_text
from procsim.core.engine import Replay, Step
from procsim.core.errors import UnknownName, suggest
from procsim.core.model import STATUS_WORDS, Process, State, Transition, fact_words, value_words
from procsim.core.scenario import Discrepancy, Event, Scenario, Source


def fact_change_text(process: Process, fact: str, old: Any, new: Any) -> str:
    """One fact change in words, as replay and the stepper show it."""
    return f"{fact_words(process, fact)}: {value_words(old)} -> {value_words(new)}"


def step_basis(step: Step) -> str:
    if step.transition is not None:
        return step.transition.basis
    return step.side_event.basis if step.side_event else ""


def step_unverified(step: Step) -> list[str]:
    items = []
    if step.event.unverified:
        items.append(step.event.unverified)
    rule = step.transition or step.side_event
    if rule is not None and rule.unverified:
        items.append(f"model: {rule.unverified}")
    return items


@frozen
class StepWords:
    """What one step says, in words: the one source of the replay's and the stepper's step views.

    The views lay these out differently (a list of steps; a screen fitted to a terminal), but
    what a step says comes from here once.
    """

    label: str
    actor: str
    date: str
    gap: str | None
    before: str
    after: str
    moved: bool
    basis: str
    unverified: tuple[str, ...]
    facts: tuple[str, ...]
    sources: str
    notes: tuple[str, ...]


def step_words(
    process: Process,
    sources: Mapping[str, Source] | None,
    step: Step,
    previous: Event | None,
    *,
    compact: bool = False,
) -> StepWords:
    """:class:`StepWords` for ``step``; ``sources`` are the scenario's (None: the bare process).

    ``compact`` cites each source by publisher and date only.
    """
    event = step.event
    actor = process.actors[event.actor].label if event.actor in process.actors else event.actor
    if "what-if" in event.sources and (sources is None or "what-if" not in sources):
        cites = "none: this step is your what-if; its legal basis is the model's"
    elif sources is None:
        cites = "the process model's legal basis for the step"
    else:
        cites = "; ".join(
            (
                f"{sources[sid].publisher} ({sources[sid].date.human()})"
                if compact
                else f"[{sid}] {sources[sid].cite()}"
            )
            if sid in sources
            else sid
            for sid in event.sources
        )
    return StepWords(
        label=event_label(process, event),
        actor=actor,
        date=event.date.human(),
        gap=describe_gap(previous.date, event.date) if previous else None,
        before=process.states[step.before].label,
        after=process.states[step.after].label,
        moved=step.moved,
        basis=step_basis(step),
        unverified=tuple(step_unverified(step)),
        facts=tuple(fact_change_text(process, fact, old, new) for fact, old, new in step.changes),
        sources=cites,
        notes=tuple(event.notes),
    )


DETAIL = ("brief", "normal", "full")


def replay_text(
    process: Process, replay: Replay, runs: Sequence[LimitRun] = (), detail: str = "normal"
) -> Group:
    """The whole replay as rich renderables: header, numbered steps, final state.

    Each step shows the time since the previous step and since the case began
    (the complaint or recorded conduct matter), and the verdict on any time
    limit the step was subject to. ``detail`` is one of :data:`DETAIL`: ``brief``
    gives one line a step; ``normal`` cites sources by publisher and date and names
    where they disagree; ``full`` gives every citation and each source's account.
    """
    scenario = replay.scenario
    parts: list[Any] = [
        Text.from_markup(f"[bold]{escape(scenario.title)}[/]  [dim]({scenario.kind}; {scenario.id})[/]"),
        Text(scenario.summary, style="italic"),
        Text(""),
    ]
    previous: Event | None = None
    origin = case_start(replay.steps)
    used = {run.closed_by.number: run for run in runs if run.used and run.closed_by}
    for step in replay.steps:
        if detail == "brief":
            parts.append(_brief_line(process, step, used.get(step.number)))
        else:
            parts.append(
                _step_text(process, scenario, step, previous, origin, used.get(step.number), detail == "full")
            )
        previous = step.event
    final = process.states[replay.final_state]
    parts.append(Text(""))
    parts.append(
        Text.from_markup(
            f"[bold]Final state:[/] {escape(final.label)} ([cyan]{final.name}[/]) - {_status_line(scenario, final)}"
        )
    )
    if scenario.events:
        first, last = scenario.events[0], scenario.events[-1]
        parts.append(
            Text(f"From {first.date.human()} to {last.date.human()}: {describe_gap(first.date, last.date)}.")
        )
        origin = case_start(replay.steps)
        final_move = next((s for s in reversed(replay.steps) if s.moved), None)
        if origin is not None and final_move is not None and final_move is not origin:
            label = process.triggers[origin.event.trigger or ""].label
            parts.append(
                Text(
                    f"From {label} ({origin.event.date.human()}) to the last step "
                    f"({final_move.event.date.human()}): "
                    f"{describe_gap(origin.event.date, final_move.event.date)}."
                )
            )
    return Group(*parts)


def _status_line(scenario: Scenario, final: State) -> str:
    if scenario.end.status == "pending":
        as_of = scenario.end.as_of.human() if scenario.end.as_of else "an unknown date"
        return f"pending as of {as_of}"
    return STATUS_WORDS[final.status]


def case_start(steps: Sequence[Step]) -> Step | None:
    """The step that began the case in the process: the first one that moved it."""
    return next((step for step in steps if step.moved), None)


def since_start(origin: Step | None, step: Step, process: Process) -> str | None:
    if origin is None or step.number <= origin.number:
        return None
    label = process.triggers[origin.event.trigger or ""].label
    return f"{describe_gap(origin.event.date, step.event.date)} since {label}"


def run_line(run: LimitRun, outcome: bool = True) -> str:
    """One time limit, with UNVERIFIED shown; with ``outcome``, how it went too.

    Without ``outcome`` (a stepper showing what is running now) it gives only
    the due date, so nothing of what happened later is given away.
    """
    flag = f" [UNVERIFIED: {run.limit.unverified}]" if run.limit.unverified else ""
    if not outcome:
        return f"{run.limit.describe()} ({run.limit.basis}){flag}: due {due_text(run.due)}"
    return f"{run.limit.describe()} ({run.limit.basis}){flag}: {run.describe()}"


def _brief_line(process: Process, step: Step, run: LimitRun | None) -> Text:
    """One step on one line: number, date, what happened, the state it led to (and a late limit)."""
    event = step.event
    where = f" -> {process.states[step.after].label}" if step.moved else ""
    late = "  [red](late)[/]" if run is not None and run.verdict == "late" else ""
    return Text.from_markup(
        f"[bold cyan]{step.number:>2}.[/] {escape(event.date.human())}  "
        f"{escape(event_label(process, event))}[bold]{escape(where)}[/]{late}"
    )


def _step_text(
    process: Process,
    scenario: Scenario,
    step: Step,
    previous: Event | None,
    origin: Step | None = None,
    run: LimitRun | None = None,
    full: bool = True,
) -> Group:
    event = step.event
    words = step_words(process, scenario.sources, step, previous, compact=not full)
    if words.moved:
        move = (
            f"{escape(words.before)} [dim]({step.before})[/] -> "
            f"[bold]{escape(words.after)}[/] [dim]({step.after})[/]"
        )
    else:
        move = f"[dim]stays in {escape(words.before)} ({step.before})[/]"
    since = f"  [dim]+{words.gap}[/]" if words.gap else ""
    total = since_start(origin, step, process)
    if total:
        since += f" [dim]· {escape(total)}[/]"
    head = Text.from_markup(
        f"[bold cyan]{step.number:>2}.[/] [bold]{words.date}[/]  "
        f"{escape(words.label)}  [dim]by[/] {escape(words.actor)}{since}"
    )
    lines: list[Any] = [Text.from_markup(move), Text(event.summary)]
    if words.basis:
        lines.append(Text.from_markup(f"[dim]Basis:[/] {escape(words.basis)}"))
    if step.version is not None:
        lines.append(
            Text.from_markup(
                f"[dim]Rules in force ({escape(step.version.in_force.describe())}):[/] "
                f"{escape(step.version.description)} [dim]({escape(step.version.basis)})[/]"
            )
        )
    if run is not None:
        style = "red" if run.verdict == "late" else "dim"
        lines.append(Text.from_markup(f"[{style}]Time limit:[/] {escape(run_line(run))}"))
    lines += [Text.from_markup(f"[dim]Fact:[/] {escape(fact)}") for fact in words.facts]
    lines.append(Text.from_markup(f"[dim]Sources:[/] {escape(words.sources)}"))
    if full:
        lines += [Text.from_markup(f"[dim]Note:[/] {escape(note)}") for note in words.notes]
    lines += [Text.from_markup(f"[yellow]Unverified:[/] {escape(item)}") for item in words.unverified]
    if full:
        lines.extend(discrepancy_text(discrepancy) for discrepancy in event.discrepancies)
    elif event.discrepancies:
        topics = "; ".join(f"{item.id} {item.topic}" for item in event.discrepancies)
        lines.append(Text.from_markup(f"[magenta]Sources disagree:[/] {escape(topics)} [dim](--sources)[/]"))
    return Group(head, Padding(Group(*lines), (0, 0, 0, 4), expand=False))


def replay_json(process: Process, replay: Replay, runs: Sequence[LimitRun] = ()) -> dict[str, Any]:
    scenario = replay.scenario
    steps = []
    previous: Event | None = None
    origin = case_start(replay.steps)
    used = {run.closed_by.number: run for run in runs if run.used and run.closed_by}
    for step in replay.steps:
        event = step.event
        steps.append(
            {
                "number": step.number,
                "id": event.id,
                "date": event.date.iso(),
                "date_precision": event.date.precision,
                "kind": "transition" if step.moved else "side",
                "event": event.trigger or event.side,
                "label": event_label(process, event, mark_side=False),
                "actor": event.actor,
                "state_before": step.before,
                "state_after": step.after,
                "summary": event.summary,
                "basis": step_basis(step),
                "rules_in_force": None
                if step.version is None
                else {
                    "period": step.version.in_force.describe(),
                    "description": step.version.description,
                    "basis": step.version.basis,
                },
                "facts_changed": {fact: _json_value(new) for fact, _, new in step.changes},
                "sources": [_source_json(scenario, sid) for sid in event.sources],
                "notes": list(event.notes),
                "unverified": step_unverified(step),
                "discrepancies": [discrepancy_json(d) for d in event.discrepancies],
                "since_previous": describe_gap(previous.date, event.date) if previous else None,
                "since_start": since_start(origin, step, process),
                "time_limit": run_json(used[step.number]) if step.number in used else None,
            }
        )
        previous = event
    final = process.states[replay.final_state]
    return {
        "scenario": scenario.id,
        "title": scenario.title,
        "kind": scenario.kind,
        "process": scenario.process,
        "extends": scenario.extends,
        "steps": steps,
        "final_state": replay.final_state,
        "final_status": final.status,
        "status": scenario.end.status,
        "as_of": scenario.end.as_of.iso() if scenario.end.as_of else None,
        "facts": {k: _json_value(v) for k, v in replay.facts.items()},
    }


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _source_json(scenario: Scenario, source_id: str) -> dict[str, Any]:
    source = scenario.sources[source_id]
    return {
        "id": source.id,
        "publisher": source.publisher,
        "title": source.title,
        "date": source.date.iso(),
        "citation": source.citation,
        "url": source.url,
        "seed": source.seed,
    }


# ---------------------------------------------------------------------- explain
def explain_data(process: Process, name: str) -> dict[str, Any] | None:
    """What the model says about a state, trigger, guard, side event or fact.

    Rules with a period of force show it; ``authorities`` lists, with a link,
    every abbreviation the ``basis`` texts cite.
    """
    data = _explain_data(process, name)
    if data is not None:
        data["authorities"] = _authorities_json(process, data)
    return data


def _bases(data: Any) -> list[str]:
    if isinstance(data, dict):
        found = [data["basis"]] if isinstance(data.get("basis"), str) else []
        for key, value in data.items():
            if key != "basis":
                found.extend(_bases(value))
        return found
    if isinstance(data, list):
        return [text for item in data for text in _bases(item)]
    return []


def _authorities_json(process: Process, data: dict[str, Any]) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for basis in _bases(data):
        for authority in process.cited(basis):
            seen.setdefault(
                authority.id, {"id": authority.id, "title": authority.title, "url": authority.url}
            )
    return sorted(seen.values(), key=lambda a: a["id"])


def _period_json(period: Any) -> dict[str, Any] | None:
    if period is None:
        return None
    return {
        "text": period.describe(),
        "decided_by": period.decided_by,
        "from": period.start.iso() if period.start else None,
        "to": period.end.iso() if period.end else None,
        "basis": period.basis,
        "unverified": period.unverified,
    }


def _explain_data(process: Process, name: str) -> dict[str, Any] | None:
    if name in process.states:
        state = process.states[name]
        return {
            "kind": "state",
            "name": name,
            "label": state.label,
            "forum": process.forums[state.forum].label,
            "status": STATUS_WORDS[state.status],
            "description": state.description,
            "basis": state.basis,
            "unverified": state.unverified,
            "decision_by": state.decision_by,
            "versions": [
                {
                    "in_force": _period_json(version.in_force),
                    "guards": list(version.guards),
                    "description": version.description,
                    "basis": version.basis,
                    "unverified": version.unverified,
                }
                for version in state.versions
            ],
            "what_can_follow": [_transition_json(process, t) for t in process.transitions_from(name)],
            "how_to_get_here": sorted({t.trigger for t in process.transitions if t.dest == name}),
            "side_events_here": sorted(
                s.name for s in process.side_events.values() if not s.states or name in s.states
            ),
        }
    if name in process.triggers:
        trigger = process.triggers[name]
        return {
            "kind": "trigger",
            "name": name,
            "label": trigger.label,
            "description": trigger.description,
            "transitions": [_transition_json(process, t) for t in process.transitions if t.trigger == name],
        }
    if name in process.guards:
        guard = process.guards[name]
        return {
            "kind": "guard",
            "name": name,
            "label": guard.label,
            "reason": guard.reason,
            "basis": guard.basis,
            "condition": guard.condition.describe(),
            "unverified": guard.unverified,
            "in_force": _period_json(guard.in_force),
            "used_by": sorted({t.trigger for t in process.transitions if name in t.guards}),
        }
    if name in process.side_events:
        side = process.side_events[name]
        return {
            "kind": "side event",
            "name": name,
            "label": side.label,
            "description": side.description,
            "basis": side.basis,
            "actors": list(side.actors),
            "states": list(side.states) or "anywhere",
            "requires": list(side.requires),
            "guards": [_guard_json(process, g) for g in side.guards],
            "unverified": side.unverified,
        }
    if name in process.facts or name in process.derived:
        spec = process.facts.get(name)
        if spec is None:
            derived = process.derived[name]
            return {
                "kind": "derived fact",
                "name": name,
                "description": derived.description,
                "basis": derived.basis,
                "from": derived.from_date,
            }
        return {
            "kind": "fact",
            "name": name,
            "type": spec.type,
            "values": list(spec.values),
            "default": _json_value(spec.default),
            "description": spec.description,
        }
    return None


def explain_names(process: Process) -> list[str]:
    """Every name ``explain`` knows, for suggestions."""
    return [
        *process.states,
        *process.triggers,
        *process.guards,
        *process.side_events,
        *process.facts,
        *process.derived,
    ]


def find_entry(process: Process, text: str) -> str | None:
    """The model name ``text`` stands for: a name, a name typed with spaces, or a label (any case)."""
    wanted = " ".join(text.split())
    names = explain_names(process)
    for candidate in (wanted, wanted.replace(" ", "_"), wanted.lower().replace(" ", "_")):
        if candidate in names:
            return candidate
    labelled: list[tuple[str, str]] = [
        *((name, state.label) for name, state in process.states.items()),
        *((name, trigger.label) for name, trigger in process.triggers.items()),
        *((name, guard.label) for name, guard in process.guards.items()),
        *((name, side.label) for name, side in process.side_events.items()),
        *((name, spec.words) for name, spec in process.facts.items()),
    ]
    return next((name for name, label in labelled if label.lower() == wanted.lower()), None)


def explain_entry(process: Process, text: str) -> dict[str, Any]:
    """What ``explain`` shows for ``text`` (a name or a label); UnknownName with the nearest names if none."""
    name = find_entry(process, text)
    data = explain_data(process, name) if name else None
    if data is None:
        raise UnknownName(
            f"'{text}' is not a state, trigger, guard, side event or fact of "
            f"{process.id}{suggest(text.replace(' ', '_'), explain_names(process))}"
        )
    return data


def _guard_json(process: Process, name: str) -> dict[str, Any]:
    guard = process.guards[name]
    return {
        "name": name,
        "label": guard.label,
        "reason": guard.reason,
        "basis": guard.basis,
        "condition": guard.condition.describe(),
        "unverified": guard.unverified,
    }


def _transition_json(process: Process, transition: Transition) -> dict[str, Any]:
    limit = transition.time_limit
    return {
        "trigger": transition.trigger,
        "label": process.triggers[transition.trigger].label,
        "from": transition.source,
        "to": transition.dest,
        "actors": list(transition.actors),
        "basis": transition.basis,
        "guards": [_guard_json(process, g) for g in transition.guards],
        "time_limit": None
        if limit is None
        else {
            "rule": limit.rule,
            "basis": limit.basis,
            "length": limit.length,
            "unit": limit.unit,
            "starts": limit.starts,
            "promptly": limit.promptly,
            "kind": limit.kind,
            "unverified": limit.unverified,
            "text": limit.describe(),
        },
        "unverified": transition.unverified,
        "in_force": _period_json(transition.in_force),
    }


def explain_text(data: dict[str, Any]) -> Group:
    lines: list[Any] = [
        Text.from_markup(
            f"[bold]{escape(data.get('label', data['name']))}[/]  [dim]{data['kind']} '{escape(data['name'])}'[/]"
        )
    ]
    for key in (
        "forum",
        "status",
        "type",
        "description",
        "reason",
        "condition",
        "basis",
        "from",
        "decision_by",
        "default",
    ):
        if data.get(key) not in (None, "", []):
            lines.append(
                Text.from_markup(f"  [dim]{key.replace('_', ' ').capitalize()}:[/] {escape(str(data[key]))}")
            )
    if data.get("values"):
        lines.append(Text.from_markup(f"  [dim]Values:[/] {escape(', '.join(data['values']))}"))
    if data.get("unverified"):
        lines.append(Text.from_markup(f"  [yellow]Unverified:[/] {escape(data['unverified'])}"))
    if data.get("in_force"):
        lines.extend(_period_lines(data["in_force"], "  "))
    if data.get("versions"):
        lines.append(Text.from_markup("  [bold]Versions by date:[/]"))
        for version in data["versions"]:
            lines.append(Text.from_markup(f"    [cyan]{escape(version['in_force']['text'])}[/]"))
            lines.append(Text.from_markup(f"        {escape(version['description'])}"))
            lines.append(Text.from_markup(f"        [dim]Basis:[/] {escape(version['basis'])}"))
            extra = [g for g in version["guards"][:-1]]
            if extra:
                lines.append(Text.from_markup(f"        [dim]Also needs:[/] {escape(', '.join(extra))}"))
            for key in ("unverified",):
                if version[key]:
                    lines.append(Text.from_markup(f"        [yellow]Unverified:[/] {escape(version[key])}"))
            if version["in_force"]["unverified"]:
                lines.append(
                    Text.from_markup(
                        f"        [yellow]Unverified:[/] {escape(version['in_force']['unverified'])}"
                    )
                )
    for key, title in (("what_can_follow", "What can follow"), ("transitions", "Transitions")):
        if key in data:
            lines.append(
                Text.from_markup(f"  [bold]{title}:[/]" + ("" if data[key] else " nothing (terminal)"))
            )
            for item in data[key]:
                lines.extend(_transition_lines(item, show_from=key == "transitions"))
    for key, title in (
        ("how_to_get_here", "Reached by"),
        ("side_events_here", "Side events here"),
        ("used_by", "Used by"),
        ("actors", "Actors"),
        ("requires", "Must set"),
    ):
        if data.get(key):
            value = data[key] if isinstance(data[key], str) else ", ".join(data[key])
            lines.append(Text.from_markup(f"  [dim]{title}:[/] {escape(value)}"))
    if data.get("states"):
        value = data["states"] if isinstance(data["states"], str) else ", ".join(data["states"])
        lines.append(Text.from_markup(f"  [dim]Allowed in:[/] {escape(value)}"))
    if data.get("authorities"):
        lines.append(Text.from_markup("  [bold]Authorities cited:[/]"))
        for authority in data["authorities"]:
            lines.append(
                Text.from_markup(
                    f"    {escape(authority['id'])}: {escape(authority['title'])}  [dim]{escape(authority['url'])}[/]"
                )
            )
    return Group(*(hanging(line) for line in lines))


def hanging(line: Text) -> Any:
    """A line whose wrapped lines keep its indent, instead of starting at column 0."""
    indent = len(line.plain) - len(line.plain.lstrip(" "))
    return Padding(line[indent:], (0, 0, 0, indent)) if indent else line


def _period_lines(period: dict[str, Any], indent: str) -> list[Text]:
    text = f"{indent}[dim]In force:[/] {escape(period['text'])}"
    if period["basis"]:
        text += f" ({escape(period['basis'])})"
    lines = [Text.from_markup(text)]
    if period["unverified"]:
        lines.append(Text.from_markup(f"{indent}[yellow]Unverified:[/] {escape(period['unverified'])}"))
    return lines


def _transition_lines(item: dict[str, Any], show_from: bool) -> list[Text]:
    head = f"{item['from']} -> {item['to']}" if show_from else f"{item['label']} -> {item['to']}"
    lines = [
        Text.from_markup(
            f"    [cyan]{escape(item['trigger'])}[/]: {escape(head)}  [dim]by {escape(', '.join(item['actors']))}[/]"
        )
    ]
    lines.append(Text.from_markup(f"        [dim]Basis:[/] {escape(item['basis'])}"))
    if item.get("in_force"):
        lines.extend(_period_lines(item["in_force"], "        "))
    for guard in item["guards"]:
        lines.append(
            Text.from_markup(f"        [dim]Guard[/] {escape(guard['label'])}: {escape(guard['reason'])}")
        )
    if item["time_limit"]:
        limit = item["time_limit"]
        extra = f" [yellow][UNVERIFIED: {escape(limit['unverified'])}][/]" if limit["unverified"] else ""
        lines.append(
            Text.from_markup(
                f"        [dim]Time limit:[/] {escape(limit['text'])} ({escape(limit['basis'])}){extra}"
            )
        )
    if item["unverified"]:
        lines.append(Text.from_markup(f"        [yellow]Unverified:[/] {escape(item['unverified'])}"))
    return lines


# ---------------------------------------------------------------------- deadlines
def run_json(run: LimitRun) -> dict[str, Any]:
    limit = run.limit
    return {
        "trigger": run.trigger,
        "rule": limit.rule,
        "basis": limit.basis,
        "text": limit.describe(),
        "length": limit.length,
        "unit": limit.unit,
        "promptly": limit.promptly,
        "kind": limit.kind,
        "unverified": limit.unverified,
        "started_by": {
            "step": run.started.number,
            "event": run.started.event.id,
            "date": run.started.event.date.iso(),
        },
        "due": None if run.due is None else [run.due[0].isoformat(), run.due[1].isoformat()],
        "next_step": None
        if run.closed_by is None
        else {
            "step": run.closed_by.number,
            "event": run.closed_by.event.id,
            "trigger": run.closed_by.event.trigger,
            "date": run.closed_by.event.date.iso(),
        },
        "used": run.used,
        "verdict": run.verdict,
        "reason": run.reason,
        "time_ruled_on_by": None if run.extended_by is None else run.extended_by.event.id,
        "dealt_with_by_court": None if run.heard_by is None else run.heard_by.event.id,
    }


def deadlines_json(replay: Replay, runs: Sequence[LimitRun]) -> dict[str, Any]:
    scenario = replay.scenario
    return {
        "scenario": scenario.id,
        "status": scenario.end.status,
        "as_of": scenario.end.as_of.iso() if scenario.end.as_of else None,
        "limits": [run_json(run) for run in runs],
    }


_VERDICT_STYLE = {
    "late": "bold red",
    "time extended": "cyan",
    "in time": "green",
    "open": "yellow",
    "not determinable": "magenta",
}


def deadlines_text(process: Process, replay: Replay, runs: Sequence[LimitRun]) -> Group:
    """Each time limit that ran: rule, what started it, due date, next step, verdict."""
    from rich.table import Table

    scenario = replay.scenario
    table = Table(
        show_lines=True, title_justify="left", expand=True, title=Text(f"Time limits in {scenario.title}")
    )
    for column, ratio in (("Limit", 4), ("Started by", 2), ("Due", 2), ("Next step", 2), ("Verdict", 4)):
        table.add_column(column, overflow="fold", ratio=ratio)
    for run in runs:
        limit = run.limit
        rule = f"{escape(process.triggers[run.trigger].label)}: {escape(limit.describe())}\n[dim]{escape(limit.basis)}[/]"
        if limit.promptly:
            rule += "\n[dim]promptness is for the court; only the outer limit is computed[/]"
        if limit.unverified:
            rule += f"\n[yellow]UNVERIFIED: {escape(limit.unverified)}[/]"
        if limit.kind not in ("limit", "as_soon_as_practicable"):
            rule += f"\n[dim]({limit.kind.replace('_', ' ')})[/]"
        started = f"{run.started.number}. {escape(run.started.event.date.human())}\n[dim]{escape(_event_label(process, run.started))}[/]"
        closed = "-"
        if run.closed_by is not None:
            closed = f"{run.closed_by.number}. {escape(run.closed_by.event.date.human())}\n[dim]{escape(_event_label(process, run.closed_by))}[/]"
        verdict = f"[{_VERDICT_STYLE.get(run.verdict, 'default')}]{escape(run.verdict)}[/]"
        if run.reason:
            verdict += f"\n[dim]{escape(run.reason)}[/]"
        table.add_row(rule, started, escape(due_text(run.due)), closed, verdict)
    parts: list[Any] = [table]
    late = [run for run in runs if run.used and run.verdict == "late"]
    summary = f"{len(runs)} time limits; {len(late)} late"
    if scenario.end.status == "pending" and scenario.end.as_of:
        summary += f"; pending as of {scenario.end.as_of.human()}"
    parts.append(Text(summary + "."))
    return Group(*parts)


def _event_label(process: Process, step: Step) -> str:
    return event_label(process, step.event, mark_side=False)


def event_label(process: Process, event: Event, mark_side: bool = True) -> str:
    """The plain-English label of an event's trigger or side event."""
    if event.trigger:
        return process.triggers[event.trigger].label
    label = process.side_events[event.side or ""].label
    return label + " (side event)" if mark_side else label


def discrepancy_json(discrepancy: Discrepancy) -> dict[str, Any]:
    """Where sources disagree, as data: for ``replay --json`` and the case pages."""
    return {
        "id": discrepancy.id,
        "topic": discrepancy.topic,
        "accounts": [{"sources": list(a.sources), "says": a.says} for a in discrepancy.accounts],
        "follows": list(discrepancy.follows),
        "why": discrepancy.why,
    }


def discrepancy_text(discrepancy: Discrepancy) -> Text:
    """Where sources disagree: what each says, which the scenario follows and why."""
    accounts = "; ".join(f"{', '.join(a.sources)}: {a.says}" for a in discrepancy.accounts)
    return Text.from_markup(
        f"[magenta]Sources disagree ({escape(discrepancy.id)}, {escape(discrepancy.topic)}):[/] "
        f"{escape(accounts)}. [bold]Follows[/] {escape(', '.join(discrepancy.follows))}: {escape(discrepancy.why)}"
    )
