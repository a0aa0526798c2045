"""How a step changes a case's facts: the one home of ``sets`` and ``records``.

A transition may *set* facts to fixed values and *record* three things of the
event that fires it: its date (``records: {date: fact}``), its actor
(``records: {actor: fact}``) and the decision-maker of the state it leaves
(``records: {decision: fact}``; e.g. which body's decision a judicial review
challenges). Derived facts (the regime) are computed from date facts.

The engine applies these effects to a case; the route analysis, the scaffold,
the stepper, the deadlines and the browser viewer read the same rules from here
(:func:`writes`, :func:`apply_transition`, :func:`facts_view`, :func:`facts_after`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from attrs import frozen

from procsim.core.dates import PartialDate
from procsim.core.model import InForce, Process, State, StateVersion, Transition

#: ``Write.kind`` values: a fixed value, the event's actor, the source state's
#: decision-maker, the event's date.
SET, ACTOR, DECISION, DATE = "set", "actor", "decision", "date"


@frozen
class Write:
    """One fact a transition writes, and the values it can write.

    For ``kind == DATE`` the value is the event's date, not known in advance:
    ``values`` is empty.
    """

    fact: str
    kind: str
    values: tuple[Any, ...] = ()


def writes(process: Process, transition: Transition) -> tuple[Write, ...]:
    """Every fact ``transition`` writes, in the order the engine applies them."""
    result = [Write(fact, SET, (value,)) for fact, value in transition.sets]
    if transition.records_date:
        result.append(Write(transition.records_date, DATE))
    if transition.records_actor:
        result.append(Write(transition.records_actor, ACTOR, transition.actors))
    decision_by = process.states[transition.source].decision_by
    if transition.records_decision and decision_by:
        result.append(Write(transition.records_decision, DECISION, (decision_by,)))
    return tuple(result)


def apply_transition(
    process: Process,
    transition: Transition,
    facts: dict[str, Any],
    *,
    date: PartialDate | None,
    actor: str | None,
    given: Iterable[str] = (),
    planned: tuple[Write, ...] | None = None,
) -> None:
    """Change ``facts`` as ``transition`` does when an event of ``date`` by ``actor`` fires it.

    ``given`` names facts the event stated itself; a recorded decision-maker does
    not overwrite one (a scenario may say which decision a claim challenges).
    ``planned`` is ``writes(process, transition)`` if the caller keeps it (the engine does).
    """
    stated = given if isinstance(given, (dict, set, frozenset)) else set(given)
    for write in writes(process, transition) if planned is None else planned:
        if write.kind == SET:
            facts[write.fact] = write.values[0]
        elif write.kind == DATE:
            if date is not None:
                facts[write.fact] = date
        elif write.kind == ACTOR:
            if actor:
                facts[write.fact] = actor
        elif write.fact not in stated:
            facts[write.fact] = write.values[0]


def derived_from(process: Process, fact: str) -> tuple[str, ...]:
    """The derived facts computed from date fact ``fact`` (e.g. the regime from ``matter_date``)."""
    return tuple(name for name, derived in process.derived.items() if derived.from_date == fact)


def deciding_date(process: Process, fact: str, facts: Mapping[str, Any]) -> PartialDate | None:
    """The value of date fact ``fact``, or of the date it falls back to when unknown.

    E.g. the allegation date is the matter date unless a scenario says otherwise.
    """
    seen = set()
    name: str | None = fact
    while name is not None and name not in seen:
        seen.add(name)
        value = facts.get(name)
        if value is not None:
            return value if isinstance(value, PartialDate) else None
        spec = process.facts.get(name)
        name = spec.falls_back_to if spec else None
    return None


def facts_view(
    process: Process, facts: Mapping[str, Any], law_as_of: PartialDate | None = None
) -> dict[str, Any]:
    """``facts`` with the process's derived facts (e.g. the regime) computed.

    A derived fact whose date is unknown or too coarse keeps a value the case
    stated itself (a scenario may state its regime when its source gives only a year).
    ``law_as_of`` is the law-in-force lens: every rule's period (and the regime) is
    then decided by that date instead of the case's own dates.
    """
    view = dict(facts)
    for name, derived in process.derived.items():
        date = law_as_of if law_as_of is not None else deciding_date(process, derived.from_date, facts)
        value = derived.value_for(date)
        view[name] = value if value is not None else facts.get(name)
    return view


def in_force(process: Process, period: InForce, facts: Mapping[str, Any]) -> bool | None:
    """Whether a rule of ``period`` is in force for a case with ``facts``; None when its date is unknown.

    The one home of this test: guards built from periods read the same derived
    fact (see :func:`procsim.core.model.period_fact_name`), and agree with it.
    """
    return period.holds_for(deciding_date(process, period.decided_by, facts))


def state_version(
    process: Process,
    state: State,
    facts: Mapping[str, Any],
    law_as_of: PartialDate | None = None,
    *,
    view: Mapping[str, Any] | None = None,
) -> StateVersion | None:
    """The version of ``state`` in force for ``facts`` (None: the state has none, or none applies).

    ``view``: the facts with derived facts already computed (the engine's cache), if at hand.
    """
    if view is None:
        view = facts_view(process, facts, law_as_of)
    for version in state.versions:
        if all(process.guards[g].condition.holds(view) for g in version.guards):
            return version
    return None


def facts_along(
    process: Process, initial: Mapping[str, Any], changes: Iterable[Iterable[tuple[str, Any, Any]]]
) -> Iterator[dict[str, Any]]:
    """The facts after each of a sequence of steps, from their recorded changes (``Step.changes``).

    Yields the same dict, updated in place: copy it to keep one.
    """
    facts = {**process.default_facts(), **initial}
    for step_changes in changes:
        for name, _old, new in step_changes:
            facts[name] = new
        yield facts


def facts_after(
    process: Process, initial: Mapping[str, Any], changes: Iterable[Iterable[tuple[str, Any, Any]]]
) -> dict[str, Any]:
    """The facts after a sequence of steps (see :func:`facts_along`)."""
    last = {**process.default_facts(), **initial}
    for facts in facts_along(process, initial, changes):
        last = facts
    return dict(last)
