"""The process model: states, transitions, guards and time limits, as plain data.

Nothing here reads files or prints: ``procsim.io.process_reader`` builds a
:class:`Process` from YAML, :mod:`procsim.core.engine` drives cases through it.
"""

from __future__ import annotations

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
class Guard:
    """A named condition a transition needs, with its plain-English reason."""

    name: str
    label: str
    reason: str
    basis: str
    condition: Condition
    unverified: str | None = None


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


def fact_words(process: Process, name: str) -> str:
    """A fact (or derived fact) named in words, for every renderer."""
    spec = process.facts.get(name)
    return spec.words if spec is not None else name.replace("_", " ")
