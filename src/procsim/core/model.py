"""The process model: states, transitions, guards and time limits, as plain data.

Nothing here reads files or prints: ``procsim.io.process_reader`` builds a
:class:`Process` from YAML, :mod:`procsim.core.engine` drives cases through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from attrs import field, frozen

from procsim.core.dates import PartialDate

STATUSES = ("ongoing", "provisional", "terminal")
STATUS_WORDS = {
    "ongoing": "ongoing",
    "provisional": "concluded unless challenged",
    "terminal": "concluded (terminal)",
}
UNITS = ("calendar_days", "working_days", "months")


@frozen
class Condition:
    """A condition on case facts, built from data, never from code.

    ``op`` is one of ``is``, ``in``, ``not_in`` (on ``fact``) or ``all``,
    ``any``, ``not`` (on ``children``).
    """

    op: str
    fact: str | None = None
    value: Any = None
    children: tuple[Condition, ...] = ()

    def holds(self, facts: Mapping[str, Any]) -> bool:
        if self.op == "is":
            return facts.get(self.fact) == self.value  # type: ignore[arg-type]
        if self.op == "in":
            return facts.get(self.fact) in self.value  # type: ignore[arg-type]
        if self.op == "not_in":
            return facts.get(self.fact) not in self.value  # type: ignore[arg-type]
        if self.op == "all":
            return all(child.holds(facts) for child in self.children)
        if self.op == "any":
            return any(child.holds(facts) for child in self.children)
        if self.op == "not":
            return not self.children[0].holds(facts)
        raise ValueError(f"unknown condition operator {self.op!r}")

    def facts_read(self) -> tuple[str, ...]:
        """The fact names this condition reads, in order, without repeats."""
        names: list[str] = []
        if self.fact is not None:
            names.append(self.fact)
        for child in self.children:
            names.extend(name for name in child.facts_read() if name not in names)
        return tuple(names)

    def describe(self) -> str:
        """The condition in compact words, e.g. 'officer_status is serving'."""
        if self.op == "is":
            return f"{self.fact} is {show_value(self.value)}"
        if self.op == "in":
            return f"{self.fact} in ({', '.join(show_value(v) for v in self.value)})"
        if self.op == "not_in":
            return f"{self.fact} not in ({', '.join(show_value(v) for v in self.value)})"
        if self.op == "not":
            return f"not ({self.children[0].describe()})"
        joiner = " and " if self.op == "all" else " or "
        return joiner.join(f"({child.describe()})" for child in self.children)


def compile_condition(condition: Condition) -> Callable[[Mapping[str, Any]], bool]:
    """``condition.holds`` as a function built once: no operator is looked up per call."""
    op, fact, value = condition.op, condition.fact, condition.value
    if op == "is":
        return lambda facts: facts.get(fact) == value  # type: ignore[arg-type]
    if op == "in":
        return lambda facts: facts.get(fact) in value  # type: ignore[arg-type]
    if op == "not_in":
        return lambda facts: facts.get(fact) not in value  # type: ignore[arg-type]
    children = tuple(compile_condition(child) for child in condition.children)
    if op == "all":
        return lambda facts: all(child(facts) for child in children)
    if op == "any":
        return lambda facts: any(child(facts) for child in children)
    if op == "not":
        only = children[0]
        return lambda facts: not only(facts)
    raise ValueError(f"unknown condition operator {op!r}")


def show_value(value: Any) -> str:
    """A fact's value as authors write it: true/false, unknown for no value, else the text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "unknown" if value is None else str(value)


def value_words(value: Any) -> str:
    """A fact's value as every renderer names it: 'yes'/'no', 'not set', a date in words, text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "not set"
    human = getattr(value, "human", None)
    if callable(human):
        return str(human())
    return str(value).replace("_", " ") if isinstance(value, str) else str(value)


@frozen
class InForce:
    """The period in which a rule is in force, and the date fact that decides it.

    Like an OpenFisca parameter's period: ``start`` is the first day the rule
    applies and ``end`` the last (either may be open). ``decided_by`` names the
    date fact the law keys the change to (the complaint or matter date for 2012
    v 2020, the allegation date for SI 2025/558, the hearing's date for SI
    2024/521). The loader turns a period into a condition on the derived fact
    :func:`period_fact_name` of that date, so the engine, the options, the route
    analysis and the deadlines all read it as a guard.
    """

    decided_by: str
    start: PartialDate | None = None
    end: PartialDate | None = None
    basis: str = ""
    unverified: str | None = None

    def holds_for(self, date: PartialDate | None) -> bool | None:
        """True if every day ``date`` may stand for is in the period, False if none is, else None."""
        if date is None:
            return None
        start = self.start.earliest if self.start else dt.date.min
        end = self.end.latest if self.end else dt.date.max
        if start <= date.earliest and date.latest <= end:
            return True
        if date.latest < start or date.earliest > end:
            return False
        return None

    def describe(self) -> str:
        """E.g. 'from 28 May 2025 (decided by allegation_date)'."""
        if self.start and self.end:
            span = f"from {self.start.human()} to {self.end.human()}"
        elif self.start:
            span = f"from {self.start.human()}"
        elif self.end:
            span = f"until {self.end.human()}"
        else:
            span = "at all dates"
        return f"{span} (decided by {self.decided_by})"

    def span(self) -> str:
        """The period in words for a sentence: 'on or after 28 May 2025', 'on or before ...'."""
        if self.start and self.end:
            return f"between {self.start.human()} and {self.end.human()} (inclusive)"
        if self.start:
            return f"on or after {self.start.human()}"
        return f"on or before {self.end.human()}" if self.end else "on any date"

    def boundaries(self) -> tuple[dt.date, ...]:
        """The first days on which the rule's status changes."""
        days = []
        if self.start:
            days.append(self.start.earliest)
        if self.end:
            days.append(self.end.latest + dt.timedelta(days=1))
        return tuple(days)


