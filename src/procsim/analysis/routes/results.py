"""What the route analysis finds: moves, routes, outcomes, witnesses (plain data)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from procsim.core.model import State, Transition


# ---------------------------------------------------------------------- results
@frozen
class Move:
    """One step of a route: ``trigger`` from ``source`` to ``dest``.

    ``transitions`` are the process's transitions that make this move (more than
    one where the same step has several legal bases with different guards).
    """

    source: str
    trigger: str
    dest: str
    transitions: tuple[Transition, ...]
    loop: bool = False

    def describe(self) -> str:
        return f"{self.source} --{self.trigger}--> {self.dest}"


@frozen
class Route:
    """A route: its moves, in order, from ``start``."""

    start: str
    moves: tuple[Move, ...]

    @property
    def end(self) -> str:
        return self.moves[-1].dest if self.moves else self.start

    @property
    def loops(self) -> int:
        return sum(1 for move in self.moves if move.loop)

    def states(self) -> list[str]:
        return [self.start, *(move.dest for move in self.moves)]

    def __len__(self) -> int:
        return len(self.moves)


@frozen
class Outcome:
    """How many routes end in ``state``, and the shortest of them (None when none do)."""

    state: State
    count: int
    shortest: Route | None


@frozen
class RouteReport:
    """The routes from ``start``: one entry per outcome (or for ``target``).

    ``stopped_by_loops`` counts routes that reach a state whose only ways on are
    loop steps once the loop bound is used up; ``stuck`` counts routes that reach a
    state where no step's guards can hold (neither is counted in ``outcomes``).
    """

    start: str
    target: str | None
    max_loops: int
    outcomes: tuple[Outcome, ...]
    stopped_by_loops: int
    stuck: int
    loop_moves: tuple[Move, ...]
    nodes: int

    @property
    def terminal(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.state.is_terminal)

    @property
    def provisional(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.state.is_terminal)

    @property
    def figures(self) -> tuple[tuple[tuple[str, int], ...], int, int]:
        """Every count the report gives: (outcome, routes) for each outcome, then the routes
        stopped by the loop bound and the stuck ones; two ways of counting agree when these do."""
        return tuple((o.state.name, o.count) for o in self.outcomes), self.stopped_by_loops, self.stuck

    @property
    def total(self) -> int:
        return sum(o.count for o in self.outcomes)


@frozen
class FactChange:
    """A fact that a side event changes between steps: from ``before`` to one of ``after``."""

    side_event: str
    fact: str
    before: tuple[Any, ...]
    after: tuple[Any, ...]
    states: tuple[str, ...] = ()  # empty: anywhere
    guards: tuple[str, ...] = ()


@frozen
class WitnessStep:
    """One move of a route with concrete facts.

    ``changes`` are the side events' fact changes just before the move (side
    event, fact, old value, new value); ``facts`` are the tracked facts when its
    guards are read; ``transition`` is the one that makes the move with them.
    """

    move: Move
    transition: Transition
    changes: tuple[tuple[str, str, Any, Any], ...]
    facts: Mapping[str, Any]


@frozen
class Witness:
    """A route with concrete facts: the tracked facts at the start, and at each step."""

    start: Mapping[str, Any]
    steps: tuple[WitnessStep, ...]
