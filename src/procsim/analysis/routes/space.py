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
are forgotten, so that routes differing only in them share nodes. Which facts a
guard can read again is judged box by box, per value of a few *key facts*
(:meth:`RouteSpace._choose_keys`): a route whose panel decision was quashed goes
back to the panel, never to the investigation, so it forgets how the
investigation was run. A key fact is itself kept wherever that judgment forgets
more, so the counts are exactly those of forgetting nothing.

**Regions**: :meth:`RouteSpace.report` counts a stretch of a route through a region whose steps
read few facts (the courts) once per pattern of those facts, carrying the others through
(:mod:`procsim.analysis.routes.summary`); :meth:`RouteSpace.graph` keeps one node per history
(the reference the tests compare with), and :meth:`RouteSpace.routes` walks node by node."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from procsim.analysis.routes.facts import Region
from procsim.analysis.routes.graph import _collection_paused, _Graph, breadth_first
from procsim.analysis.routes.loops import _reaching_one, default_fact_changes, loop_transitions
from procsim.analysis.routes.results import FactChange, Move, Outcome, Route, RouteReport
from procsim.analysis.routes.summary import SummarisedCount, choose_regions
from procsim.analysis.routes.witness import Witnesses
from procsim.core.effects import DATE, writes
from procsim.core.model import Process, Transition