def period_fact_name(date_fact: str) -> str:
    """The derived fact that places ``date_fact`` in the periods the rules name."""
    return f"{date_fact}_period"


@frozen
class Guard:
    """A named condition a transition needs, with its plain-English reason.

    ``in_force`` is set on a guard that is a rule's period of force (its
    ``condition`` then reads the period fact of the deciding date).
    """

    name: str
    label: str
    reason: str
    basis: str
    condition: Condition
    unverified: str | None = None
    in_force: InForce | None = None


@frozen
class TimeLimit:
    """A time limit on taking a step.

    ``kind`` is ``limit`` (a deadline), ``reporting_duty`` (a duty to explain
    delay), ``as_soon_as_practicable`` (no fixed length) or ``guidance``.
    ``runs_from`` names states whose latest entry starts the clock (default:
    entering the transition's source); ``cpr`` applies the CPR 2.8 counting rules.
    """

    rule: str
    basis: str
    starts: str
    length: int | None = None
    unit: str | None = None
    counting: str | None = None
    promptly: bool = False
    kind: str = "limit"
    unverified: str | None = None
    runs_from: tuple[str, ...] = ()
    cpr: bool = False

    def describe(self) -> str:
        """E.g. 'promptly and in any event within 3 months'."""
        if self.length is None:
            return self.rule
        unit = {"calendar_days": "days", "working_days": "working days", "months": "months"}[
            self.unit or "calendar_days"
        ]
        if self.length == 1:
            unit = unit.rstrip("s") if unit != "working days" else "working day"
        text = f"within {self.length} {unit}"
        if self.promptly:
            text = f"promptly and in any event {text}"
        return f"{text} of {self.starts}"


@frozen
class StateVersion:
    """How a state reads in one period (e.g. who sits on the panel from 7 May 2024).

    The first version whose guards hold for a case's facts applies; ``guards``
    include the version's synthesised in-force guard.
    """

    in_force: InForce
    guards: tuple[str, ...]
    description: str
    basis: str
    unverified: str | None = None


@frozen
class State:
    """A stage of the process a case can be in."""

    name: str
    forum: str
    label: str
    description: str
    basis: str
    status: str
    decision_by: str | None = None
    unverified: str | None = None
    versions: tuple[StateVersion, ...] = ()

    @property
    def is_terminal(self) -> bool:
        return self.status == "terminal"

    @property
    def can_end(self) -> bool:
        """Terminal, or concluded unless challenged."""
        return self.status in ("terminal", "provisional")


@frozen
class Trigger:
    """The name of an event that moves a case, with its plain-English label."""

    name: str
    label: str
    description: str


@frozen
class Transition:
    """One move: ``trigger`` takes a case from ``source`` to ``dest``.

    ``sets`` are facts the move establishes; ``records_date``, ``records_actor``
    and ``records_decision`` name facts that take the event's date, its actor, or
    the source state's decision-maker.
    """

    trigger: str
    source: str
    dest: str
    actors: tuple[str, ...]
    basis: str
    guards: tuple[str, ...] = ()
    sets: tuple[tuple[str, Any], ...] = ()
    records_date: str | None = None
    records_actor: str | None = None
    records_decision: str | None = None
    time_limit: TimeLimit | None = None
    unverified: str | None = None
    note: str | None = None
    line: int = 0
    in_force: InForce | None = None


@frozen
class SideEvent:
    """An event that changes facts or records context without moving the case.

    ``states`` limits where it may happen (empty: anywhere); ``requires`` names
    facts the event must set.
    """

    name: str
    label: str
    description: str
    actors: tuple[str, ...]
    basis: str
    states: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    sets: tuple[tuple[str, Any], ...] = ()
    unverified: str | None = None


