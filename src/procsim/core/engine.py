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
from procsim.core.effects import apply_transition, facts_view, state_version, writes
from procsim.core.errors import (
    ActorNotAllowed,
    EngineError,
    GuardFailed,
    ImpossibleEvent,
    ScenarioMismatch,
    UnknownName,
    suggest,
)
from procsim.core.model import (
    Guard,
    Process,
    SideEvent,
    State,
    StateVersion,
    Transition,
    compile_condition,
    fact_words,
    show_value,
    value_words,
)
from procsim.core.scenario import Event, Scenario


@define(eq=False)
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
            read = ", ".join(f"{name}={show_value(value)}" for name, value in self.facts)
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
    #: the dated version of the state reached that the case's facts select (e.g. the panel)
    version: StateVersion | None = None

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
            self.machine.add_transition(
                transition.trigger,
                transition.source,
                transition.dest,
                conditions=[self._compiled_condition(transition)],
                after=self._after_callback(transition),
            )
        # Looked up once, not per event: the transitions for each (state, trigger), the actors
        # they allow, the triggers possible in each state, and the facts each transition writes.
        self._candidates: dict[tuple[str, str], tuple[Transition, ...]] = {}
        for transition in process.transitions:
            key = (transition.source, transition.trigger)
            self._candidates[key] = (*self._candidates.get(key, ()), transition)
        self._actors = {
            key: frozenset(a for t in ts for a in t.actors) for key, ts in self._candidates.items()
        }
        self._possible = {
            state: sorted({t.trigger for t in process.transitions_from(state)}) for state in process.states
        }
        self._written = {id(t): tuple(w.fact for w in writes(process, t)) for t in process.transitions}
        self._fire = {trigger: event.trigger for trigger, event in self.machine.events.items()}
        #: per (state, trigger): its transitions, the actors they allow, the machine's event, every
        #: fact one of them writes, and whether their guards need the derived facts (most do not:
        #: their conditions then read the case's own facts, without a view built for the event),
        #: so that an event costs one lookup
        self._moves = {
            key: (
                candidates,
                self._actors[key],
                self._fire[key[1]],
                tuple(dict.fromkeys(name for t in candidates for name in self._written[id(t)])),
                self._needs_view(candidates),
            )
            for key, candidates in self._candidates.items()
        }
        self._order = {name: index for index, name in enumerate(process.facts)}
        # each derived fact with the dates that decide it, in fallback order (effects.deciding_date)
        self._derived = tuple(
            (name, _fallbacks(process, d.from_date), d) for name, d in process.derived.items()
        )
        #: every date fact a derived fact reads, and the derived values per tuple of those dates
        self._date_facts = tuple(dict.fromkeys(source for _, chain, _ in self._derived for source in chain))
        self._derived_values: dict[tuple[Any, ...], tuple[tuple[str, Any], ...]] = {}

    def _needs_view(self, candidates: tuple[Transition, ...]) -> bool:
        """Whether the guards of ``candidates`` read a derived fact (or one of them writes one)."""
        derived = self.process.derived
        for transition in candidates:
            if any(name in derived for name in self._written[id(transition)]):
                return True
            for guard in transition.guards:
                if any(name in derived for name in self.process.guards[guard].condition.facts_read()):
                    return True
        return False

    def _view(self, facts: Mapping[str, Any]) -> dict[str, Any]:
        """:func:`~procsim.core.effects.facts_view`, the derived values computed once per set of dates."""
        view = dict(facts)
        dates = tuple(map(facts.get, self._date_facts))
        values = self._derived_values.get(dates)
        if values is None:
            values = self._derive(facts)
            if len(self._derived_values) > 4096:
                self._derived_values.clear()
            self._derived_values[dates] = values
        for name, value in values:
            view[name] = value if value is not None else facts.get(name)  # a stated regime fills an unknown
        return view

    def _derive(self, facts: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
        """Each derived fact's value from the dates in ``facts`` (None where no date decides it)."""
        values = []
        for name, chain, derived in self._derived:
            date = None
            for source in chain:  # a date that falls back to another (the allegation date to the matter date)
                date = facts.get(source)
                if date is not None:
                    break
            if date is not None and not isinstance(date, PartialDate):
                date = None
            values.append((name, derived.value_for(date)))
        return tuple(values)

    # ------------------------------------------------------------ machine parts
    def _compiled_condition(self, transition: Transition) -> Callable[[Any], bool]:
        """One condition per transition: its actor check, then each guard, compiled once."""
        actors = frozenset(transition.actors)
        guards = tuple(compile_condition(self.process.guards[name].condition) for name in transition.guards)

        def allowed(event_data: Any) -> bool:
            kwargs = event_data.kwargs
            actor = kwargs.get("actor")
            if actor is not None and actor not in actors:
                return False
            facts = kwargs["facts"]
            for holds in guards:  # noqa: SIM110 - a loop: no generator per check on the hot path
                if not holds(facts):
                    return False
            return True

        return allowed

    def _after_callback(self, transition: Transition) -> Callable[[Any], None]:
        planned = writes(self.process, transition)

        def record(event_data: Any) -> None:
            case: Case = event_data.model
            kwargs = event_data.kwargs
            event: Event = kwargs["event"]
            apply_transition(
                case.process,
                transition,
                case.facts,
                date=event.date,
                actor=event.actor,
                given=event.facts,
                planned=planned,
            )
            kwargs["fired"].append(transition)

        return record

    # ------------------------------------------------------------ cases
    def new_case(self, initial_facts: Mapping[str, Any] | None = None) -> Case:
        """A case in the initial state, with default facts overlaid by ``initial_facts``.

        The machine drives the case without binding it (no ``add_model``): nothing of the
        machine is attached to the case, and a case no longer used is simply dropped.
        """
        case = Case(self.process, self.process.default_facts())
        case.facts.update(self.coerce_facts(initial_facts or {}))
        self.machine.set_state(self.process.initial, model=case)
        return case

    def discard(self, case: Case) -> None:
        """Nothing to do: the machine keeps no reference to a case (kept for callers)."""

    def coerce_facts(self, facts: Mapping[str, Any]) -> dict[str, Any]:
        """Check fact names and values against the process; raise UnknownName or EngineError."""
        result = {}
        for name, value in facts.items():
            if name in self.process.derived:
                try:
                    result[name] = self.process.derived[name].coerce(value)
                except ValueError as error:
                    raise EngineError(str(error)) from None
                continue
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

    def apply(self, case: Case, event: Event) -> Step:
        """Apply one event to the case; raise an EngineError saying why it cannot happen."""
        if event.trigger is not None and event.trigger not in self.process.triggers:
            raise self._unknown_trigger(case, event.trigger)
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
        candidates = self._candidates.get((case.state, trigger))
        if not candidates:
            return ""
        view = facts_view(self.process, {**case.facts, **self.coerce_facts(facts)})
        for transition in candidates:
            if not self.guard_failures(transition.guards, view):
                return transition.actors[0]
        return candidates[0].actors[0]

    def _unknown_trigger(self, case: Case, name: str) -> UnknownName:
        """An unknown trigger: a side event of that name, the nearest trigger or side event, and
        what can happen in the case's state."""
        sides = self.process.side_events
        if name in sides:
            return UnknownName(f"'{name}' is a side event, not a trigger: write 'side: {name}'")
        nearest = suggest(name, [*self.process.triggers, *sides])
        possible = ", ".join(self._possible.get(case.state, ())) or "nothing (the state is terminal)"
        here = [n for n, side in sides.items() if not side.states or case.state in side.states]
        side_words = f"; side events here: {', '.join(here)}" if here else ""
        return UnknownName(
            f"unknown trigger '{name}'{nearest}; in state '{case.state}' possible: {possible}{side_words}"
        )

    def _apply_trigger(self, case: Case, event: Event) -> Step:
        trigger = event.trigger or ""
        before = case.state
        found = self._moves.get((before, trigger))
        if found is None:
            if trigger not in self.process.triggers:
                raise self._unknown_trigger(case, trigger)
            possible = self._possible.get(before, ())
            raise ImpossibleEvent(
                f"'{trigger}' cannot happen in state '{before}'; possible here: "
                + (", ".join(possible) if possible else "nothing (the state is terminal)")
            )
        candidates, actors, fire, written, needs_view = found
        actor = event.actor
        if actor not in actors:
            allowed = sorted(actors)
            raise ActorNotAllowed(f"actor '{actor}' cannot '{trigger}' here; it is for: {', '.join(allowed)}")
        facts = case.facts
        if event.facts:
            given = self.coerce_facts(event.facts)
            saved = {name: facts.get(name) for name in given}  # only the event's own facts change before
            facts.update(given)
        else:
            given, saved = {}, {}
        view = self._view(facts) if needs_view else facts
        for name in written:  # ... and then only what a transition here may write
            saved.setdefault(name, view.get(name))
        fired: list[Transition] = []
        if not fire(case, event=event, actor=actor, facts=view, fired=fired):
            facts.update({name: saved[name] for name in given})
            raise GuardFailed(self._explain_block(candidates, self._view(facts), actor))
        transition = fired[-1]
        after = case.state
        state = self.process.states[after]
        history = case.history
        step = Step(  # positional: the cheaper call, once per event
            len(history) + 1,
            event,
            before,
            after,
            transition,
            None,
            self._changed(saved, facts) if saved else (),
            state_version(self.process, state, facts, view=self._view(facts)) if state.versions else None,
        )
        history.append(step)
        return step

    def _changed(
        self, saved: Mapping[str, Any], facts: Mapping[str, Any]
    ) -> tuple[tuple[str, Any, Any], ...]:
        """:func:`_changes` over only the facts in ``saved``, in the process's order of facts."""
        changed = [
            (name, old, value)
            for name, old in saved.items()
            if (value := facts.get(name)) is not old and old != value
        ]
        if len(changed) > 1:  # most steps change one fact or none: sort only what changed
            last = len(self._order)
            changed.sort(key=lambda change: self._order.get(change[0], last))
        return tuple(changed)

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
            if name in self.process.triggers:
                raise UnknownName(f"'{name}' is a trigger, not a side event: write 'trigger: {name}'")
            raise UnknownName(
                f"unknown side event '{name}'{suggest(name, [*self.process.side_events, *self.process.triggers])}"
            )
        if side.states and case.state not in side.states:
            raise ImpossibleEvent(
                f"side event '{name}' cannot happen in state '{case.state}'; "
                f"it happens in: {', '.join(side.states)}"
            )
        if event.actor not in side.actors:
            raise ActorNotAllowed(
                f"actor '{event.actor}' cannot '{name}'; it is for: {', '.join(side.actors)}"
            )
        if side.requires:
            missing = [fact for fact in side.requires if fact not in event.facts]
            if missing:
                raise EngineError(f"side event '{name}' must set {', '.join(missing)}")
        facts = case.facts
        if event.facts:
            given = self.coerce_facts(event.facts)
            saved = {name: facts.get(name) for name in given}
            facts.update(given)
        else:
            saved = {}
        failures = self.guard_failures(side.guards, self._view(case.facts)) if side.guards else ()
        if failures:
            facts.update(saved)
            raise GuardFailed(f"'{name}' is not allowed: " + "; ".join(f.describe() for f in failures))
        for fact, value in side.sets:
            saved.setdefault(fact, facts.get(fact))
            facts[fact] = value
        history = case.history
        step = Step(  # positional: the cheaper call, once per event
            len(history) + 1,
            event,
            case.state,
            case.state,
            None,
            side,
            self._changed(saved, facts) if saved else (),
            None,
        )
        history.append(step)
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
        computed: dict[str, Any] | None = None  # computed only when the scenario states a derived fact
        for name in engine.process.derived:
            stated = case.facts.get(name)
            if stated is None:
                continue
            if computed is None:
                computed = facts_view(
                    engine.process, {k: v for k, v in case.facts.items() if k not in engine.process.derived}
                )
            if computed[name] is not None and computed[name] != stated:
                raise ScenarioMismatch(
                    f"the scenario states {name} '{stated}', but {name} is derived from "
                    f"'{engine.process.derived[name].from_date}', which gives '{computed[name]}'",
                    path=scenario.path,
                )
        return Replay(scenario, tuple(case.history), case.state, engine._view(case.facts))
    finally:
        engine.discard(case)


def _fallbacks(process: Process, fact: str) -> tuple[str, ...]:
    """``fact`` and the date facts it falls back to when unknown, in order (as effects.deciding_date)."""
    chain: list[str] = []
    name: str | None = fact
    while name is not None and name not in chain:
        chain.append(name)
        spec = process.facts.get(name)
        name = spec.falls_back_to if spec else None
    return tuple(chain)