class RouteSpace(Witnesses):
    """The route analysis of one process: facts as bit fields, guards as regions, loop steps."""

    def __init__(
        self,
        process: Process,
        changes: Sequence[FactChange] | None = None,
        key_facts: bool = True,
        regions: tuple[dict[str, int], list[int]] | None = None,
    ):
        """``key_facts=False`` forgets only the facts no route reads whatever the facts' values:
        the same counts over more nodes (the reference the tests and ``make bench`` check against).
        ``regions``: the regions :meth:`report` summarises (region per state, each region's local
        fields), by default :func:`~procsim.analysis.routes.summary.choose_regions`; ``({}, [])``
        summarises none (the reference: one node per history, shortest routes breadth first)."""
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
        self._keyed: dict[tuple[int, int], dict[tuple[str, int], int]] = {}
        self._plans: dict[tuple[str, int, int], list[tuple]] = {}
        #: per (state, loop steps left): key-fact bits -> the fields to forget
        self._dead_table: dict[tuple[str, int], dict[int, int]] = {}
        self._keys = self._choose_keys() if key_facts else ()
        self._key_field = sum(self.fields[key] for key in self._keys)
        self._regions = regions

    @property
    def regions(self) -> tuple[dict[str, int], list[int]]:
        """The regions :meth:`report` summarises, chosen when first needed (listing routes, finding
        the shortest and witnesses never need them)."""
        if self._regions is None:
            self._regions = choose_regions(self)
        return self._regions

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
        #: per transition: its guards' boxes, or None where it has no guards
        self._guard_boxes = [None if region == (self.full,) else region for region in self._guards]
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
        #: per state, its place in an order where every step that is not a loop step goes to an
        #: earlier state (those steps have no cycles): the liveness fixed point settles in one pass
        below: dict[str, list[str]] = {}
        for move, _ in self.moves:
            if not move.loop:
                below.setdefault(move.source, []).append(move.dest)
        self._rank = _finishing_order(list(process.states), below)
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
            if allowed == (self.full,):
                # no guard: a box and its changed copy differ in this fact alone, so they make
                # one box allowing both values (the same facts as the two, and fewer to normalise)
                boxes = [box | after if box & before else box for box in boxes]
                continue
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

    def _ops(self, position: int) -> tuple[int, int, Region | None]:
        """Transition ``position`` as (the fields it keeps, the bits it sets, its guards' boxes or None)."""
        cleared, values = self._sets[position]
        return ~cleared, values, self._guard_boxes[position]

    def _boxes_after(self, region: Sequence[int], ops: Sequence[tuple[int, int, Region | None]]) -> list[int]:
        """The boxes after any of the transitions ``ops`` (see :meth:`_ops`), not normalised;
        empty when no guards can hold. A box is empty when adding ``full`` leaves a carry bit unset."""
        full, carries = self.full, self._carries
        if len(ops) == 1 and len(region) == 1:  # the common case, without the nested loops
            kept, values, guards = ops[0]
            box = region[0]
            if guards is None:
                return [(box & kept) | values]
            return [
                (both & kept) | values
                for guard_box in guards
                if ((both := box & guard_box) + full) & carries == carries
            ]
        boxes: list[int] = []
        for kept, values, guards in ops:
            if guards is None:
                boxes.extend([(box & kept) | values for box in region])
            else:
                boxes.extend(
                    [
                        (both & kept) | values
                        for box in region
                        for guard_box in guards
                        if ((both := box & guard_box) + full) & carries == carries
                    ]
                )
        return boxes

    def apply(self, region: Region, position: int) -> Region:
        """The facts possible after transition ``position`` (empty when its guards cannot hold)."""
        boxes = self._boxes_after(region, (self._ops(position),))
        if len(boxes) == 1:
            return (boxes[0],)
        return self.normalise(boxes)

    def step(self, region: Region, move: int) -> Region:
        """The facts possible after ``move`` (side events first); empty when it cannot happen."""
        source, _dest, _loop, positions = self._move_parts[move]
        before = self.closure(region, source) if self._changes_at[source] else region
        boxes = self._boxes_after(before, [self._ops(p) for p in positions])
        return (boxes[0],) if len(boxes) == 1 else self.normalise(boxes)

    # ------------------------------------------------------------ liveness
    def _reads(self, guards: Sequence[str]) -> int:
        """The fields of the facts that ``guards`` read."""
        read = 0
        for guard in guards:
            for fact in self.process.guards[guard].condition.facts_read():
                read |= self.fields[self.index[fact]]
        return read

    def _change_reads(self, state: str) -> int:
        """The fields read by the guards of the side events that may change a fact in ``state``."""
        read = 0
        for change, *_ in self._changes_at[state]:
            read |= self._reads(change.guards)
        return read

    def live(self, loops_left: int) -> dict[str, int]:
        """Per state, the fields of facts a guard may still read (before a step sets them).

        With no loop steps left, a loop step's own guards still count as read, so
        that a route stopped by the loop bound is told apart from one that is stuck.
        """
        cached = self._live.get(loops_left)
        if cached is not None:
            return cached
        after_loop = self.live(loops_left - 1) if loops_left > 0 else None
        live = {state: self._change_reads(state) for state in self.process.states}
        edges = []
        for move, positions in self.moves:
            read = 0
            for p in positions:
                read |= self._reads(self.process.transitions[p].guards)
            written = self.full
            for p in positions:
                written &= self._sets[p][0]
            edges.append((move.source, move.dest, move.loop, read, written))
        edges.sort(key=lambda edge: self._rank[edge[0]])
        self._live[loops_left] = _settle(live, edges, after_loop)
        return live

    def _choose_keys(self) -> tuple[int, ...]:
        """The key facts of :meth:`keyed_live`: facts whose value tells which stages a route
        may still come back to, and so which facts it may still read.

        - The fact the guards of loop steps read most where a state has loop steps back to
          different stages (the challenged decision: a quashed decision goes back to the
          appropriate authority, the IOPC, the review body, the panel or the Tribunal).
        - Each fact a loop step's guard reads that no step writes (the regime: a complainant's
          review, and so a re-investigation, exists only under the 2020 regime).
        """
        destinations: dict[str, set[str]] = {}
        for move, _ in self.moves:
            if move.loop:
                destinations.setdefault(move.source, set()).add(move.dest)
        written = 0
        for cleared, _ in self._sets:
            written |= cleared
        for _, i, *_ in self._changes:
            written |= self.fields[i]
        choosing = [0] * len(self.names)
        constant: list[int] = []
        for move, positions in self.moves:
            if not move.loop:
                continue
            for p in positions:
                for guard in self.process.transitions[p].guards:
                    for fact in self.process.guards[guard].condition.facts_read():
                        i = self.index[fact]
                        if len(destinations[move.source]) > 1:
                            choosing[i] += 1
                        if not written & self.fields[i] and i not in constant:
                            constant.append(i)
        keys = sorted(constant)
        if any(choosing):
            chosen = max(range(len(choosing)), key=lambda i: (choosing[i], -i))
            if chosen not in keys:
                keys.insert(0, chosen)
        return tuple(keys)

    def keyed_live(self, key: int, loops_left: int) -> dict[tuple[str, int], int]:
        """Per (state, value of the key fact), the fields of facts a guard may still read.

        Like :meth:`live`, but a step counts only where its guards can hold with that value
        of the key fact (and the value follows the step's ``sets`` and the side events): a
        route remitted to the misconduct panel never reads how the investigation was run.
        """
        cached = self._keyed.get((key, loops_left))
        if cached is not None:
            return cached
        after_loop = self.keyed_live(key, loops_left - 1) if loops_left > 0 else None
        field, offset, width = self.fields[key], self.offsets[key], len(self.domains[key])

        def values(box: int) -> list[int]:
            bits = (box & field) >> offset
            return [v for v in range(width) if bits >> v & 1]

        live = {(state, v): self._change_reads(state) for state in self.process.states for v in range(width)}
        edges: list[tuple[tuple[str, int], tuple[str, int], bool, int, int]] = []
        for move, positions in self.moves:
            for p in positions:
                read = self._reads(self.process.transitions[p].guards)
                written = self._sets[p][0]
                for v in range(width):
                    before = (self.full & ~field) | (1 << (offset + v))
                    # a side event in the source state may change the key fact first
                    starts = {d for box in self.closure((before,), move.source) for d in values(box)}
                    for start in starts:
                        given = (self.full & ~field) | (1 << (offset + start))
                        after = {d for box in self.apply((given,), p) for d in values(box)}
                        edges.extend(
                            ((move.source, v), (move.dest, d), move.loop, read, written) for d in after
                        )
        edges.sort(key=lambda edge: self._rank[edge[0][0]])
        self._keyed[key, loops_left] = _settle(live, edges, after_loop)
        return live

    def _dead_fields(self, state: str, loops_left: int, key_bits: int) -> int:
        """The fields no guard can read again from ``state`` in a box with these key-fact bits.

        Facts dead whatever the key facts' values are dead. Facts dead only for the values
        a box allows of a key fact are dead too, but then that key fact is kept, so that its
        value still rules out the routes that would read them.
        """
        dead = self.full & ~self.live(loops_left)[state]
        extra = kept = 0
        for key in self._keys:
            keyed = self.keyed_live(key, loops_left)
            offset = self.offsets[key]
            live = 0
            bits = (key_bits & self.fields[key]) >> offset
            v = 0
            while bits:
                if bits & 1:
                    live |= keyed[state, v]
                bits >>= 1
                v += 1
            more = self.full & ~live & ~dead & ~self._key_field
            if more:
                extra |= more
                kept |= self.fields[key]
        return (dead | extra) & ~(kept & ~dead)

    def forget(self, region: Region, state: str, loops_left: int) -> Region:
        """``region`` with the facts no guard can read again from ``state`` made free (box by box)."""
        return self._forget_boxes(
            region, self._dead_table.setdefault((state, loops_left), {}), state, loops_left
        )

    def _forget_boxes(
        self, boxes: Sequence[int], dead: dict[int, int], state: str, loops_left: int
    ) -> Region:
        """:meth:`forget` with ``dead``, the state's table of key-fact bits -> fields to forget."""
        key_field = self._key_field
        if len(boxes) == 1:  # the common case
            box = boxes[0]
            bits = box & key_field
            fields = dead.get(bits)
            if fields is None:
                fields = dead[bits] = self._dead_fields(state, loops_left, bits)
            return (box | fields,)
        forgotten = []
        for box in boxes:
            bits = box & key_field
            fields = dead.get(bits)
            if fields is None:
                fields = dead[bits] = self._dead_fields(state, loops_left, bits)
            forgotten.append(box | fields)
        if len(forgotten) == 1:
            return (forgotten[0],)
        return self.normalise(forgotten)

    # ------------------------------------------------------------ the route graph
    def _plan(self, state: str, loops: int, max_loops: int) -> list[tuple]:
        """The moves out of ``state`` with ``loops`` loop steps taken, ready for :meth:`successors`:
        (move number, destination, loop steps after it, each transition's (kept fields, set bits,
        guard boxes or None), the forgetting table of the destination), or ops None when the loop
        bound holds the move back."""
        plan: list[tuple] = []
        for number in self.moves_from.get(state, ()):
            _source, dest, loop, positions = self._move_parts[number]
            if loop and loops >= max_loops:
                plan.append((number, dest, loops, None, None))
                continue
            used = loops + loop
            ops = tuple(self._ops(p) for p in positions)
            dead = self._dead_table.setdefault((dest, max_loops - used), {})
            plan.append((number, dest, used, ops, dead))
        return plan

    def successors(self, key: tuple[str, Region, int], max_loops: int, reaches: set[str] | None = None):
        """The nodes one move on from ``key``: (move number, child key); and the loop moves held back.

        The hot loop of route counting: :meth:`step` then :meth:`forget` for every move out of
        a node, with the side events' closure taken once per node and the forgetting looked up
        box by box.
        """
        state, facts, loops = key
        found, held = [], []
        if self._changes_at[state]:
            facts = self.closure(facts, state)
        move_on = self._move_on
        for number, dest, used, ops, dead in self._plan_for(state, loops, max_loops):
            if reaches is not None and dest not in reaches:
                continue
            if ops is None:
                held.append(number)
                continue
            after = move_on(facts, ops, dead, dest, max_loops - used)
            if after:
                found.append((number, (dest, after, used)))
        return found, held

    def _plan_for(self, state: str, loops: int, max_loops: int) -> list[tuple]:
        """:meth:`_plan`, made once per (state, loop steps taken, loop bound)."""
        plan = self._plans.get((state, loops, max_loops))
        if plan is None:
            plan = self._plans[state, loops, max_loops] = self._plan(state, loops, max_loops)
        return plan

    def _move_on(
        self,
        facts: Sequence[int],
        ops: Sequence[tuple[int, int, Region | None]],
        dead: dict[int, int],
        dest: str,
        loops_left: int,
    ) -> Region:
        """The facts after a planned move (its transitions' ``ops``), forgotten as ``dest`` forgets
        them (``dead``: its table, see :meth:`_forget_boxes`); empty when no guard can hold."""
        boxes = self._boxes_after(facts, ops)
        return self._forget_boxes(boxes, dead, dest, loops_left) if boxes else ()

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
        region = facts if facts is not None else (self.full,)
        ends = self._ends(target)
        if self.regions[0]:
            reaches = _reaching_one(process, target) if target else None
            first = (start, self.forget(region, start, max_loops), 0)
            counting = SummarisedCount(self, max_loops, set(ends), reaches, *self.regions)
            counts, shortest, bounded, stuck, nodes = counting.run(first)
        else:
            graph = self.graph(start, region, max_loops, target)
            counts, bounded, stuck = graph.count(set(ends))
            shortest = {end: tuple(moves) for end, moves in graph.shortest(set(ends)).items()}
            nodes = len(graph.keys)
        outcomes = []
        for name in ends:
            moves = shortest.get(name)
            route = Route(start, tuple(self.moves[m][0] for m in moves)) if moves is not None else None
            outcomes.append(Outcome(process.states[name], counts.get(name, 0), route))
        outcomes.sort(key=lambda o: (0 if o.state.is_terminal else 1, self._order[o.state.name]))
        loop_moves = tuple(move for move, _ in self.moves if move.loop)
        return RouteReport(start, target, max_loops, tuple(outcomes), bounded, stuck, loop_moves, nodes)

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
        """The routes themselves, depth first in the process's order of steps, at most ``limit``.

        Node by node from ``start``, as far as the routes listed need: a node from which no
        route reaches an end (every route from it stopped by the loop bound, or stuck) is
        remembered once explored, and not entered again.
        """
        start = start or self.process.initial
        region = facts if facts is not None else (self.full,)
        ends = set(self._ends(target))
        reaches = _reaching_one(self.process, target) if target else None
        first = (start, self.forget(region, start, max_loops), 0)
        dead: set[tuple[str, Region, int]] = set()
        produced = 0
        path: list[Move] = []
        # node, its moves on (child keys), the next to take, whether a route below it reached an end
        stack: list[list[Any]] = [[first, None, 0, False]]
        while stack and produced < limit:
            top = stack[-1]
            key, found, position, _ = top
            if found is None:
                found = top[1] = self.successors(key, max_loops, reaches)[0]
                if key[0] in ends:
                    produced += 1
                    top[3] = True
                    yield Route(start, tuple(path))
                    continue
            while position < len(found) and found[position][1] in dead:
                position += 1
            if position >= len(found):
                stack.pop()
                if not top[3]:
                    dead.add(key)
                elif stack:
                    stack[-1][3] = True
                if path:
                    path.pop()
                continue
            top[2] = position + 1
            number, child = found[position]
            path.append(self.moves[number][0])
            stack.append([child, None, 0, False])

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


