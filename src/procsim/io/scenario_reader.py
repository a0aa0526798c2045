"""Read scenario files into :class:`~procsim.core.scenario.Scenario`, resolving ``extends``.

Every problem is a :class:`~procsim.core.errors.SchemaError` naming the file and
line. :func:`read_scenario` collects all of a file's problems;
:func:`load_scenario` raises the first.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from procsim.core.dates import PartialDate
from procsim.core.errors import ProcsimError, SchemaError, UnknownName, suggest
from procsim.core.model import Process
from procsim.core.scenario import Account, Discrepancy, End, Event, Scenario, Source
from procsim.io.process_reader import load_process
from procsim.io.safe_yaml import LDict, LList
from procsim.io.schema import Reader, allowed_choices, allowed_keys, allowed_values
from procsim.io.yaml_cache import load_yaml

# The keys each part of a scenario allows: one list of each, in schemas/scenario.schema.json.
TOP_REQUIRED, TOP_OPTIONAL = allowed_keys("scenario")
SOURCE_KEYS = allowed_keys("scenario", "source")
EVENT_KEYS = allowed_keys("scenario", "event")
DISCREPANCY_KEYS = allowed_keys("scenario", "discrepancy")
ACCOUNT_KEYS = allowed_keys("scenario", "account")
END_KEYS = allowed_keys("scenario", "end")
KINDS = allowed_values("scenario", None, "kind")
_URL = re.compile(r"https?://[^\s/]+\S*")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}")


def scenario_path(name_or_path: str, scenarios_dir: Path) -> Path:
    """A scenario given by name (``oconnor``) or by path (``scenarios/oconnor.yaml``)."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists() or "/" in name_or_path:
        return candidate
    return scenarios_dir / f"{name_or_path}.yaml"


def load_scenario(path: Path, _chain: tuple[Path, ...] = ()) -> Scenario:
    """Load, validate and resolve one scenario file; raise its first problem."""
    scenario, errors = _read(path, _chain)
    if errors:
        raise errors[0]
    assert scenario is not None
    return scenario


def read_scenario(path: Path) -> tuple[Scenario | None, list[ProcsimError]]:
    """Load one scenario file and collect all its problems (not only the first)."""
    try:
        return _read(path, ())
    except ProcsimError as error:
        return None, [error]


def _read(path: Path, chain: tuple[Path, ...]) -> tuple[Scenario | None, list[ProcsimError]]:
    shown = str(path)
    data = load_yaml(path)  # first: a file that cannot be read (a link loop, a FIFO) is refused here
    resolved = _resolve(path)
    if resolved in chain:
        cycle = " -> ".join(p.stem for p in (*chain, resolved))
        raise SchemaError(f"'extends' makes a cycle: {cycle}", path=shown)
    reader = Reader(shown)
    top = reader.mapping(data, "a scenario file", 1)
    if top is None:
        return None, list(reader.errors)
    reader.keys(
        top,
        "the scenario",
        required=TOP_REQUIRED,
        optional=TOP_OPTIONAL,
        choices=allowed_choices("scenario"),
    )
    if "scenario" in top and top["scenario"] != path.stem:
        reader.error(
            f"'scenario' is '{top['scenario']}' but the file is named '{path.stem}'", top.line_of("scenario")
        )
    process_name = reader.get(top, "process", str, "the scenario", required=True)
    process = None
    if process_name:
        try:
            process = load_process(process_name)
        except UnknownName as error:
            reader.error(error.message, top.line_of("process"))
    kind = reader.get(top, "kind", str, "the scenario", required=True)
    if kind and kind not in KINDS:
        reader.error(
            f"'kind' must be one of {', '.join(KINDS)}, not '{kind}'{suggest(kind, KINDS)}",
            top.line_of("kind"),
        )

    base: Scenario | None = None
    extends = top.get("extends")
    if extends is not None:
        base = _read_base(reader, top, path, (*chain, resolved))
        if "diverges_after" not in top:
            reader.error("a scenario that extends another needs 'diverges_after'", top.line_of("extends"))
    elif "diverges_after" in top:
        reader.error(
            "'diverges_after' is only for a scenario that extends another", top.line_of("diverges_after")
        )
    elif "sources" not in top:
        reader.missing(top, "sources", "the scenario")

    sources = dict(base.sources) if base else {}
    own_sources = _sources(reader, top, sources)
    sources.update(own_sources)
    initial_facts = dict(base.initial_facts) if base else {}
    initial_facts.update(_facts(reader, top, "initial_facts", "initial_facts", process))

    kept: tuple[Event, ...] = ()
    if base is not None:
        after = reader.get(top, "diverges_after", str, "the scenario")
        ids = [event.id for event in base.events]
        if after is not None and after not in ids:
            reader.error(
                f"'diverges_after' names '{after}', which is not an event of "
                f"'{base.id}'{suggest(after, ids)}",
                top.line_of("diverges_after"),
            )
        elif after is not None:
            kept = base.events[: ids.index(after) + 1]
    own_events = _events(reader, top, sources, process, {e.id for e in kept}, shown)
    _check_dates(reader, kept, own_events)
    end = _end(reader, top, process)
    if end and own_events and end.as_of and end.as_of.latest < own_events[-1].date.earliest:
        reader.error(f"'as_of' {end.as_of} is before the last event ({own_events[-1].date})", end.line)
    title = reader.get(top, "title", str, "the scenario")
    summary = reader.get(top, "summary", str, "the scenario")
    if reader.errors or end is None or not process_name or kind is None:
        return None, list(reader.errors)
    scenario = Scenario(
        id=path.stem,
        process=process_name,
        title=(title or "").strip(),
        kind=kind,
        summary=" ".join((summary or "").split()),
        sources=sources,
        initial_facts=initial_facts,
        events=kept + own_events,
        end=end,
        extends=base.id if base else None,
        diverges_after=top.get("diverges_after"),
        own_events=own_events,
        path=shown,
    )
    return scenario, []


