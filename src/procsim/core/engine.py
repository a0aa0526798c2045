"""Drive cases through a process with a `transitions` state machine.

One :class:`Engine` builds one ``transitions.Machine`` from a
:class:`~procsim.core.model.Process`; each :class:`Case` is a model object the
machine drives. Guards become the machine's named conditions (they read the
case's facts as they stand at the event); a transition's fact changes run in
its ``after`` callback. Everything the model forbids raises an
:class:`~procsim.core.errors.EngineError` whose message says why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from attrs import define, field, frozen
from transitions import Machine

from procsim.core.dates import PartialDate
from procsim.core.effects import apply_transition, facts_view
from procsim.core.errors import (
    ActorNotAllowed,
    EngineError,
    GuardFailed,
    ImpossibleEvent,
    ScenarioMismatch,
    UnknownName,
    suggest,
)
from procsim.core.model import Guard, Process, SideEvent, State, Transition, fact_words, value_words
from procsim.core.scenario import Event, Scenario


@define(eq=False, slots=False)
class Case:
    """One case moving through the process: its state, facts and history."""

    process: Process
    facts: dict[str, Any]
    history: list[Step] = field(factory=list)
    state: str = ""  # set by the machine

    def view(self) -> dict[str, Any]:
        """The facts as they stand, with derived facts (e.g. the regime) computed."""
        return facts_view(self.process, self.facts)

    @property
    def current(self) -> State:
        return self.process.states[self.state]


@frozen
class GuardFailure:
    """A guard that did not hold, with the facts it read."""

    guard: Guard
    facts: tuple[tuple[str, Any], ...]

    def describe(self, process: Process | None = None) -> str:
        """The guard and its reason, with the facts it read: by name, or in words given the process."""
        if process is None:
            read = ", ".join(f"{name}={_show(value)}" for name, value in self.facts)
            return f"{self.guard.label}: {self.guard.reason} (facts read: {read})"
        read = "; ".join(f"{fact_words(process, name)}: {value_words(value)}" for name, value in self.facts)
        return f"{self.guard.label}: {self.guard.reason} ({read})"


@frozen
class Option:
    """An outgoing transition from the case's state, and whether it is open now."""

    transition: Transition
    blocked_by: tuple[GuardFailure, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.blocked_by


@frozen
class Step:
    """What one event did: from where to where, by which rule, changing which facts."""

    number: int
    event: Event
    before: str
    after: str
    transition: Transition | None = None
    side_event: SideEvent | None = None
    changes: tuple[tuple[str, Any, Any], ...] = ()

    @property
    def moved(self) -> bool:
        return self.transition is not None


@frozen
class Replay:
    """The result of replaying a scenario."""

    scenario: Scenario
    steps: tuple[Step, ...]
    final_state: str
    facts: Mapping[str, Any]

    @property
    def pending(self) -> bool:
        return self.scenario.end.status == "pending"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "unknown" if value is None else str(value)


class Engine:
    """The `transitions` machine for one process, and the rules around it."""

    def __init__(self, process: Process):
        self.process = process
        self.machine = Machine(
            model=None,
            states=list(process.states),
            initial=process.initial,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        for transition in process.transitions:
            conditions = [self._actor_condition(transition)]
            conditions += [self._guard_condition(process.guards[g]) for g in transition.guards]
            self.machine.add_transition(
                transition.trigger,
                transition.source,
                transition.dest,
                # the stub types ``conditions`` as an invariant List of str | Callable
                conditions=conditions,  # type: ignore[arg-type]
                after=self._after_callback(transition),
            )

    # ------------------------------------------------------------ machine parts
    @staticmethod
    def _guard_condition(guard: Guard) -> Callable[[Any], bool]:
        def condition(event_data: Any) -> bool:
            return guard.condition.holds(event_data.kwargs["facts"])

        condition.__name__ = guard.name
        return condition

    @staticmethod
    def _actor_condition(transition: Transition) -> Callable[[Any], bool]:
        def actor_allowed(event_data: Any) -> bool:
            actor = event_data.kwargs.get("actor")
            return actor is None or actor in transition.actors

        return actor_allowed

    @staticmethod
    def _after_callback(transition: Transition) -> Callable[[Any], None]:
        def record(event_data: Any) -> None:
            case: Case = event_data.model
            event: Event = event_data.kwargs["event"]
            apply_transition(
                case.process, transition, case.facts, date=event.date, actor=event.actor, given=event.facts
            )
            event_data.kwargs["fired"].append(transition)

        return record

    # ------------------------------------------------------------ cases
    def new_case(self, initial_facts: Mapping[str, Any] | None = None) -> Case:
        """A case in the initial state, with default facts overlaid by ``initial_facts``."""
        case = Case(self.process, self.process.default_facts())
        case.facts.update(self.coerce_facts(initial_facts or {}))
        self.machine.add_model(case, initial=self.process.initial)
        return case

    def discard(self, case: Case) -> None:
        """Detach a case from the machine once it is no longer needed."""
        self.machine.remove_model(case)

    def coerce_facts(self, facts: Mapping[str, Any]) -> dict[str, Any]:
        """Check fact names and values against the process; raise UnknownName or EngineError."""
        result = {}
        for name, value in facts.items():
            if name in self.process.derived:
                derived = self.process.derived[name]
                raise EngineError(f"fact '{name}' cannot be set: it is derived from '{derived.from_date}'")
            spec = self.process.facts.get(name)
            if spec is None:
                raise UnknownName(f"unknown fact '{name}'{suggest(name, self.process.facts)}")
            try:
                result[name] = spec.coerce(value)
            except ValueError as error:
                raise EngineError(str(error)) from None
        return result

    def guard_failures(self, guards: Iterable[str], facts: Mapping[str, Any]) -> tuple[GuardFailure, ...]:
        failures = []
        for name in guards:
            guard = self.process.guards[name]
            if not guard.condition.holds(facts):
                read = tuple((fact, facts.get(fact)) for fact in guard.condition.facts_read())
                failures.append(GuardFailure(guard, read))
        return tuple(failures)

    def options(self, case: Case) -> list[Option]:
        """Every transition out of the case's state, with the guards that block it now."""
        facts = case.view()
        return [
            Option(transition, self.guard_failures(transition.guards, facts))
            for transition in self.process.transitions_from(case.state)
        ]

    def side_events_here(self, case: Case) -> list[SideEvent]:
        """Side events allowed in the case's current state."""
        return [s for s in self.process.side_events.values() if not s.states or case.state in s.states]

    # ------------------------------------------------------------ events
    def apply(self, case: Case, event: Event) -> Step:
        """Apply one event to the case; raise an EngineError saying why it cannot happen."""
        if event.trigger is not None and event.trigger not in self.process.triggers:
            raise UnknownName(
                f"unknown trigger '{event.trigger}'{suggest(event.trigger, self.process.triggers)}"
            )
        if event.actor not in self.process.actors:
            raise UnknownName(f"unknown actor '{event.actor}'{suggest(event.actor, self.process.actors)}")
        if event.side is not None:
            return self._apply_side(case, event)
        return self._apply_trigger(case, event)

    def fire(
        self,
        case: Case,
        trigger: str,
        *,
        actor: str | None = None,
        date: PartialDate | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> Step:
        """Fire a trigger outside a scenario (what-if exploration, tests).

        Without an ``actor``, the first actor of the alternative whose guards
        hold acts (so the right alternative fires, e.g. at an accelerated hearing).
        """
        if actor is None:
            actor = self._default_actor(case, trigger, facts or {})
        event = Event(
            id=f"step-{len(case.history) + 1}",
            date=date or PartialDate(1900),
            actor=actor,
            summary="",
            sources=(),
            trigger=trigger,
            facts=dict(facts or {}),
        )
        return self._apply_trigger(case, event)

    def _default_actor(self, case: Case, trigger: str, facts: Mapping[str, Any]) -> str:
        candidates = self.process.transitions_for(case.state, trigger)
        if not candidates:
            return ""
        view = facts_view(self.process, {**case.facts, **self.coerce_facts(facts)})
        for transition in candidates:
            if not self.guard_failures(transition.guards, view):
                return transition.actors[0]
        return candidates[0].actors[0]

    def _apply_trigger(self, case: Case, event: Event) -> Step:
        trigger = event.trigger or ""
        if trigger not in self.process.triggers:
            raise UnknownName(f"unknown trigger '{trigger}'{suggest(trigger, self.process.triggers)}")
        before = case.state
        candidates = self.process.transitions_for(before, trigger)
        if not candidates:
            possible = sorted({t.trigger for t in self.process.transitions_from(before)})
            raise ImpossibleEvent(
                f"'{trigger}' cannot happen in state '{before}'; possible here: "
                + (", ".join(possible) if possible else "nothing (the state is terminal)")
            )
        if not any(event.actor in t.actors for t in candidates):
            allowed = sorted({a for t in candidates for a in t.actors})
            raise ActorNotAllowed(
                f"actor '{event.actor}' cannot '{trigger}' here; it is for: {', '.join(allowed)}"
            )
        saved = dict(case.facts)
        case.facts.update(self.coerce_facts(event.facts))
        fired: list[Transition] = []
        facts = case.view()
        actor = event.actor
        # ``trigger`` is bound onto the case by Machine.add_model, so mypy cannot see it
        if not case.trigger(trigger, event=event, actor=actor, facts=facts, fired=fired):  # type: ignore[attr-defined]
            case.facts.clear()
            case.facts.update(saved)
            raise GuardFailed(self._explain_block(candidates, facts, actor))
        step = Step(
            len(case.history) + 1,
            event,
            before,
            case.state,
            transition=fired[-1],
            changes=_changes(saved, case.facts),
        )
        case.history.append(step)
        return step

    def _explain_block(self, candidates: tuple[Transition, ...], facts: Mapping[str, Any], actor: str) -> str:
        reasons = []
        same_dest = len({t.dest for t in candidates}) == 1
        for transition in candidates:
            if actor not in transition.actors:
                continue
            failures = self.guard_failures(transition.guards, facts)
            text = "; ".join(failure.describe() for failure in failures)
            if len(candidates) > 1:  # name the alternative: by its rule when they lead to the same place
                text = f"[under {transition.basis}] {text}" if same_dest else f"[to {transition.dest}] {text}"
            reasons.append(text)
        trigger = candidates[0].trigger
        return f"'{trigger}' is not allowed: " + " | ".join(reasons)

    def _apply_side(self, case: Case, event: Event) -> Step:
        name = event.side or ""
        side = self.process.side_events.get(name)
        if side is None:
            raise UnknownName(f"unknown side event '{name}'{suggest(name, self.process.side_events)}")
        if side.states and case.state not in side.states:
            raise ImpossibleEvent(
                f"side event '{name}' cannot happen in state '{case.state}'; "
                f"it happens in: {', '.join(side.states)}"
            )
        if event.actor not in side.actors:
            raise ActorNotAllowed(
                f"actor '{event.actor}' cannot '{name}'; it is for: {', '.join(side.actors)}"
            )
        missing = [fact for fact in side.requires if fact not in event.facts]
        if missing:
            raise EngineError(f"side event '{name}' must set {', '.join(missing)}")
        saved = dict(case.facts)
        case.facts.update(self.coerce_facts(event.facts))
        failures = self.guard_failures(side.guards, case.view())
        if failures:
            case.facts.clear()
            case.facts.update(saved)
            raise GuardFailed(f"'{name}' is not allowed: " + "; ".join(f.describe() for f in failures))
        case.facts.update(dict(side.sets))
        step = Step(
            len(case.history) + 1,
            event,
            case.state,
            case.state,
            side_event=side,
            changes=_changes(saved, case.facts),
        )
        case.history.append(step)
        return step


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[tuple[str, Any, Any], ...]:
    # ``before`` is a shallow copy, so an unchanged fact is the same object: test identity first
    get = before.get
    return tuple(
        (name, old, value)
        for name, value in after.items()
        if (old := get(name)) is not value and old != value
    )


def replay(engine: Engine, scenario: Scenario) -> Replay:
    """Replay every event of a scenario and check it ends where it says.

    Errors name the file and line of the event (or of ``end``) that failed.
    """
    try:
        case = engine.new_case(scenario.initial_facts)
    except EngineError as error:
        raise error.at(path=scenario.path) from None
    try:
        for event in scenario.events:
            try:
                engine.apply(case, event)
            except EngineError as error:
                error.message = f"event '{event.id}': {error.message}"
                raise error.at(path=event.origin, line=event.line) from None
        end = scenario.end
        final = engine.process.states[case.state]
        if end.state != case.state:
            raise ScenarioMismatch(
                f"the scenario ends in state '{case.state}', not '{end.state}' as 'end' says",
                path=scenario.path,
                line=end.line,
            )
        if end.status == "concluded" and not final.can_end:
            raise ScenarioMismatch(
                f"'end' says concluded, but '{case.state}' is an ongoing state: say pending, with as_of",
                path=scenario.path,
                line=end.line,
            )
        if end.status == "pending" and final.is_terminal:
            raise ScenarioMismatch(
                f"'end' says pending, but '{case.state}' is terminal", path=scenario.path, line=end.line
            )
        return Replay(scenario, tuple(case.history), case.state, case.view())
    finally:
        engine.discard(case)