def _finishing_order(nodes: Sequence[str], below: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Each node's place in depth-first finishing order: after every node below it (no cycles)."""
    order: dict[str, int] = {}
    seen: set[str] = set()
    for root in nodes:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(below.get(root, ())))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(below.get(child, ()))))
                    break
            else:
                stack.pop()
                order[node] = len(order)
    return order


def _settle(
    live: dict[Any, int],
    edges: Sequence[tuple[Any, Any, bool, int, int]],
    after_loop: Mapping[Any, int] | None,
) -> dict[Any, int]:
    """The liveness fixed point: each node (a state, or a state and a key value) reads what its
    edges' guards read, and what their ends read that the edge does not write. An edge that is a
    loop step leads, beyond it, to ``after_loop`` (None: no loop steps left, so only its guards
    are read: a route stopped by the loop bound is told apart from a stuck one)."""
    changed = True
    while changed:
        changed = False
        for source, dest, loop, read, written in edges:
            if loop:
                ahead = after_loop[dest] if after_loop is not None else 0
            else:
                ahead = live[dest]
            wanted = read | (ahead & ~written)
            if wanted & ~live[source]:
                live[source] |= wanted
                changed = True
    return live


def analyse(
    process: Process, start: str | None = None, target: str | None = None, max_loops: int = 1
) -> RouteReport:
    """Count the routes of ``process`` (see the module docstring for the method)."""
    return RouteSpace(process).report(start, target, max_loops)