def _read_base(reader: Reader, top: LDict, path: Path, chain: tuple[Path, ...]) -> Scenario | None:
    name = reader.get(top, "extends", str, "the scenario")
    if name is None:
        return None
    line = top.line_of("extends")
    if not _NAME.fullmatch(name):
        reader.error(
            f"'extends' must name a scenario in {path.parent}/ (a name of letters, digits, '-', '_' "
            f"and '.', at most 200 characters, not a path): '{name[:80]}'",
            line,
        )
        return None
    folder = _resolve(path).parent
    target = _resolve(folder / name if name.endswith((".yaml", ".yml")) else folder / f"{name}.yaml")
    if not target.is_relative_to(folder):
        reader.error(f"'extends' must name a scenario in {path.parent}/ (a name, not a path): '{name}'", line)
        return None
    if not os.path.lexists(target):
        others = [p.stem for p in folder.glob("*.yaml") if _resolve(p) != _resolve(path)]
        reader.error(
            f"'extends' names '{name}', but there is no {target.name} in {path.parent}/"
            f"{suggest(name, others)}",
            line,
        )
        return None
    try:
        return load_scenario(target, chain)
    except ProcsimError as error:
        if "cycle" in error.message:
            error.path, error.line = str(path), line
            raise error from None
        reader.error(f"the scenario it extends, '{name}', is invalid: {error}", line)
        return None


