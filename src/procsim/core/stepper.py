"""Step through a case: position, options, what-if branches, quiz scoring.

No terminal I/O here: :mod:`procsim.cli.stepper` reads commands and prints
views; this module holds the state of a stepping session and answers
questions about it. A session is a list of events (the scenario's, or the
scenario's up to a branch point followed by events the student chose) and a
position in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from attrs import define, field, frozen

from procsim.core.dates import PartialDate
from procsim.core.deadlines import LimitRun, limit_runs, running_after
from procsim.core.effects import facts_after, facts_view
from procsim.core.engine import Engine, Option, Step
from procsim.core.errors import EngineError, ImpossibleEvent, UnknownName, suggest
from procsim.core.model import Process, State, Transition
from procsim.core.scenario import Event, Scenario


@frozen
class Choice:
    """An option at a point of the case: a transition and whether it was open."""

    option: Option
    taken: bool = False

    @property
    def transition(self) -> Transition:
        return self.option.transition


@frozen
class QuizResult:
    correct: bool
    picked: Transition
    actual: Step
    explanation: str


@frozen
class Branch:
    """A line of events that leaves a scenario after ``point`` (or starts from the process's beginning)."""

    process: Process
    base: Scenario | None
    point: Event | None
    events: tuple[Event, ...]
    final: State
    initial_facts: dict[str, Any]


@define
class Stepper:
    """A stepping session over a scenario (or the bare process when ``scenario`` is None).

    ``position`` is the number of events shown so far (0: before the first).
    """

    engine: Engine
    scenario: Scenario | None = None
    events: list[Event] = field(factory=list)
    position: int = 0
    quiz_score: list[bool] = field(factory=list)
    kept_branch: tuple[list[Event], int] | None = None  # a what-if line left by 'real', and its position
    _steps: list[Step] = field(factory=list)

    def __attrs_post_init__(self) -> None:
        if self.scenario is not None and not self.events:
            self.events = list(self.scenario.events)
        self._rebuild()

    # ------------------------------------------------------------ state
    @property
    def process(self) -> Process:
        return self.engine.process

    @property
    def total(self) -> int:
        return len(self.events)

    @property
    def steps(self) -> list[Step]:
        """Every step of the current line (scenario or branch), replayed."""
        return self._steps

    @property
    def current_step(self) -> Step | None:
        return self._steps[self.position - 1] if self.position else None

    @property
    def branch_at(self) -> int | None:
        """How many of the scenario's events the current line keeps before its first chosen one.

        None while the line is the scenario's own. Derived from the events themselves, so a
        second what-if earlier than the first moves the branch point back.
        """
        if self.scenario is None:
            return None
        own = self.scenario.events
        for index, event in enumerate(self.events):
            if index >= len(own) or event is not own[index]:
                return index
        return None if len(self.events) == len(own) else len(self.events)

    @property
    def exploring(self) -> bool:
        """True once the student has left the scenario's own events."""
        return self.branch_at is not None or self.scenario is None

    def initial_facts(self) -> dict[str, Any]:
        return dict(self.scenario.initial_facts) if self.scenario else {}

    def _rebuild(self) -> None:
        """Replay every event of the current line; keep the steps."""
        case = self.engine.new_case(self.initial_facts())
        try:
            self._steps = [self.engine.apply(case, event) for event in self.events]
        finally:
            self.engine.discard(case)

    def state_at(self, position: int) -> str:
        return self._steps[position - 1].after if position else self.process.initial

    def facts_at(self, position: int) -> dict[str, Any]:
        return facts_after(self.process, self.initial_facts(), (s.changes for s in self._steps[:position]))

    # ------------------------------------------------------------ moves
    def next(self) -> Step | None:
        if self.position >= self.total:
            return None
        self.position += 1
        return self.current_step

    def back(self) -> Step | None:
        if self.position > 0:
            self.position -= 1
        return self.current_step

    def jump(self, number: int) -> Step | None:
        if not 0 <= number <= self.total:
            hint = ""
            if (
                self.branch_at is not None
                and self.scenario is not None
                and number <= len(self.scenario.events)
            ):
                hint = "; type 'real' to go back to what really happened, where it is"
            raise EngineError(f"there is no step {number}: steps run from 1 to {self.total}{hint}")
        self.position = number
        return self.current_step

    # ------------------------------------------------------------ back to the real case
    def to_real(self) -> Step | None:
        """Leave a what-if branch for the scenario's own events, at the step where the branch began.

        The branch is kept: :meth:`to_branch` returns to it.
        """
        at = self.branch_at
        if self.scenario is None or at is None:
            raise EngineError(
                "this is already what really happened"
                if self.scenario
                else "there is no real case: this explores the bare process"
            )
        self.kept_branch = (list(self.events), self.position)
        self.events = list(self.scenario.events)
        self._rebuild()
        self.position = min(at + 1, self.total)
        return self.current_step

    def to_branch(self) -> Step | None:
        """Return to the what-if branch left by :meth:`to_real`."""
        if self.kept_branch is None:
            raise EngineError("there is no what-if branch to return to: try whatif N at a step first")
        events, position = self.kept_branch
        self.kept_branch = None
        self.events = events
        self._rebuild()
        self.position = position
        return self.current_step

    def _real_event_for(self, transition: Transition) -> bool:
        """Whether taking ``transition`` here is what really happened (the scenario's own next step)."""
        if self.scenario is None:
            return False
        own = self.scenario.events
        if self.position >= len(own) or any(
            a is not b for a, b in zip(self.events[: self.position], own, strict=False)
        ):
            return False
        case = self.engine.new_case(self.initial_facts())
        try:
            steps = [self.engine.apply(case, event) for event in own[: self.position + 1]]
        finally:
            self.engine.discard(case)
        real = steps[-1].transition
        return real is not None and (real.trigger, real.dest) == (transition.trigger, transition.dest)

    # ------------------------------------------------------------ options
    def choices_at(self, position: int) -> list[Choice]:
        """Every outgoing transition from the state before step ``position + 1``.

        Guards read the facts as they stood then (with the next event's own
        facts, as the engine does), and the transition the case took is marked.
        """
        state = self.state_at(position)
        facts = self.facts_at(position)
        upcoming = self._steps[position] if position < len(self._steps) else None
        if upcoming is not None and upcoming.moved:
            facts.update(upcoming.event.facts)
        view = facts_view(self.process, facts)
        result = []
        for transition in self.process.transitions_from(state):
            blocked = self.engine.guard_failures(transition.guards, view)
            taken = upcoming is not None and upcoming.transition == transition
            result.append(Choice(Option(transition, blocked), taken))
        return result

    def options_here(self) -> list[Choice]:
        """What could happen next from the current position."""
        return self.choices_at(self.position)

    def alternatives_to_current(self) -> list[Choice]:
        """What else the process allowed at the step just shown (for 'why not')."""
        if self.position == 0:
            return []
        return self.choices_at(self.position - 1)

    def allowed_next(self) -> list[Transition]:
        """Transitions open from the current position, one per (trigger, destination)."""
        return numbered(self.options_here(), include_taken=True)

    def what_if_options(self) -> list[Transition]:
        """The open alternatives to the step just shown: what 'whatif N' numbers."""
        return numbered(self.alternatives_to_current(), include_taken=False)

    # ------------------------------------------------------------ what-if
    def choose(
        self,
        which: str | Transition,
        date: str | None = None,
        actor: str | None = None,
        summary: str | None = None,
    ) -> Step:
        """Take an allowed transition from the current position, leaving the scenario's path.

        ``which`` is a number in :meth:`allowed_next` (from 1), a trigger name, or
        a transition. Without a date, the event takes the previous event's date.
        """
        allowed = self.allowed_next()
        transition = which if isinstance(which, Transition) else self._pick(which, allowed)
        if transition not in allowed:
            raise EngineError(f"'{transition.trigger}' is not open here")
        if self._real_event_for(transition):  # choosing what really happened returns to the real case
            if self.branch_at is not None and self.branch_at >= self.position:
                self.kept_branch = (list(self.events), self.position + 1)
            self.events = list(self.scenario.events)  # type: ignore[union-attr]
            self._rebuild()
            self.position += 1
            return self._steps[self.position - 1]
        previous = self.events[self.position - 1].date if self.position else None
        try:
            when = PartialDate.parse(date) if date else previous or PartialDate(2000)
        except ValueError as error:
            raise EngineError(str(error)) from None
        if previous is not None and when.latest < previous.earliest:
            raise EngineError(f"{when} is before the previous event ({previous})")
        actor = actor or transition.actors[0]
        if actor not in transition.actors:
            raise EngineError(
                f"actor '{actor}' cannot '{transition.trigger}'; it is for: {', '.join(transition.actors)}"
            )
        label = self.process.triggers[transition.trigger].label
        notes = () if date else ("Date not chosen in the what-if: the previous event's date is used.",)
        event = Event(
            id=self._new_id(transition.trigger),
            date=when,
            actor=actor,
            summary=summary
            or f"In this what-if, the next step is '{label}', and the case moves to "
            f"{self.process.states[transition.dest].label}.",
            sources=("what-if",),
            trigger=transition.trigger,
            notes=notes,
        )
        kept = self.events[: self.position]
        self.events = [*kept, event]
        try:
            self._rebuild()
        except EngineError:
            self.events = kept
            self._rebuild()
            raise
        self.position = len(self.events)
        return self._steps[-1]

    def what_if(self, which: str, date: str | None = None) -> Step:
        """Replace the step just shown by open alternative ``which`` (see :meth:`what_if_options`)."""
        step = self.current_step
        if step is None or not step.moved:
            raise EngineError("what-if works at a step that moved the case; go to one (next/back)")
        transition = self._pick(which, self.what_if_options())
        self.position -= 1
        try:
            return self.choose(transition, date=date)
        except EngineError:
            self.position += 1
            raise

    def _pick(self, which: str, allowed: Sequence[Transition]) -> Transition:
        if not allowed:
            state = self.state_at(self.position)
            if self.process.transitions_from(state):
                raise ImpossibleEvent(
                    f"nothing can happen from '{state}' now: every way on is blocked by a guard (see the options)"
                )
            raise ImpossibleEvent(f"nothing can happen from '{state}': it is terminal")
        if which.isdigit():
            index = int(which)
            if not 1 <= index <= len(allowed):
                raise EngineError(f"choose a number from 1 to {len(allowed)}")
            return allowed[index - 1]
        matches = [t for t in allowed if t.trigger == which]
        if not matches:
            every = {t.trigger for t in self.process.transitions_from(self.state_at(self.position))}
            if which in every:
                raise EngineError(f"'{which}' is blocked here by a guard (see the options)")
            raise UnknownName(
                f"'{which}' is not an option here{suggest(which, [t.trigger for t in allowed])}"
            )
        return matches[0]

    def _new_id(self, trigger: str) -> str:
        taken = {event.id for event in self.events}
        number = self.position + 1
        while f"whatif-{number}-{trigger}" in taken:
            number += 1
        return f"whatif-{number}-{trigger}".replace("_", "-")

    # ------------------------------------------------------------ time limits
    def limit_runs(self) -> list[LimitRun]:
        """The time limits of the current line: on the scenario's own line, judged as the
        scenario ends (concluded, or pending as of a date); on a what-if branch, still open."""
        end = self.scenario.end if self.scenario is not None and self.branch_at is None else None
        if end is None:
            return limit_runs(self.process, self._steps, self.initial_facts())
        return limit_runs(
            self.process, self._steps, self.initial_facts(), end.as_of, concluded=end.status == "concluded"
        )

    def running_limits(self) -> list[LimitRun]:
        """Time limits running after the current step."""
        return running_after(self.limit_runs(), self.position)

    # ------------------------------------------------------------ quiz
    def quiz_options(self) -> list[Transition]:
        """The options offered before the next step is revealed (allowed from here)."""
        return self.allowed_next()

    def is_question(self) -> bool:
        """Whether the next step is worth a guess: it moves the case and more than one option was open."""
        if self.position >= self.total or not self._steps[self.position].moved:
            return False
        return len(self.quiz_options()) > 1

    def why(self, position: int) -> str:
        """Why the law required or allowed the step at ``position`` (from 1): its basis and the conditions met."""
        step = self._steps[position - 1]
        rule = step.transition or step.side_event
        if rule is None:
            return ""
        text = f"the law allows it: {rule.basis}"
        guards = [self.process.guards[name] for name in rule.guards]
        if guards:
            text += "; conditions met: " + "; ".join(f"{g.label} ({g.reason})" for g in guards)
        if step.transition is not None:
            others = [c for c in self.choices_at(position - 1) if not c.taken]
            if others and not any(c.option.allowed for c in others):
                text += " - nothing else was open, so the law required it"
        return text

    def answer(self, which: str) -> QuizResult:
        """Score a guess of the next step, then reveal it (advance)."""
        if self.position >= self.total:
            raise EngineError("there is no next step to guess")
        options = self.quiz_options()
        picked = self._pick(which, options)
        actual = self._steps[self.position]
        correct = actual.transition is not None and (picked.trigger, picked.dest) == (
            actual.transition.trigger,
            actual.transition.dest,
        )
        self.quiz_score.append(correct)
        label = self.process.triggers
        why = self.why(self.position + 1)
        if correct:
            text = f"Right! {actual.event.summary} Why: {why}."
        else:
            happened = label[actual.event.trigger or ""].label if actual.event.trigger else "?"
            text = (
                f"Not this time: what happened was '{happened}', to "
                f"{self.process.states[actual.after].label}. {actual.event.summary} Why: {why}. "
                f"'{label[picked.trigger].label}' was open too ({picked.basis}), but it is not what happened."
            )
        self.position += 1
        return QuizResult(correct, picked, actual, text)

    def score(self) -> tuple[int, int]:
        return sum(self.quiz_score), len(self.quiz_score)

    # ------------------------------------------------------------ save
    def branch_events(self) -> list[Event]:
        """The events chosen after the branch point."""
        if self.scenario is None:
            return list(self.events)
        return list(self.events[self.branch_at or 0 :]) if self.branch_at is not None else []

    def branch(self) -> Branch:
        """The explored branch as data: the scenario it leaves, where, and the events chosen."""
        chosen = tuple(self.branch_events())
        if not chosen:
            raise EngineError("nothing to save: choose a step the case did not take first (what-if)")
        at = self.branch_at or 0
        base = self.scenario if self.scenario is not None and at > 0 else None
        return Branch(
            process=self.process,
            base=base,
            point=self.events[at - 1] if base is not None else None,
            events=chosen,
            final=self.process.states[self.state_at(len(self.events))],
            initial_facts=self.initial_facts() if base is None else {},
        )


def numbered(choices: Sequence[Choice], include_taken: bool) -> list[Transition]:
    """The open transitions among ``choices``, one per (trigger, destination), in order.

    This is the numbering the stepper shows and its commands accept.
    """
    seen: set[tuple[str, str]] = set()
    result = []
    for choice in choices:
        key = (choice.transition.trigger, choice.transition.dest)
        if not choice.option.allowed or key in seen or (choice.taken and not include_taken):
            continue
        seen.add(key)
        result.append(choice.transition)
    return result
