"""Every route through a process: how many reach each outcome, the shortest, and the routes.

Pure: reads a :class:`~procsim.core.model.Process`, prints nothing, reads no files.

**A route** is a sequence of steps (trigger, from, to) from a start state. It ends
where a case can end: at a terminal state, or at a state that is concluded unless
challenged (the route stops there; going on to a challenge makes another, longer
route). With ``target`` set, a route ends on arriving at that state.

**Facts** and **loops**: as :data:`procsim.analysis.method.ROUTE_METHOD` says (the one
description of the method, which ``paths --help`` prints).

The facts still possible at each point are tracked exactly, as a union of *boxes*
(one set of allowed values per fact), narrowed by each guard and rewritten by each
step's ``sets``. A box is packed into one integer: a bit field per fact.

**Counting** runs over nodes (state, facts still possible, loop steps taken),
built once and shared by every route through them, so routes are counted, not
listed, even when there are trillions. Facts no guard can read again from a node
are forgotten, so that routes differing only in them share nodes.
"""

from __future__ import annotations

import contextlib
import gc
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from attrs import evolve, frozen

from procsim.core.effects import DATE, writes
from procsim.core.model import Condition, Process, State, Transition

K = TypeVar("K", bound=Hashable)
Region = tuple[int, ...]  # a union of boxes (packed integers), normalised and sorted
_OTHER = "\0other"  # a text value no guard names


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


