"""Witnesses: concrete facts that let every guard on a route hold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import evolve

from procsim.analysis.routes.facts import _OTHER, FactSpace, Region, _same
from procsim.analysis.routes.results import FactChange, Move, Route, Witness, WitnessStep
from procsim.core.effects import writes


class Witnesses(FactSpace):
    """Concrete facts for a route: a backward pass from its end, then each side event's change
    moved as early as the route allows."""

    moves: list[tuple[Move, tuple[int, ...]]]
    moves_from: dict[str, list[int]]
    full: int
    offsets: tuple[int, ...]
    fields: tuple[int, ...]
    domains: tuple[tuple[Any, ...], ...]
    _sets: list[tuple[int, int]]
    _guards: list[Region]
    _changes_at: dict[str, tuple]

    def step(self, region: Region, move: int) -> Region:  # pragma: no cover - RouteSpace's
        raise NotImplementedError

    def closure(self, region: Region, state: str) -> Region:  # pragma: no cover - RouteSpace's
        raise NotImplementedError

    # ------------------------------------------------------------ one route's facts
    def witness(
        self, route: Route, facts: Region | None = None, prefer: Mapping[str, Any] | None = None
    ) -> Witness | None:
        """Concrete facts that let every guard on ``route`` hold, or None if none do.

        ``prefer`` gives the values to choose where the route leaves a fact free
        (e.g. the facts a scenario already has), so that as few as possible change.
        """
        region = facts if facts is not None else (self.full,)
        numbers = [self._move_number(move) for move in route.moves]
        regions = [region]  # forward: the facts possible after each move
        for number in numbers:
            after = self.step(regions[-1], number)
            if not after:
                return None
            regions.append(after)
        prefer = dict(prefer or {})
        world = self._pick(regions[-1][0], prefer)  # backward: one concrete world per point
        steps: list[WitnessStep] = []
        for k in range(len(numbers), 0, -1):
            found = self._preimage(regions[k - 1], numbers[k - 1], world, prefer)
            if found is None:  # pragma: no cover - a non-empty region always has one
                raise AssertionError(f"no facts before {route.moves[k - 1].describe()}")
            before, at_guards, position, changes = found
            steps.append(
                WitnessStep(
                    route.moves[k - 1], self.process.transitions[position], changes, self._named(at_guards)
                )
            )
            world = before
        steps.reverse()
        return Witness(self._named(world), self._changes_earliest(steps))

    def _changes_earliest(self, steps: list[WitnessStep]) -> tuple[WitnessStep, ...]:
        """Move each side event's change to the earliest point the route allows, once the case has begun.

        The backward pass finds a change just before the step whose guard needs it (the officer
        leaves just before the sanction); a person reading the route expects it as early as the
        law lets it happen (the officer left before the hearing): the side event must be allowed
        in the state it moves to, its own guards must hold there, no step in between may write the
        fact, and every guard in between must still hold with the new value.
        """
        result = list(steps)
        for k in range(len(result)):
            for change in result[k].changes:
                side, fact, _old, new = change
                rule = next((c for c in self.changes if c.side_event == side and c.fact == fact), None)
                if rule is None:
                    continue
                for j in range(1, k):
                    if self._may_move(result, rule, j, k, fact, new):
                        result[j] = evolve(result[j], changes=(*result[j].changes, change))
                        result[k] = evolve(
                            result[k], changes=tuple(c for c in result[k].changes if c != change)
                        )
                        for i in range(j, k):
                            result[i] = evolve(result[i], facts={**result[i].facts, fact: new})
                        break
        return tuple(result)

    def _may_move(
        self, steps: list[WitnessStep], rule: FactChange, j: int, k: int, fact: str, new: Any
    ) -> bool:
        state = steps[j].move.source
        if rule.states and state not in rule.states:
            return False
        guards = self.process.guards
        if not all(guards[g].condition.holds(steps[j].facts) for g in rule.guards):
            return False
        for i in range(j, k):
            if any(w.fact == fact for w in writes(self.process, steps[i].transition)):
                return False
            facts = {**steps[i].facts, fact: new}
            if not all(guards[g].condition.holds(facts) for g in steps[i].transition.guards):
                return False
        return True

    def feasible_values(self, route: Route, fact: str, facts: Region | None = None) -> list[Any]:
        """The values of a tracked ``fact`` (e.g. the regime) at the start with which ``route`` is feasible."""
        region = facts if facts is not None else (self.full,)
        if fact not in self.index:
            return []
        allowed = []
        for value in self.domains[self.index[fact]]:
            narrowed = self.intersect(region, (self.box(**{fact: self.mask(fact, [value])}),))
            if narrowed and self.witness(route, narrowed) is not None:
                allowed.append(None if value == _OTHER else value)
        return allowed

    def _move_number(self, move: Move) -> int:
        for number in self.moves_from.get(move.source, ()):
            candidate = self.moves[number][0]
            if candidate.trigger == move.trigger and candidate.dest == move.dest:
                return number
        raise KeyError(move.describe())

    def _preimage(self, region: Region, number: int, world: int, prefer: Mapping[str, Any]):
        """A world before move ``number`` (and its side-event changes) that leads to ``world``."""
        move, positions = self.moves[number]
        for position in positions:
            cleared, values = self._sets[position]
            if world & cleared & ~values:
                continue  # the move would set a field to something else
            # at the guards: as ``world`` where the move does not write, anything where it does
            pattern = (world & ~cleared) | cleared
            for guard_box in self._guards[position]:
                for box in self.closure(region, move.source):
                    meet = pattern & guard_box & box
                    if not self.nonempty(meet):
                        continue
                    at_guards = self._pick(meet, prefer)
                    found = self._undo_changes(region, move.source, at_guards, prefer)
                    if found is not None:
                        return found[0], at_guards, position, found[1]
        return None

    def _undo_changes(self, region: Region, state: str, world: int, prefer: Mapping[str, Any]):
        """The world before the side events of ``state``, and the changes they made.

        Where both would do, a change by a side event is preferred when the world
        before it has the preferred (or default) value: the officer was serving and
        left, rather than had already left before the complaint.
        """
        unchanged = any(world & box == world for box in region)
        for change, i, before, after, allowed in self._changes_at[state]:
            wanted = prefer[change.fact] if change.fact in prefer else self._default(change.fact)
            if unchanged and not any(_same(wanted, value) for value in change.before):
                continue
            field = self.fields[i]
            if not world & after:
                continue
            for old_bit in range(len(self.domains[i])):
                old = 1 << (self.offsets[i] + old_bit)
                if not old & before:
                    continue
                earlier = (world & ~field) | old
                if any(earlier & box == earlier for box in region) and any(
                    earlier & box == earlier for box in allowed
                ):
                    new = self._named(world)[change.fact]
                    return earlier, ((change.side_event, change.fact, self.domains[i][old_bit], new),)
        return (world, ()) if unchanged else None