def _resolve(path: Path) -> Path:
    """``path`` made absolute through its links; as it is, when a link loops."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return path.absolute()


def _date(reader: Reader, data: LDict, key: str, what: str, required: bool = True) -> PartialDate | None:
    if key not in data:
        if required:
            reader.missing(data, key, what)
        return None
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        reader.error(
            f'\'{key}\' in {what} must be a date like "2021-10-05", "2021-10" or "2021"', data.line_of(key)
        )
        return None
    try:
        return PartialDate.parse(value)
    except ValueError as error:
        reader.error(f"'{key}' in {what}: {error}", data.line_of(key))
        return None


def _sources(reader: Reader, top: LDict, inherited: dict[str, Source]) -> dict[str, Source]:
    result: dict[str, Source] = {}
    items = top.get("sources")
    if items is None:
        return result
    if not isinstance(items, LList):
        reader.error("'sources' must be a list", top.line_of("sources"))
        return result
    for index, item in enumerate(items):
        what = f"source {index + 1}"
        body = reader.mapping(item, what, items.line_of(index))
        if body is None:
            continue
        reader.keys(body, what, required=SOURCE_KEYS[0], optional=SOURCE_KEYS[1])
        source_id = reader.get(body, "id", str, what)
        if source_id is None:
            continue
        what = f"source '{source_id}'"
        if source_id in result or source_id in inherited:
            reader.error(f"source id '{source_id}' is used twice", body.line_of("id"))
        if "url" not in body and "seed" not in body and "model" not in body:
            reader.error(f"{what} needs a 'url', a 'seed' file name, or 'model' (a process id)", body.line)
        if "model" in body and body["model"] != top.get("process"):
            reader.error(
                f"{what}: 'model' must name this scenario's process, '{top.get('process')}'",
                body.line_of("model"),
            )
        date = _date(reader, body, "date", what)
        values = {
            k: reader.get(body, k, str, what)
            for k in ("publisher", "title", "url", "seed", "model", "citation", "note")
        }
        if values["url"] is not None and not _URL.match(values["url"]):
            reader.error(
                f"'url' in {what} must be a web address (http:// or https://), not '{values['url'][:80]}'",
                body.line_of("url"),
            )
            values["url"] = None
        if date and values["publisher"] and values["title"]:
            result[source_id] = Source(
                source_id,
                values["publisher"].strip(),
                " ".join(values["title"].split()),
                date,
                values["url"],
                values["seed"],
                values["citation"],
                values["note"],
                values["model"],
            )
    return result


def _facts(reader: Reader, data: LDict, key: str, what: str, process: Process | None) -> dict[str, Any]:
    if key not in data:
        return {}
    body = reader.mapping(data[key], f"'{key}' of {what}", data.line_of(key))
    if body is None or process is None:
        return {}
    result = {}
    for name, value in body.items():
        line = body.line_of(name)
        if name in process.derived:
            try:
                result[str(name)] = process.derived[name].coerce(value)
            except ValueError as error:
                reader.error(f"{error} (in {what})", line)
        elif name not in process.facts:
            reader.error(f"unknown fact '{name}' in {what}{suggest(str(name), process.facts)}", line)
        else:
            try:
                result[str(name)] = process.facts[name].coerce(value)
            except ValueError as error:
                reader.error(f"{error} (in {what})", line)
    return result


def _events(
    reader: Reader,
    top: LDict,
    sources: dict[str, Source],
    process: Process | None,
    taken: set[str],
    shown: str,
) -> tuple[Event, ...]:
    items = top.get("events")
    if items is None:
        return ()
    if not isinstance(items, LList) or not items:
        reader.error("'events' must be a non-empty list", top.line_of("events"))
        return ()
    events = []
    seen = set(taken)
    for index, item in enumerate(items):
        body = reader.mapping(item, f"event {index + 1}", items.line_of(index))
        if body is None:
            continue
        event_id = reader.get(body, "id", str, f"event {index + 1}", required=True) or f"#{index + 1}"
        what = f"event '{event_id}'"
        reader.keys(body, what, required=EVENT_KEYS[0], optional=EVENT_KEYS[1])
        if event_id in seen:
            reader.error(f"event id '{event_id}' is used twice", body.line_of("id"))
        seen.add(event_id)
        trigger = reader.get(body, "trigger", str, what)
        side = reader.get(body, "side", str, what)
        if (trigger is None) == (side is None) and ("trigger" in body) == ("side" in body):
            reader.error(f"{what} needs exactly one of 'trigger' or 'side'", body.line)
        # an unknown trigger or side event is the engine's to report, at replay: it knows the
        # state the case is in, and so what could happen there instead
        actor = reader.get(body, "actor", str, what)
        if process is not None and actor is not None and actor not in process.actors:
            reader.error(
                f"{what}: unknown actor '{actor}'{suggest(actor, process.actors)}", body.line_of("actor")
            )
        event_sources = reader.names(body, "sources", what, required=True)
        for source_id in event_sources:
            if source_id not in sources:
                reader.error(
                    f"{what}: unknown source id '{source_id}'{suggest(source_id, sources)}",
                    body.line_of("sources"),
                )
        if "sources" in body and not event_sources:
            reader.error(f"{what} needs at least one source", body.line_of("sources"))
        notes = body.get("notes") or []
        if isinstance(notes, str):
            notes = [notes]
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            reader.error(f"'notes' in {what} must be a list of text", body.line_of("notes"))
            notes = []
        date = _date(reader, body, "date", what)
        summary = reader.get(body, "summary", str, what)
        facts = _facts(reader, body, "facts", what, process)
        discrepancies = _discrepancies(reader, body, what, sources)
        unverified = reader.get(body, "unverified", str, what)
        if date is None or summary is None or actor is None:
            continue
        events.append(
            Event(
                id=event_id,
                date=date,
                actor=actor,
                summary=" ".join(summary.split()),
                sources=tuple(event_sources),
                trigger=trigger,
                side=side,
                facts=facts,
                notes=tuple(" ".join(n.split()) for n in notes),
                unverified=unverified,
                discrepancies=discrepancies,
                origin=shown,
                line=body.line,
            )
        )
    return tuple(events)


def _discrepancies(
    reader: Reader, body: LDict, what: str, sources: dict[str, Source]
) -> tuple[Discrepancy, ...]:
    items = body.get("discrepancies")
    if items is None:
        return ()
    if not isinstance(items, LList):
        reader.error(f"'discrepancies' in {what} must be a list", body.line_of("discrepancies"))
        return ()
    result = []
    for index, item in enumerate(items):
        where = f"discrepancy {index + 1} of {what}"
        data = reader.mapping(item, where, items.line_of(index))
        if data is None:
            continue
        reader.keys(data, where, required=DISCREPANCY_KEYS[0], optional=DISCREPANCY_KEYS[1])
        accounts = []
        raw_accounts = data.get("accounts")
        if not isinstance(raw_accounts, LList) or len(raw_accounts) < 2:
            reader.error(f"{where} needs at least two accounts", data.line_of("accounts"))
            raw_accounts = LList()
        for position, raw in enumerate(raw_accounts):
            account = reader.mapping(
                raw, f"account {position + 1} of {where}", raw_accounts.line_of(position)
            )
            if account is None:
                continue
            reader.keys(
                account,
                f"account {position + 1} of {where}",
                required=ACCOUNT_KEYS[0],
                optional=ACCOUNT_KEYS[1],
            )
            ids = reader.names(account, "sources", where)
            for source_id in ids:
                if source_id not in sources:
                    reader.error(
                        f"{where}: unknown source id '{source_id}'{suggest(source_id, sources)}", account.line
                    )
            says = reader.get(account, "says", str, where)
            accounts.append(Account(tuple(ids), " ".join((says or "").split())))
        follows = reader.names(data, "follows", where)
        for source_id in follows:
            if source_id not in sources:
                reader.error(
                    f"{where}: 'follows' names unknown source '{source_id}'{suggest(source_id, sources)}",
                    data.line_of("follows"),
                )
        result.append(
            Discrepancy(
                str(data.get("id", "")),
                " ".join(str(data.get("topic", "")).split()),
                tuple(accounts),
                tuple(follows),
                " ".join(str(data.get("why", "")).split()),
            )
        )
    return tuple(result)


def _check_dates(reader: Reader, kept: tuple[Event, ...], own: tuple[Event, ...]) -> None:
    """Dates never go backwards; a coarse date may contain its neighbour."""
    previous = kept[-1] if kept else None
    for event in own:
        if previous is not None and event.date.latest < previous.date.earliest:
            reader.error(
                f"event '{event.id}' is dated {event.date}, before the event before it "
                f"('{previous.id}', {previous.date}): dates out of order",
                event.line,
            )
        previous = event


def _end(reader: Reader, top: LDict, process: Process | None) -> End | None:
    if "end" not in top:
        return None
    body = reader.mapping(top["end"], "'end'", top.line_of("end"))
    if body is None:
        return None
    reader.keys(
        body, "'end'", required=END_KEYS[0], optional=END_KEYS[1], choices=allowed_choices("scenario", "end")
    )
    state = reader.get(body, "state", str, "'end'")
    status = reader.get(body, "status", str, "'end'")
    if process is not None and state is not None and state not in process.states:
        reader.error(
            f"'end' names unknown state '{state}'{suggest(state, process.states)}", body.line_of("state")
        )
    if status is not None and status not in ("concluded", "pending"):
        reader.error(
            f"'status' in 'end' must be concluded or pending, not '{status}'", body.line_of("status")
        )
    as_of = _date(reader, body, "as_of", "'end'", required=False)
    if status == "pending" and as_of is None and "as_of" not in body:
        reader.error("a pending scenario needs 'as_of': the date up to which sources were checked", body.line)
    if state is None or status is None:
        return None
    return End(state, status, as_of, body.line)


def available_scenarios(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def scenario_files(items: list[str], default: Path) -> list[Path]:
    """Files named on a command line, with folders expanded to their *.yaml (default: ``default``)."""
    files: list[Path] = []
    for item in items or [str(default)]:
        path = Path(item)
        if path.is_dir():
            found = available_scenarios(path)
            if not found:
                raise ProcsimError("no scenario files (*.yaml) here", path=str(path))
            files.extend(found)
        else:
            files.append(path)
    return files


__all__ = [
    "available_scenarios",
    "load_scenario",
    "read_scenario",
    "scenario_files",
    "scenario_path",
]