# ---------------------------------------------------------------------- analysis
class RouteSpace:
    """The route analysis of one process: facts as bit fields, guards as regions, loop steps."""

    def __init__(self, process: Process, changes: Sequence[FactChange] | None = None):
        self.process = process
        self._order = {name: i for i, name in enumerate(process.states)}
        self._track_facts(default_fact_changes(process) if changes is None else changes)
        used = {g for t in process.transitions for g in t.guards} | {
            g for c in self.changes for g in c.guards
        }
        self.guard_regions = {name: self.region(process.guards[name].condition) for name in used}
        self.loop_transitions = loop_transitions(process)
        self._build_moves()
        self._live: dict[int, dict[str, int]] = {}
        self._closure_cache: dict[tuple[Region, int], Region] = {}
        self._dead: dict[tuple[str, int], int] = {}

    # ------------------------------------------------------------ facts as bit fields
    def _track_facts(self, changes: Sequence[FactChange]) -> None:
        process = self.process
        read: list[str] = []
        for transition in process.transitions:
            for name in transition.guards:
                read.extend(f for f in process.guards[name].condition.facts_read() if f not in read)
        self.changes = tuple(change for change in changes if change.fact in read)
        for change in self.changes:
            for name in change.guards:
                read.extend(f for f in process.guards[name].condition.facts_read() if f not in read)
        compared: dict[str, list[Any]] = {}
        for guard in process.guards.values():
            _collect_values(guard.condition, compared)
        self.names: tuple[str, ...] = tuple(read)
        self.index = {name: i for i, name in enumerate(self.names)}
        domains = []
        for name in self.names:
            if name in process.derived:
                domains.append(tuple(value for _, value in process.derived[name].ranges))
                continue
            spec = process.facts[name]
            if spec.type == "bool":
                values: list[Any] = [False, True]
            elif spec.type == "enum":
                values = list(spec.values)
            else:  # text or date: the values guards name, and any other
                values = [*dict.fromkeys(compared.get(name, [])), _OTHER]
            if spec.default is None:
                values.append(None)  # never set
            domains.append(tuple(values))
        self.domains: tuple[tuple[Any, ...], ...] = tuple(domains)
        offsets, offset = [], 0
        for domain in self.domains:
            offsets.append(offset)
            offset += len(domain)
        self.offsets = tuple(offsets)
        self.fields = tuple(((1 << len(d)) - 1) << o for d, o in zip(self.domains, offsets, strict=False))
        self.full = sum(self.fields)
        self._low = sum(1 << o for o in offsets)  # the lowest bit of every field
        # within-field masks for folding each field onto its lowest bit
        width = max((len(d) for d in self.domains), default=1)
        self._folds = []
        for shift in range(1, width):
            keep = 0
            for domain, o in zip(self.domains, offsets, strict=False):
                for bit in range(len(domain) - shift):
                    keep |= 1 << (o + bit)
            self._folds.append((shift, keep))

    def _fold(self, box: int) -> int:
        """The lowest bit of each field set where that field is not empty."""
        folded = box
        for shift, keep in self._folds:
            folded |= (box >> shift) & keep
        return folded & self._low

    def nonempty(self, box: int) -> bool:
        return self._fold(box) == self._low

    def mask(self, fact: str, values: Sequence[Any]) -> int:
        """The bits (within the fact's field) of ``values``."""
        i = self.index[fact]
        bits = 0
        for position, value in enumerate(self.domains[i]):
            if any(_same(value, wanted) for wanted in values):
                bits |= 1 << position
        return bits << self.offsets[i]

    def get(self, box: int, i: int) -> int:
        """The allowed-value bits of fact ``i`` in ``box``, shifted down."""
        return (box & self.fields[i]) >> self.offsets[i]

    def box(self, **masks: int) -> int:
        box = self.full
        for fact, bits in masks.items():
            box = (box & ~self.fields[self.index[fact]]) | bits
        return box

    def region(self, condition: Condition) -> Region:
        """The facts that satisfy ``condition``, as a union of boxes."""
        op = condition.op
        if op in ("is", "in", "not_in"):
            fact = condition.fact or ""
            bits = self.mask(fact, [condition.value] if op == "is" else list(condition.value))
            if op == "not_in":
                bits = self.fields[self.index[fact]] & ~bits
            return self.normalise([self.box(**{fact: bits})])
        if op == "all":
            result: Region = (self.full,)
            for child in condition.children:
                result = self.intersect(result, self.region(child))
            return result
        if op == "any":
            return self.normalise([box for child in condition.children for box in self.region(child)])
        if op == "not":
            return self.complement(self.region(condition.children[0]))
        raise ValueError(f"unknown condition operator {op!r}")

    def complement(self, region: Region) -> Region:
        result: Region = (self.full,)
        for box in region:
            pieces = [self.full & ~field | (field & ~box) for field in self.fields if field & ~box]
            result = self.intersect(result, self.normalise(pieces))
        return result

    def intersect(self, first: Region, second: Region) -> Region:
        boxes = [a & b for a in first for b in second]
        return self.normalise([box for box in boxes if self.nonempty(box)])

    def guards_region(self, guards: Sequence[str]) -> Region:
        result: Region = (self.full,)
        for name in guards:
            result = self.intersect(result, self.guard_regions[name])
        return result

    def fixed(self, facts: Mapping[str, Any]) -> Region:
        """The region where each tracked fact named in ``facts`` has the value given."""
        box = self.full
        for fact, value in facts.items():
            if fact in self.index:
                i = self.index[fact]
                box = (box & ~self.fields[i]) | self.mask(fact, [_value_in(self.domains[i], value)])
        return (box,) if self.nonempty(box) else ()

    def normalise(self, boxes: Sequence[int]) -> Region:
        """No empty, repeated or contained boxes; two that differ in one field only are joined."""
        unique = set(boxes)
        if len(unique) <= 1:
            return tuple(unique)
        if len(unique) == 2:
            a, b = sorted(unique)
            if a & ~b == 0:
                return (b,)
            if b & ~a == 0:
                return (a,)
            differ = self._fold(a ^ b)
            return (a | b,) if differ & (differ - 1) == 0 else (a, b)
        while True:
            ordered = sorted(unique)
            kept = [b for b in ordered if not any(b != o and b & ~o == 0 for o in ordered)]
            joined = None
            for x in range(len(kept)):
                for y in range(x + 1, len(kept)):
                    differ = self._fold(kept[x] ^ kept[y])
                    if differ & (differ - 1) == 0:  # one field differs
                        joined = (x, y)
                        break
                if joined:
                    break
            if joined is None:
                return tuple(kept)
            x, y = joined
            unique = set(kept)
            unique.discard(kept[x])
            unique.discard(kept[y])
            unique.add(kept[x] | kept[y])

    # ------------------------------------------------------------ moves
    def _build_moves(self) -> None:
        process = self.process
        grouped: dict[tuple[str, str, str], list[int]] = {}
        for position, transition in enumerate(process.transitions):
            grouped.setdefault((transition.source, transition.trigger, transition.dest), []).append(position)
        self.moves: list[tuple[Move, tuple[int, ...]]] = []
        self.moves_from: dict[str, list[int]] = {}
        for (source, trigger, dest), positions in grouped.items():
            transitions = tuple(process.transitions[p] for p in positions)
            move = Move(
                source, trigger, dest, transitions, loop=any(p in self.loop_transitions for p in positions)
            )
            self.moves_from.setdefault(source, []).append(len(self.moves))
            self.moves.append((move, tuple(positions)))
        #: per move: (source, dest, 1 if a loop step else 0, transition positions), for the hot loops
        self._move_parts = [(m.source, m.dest, int(m.loop), ps) for m, ps in self.moves]
        self._guards = [self.guards_region(t.guards) for t in process.transitions]
        self._guard_fields = [
            None
            if region == (self.full,)
            else tuple((box, tuple(f for f in self.fields if box & f != f)) for box in region)
            for region in self._guards
        ]
        self._sets = [self._set_ops(t) for t in process.transitions]
        self._changes = []
        for change in self.changes:
            i = self.index[change.fact]
            self._changes.append(
                (
                    change,
                    i,
                    self.mask(change.fact, change.before),
                    self.mask(change.fact, change.after),
                    self.guards_region(change.guards),
                )
            )
        self._changes_at = {
            state: tuple(c for c in self._changes if not c[0].states or state in c[0].states)
            for state in process.states
        }
        kinds: dict[tuple, int] = {}
        self._changes_key = {
            state: kinds.setdefault(tuple(id(c) for c in changes), len(kinds))
            for state, changes in self._changes_at.items()
        }

    def _set_ops(self, transition: Transition) -> tuple[int, int]:
        """(the fields a transition overwrites, their new bits), from :func:`procsim.core.effects.writes`.

        The analysis does not track dates: the facts derived from a recorded date (the regime)
        are chosen once, at the start of a route, and a step that records the date is taken to
        record the one chosen. So a date write changes no tracked fact.
        """
        cleared = values = 0
        pairs = [(w.fact, w.values) for w in writes(self.process, transition) if w.kind != DATE]
        for fact, wanted in pairs:
            if fact in self.index:
                field = self.fields[self.index[fact]]
                cleared |= field
                values = (values & ~field) | self.mask(fact, wanted)
        return cleared, values

    def closure(self, region: Region, state: str) -> Region:
        """``region`` plus every fact change a side event may make in ``state``."""
        changes = self._changes_at[state]
        if not changes:
            return region
        key = (region, self._changes_key[state])
        cached = self._closure_cache.get(key)
        if cached is not None:
            return cached
        boxes = list(region)
        for _, i, before, after, allowed in changes:
            field = self.fields[i]
            for box in list(boxes):
                if not box & before:
                    continue
                for guard_box in allowed:
                    both = box & guard_box
                    if both & before and self.nonempty(both):
                        boxes.append((both & ~field) | after)
        result = self._closure_cache[key] = self.normalise(boxes)
        return result

    def apply(self, region: Region, position: int) -> Region:
        """The facts possible after transition ``position`` (empty when its guards cannot hold)."""
        cleared, values = self._sets[position]
        kept = ~cleared
        guards = self._guard_fields[position]
        if guards is None:  # no guards
            boxes = [(box & kept) | values for box in region]
        else:
            boxes = []
            for box in region:
                for guard_box, fields in guards:
                    both = box & guard_box
                    # ``box`` is not empty, so only a field the guard narrows can become empty
                    for field in fields:
                        if not both & field:
                            break
                    else:
                        boxes.append((both & kept) | values)
        if len(boxes) == 1:
            return (boxes[0],)
        return self.normalise(boxes)

    def step(self, region: Region, move: int) -> Region:
        """The facts possible after ``move`` (side events first); empty when it cannot happen."""
        source, _dest, _loop, positions = self._move_parts[move]
        before = self.closure(region, source) if self._changes_at[source] else region
        if len(positions) == 1:
            return self.apply(before, positions[0])
        return self.normalise([box for p in positions for box in self.apply(before, p)])

    # ------------------------------------------------------------ liveness
    def live(self, loops_left: int) -> dict[str, int]:
        """Per state, the fields of facts a guard may still read (before a step sets them).

        With no loop steps left, a loop step's own guards still count as read, so
        that a route stopped by the loop bound is told apart from one that is stuck.
        """
        cached = self._live.get(loops_left)
        if cached is not None:
            return cached
        after_loop = self.live(loops_left - 1) if loops_left > 0 else None
        live = {state: 0 for state in self.process.states}
        edges = []
        for _number, (move, positions) in enumerate(self.moves):
            read = 0
            for p in positions:
                for guard in self.process.transitions[p].guards:
                    for fact in self.process.guards[guard].condition.facts_read():
                        read |= self.fields[self.index[fact]]
            written = self.full
            for p in positions:
                written &= self._sets[p][0]
            edges.append((move.source, move.dest, move.loop, read, written))
        changed = True
        while changed:
            changed = False
            for source, dest, loop, read, written in edges:
                if loop:  # beyond the loop bound only its guards are read (stopped, or stuck?)
                    ahead = after_loop[dest] if after_loop is not None else 0
                else:
                    ahead = live[dest]
                wanted = read | (ahead & ~written)
                if wanted & ~live[source]:
                    live[source] |= wanted
                    changed = True
        self._live[loops_left] = live
        return live

    def forget(self, region: Region, state: str, loops_left: int) -> Region:
        """``region`` with the facts no guard can read again from ``state`` made free."""
        dead = self._dead.get((state, loops_left))
        if dead is None:
            dead = self._dead[state, loops_left] = self.full & ~self.live(loops_left)[state]
        if not dead:
            return region
        if len(region) == 1:
            return (region[0] | dead,)
        return self.normalise([box | dead for box in region])

    # ------------------------------------------------------------ the route graph
    def successors(self, key: tuple[str, Region, int], max_loops: int, reaches: set[str] | None = None):
        """The nodes one move on from ``key``: (move number, child key); and the loop moves held back."""
        state, facts, loops = key
        found, held = [], []
        parts, step, forget = self._move_parts, self.step, self.forget
        for number in self.moves_from.get(state, ()):
            _source, dest, loop, _positions = parts[number]
            if reaches is not None and dest not in reaches:
                continue
            if loop and loops >= max_loops:
                held.append(number)
                continue
            after = step(facts, number)
            if after:
                used = loops + loop
                found.append((number, (dest, forget(after, dest, max_loops - used), used)))
        return found, held

    def graph(self, start: str, region: Region, max_loops: int, target: str | None = None) -> _Graph:
        """Every node reachable from ``start``: (state, facts possible, loop steps taken)."""
        with _collection_paused():
            return self._graph(start, region, max_loops, target)

    def _graph(self, start: str, region: Region, max_loops: int, target: str | None) -> _Graph:
        graph = _Graph()
        stack = [graph.node((start, self.forget(region, start, max_loops), 0))]
        reaches = _reaching_one(self.process, target) if target else None
        ids, keys, successors = graph.ids, graph.keys, self.successors
        while stack:
            node = stack.pop()
            key = keys[node]
            found, held = successors(key, max_loops, reaches)
            edges = []
            for number, child_key in found:
                child = ids.get(child_key)
                if child is None:  # a new node (as graph.node adds it)
                    child = ids[child_key] = len(keys)
                    keys.append(child_key)
                    stack.append(child)
                edges.append((number, child))
            graph.edges[node] = edges
            if not edges and any(self.step(key[1], number) for number in held):
                graph.bounded.add(node)
        graph.order()
        return graph

    def report(
        self,
        start: str | None = None,
        target: str | None = None,
        max_loops: int = 1,
        facts: Region | None = None,
    ) -> RouteReport:
        """Count the routes from ``start`` to every outcome (or to ``target``), with the shortest."""
        with _collection_paused():
            return self._report(start, target, max_loops, facts)

    def _report(
        self, start: str | None, target: str | None, max_loops: int, facts: Region | None
    ) -> RouteReport:
        process = self.process
        start = start or process.initial
        graph = self.graph(start, facts if facts is not None else (self.full,), max_loops, target)
        ends = self._ends(target)
        counts, bounded, stuck = graph.count(set(ends))
        shortest = graph.shortest(set(ends))
        outcomes = []
        for name in ends:
            moves = shortest.get(name)
            route = Route(start, tuple(self.moves[m][0] for m in moves)) if moves is not None else None
            outcomes.append(Outcome(process.states[name], counts.get(name, 0), route))
        outcomes.sort(key=lambda o: (0 if o.state.is_terminal else 1, self._order[o.state.name]))
        loop_moves = tuple(move for move, _ in self.moves if move.loop)
        return RouteReport(
            start, target, max_loops, tuple(outcomes), bounded, stuck, loop_moves, len(graph.keys)
        )

    def _ends(self, target: str | None) -> list[str]:
        if target is not None:
            return [target]
        return [name for name, state in self.process.states.items() if state.can_end]

    def routes(
        self,
        start: str | None = None,
        target: str | None = None,
        max_loops: int = 1,
        facts: Region | None = None,
        limit: int = 100,
    ) -> Iterator[Route]:
        """The routes themselves, depth first in the process's order of steps, at most ``limit``."""
        start = start or self.process.initial
        graph = self.graph(start, facts if facts is not None else (self.full,), max_loops, target)
        ends = set(self._ends(target))
        counts = graph.counts_to(ends)
        produced = 0
        path: list[Move] = []
        stack: list[list[int]] = [[0, 0]]  # node, next edge
        while stack and produced < limit:
            top = stack[-1]
            node, position = top
            if position == 0 and graph.keys[node][0] in ends:
                produced += 1
                yield Route(start, tuple(path))
            edges = graph.edges[node]
            while position < len(edges) and not counts[edges[position][1]]:
                position += 1
            if position >= len(edges):
                stack.pop()
                if path:
                    path.pop()
                continue
            top[1] = position + 1
            number, child = edges[position]
            path.append(self.moves[number][0])
            stack.append([child, 0])

    def shortest(
        self, start: str, target: str, max_loops: int = 1, facts: Region | None = None
    ) -> Route | None:
        """The shortest route from ``start`` to ``target`` (ties: the process's order of steps).

        Breadth first, node by node, stopping at the first arrival: it never builds the whole graph.
        """
        region = facts if facts is not None else (self.full,)
        first = (start, self.forget(region, start, max_loops), 0)
        reaches = _reaching_one(self.process, target)
        found = breadth_first(
            first,
            lambda key: self.successors(key, max_loops, reaches)[0],
            lambda key: key[0] if key[0] == target else None,
            wanted=1,
        )
        if target not in found:
            return None
        return Route(start, tuple(self.moves[n][0] for n in found[target]))

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

    def _named(self, world: int) -> dict[str, Any]:
        named = {}
        for i, name in enumerate(self.names):
            position = self.get(world, i).bit_length() - 1
            value = self.domains[i][position]
            named[name] = None if value == _OTHER else value
        return named

    def _pick(self, box: int, prefer: Mapping[str, Any]) -> int:
        """One concrete world (a single bit per field) inside ``box``, preferring given values."""
        world = 0
        for i, name in enumerate(self.names):
            bits = self.get(box, i)
            wanted = prefer[name] if name in prefer else self._default(name)
            choice = None
            for position, value in enumerate(self.domains[i]):
                if bits >> position & 1 and _same(value, wanted):
                    choice = position
            if choice is None:
                choice = (bits & -bits).bit_length() - 1
            world |= 1 << (self.offsets[i] + choice)
        return world

    def _default(self, name: str) -> Any:
        spec = self.process.facts.get(name)
        return spec.default if spec is not None else None

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