@frozen
class FactSpec:
    """A fact about a case that guards read; ``type`` is bool, enum, text or date."""

    name: str
    type: str
    description: str
    values: tuple[str, ...] = ()
    default: Any = None
    label: str = ""

    @property
    def words(self) -> str:
        """The fact in words: its label, or its name with spaces."""
        return self.label or self.name.replace("_", " ")

    falls_back_to: str | None = None

    def coerce(self, value: Any) -> Any:
        """Check and convert a value for this fact; raise ValueError with the reason."""
        if self.type == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"fact '{self.name}' takes true or false, not {value!r}")
            return value
        if self.type == "enum":
            if isinstance(value, bool) or str(value) not in self.values:
                raise ValueError(f"fact '{self.name}' takes one of {', '.join(self.values)}; not {value!r}")
            return str(value)
        if self.type == "date":
            if isinstance(value, PartialDate):
                return value
            return PartialDate.parse(value)
        if isinstance(value, (dict, list)) or value is None:
            raise ValueError(f"fact '{self.name}' takes text, not {type(value).__name__}")
        return str(value)


@frozen
class DerivedFact:
    """A fact computed from a date fact: ``ranges`` are (before, value) pairs.

    A range with ``before=None`` applies to every later date. A date too coarse
    to fall wholly in one range gives ``None`` (unknown).
    """

    name: str
    description: str
    basis: str
    from_date: str
    ranges: tuple[tuple[PartialDate | None, str], ...]
    periods: bool = False

    def coerce(self, value: Any) -> str:
        """A value a case may state when its date is unknown or too coarse (the regime, never a period)."""
        values = [v for _, v in self.ranges]
        if self.periods:
            raise ValueError(f"fact '{self.name}' cannot be set: it is derived from '{self.from_date}'")
        if isinstance(value, bool) or str(value) not in values:
            raise ValueError(
                f"fact '{self.name}' (derived from '{self.from_date}') may be stated only as one of "
                f"{', '.join(values)}; not {value!r}"
            )
        return str(value)

    def value_for(self, date: PartialDate | None) -> str | None:
        if date is None:
            return None
        for before, value in self.ranges:
            if before is None:
                return value
            if date.latest < before.earliest:
                return value
            if date.earliest < before.earliest:
                return None  # the date straddles the boundary
        return None


@frozen
class Authority:
    """An abbreviation ``basis`` strings use (e.g. 'CR 2020'), its full title and where to read it."""

    id: str
    title: str
    url: str
    note: str = ""


@frozen
class Forum:
    name: str
    label: str
    description: str


@frozen
class Actor:
    name: str
    label: str
    description: str


@frozen
class Process:
    """A whole process: everything the engine and the renderers need."""

    id: str
    title: str
    description: str
    initial: str
    simplifications: tuple[str, ...]
    forums: Mapping[str, Forum]
    actors: Mapping[str, Actor]
    facts: Mapping[str, FactSpec]
    derived: Mapping[str, DerivedFact]
    guards: Mapping[str, Guard]
    groups: Mapping[str, tuple[str, ...]]
    states: Mapping[str, State]
    triggers: Mapping[str, Trigger]
    transitions: tuple[Transition, ...]
    side_events: Mapping[str, SideEvent]
    authorities: Mapping[str, Authority] = field(factory=dict)
    _by_source: dict = field(factory=dict, eq=False, repr=False, init=False)

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        """Every transition out of ``state``, in the order the process lists them."""
        if not self._by_source:
            index: dict[str, list[Transition]] = {}
            for transition in self.transitions:
                index.setdefault(transition.source, []).append(transition)
            self._by_source.update({key: tuple(value) for key, value in index.items()})
        return self._by_source.get(state, ())

    def transitions_for(self, state: str, trigger: str) -> tuple[Transition, ...]:
        return tuple(t for t in self.transitions_from(state) if t.trigger == trigger)

    def default_facts(self) -> dict[str, Any]:
        return {name: spec.default for name, spec in self.facts.items()}

    def cited(self, basis: str) -> tuple[Authority, ...]:
        """The authorities a ``basis`` text names, longest abbreviation first, in the order cited."""
        found: list[tuple[int, Authority]] = []
        taken: list[tuple[int, int]] = []
        for authority in sorted(self.authorities.values(), key=lambda a: -len(a.id)):
            start = 0
            while (at := basis.find(authority.id, start)) >= 0:
                end = at + len(authority.id)
                start = end
                before = basis[at - 1] if at else " "
                after = basis[end] if end < len(basis) else " "
                if before.isalnum() or after.isalnum():
                    continue
                if any(a < end and at < b for a, b in taken):
                    continue
                taken.append((at, end))
                if all(f.id != authority.id for _, f in found):
                    found.append((at, authority))
        return tuple(authority for _, authority in sorted(found, key=lambda pair: pair[0]))


def fact_words(process: Process, name: str) -> str:
    """A fact (or derived fact) named in words, for every renderer."""
    spec = process.facts.get(name)
    return spec.words if spec is not None else name.replace("_", " ")
