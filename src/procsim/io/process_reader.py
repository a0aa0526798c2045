"""Build a :class:`~procsim.core.model.Process` from its YAML definition, checking every reference."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from procsim.core.dates import PartialDate
from procsim.core.errors import SchemaError, UnknownName, suggest
from procsim.core.model import (
    STATUSES,
    UNITS,
    Actor,
    Authority,
    Condition,
    DerivedFact,
    FactSpec,
    Forum,
    Guard,
    InForce,
    Process,
    SideEvent,
    State,
    StateVersion,
    TimeLimit,
    Transition,
    Trigger,
    period_fact_name,
)
from procsim.io.safe_yaml import LDict, LList, line_of
from procsim.io.schema import Reader, allowed_choices, allowed_keys, allowed_values
from procsim.io.yaml_cache import load_yaml

# The keys each part of a process file allows: one list of each, in schemas/process.schema.json.
TOP_REQUIRED, TOP_OPTIONAL = allowed_keys("process")
TIME_LIMIT_KEYS = allowed_keys("process", "time_limit")
TRANSITION_KEYS = allowed_keys("process", "transition")
TIME_LIMIT_KINDS = allowed_values("process", "time_limit", "kind")


def processes_dir() -> Path:
    """The folder of process definitions shipped inside the package."""
    shipped = Path(__file__).resolve().parents[1] / "processes"
    if shipped.is_dir():  # an ordinary install: no need to import importlib.resources (~15 ms)
        return shipped
    from importlib import resources

    return Path(str(resources.files("procsim") / "processes"))


def available_processes() -> list[str]:
    return sorted(path.stem for path in processes_dir().glob("*.yaml"))


@lru_cache(maxsize=8)
def load_process(name: str) -> Process:
    """Load a shipped process by id, e.g. ``police_misconduct_ew``."""
    names = available_processes()
    if name not in names:
        raise UnknownName(f"unknown process '{name}'{suggest(name, names)}")
    return load_process_file(processes_dir() / f"{name}.yaml")


def load_process_file(path: Path) -> Process:
    """Load and validate a process file; raise the first :class:`SchemaError`."""
    data = load_yaml(path)
    builder = _Builder(str(path))
    process = builder.build(data)
    if builder.reader.errors:
        raise builder.reader.errors[0]
    assert process is not None
    return process


class _Builder:
    def __init__(self, path: str):
        self.reader = Reader(path)
        self.facts: dict[str, FactSpec] = {}
        self.derived: dict[str, DerivedFact] = {}
        #: guards standing for a rule's period of force, their conditions built last
        self.period_guards: dict[str, tuple[InForce, Condition | None]] = {}
        self.guards: dict[str, Guard] = {}

    # ------------------------------------------------------------------ helpers
    def err(self, message: str, line: int | None) -> None:
        self.reader.error(message, line)

    def section(self, data: LDict, key: str) -> LDict:
        value = data.get(key)
        if value is None:
            return LDict()
        mapping = self.reader.mapping(value, f"'{key}'", data.line_of(key))
        return mapping if mapping is not None else LDict()

    def text(self, data: LDict, key: str, what: str, required: bool = True) -> str:
        value = self.reader.get(data, key, str, what, required=required)
        return value.strip() if isinstance(value, str) else ""

    # ------------------------------------------------------------------ build
    def build(self, data: Any) -> Process | None:
        top = self.reader.mapping(data, "the process file", 1)
        if top is None:
            return None
        self.reader.keys(
            top,
            "the process file",
            required=TOP_REQUIRED,
            optional=TOP_OPTIONAL,
        )
        forums = {
            name: Forum(
                name,
                self.text(body, "label", f"forum '{name}'"),
                self.text(body, "description", f"forum '{name}'", False),
            )
            for name, body in self.entries(top, "forums", "forum")
        }
        actors = {
            name: Actor(
                name,
                self.text(body, "label", f"actor '{name}'"),
                self.text(body, "description", f"actor '{name}'", False),
            )
            for name, body in self.entries(top, "actors", "actor")
        }
        self.build_facts(top)
        guards = self.guards = self.build_guards(top)
        states = self.build_states(top, forums, actors)
        groups = self.build_groups(top, states)
        triggers = {
            name: Trigger(
                name,
                self.text(body, "label", f"trigger '{name}'"),
                self.text(body, "description", f"trigger '{name}'"),
            )
            for name, body in self.entries(top, "triggers", "trigger")
        }
        transitions = self.build_transitions(top, states, groups, triggers, actors, guards)
        side_events = self.build_side_events(top, states, groups, actors, guards)
        self.build_periods()
        authorities = self.build_authorities(top)
        initial = self.text(top, "initial", "the process file")
        if initial and initial not in states:
            self.err(
                f"initial state '{initial}' is not a state{suggest(initial, states)}", top.line_of("initial")
            )
        simplifications = tuple(
            str(item) for item in (top.get("simplifications") or []) if isinstance(item, str)
        )
        return Process(
            id=self.text(top, "process", "the process file"),
            title=self.text(top, "title", "the process file", False),
            description=self.text(top, "description", "the process file", False),
            initial=initial,
            simplifications=simplifications,
            forums=forums,
            actors=actors,
            facts=self.facts,
            derived=self.derived,
            guards=guards,
            groups=groups,
            states=states,
            triggers=triggers,
            transitions=tuple(transitions),
            side_events=side_events,
            authorities=authorities,
        )

    def entries(self, top: LDict, key: str, definition: str):
        """The named entries of section ``key``, each checked against the schema's ``definition``."""
        required, optional = allowed_keys("process", definition)
        for name, body in self.section(top, key).items():
            mapping = self.reader.mapping(body, f"{key} entry '{name}'", line_of(body))
            if mapping is None:
                continue
            self.reader.keys(
                mapping,
                f"{key} entry '{name}'",
                required=required,
                optional=optional,
                choices=allowed_choices("process", definition),
            )
            yield str(name), mapping

    def build_facts(self, top: LDict) -> None:
        for name, body in self.entries(top, "facts", "fact"):
            what = f"fact '{name}'"
            kind = self.text(body, "type", what)
            if kind not in ("bool", "enum", "text", "date"):
                self.err(f"{what} has unknown type '{kind}'", body.line_of("type"))
                continue
            values = tuple(str(v) for v in body.get("values") or ())
            if kind == "enum" and not values:
                self.err(f"{what} is an enum without values", body.line)
            spec = FactSpec(name, kind, self.text(body, "description", what), values, None)
            default = body.get("default")
            if default is not None:
                try:
                    default = spec.coerce(default)
                except ValueError as error:
                    self.err(f"default of {what}: {error}", body.line_of("default"))
                    default = None
            label = self.text(body, "label", what, False) if "label" in body else ""
            fallback = self.text(body, "falls_back_to", what, False) or None
            self.facts[name] = FactSpec(
                name, kind, spec.description, values, default, label=label, falls_back_to=fallback
            )
            if fallback is not None and kind != "date":
                self.err(f"{what}: only a date fact falls back to another", body.line_of("falls_back_to"))
        for name, spec in self.facts.items():
            target = spec.falls_back_to
            if target is not None and (target not in self.facts or self.facts[target].type != "date"):
                self.err(f"fact '{name}' falls back to '{target}', which is not a date fact", None)
        for name, body in self.entries(top, "derived_facts", "derived_fact"):
            what = f"derived fact '{name}'"
            source = self.text(body, "from_date", what)
            if source not in self.facts or self.facts[source].type != "date":
                self.err(f"{what} must derive from a date fact, not '{source}'", body.line_of("from_date"))
            ranges = []
            for item in body.get("values") or []:
                if not isinstance(item, LDict) or "value" not in item:
                    self.err(f"{what}: each value needs 'value' (and 'before')", line_of(item))
                    continue
                before = item.get("before")
                try:
                    bound = PartialDate.parse(before) if before is not None else None
                except ValueError as error:
                    self.err(f"{what}: {error}", item.line)
                    continue
                ranges.append((bound, str(item["value"])))
            self.derived[name] = DerivedFact(
                name,
                self.text(body, "description", what),
                self.text(body, "basis", what),
                source,
                tuple(ranges),
            )

    def fact_values(self, name: str) -> tuple[Any, ...] | None:
        """The values a fact can take, or None when any text or date goes."""
        if name in self.derived:
            return tuple(value for _, value in self.derived[name].ranges)
        spec = self.facts[name]
        if spec.type == "bool":
            return (True, False)
        return spec.values if spec.type == "enum" else None

    def condition(self, data: Any, what: str, line: int) -> Condition | None:
        body = self.reader.mapping(data, f"the condition of {what}", line)
        if body is None:
            return None
        for op in ("all", "any"):
            if op in body:
                self.reader.keys(body, f"the condition of {what}", required=[op])
                items = body[op]
                if not isinstance(items, LList) or not items:
                    self.err(f"'{op}' in {what} needs a list of conditions", body.line_of(op))
                    return None
                children = [self.condition(item, what, items.line_of(i)) for i, item in enumerate(items)]
                if any(child is None for child in children):
                    return None
                return Condition(op, children=tuple(children))  # type: ignore[arg-type]
        if "not" in body:
            self.reader.keys(body, f"the condition of {what}", required=["not"])
            child = self.condition(body["not"], what, body.line_of("not"))
            return Condition("not", children=(child,)) if child else None
        ops = [op for op in ("is", "in", "not_in") if op in body]
        self.reader.keys(body, f"the condition of {what}", required=["fact"], optional=["is", "in", "not_in"])
        if len(ops) != 1:
            self.err(f"the condition of {what} needs exactly one of is, in, not_in", body.line)
            return None
        fact = str(body.get("fact"))
        if fact not in self.facts and fact not in self.derived:
            self.err(
                f"{what} reads unknown fact '{fact}'{suggest(fact, [*self.facts, *self.derived])}",
                body.line_of("fact"),
            )
            return None
        op = ops[0]
        raw = body[op]
        values = list(raw) if op != "is" else [raw]
        allowed = self.fact_values(fact)
        if allowed is not None:
            for value in values:
                if value not in allowed and str(value) not in [str(a) for a in allowed]:
                    self.err(
                        f"{what} compares '{fact}' with '{value}', which it never takes"
                        f"{suggest(str(value), [str(a) for a in allowed])}",
                        body.line_of(op),
                    )
            if (self.facts.get(fact) is not None and self.facts[fact].type != "bool") or fact in self.derived:
                values = [str(value) for value in values]
        value = values[0] if op == "is" else tuple(values)
        return Condition(op, fact=fact, value=value)

    def build_guards(self, top: LDict) -> dict[str, Guard]:
        guards = {}
        for name, body in self.entries(top, "guards", "guard"):
            what = f"guard '{name}'"
            period = self.in_force(body, what)
            condition = None
            if "when" in body or period is None:
                condition = self.condition(body.get("when"), what, body.line_of("when"))
                if condition is None:
                    continue
            if period is not None:
                self.period_guards[name] = (period, condition)
            guards[name] = Guard(
                name,
                self.text(body, "label", what),
                self.text(body, "reason", what),
                self.text(body, "basis", what),
                condition or Condition("all"),
                self.text(body, "unverified", what, False) or None,
                period,
            )
        return guards

    # ------------------------------------------------------------------ periods of force
    def in_force(self, body: LDict, what: str) -> InForce | None:
        """An ``in_force: {from, to, decided_by, basis, unverified}`` block, checked."""
        if "in_force" not in body:
            return None
        where = f"'in_force' of {what}"
        data = self.reader.mapping(body.get("in_force"), where, body.line_of("in_force"))
        if data is None:
            return None
        self.reader.keys(data, where, required=["decided_by"], optional=["from", "to", "basis", "unverified"])
        decided_by = self.text(data, "decided_by", where)
        if decided_by not in self.facts or self.facts[decided_by].type != "date":
            self.err(
                f"{where}: decided_by must name a date fact, not '{decided_by}'"
                f"{suggest(decided_by, [n for n, f in self.facts.items() if f.type == 'date'])}",
                data.line_of("decided_by"),
            )
            return None
        bounds: list[PartialDate | None] = []
        for key in ("from", "to"):
            raw = data.get(key)
            if raw is None:
                bounds.append(None)
                continue
            try:
                date = PartialDate.parse(str(raw))
            except ValueError as error:
                self.err(f"{where}: {error}", data.line_of(key))
                return None
            if date.precision != "day":
                self.err(f"{where}: '{key}' must be a day (YYYY-MM-DD)", data.line_of(key))
                return None
            bounds.append(date)
        if bounds == [None, None]:
            self.err(f"{where} needs 'from', 'to' or both", data.line)
            return None
        if bounds[0] and bounds[1] and bounds[1].earliest < bounds[0].earliest:
            self.err(f"{where}: 'to' is before 'from'", data.line_of("to"))
            return None
        return InForce(
            decided_by,
            bounds[0],
            bounds[1],
            self.text(data, "basis", where, False),
            self.text(data, "unverified", where, False) or None,
        )

    def period_guard(self, period: InForce, basis: str) -> str:
        """The name of the guard standing for ``period`` (made once per period)."""
        parts = [period.decided_by]
        if period.start:
            parts.append("from_" + period.start.iso().replace("-", "_"))
        if period.end:
            parts.append("to_" + period.end.iso().replace("-", "_"))
        name = "_".join(parts)
        if name not in self.guards:
            self.guards[name] = Guard(
                name,
                f"in force {period.describe()}",
                f"this version of the rule applies only where {period.decided_by} falls " + period.span(),
                period.basis or basis,
                Condition("all"),
                period.unverified,
                period,
            )
            self.period_guards[name] = (period, None)
        return name

    def build_periods(self) -> None:
        """One derived fact per deciding date, cut at every boundary a period names; then the guards' conditions."""
        cuts: dict[str, set] = {}
        for period, _ in self.period_guards.values():
            cuts.setdefault(period.decided_by, set()).update(period.boundaries())
        for fact, days in sorted(cuts.items()):
            ranges: list[tuple[PartialDate | None, str]] = []
            previous = None
            for day in sorted(days):
                label = (
                    f"before {day.isoformat()}" if previous is None else f"{previous} to {day.isoformat()}"
                )
                ranges.append((PartialDate.of(day), label))
                previous = day.isoformat()
            ranges.append((None, f"from {previous}"))
            name = period_fact_name(fact)
            self.derived[name] = DerivedFact(
                name,
                f"The period of {fact} among the dates on which the rules change.",
                "the in_force periods of the rules keyed to " + fact,
                fact,
                tuple(ranges),
                periods=True,
            )
        for name, (period, extra) in self.period_guards.items():
            derived = self.derived[period_fact_name(period.decided_by)]
            inside = []
            for index, (_before, value) in enumerate(derived.ranges):
                # a day of the range: its first day, or the day before the first cut
                if index:
                    day = derived.ranges[index - 1][0].earliest  # type: ignore[union-attr]
                else:
                    day = derived.ranges[0][0].earliest - dt.timedelta(days=1)  # type: ignore[union-attr]
                if period.holds_for(PartialDate.of(day)):
                    inside.append(value)
            condition = Condition("in", fact=derived.name, value=tuple(inside))
            if extra is not None:
                condition = Condition("all", children=(condition, extra))
            guard = self.guards[name]
            self.guards[name] = Guard(
                guard.name, guard.label, guard.reason, guard.basis, condition, guard.unverified, period
            )

    def build_authorities(self, top: LDict) -> dict[str, Authority]:
        return {
            name: Authority(
                name,
                self.text(body, "title", f"authority '{name}'"),
                self.text(body, "url", f"authority '{name}'"),
                self.text(body, "note", f"authority '{name}'", False),
            )
            for name, body in self.entries(top, "authorities", "authority")
        }

    def build_states(self, top: LDict, forums: dict, actors: dict) -> dict[str, State]:
        states = {}
        for name, body in self.entries(top, "states", "state"):
            what = f"state '{name}'"
            forum = self.text(body, "forum", what)
            if forum not in forums:
                self.err(f"{what} has unknown forum '{forum}'{suggest(forum, forums)}", body.line_of("forum"))
            status = self.text(body, "status", what)
            if status not in STATUSES:
                self.err(
                    f"{what} has status '{status}'; expected one of {', '.join(STATUSES)}",
                    body.line_of("status"),
                )
            decision_by = self.text(body, "decision_by", what, False) or None
            if decision_by and decision_by not in actors:
                self.err(
                    f"{what}: decision_by '{decision_by}' is not an actor{suggest(decision_by, actors)}",
                    body.line_of("decision_by"),
                )
            states[name] = State(
                name,
                forum,
                self.text(body, "label", what),
                self.text(body, "description", what),
                self.text(body, "basis", what),
                status,
                decision_by,
                self.text(body, "unverified", what, False) or None,
                self.state_versions(body, what),
            )
        return states

    def state_versions(self, body: LDict, what: str) -> tuple[StateVersion, ...]:
        """``versions:`` of a state: how it reads in each period (first that applies wins)."""
        items = body.get("versions")
        if items is None:
            return ()
        if not isinstance(items, LList):
            self.err(f"'versions' of {what} must be a list", body.line_of("versions"))
            return ()
        result = []
        for index, item in enumerate(items):
            where = f"version {index + 1} of {what}"
            data = self.reader.mapping(item, where, items.line_of(index))
            if data is None:
                continue
            self.reader.keys(
                data, where, required=["in_force", "description", "basis"], optional=["guards", "unverified"]
            )
            period = self.in_force(data, where)
            if period is None:
                continue
            basis = self.text(data, "basis", where)
            guards = (
                *self.name_list(data, "guards", self.guards, "guard", where),
                self.period_guard(period, basis),
            )
            result.append(
                StateVersion(
                    period,
                    guards,
                    self.text(data, "description", where),
                    basis,
                    self.text(data, "unverified", where, False) or None,
                )
            )
        return tuple(result)

    def build_groups(self, top: LDict, states: dict) -> dict[str, tuple[str, ...]]:
        groups = {}
        section = self.section(top, "groups")
        for name, members in section.items():
            if name in states:
                self.err(f"group '{name}' has the name of a state", section.line_of(name))
            if not isinstance(members, LList):
                self.err(f"group '{name}' must be a list of states", section.line_of(name))
                continue
            for index, member in enumerate(members):
                if member not in states:
                    self.err(
                        f"group '{name}' names unknown state '{member}'{suggest(str(member), states)}",
                        members.line_of(index),
                    )
            groups[str(name)] = tuple(str(m) for m in members)
        return groups

    def expand(self, names: list[str], states: dict, groups: dict, what: str, line: int) -> list[str]:
        result: list[str] = []
        for name in names:
            if name.startswith("@"):
                if name[1:] not in groups:
                    self.err(f"{what} names unknown group '{name}'{suggest(name[1:], groups)}", line)
                    continue
                result.extend(m for m in groups[name[1:]] if m not in result)
            elif name not in states:
                self.err(f"{what} names unknown state '{name}'{suggest(name, states)}", line)
            elif name not in result:
                result.append(name)
        return result

    def name_list(self, body: LDict, key: str, known: dict, kind: str, what: str) -> tuple[str, ...]:
        names = self.reader.names(body, key, what)
        for name in names:
            if name not in known:
                self.err(f"{what} names unknown {kind} '{name}'{suggest(name, known)}", body.line_of(key))
        return tuple(names)

    def fact_settings(self, body: LDict, key: str, what: str) -> tuple[tuple[str, Any], ...]:
        section = body.get(key)
        if section is None:
            return ()
        mapping = self.reader.mapping(section, f"'{key}' of {what}", body.line_of(key))
        if mapping is None:
            return ()
        pairs = []
        for fact, value in mapping.items():
            if fact not in self.facts:
                self.err(
                    f"{what} sets unknown fact '{fact}'{suggest(str(fact), self.facts)}",
                    mapping.line_of(fact),
                )
                continue
            try:
                pairs.append((str(fact), self.facts[fact].coerce(value)))
            except ValueError as error:
                self.err(f"{what}: {error}", mapping.line_of(fact))
        return tuple(pairs)

    def time_limit(self, body: LDict, what: str, states: dict, groups: dict) -> TimeLimit | None:
        data = body.get("time_limit")
        if data is None:
            return None
        limit = self.reader.mapping(data, f"the time limit of {what}", body.line_of("time_limit"))
        if limit is None:
            return None
        where = f"the time limit of {what}"
        self.reader.keys(
            limit,
            where,
            required=TIME_LIMIT_KEYS[0],
            optional=TIME_LIMIT_KEYS[1],
        )
        length = self.reader.get(limit, "length", int, where)
        unit = self.text(limit, "unit", where, False) or None
        if length is not None and unit not in UNITS:
            self.err(f"{where} needs a unit: one of {', '.join(UNITS)}", limit.line)
        counting = self.text(limit, "counting", where, False) or None
        if counting not in (None, "starts_day_after", "starts_same_day"):
            self.err(
                f"{where}: counting must be starts_day_after or starts_same_day", limit.line_of("counting")
            )
        runs_from = self.expand(
            self.reader.names(limit, "runs_from", where), states, groups, where, limit.line_of("runs_from")
        )
        kind = self.text(limit, "kind", where, False) or "limit"
        if kind not in TIME_LIMIT_KINDS:
            self.err(f"{where} has unknown kind '{kind}'", limit.line_of("kind"))
        return TimeLimit(
            rule=self.text(limit, "rule", where),
            basis=self.text(limit, "basis", where),
            starts=self.text(limit, "starts", where),
            length=length,
            unit=unit,
            counting=counting,
            promptly=bool(limit.get("promptly", False)),
            kind=kind,
            unverified=self.text(limit, "unverified", where, False) or None,
            runs_from=tuple(runs_from),
            cpr=bool(limit.get("cpr", False)),
        )

    def build_transitions(self, top, states, groups, triggers, actors, guards) -> list[Transition]:
        result: list[Transition] = []
        items = top.get("transitions")
        if not isinstance(items, LList):
            self.err("'transitions' must be a list", top.line_of("transitions"))
            return result
        for index, item in enumerate(items):
            line = items.line_of(index)
            body = self.reader.mapping(item, f"transition {index + 1}", line)
            if body is None:
                continue
            trigger = str(body.get("trigger", ""))
            what = f"transition '{trigger}' (line {line})"
            self.reader.keys(
                body,
                what,
                required=TRANSITION_KEYS[0],
                optional=TRANSITION_KEYS[1],
            )
            if trigger not in triggers:
                self.err(f"{what}: unknown trigger{suggest(trigger, triggers)}", line)
            sources = self.expand(
                self.reader.names(body, "source", what), states, groups, what, body.line_of("source")
            )
            dest = str(body.get("dest", ""))
            if dest not in states:
                self.err(f"{what}: unknown dest '{dest}'{suggest(dest, states)}", body.line_of("dest"))
            records = body.get("records") or LDict()
            record_fields = {}
            if isinstance(records, LDict):
                self.reader.keys(
                    records, f"'records' of {what}", optional=allowed_keys("process", "records")[1]
                )
                for key, fact in records.items():
                    if fact not in self.facts:
                        self.err(f"{what} records unknown fact '{fact}'", records.line_of(key))
                    record_fields[key] = str(fact)
            period = self.in_force(body, what)
            basis = self.text(body, "basis", what)
            guard_names = self.name_list(body, "guards", guards, "guard", what)
            if period is not None:
                guard_names = (*guard_names, self.period_guard(period, basis))
            common = partial(
                Transition,
                trigger=trigger,
                dest=dest,
                actors=self.name_list(body, "actors", actors, "actor", what),
                basis=basis,
                guards=guard_names,
                in_force=period,
                sets=self.fact_settings(body, "sets", what),
                records_date=record_fields.get("date"),
                records_actor=record_fields.get("actor"),
                records_decision=record_fields.get("decision"),
                time_limit=self.time_limit(body, what, states, groups),
                unverified=self.text(body, "unverified", what, False) or None,
                note=self.text(body, "note", what, False) or None,
                line=line,
            )
            for source in sources:
                transition = common(source=source)
                self.check_records(transition, states, body)
                result.append(transition)
        return result

    def check_records(self, transition: Transition, states: dict, body: LDict) -> None:
        """A recorded actor or decision-maker must be a value the fact can take."""
        for fact, values in (
            (transition.records_actor, transition.actors),
            (transition.records_decision, (states[transition.source].decision_by,)),
        ):
            if fact is None or fact not in self.facts:
                continue
            allowed = self.facts[fact].values
            for value in values:
                if value is not None and value not in allowed:
                    self.err(
                        f"transition '{transition.trigger}' from '{transition.source}' would "
                        f"record '{value}' in fact '{fact}', which does not take it",
                        body.line_of("records"),
                    )

    def build_side_events(self, top, states, groups, actors, guards) -> dict[str, SideEvent]:
        result = {}
        for name, body in self.entries(top, "side_events", "side_event"):
            what = f"side event '{name}'"
            where = self.expand(
                self.reader.names(body, "states", what), states, groups, what, body.line_of("states")
            )
            requires = self.reader.names(body, "requires", what)
            for fact in requires:
                if fact not in self.facts:
                    self.err(f"{what} requires unknown fact '{fact}'", body.line_of("requires"))
            result[name] = SideEvent(
                name,
                self.text(body, "label", what),
                self.text(body, "description", what),
                self.name_list(body, "actors", actors, "actor", what),
                self.text(body, "basis", what),
                tuple(where),
                self.name_list(body, "guards", guards, "guard", what),
                tuple(requires),
                self.fact_settings(body, "sets", what),
                self.text(body, "unverified", what, False) or None,
            )
        return result


__all__ = ["SchemaError", "available_processes", "load_process", "load_process_file", "processes_dir"]