# ---------------------------------------------------------------------- graph of nodes
@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while building a route graph.

    The graph is hundreds of thousands of tuples, none in a cycle (reference counting frees
    them), yet their allocation triggers collections that scan them all over again: about a
    quarter of the time of ``procsim paths``. The collector runs as before afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Graph:
    """Nodes (state, facts possible, loop steps taken) and the moves between them; no cycles."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, Region, int], int] = {}
        self.keys: list[tuple[str, Region, int]] = []
        self.edges: dict[int, list[tuple[int, int]]] = {}
        self.bounded: set[int] = set()
        self.post: list[int] = []

    def node(self, key: tuple[str, Region, int]) -> int:
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = len(self.keys)
            self.keys.append(key)
        return found

    def order(self) -> None:
        """``post``: children before parents."""
        seen = [False] * len(self.keys)
        post = []
        seen[0] = True
        stack = [(0, iter(self.edges.get(0, ())))]
        while stack:
            node, children = stack[-1]
            for _, child in children:
                if not seen[child]:
                    seen[child] = True
                    stack.append((child, iter(self.edges.get(child, ()))))
                    break
            else:
                stack.pop()
                post.append(node)
        self.post = post

    def count(self, ends: set[str]) -> tuple[dict[str, int], int, int]:
        """Routes from node 0 ending in each of ``ends``; routes stopped by the loop bound; stuck ones."""
        reach = [0] * len(self.keys)  # routes from node 0 to each node
        reach[0] = 1
        counts: dict[str, int] = {}
        bounded = stuck = 0
        for node in reversed(self.post):
            number = reach[node]
            state = self.keys[node][0]
            edges = self.edges.get(node, ())
            if state in ends:
                counts[state] = counts.get(state, 0) + number
            elif not edges:
                if node in self.bounded:
                    bounded += number
                else:
                    stuck += number
            for _, child in edges:
                reach[child] += number
        return counts, bounded, stuck

    def counts_to(self, ends: set[str]) -> list[int]:
        """For each node, how many routes from it end in ``ends``."""
        counts = [0] * len(self.keys)
        for node in self.post:
            total = 1 if self.keys[node][0] in ends else 0
            for _, child in self.edges.get(node, ()):
                total += counts[child]
            counts[node] = total
        return counts

    def shortest(self, ends: set[str]) -> dict[str, list[int]]:
        """Breadth first from node 0: the first route (its move numbers) to reach each end."""
        return breadth_first(
            0,
            lambda node: self.edges.get(node, ()),
            lambda node: state if (state := self.keys[node][0]) in ends else None,
            wanted=len(ends),
        )


def breadth_first(
    first: K,
    children: Callable[[K], Iterable[tuple[int, K]]],
    end_of: Callable[[K], str | None],
    wanted: int,
) -> dict[str, list[int]]:
    """The one breadth-first search: from ``first``, the first path (move numbers) to each end.

    ``end_of`` names the end a node is (or None); the search stops once ``wanted`` ends are found.
    """
    parent: dict[K, tuple[K, int] | None] = {first: None}
    found: dict[str, list[int]] = {}
    queue = deque([first])
    while queue and len(found) < wanted:
        node = queue.popleft()
        end = end_of(node)
        if end is not None and end not in found:
            moves: list[int] = []
            cursor = node
            while (link := parent[cursor]) is not None:
                cursor, number = link
                moves.append(number)
            found[end] = moves[::-1]
        for number, child in children(node):
            if child not in parent:
                parent[child] = (node, number)
                queue.append(child)
    return found


# ---------------------------------------------------------------------- loops
def loop_transitions(process: Process) -> frozenset[int]:
    """The positions in ``process.transitions`` of loop steps (see the module docstring)."""
    order = {name: i for i, name in enumerate(process.states)}
    edges = [(i, t.source, t.dest) for i, t in enumerate(process.transitions)]
    loops: set[int] = set()
    pending = [(list(process.states), edges)]
    while pending:
        nodes, inner_edges = pending.pop()
        for component in _components(nodes, inner_edges):
            members = set(component)
            inside = [e for e in inner_edges if e[1] in members and e[2] in members]
            if len(component) == 1 and not inside:
                continue
            ongoing = [name for name in component if process.states[name].status == "ongoing"]
            header = min(ongoing or component, key=order.__getitem__)
            loops.update(i for i, _, dest in inside if dest == header)
            pending.append((component, [e for e in inside if e[2] != header]))
    return frozenset(loops)


def _components(nodes: list[str], edges: list[tuple[int, str, str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan's algorithm, without recursion)."""
    adjacency: dict[str, list[str]] = {node: [] for node in nodes}
    for _, source, dest in edges:
        if source in adjacency and dest in adjacency:
            adjacency[source].append(dest)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result = []
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(adjacency[root]))]
        while work:
            node, children = work[-1]
            descended = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(adjacency[child])))
                    descended = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if descended:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


def _reaching_one(process: Process, target: str) -> set[str]:
    from procsim.analysis.structure import states_reaching

    return states_reaching(process, {target})


def default_fact_changes(process: Process) -> list[FactChange]:
    """Side events that must set a fact change it, from its default to a value no step sets.

    In the police process: ``officer_leaves`` takes ``officer_status`` from serving
    to resigned or retired (dismissal is a step of the process, not a side event).
    """
    set_by_steps: dict[str, list[Any]] = {}
    for transition in process.transitions:
        for fact, value in transition.sets:
            set_by_steps.setdefault(fact, []).append(value)
    changes = []
    for side in process.side_events.values():
        for fact in side.requires:
            spec = process.facts.get(fact)
            if spec is None or spec.type not in ("enum", "bool") or spec.default is None:
                continue
            values: tuple[Any, ...] = spec.values if spec.type == "enum" else (True, False)
            after = tuple(v for v in values if v != spec.default and v not in set_by_steps.get(fact, []))
            if after:
                changes.append(FactChange(side.name, fact, (spec.default,), after, side.states, side.guards))
    return changes


# ---------------------------------------------------------------------- helpers
def _collect_values(condition: Condition, into: dict[str, list[Any]]) -> None:
    if condition.fact is not None:
        into.setdefault(condition.fact, []).extend(
            [condition.value] if condition.op == "is" else list(condition.value)
        )
    for child in condition.children:
        _collect_values(child, into)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _value_in(domain: tuple[Any, ...], value: Any) -> Any:
    """The domain's own spelling of ``value`` (text facts: any unnamed value is 'other')."""
    for candidate in domain:
        if _same(candidate, value):
            return candidate
    for candidate in domain:
        if not isinstance(candidate, bool) and candidate is not None and str(candidate) == str(value):
            return candidate
    return _OTHER if _OTHER in domain else value


def analyse(
    process: Process, start: str | None = None, target: str | None = None, max_loops: int = 1
) -> RouteReport:
    """Count the routes of ``process`` (see the module docstring for the method)."""
    return RouteSpace(process).report(start, target, max_loops)


__all__ = [
    "FactChange",
    "Move",
    "Outcome",
    "Route",
    "RouteReport",
    "RouteSpace",
    "Witness",
    "WitnessStep",
    "analyse",
    "default_fact_changes",
    "loop_transitions",
]
