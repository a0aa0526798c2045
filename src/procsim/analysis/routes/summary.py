"""Route counting with regions summarised: each stretch of a route through a region (the courts)
is counted once per pattern of the facts that region reads, not once per history that leads there.

**Regions** (:func:`choose_regions`) are groups of the process's forums: linked forums join when
together their steps read at most one fact more than either alone (judicial review, the Court of
Appeal and the Supreme Court: one chain of proceedings on one decision, reading the same few
facts), and a group is summarised when its steps read at most a third of the facts. The choice is only
about speed: any choice gives the same counts and shortest routes (the tests try random ones).

Inside a region, guards read, and steps and side events write, only the region's *local* facts
(the courts: whether a quashing order is in force, where the proceedings paused, ...). The other
facts are *passengers*: carried through unread, needed again only where a route leaves the region
(a remittal back to the panel reads the finding and the sanction). A node entering the region,
(state, facts, loop steps), is split box by box into its local part and its passengers, and the
passenger parts that come with the same local facts share one *tag*. Every box evolves on its own
(a guard narrows a box, a step rewrites it, a side event widens it or adds a changed copy,
forgetting frees its dead fields), so the region is walked with the tagged local facts alone,
and every entry with the same tagged local facts shares the walk: its exits, with how many routes lead to each and the shortest of them (ties: the process's
order of steps), the outcomes reached inside, and the routes stopped or stuck there. Where a route
leaves, the passengers are put back, tag by tag, and the step out is taken on the whole facts.

A passenger a node inside the region forgets (no guard can read it again) is forgotten again where
the route leaves (liveness only shrinks along a route that does not write the fact), so putting
back the passenger as it entered gives the same facts where the route leaves. Whether a step out
can happen, and so whether a route with no step on inside is stuck, depends on the passengers:
that is decided where the passengers are put back.

The counts are those of :meth:`RouteSpace.graph` (the tests check it); only the nodes differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from procsim.analysis.routes.facts import Region
from procsim.core.model import Process


class BoxSpace(Protocol):
    """What summarising needs of the route space (:class:`~procsim.analysis.routes.space.RouteSpace`):
    its facts as bit fields, and its one home for each step's effect on them."""

    process: Process
    full: int
    fields: tuple[int, ...]
    _key_field: int
    _changes_at: dict[str, tuple]
    _move_parts: list[tuple[str, str, int, tuple[int, ...]]]
    _sets: list[tuple[int, int]]

    def normalise(self, boxes: Sequence[int]) -> Region: ...
    def closure(self, region: Region, state: str) -> Region: ...
    def step(self, region: Region, move: int) -> Region: ...
    def successors(
        self, key: tuple[str, Region, int], max_loops: int, reaches: set[str] | None = None
    ) -> Any: ...
    def _plan_for(self, state: str, loops: int, max_loops: int) -> list[tuple]: ...
    def _move_on(
        self,
        facts: Sequence[int],
        ops: Sequence[tuple[int, int, Region | None]],
        dead: dict[int, int],
        dest: str,
        loops_left: int,
    ) -> Region: ...
    def _boxes_after(
        self, region: Sequence[int], ops: Sequence[tuple[int, int, Region | None]]
    ) -> list[int]: ...
    def _reads(self, guards: Sequence[str]) -> int: ...
    def _change_reads(self, state: str) -> int: ...


#: a node: (state, facts, loop steps taken); inside a region the facts are tagged local parts
Key = tuple
#: per tag, the passenger parts it carries
Carried = tuple[tuple[int, ...], ...]
#: the best route so far: (length, move numbers)
Best = tuple[int, tuple[int, ...]]


def local_fields(space: BoxSpace, states: set[str]) -> int:
    """The fields a region of ``states`` reads or writes inside: its steps' guards and writes, its
    side events' facts and guards, and the key facts (which decide what a node forgets)."""
    fields = space._key_field
    for position, transition in enumerate(space.process.transitions):
        if transition.source in states and transition.dest in states:
            fields |= space._reads(transition.guards) | space._sets[position][0]
    for state in states:
        fields |= space._change_reads(state)
        for _, index, *_ in space._changes_at[state]:
            fields |= space.fields[index]
    return fields


def choose_regions(space: BoxSpace) -> tuple[dict[str, int], list[int]]:
    """(region per state, for states in a summarised region; each region's local fields)."""
    process = space.process
    forums = list(dict.fromkeys(state.forum for state in process.states.values()))
    members = {
        forum: {name for name, state in process.states.items() if state.forum == forum} for forum in forums
    }

    def facts_in(fields: int) -> int:
        return sum(1 for field in space.fields if fields & field)

    width = {forum: facts_in(local_fields(space, members[forum])) for forum in forums}
    links = sorted(
        {
            tuple(sorted((process.states[t.source].forum, process.states[t.dest].forum)))
            for t in process.transitions
            if process.states[t.source].forum != process.states[t.dest].forum
        },
        key=lambda pair: (width[pair[0]] + width[pair[1]], pair),
    )
    group = {forum: forum for forum in forums}
    for first, second in links:
        a, b = group[first], group[second]
        if a == b:
            continue
        joined = members[a] | members[b]
        joined_width = facts_in(local_fields(space, joined))
        if joined_width <= max(width[a], width[b]) + 1:
            members[a], width[a] = joined, joined_width
            for forum, leader in group.items():
                if leader == b:
                    group[forum] = a
    region_of: dict[str, int] = {}
    local: list[int] = []
    for leader in dict.fromkeys(group.values()):
        fields = local_fields(space, members[leader])
        if 3 * facts_in(fields) <= len(space.fields):
            for state in members[leader]:
                region_of[state] = len(local)
            local.append(fields)
    return region_of, local


class _Summary:
    """What lies ahead of a node inside a region, on the local facts alone.

    ``exits``: per way out (its number in ``_exit_info``: the move, the loop steps taken, the
    tagged facts where it is taken), how many routes inside lead to it and the shortest, move out
    included. ``ends``: per outcome inside, the routes that reach it and the shortest.
    ``leaves``: nodes with no step on inside whose fate (stuck, stopped, or going on out)
    depends on the passengers, with their routes.
    """

    __slots__ = ("bounded", "ends", "exits", "leaves", "stuck")

    def __init__(self) -> None:
        self.exits: dict[int, list] = {}
        self.ends: dict[str, list] = {}
        self.leaves: dict[int, int] = {}
        self.bounded = 0
        self.stuck = 0


def _prefixed(into: dict[Any, list[Any]], below: dict[Any, list[Any]], number: int) -> None:
    """Add to ``into`` (key -> [routes, length, moves of the shortest]) what ``below`` holds for a
    child reached by move ``number``. The steps on are taken in the process's order
    (``moves_from``), so a route found through an earlier step wins a tie: only a shorter one
    replaces it."""
    for key, (count, length, moves) in below.items():
        entry = into.get(key)
        if entry is None:
            into[key] = [count, length + 1, (number, *moves)]
        else:
            entry[0] += count
            if length + 1 < entry[1]:
                entry[1], entry[2] = length + 1, (number, *moves)


def _better(candidate_length: int, candidate: tuple[int, ...], entry: list[Any]) -> None:
    """Keep in ``entry`` (count, length, moves) the shorter route, or the first in the process's order."""
    if candidate_length < entry[1] or (candidate_length == entry[1] and candidate < entry[2]):
        entry[1], entry[2] = candidate_length, candidate


class SummarisedCount:
    """Counts and shortest routes from ``start`` with regions summarised (see the module docstring)."""

    def __init__(
        self,
        space: BoxSpace,
        max_loops: int,
        ends: set[str],
        reaches: set[str] | None,
        region_of: dict[str, int],
        local: Sequence[int],
    ) -> None:
        self.space = space
        self.max_loops = max_loops
        self.ends = ends
        self.reaches = reaches
        self.region_of = region_of
        self.local = local
        self._memo: dict[Key, _Summary] = {}
        self._exit_ids: dict[tuple, int] = {}
        #: per way out: (destination, loop steps after it, its transitions' ops, the destination's
        #: forgetting table, the tagged facts where it is taken)
        self._exit_info: list[tuple] = []
        #: per way out: passengers (their number) -> the node reached, or None where it cannot be taken
        self._left: list[dict[int, Key | None]] = []
        self._fates: dict[tuple[int, int], str] = {}
        self._carried: dict[Carried, int] = {}
        self._leaf_info: list[tuple] = []

    # ------------------------------------------------------------ inside a region
    def _enter(self, key: Key) -> tuple[Key, Carried]:
        """An entry node as (tagged local key, the passengers of each tag)."""
        state, facts, loops = key
        local = self.local[self.region_of[state]]
        full = self.space.full
        passengers = full & ~local
        grouped: dict[int, list[int]] = {}
        for box in facts:
            grouped.setdefault(box & passengers, []).append((box & local) | passengers)
        normalise = self.space.normalise
        # passengers whose local facts are the same evolve alike: one tag for them all
        tags: dict[Region, list[int]] = {}
        for carried_part, boxes in grouped.items():
            tags.setdefault(normalise(boxes), []).append(carried_part)
        ordered = sorted(tags.items())
        return (state, tuple(t[0] for t in ordered), loops), tuple(tuple(sorted(t[1])) for t in ordered)

    def _summary(self, first: Key) -> _Summary:
        memo = self._memo
        found = memo.get(first)
        if found is not None:
            return found
        stack: list[tuple[Key, tuple | None]] = [(first, None)]
        while stack:
            key, expanded = stack[-1]
            if key in memo:
                stack.pop()
                continue
            if expanded is None:
                expanded = self._expand(key)
                stack[-1] = (key, expanded)
                waiting = [child for _, child in expanded[0] if child not in memo]
                if waiting:
                    stack.extend((child, None) for child in waiting)
                    continue
            stack.pop()
            memo[key] = self._combine(key, expanded)
        return memo[first]

    def _expand(self, key: Key) -> tuple:
        """(steps on inside: (move, child key)), (ways out: (move, exit key)), held loop steps,
        from a node inside a region."""
        space = self.space
        state, tagged, loops = key
        region = self.region_of[state]
        closed = tagged
        if space._changes_at[state]:
            closed = tuple(space.closure(facts, state) if facts else facts for facts in tagged)
        plan = space._plan_for(state, loops, self.max_loops)
        inside, out, held = [], [], []
        boxes_after, move_on, reaches = space._boxes_after, space._move_on, self.reaches
        for number, dest, used, ops, dead in plan:
            if reaches is not None and dest not in reaches:
                continue
            if ops is None:
                held.append(number)
                continue
            if self.region_of.get(dest) == region:
                left = self.max_loops - used
                after = tuple(move_on(facts, ops, dead, dest, left) if facts else () for facts in closed)
                if any(after):
                    inside.append((number, (dest, after, used)))
            else:
                # a tag whose local facts rule the step out rules it out whatever its passengers
                kept = tuple(facts if facts and boxes_after(facts, ops) else () for facts in closed)
                if not any(kept):
                    continue
                exit_key = (number, loops, kept)
                exit_id = self._exit_ids.get(exit_key)
                if exit_id is None:
                    exit_id = self._exit_ids[exit_key] = len(self._exit_info)
                    self._exit_info.append((dest, used, ops, dead, kept))
                    self._left.append({})
                out.append((number, exit_id))
        return inside, out, held

    def _combine(self, key: Key, expanded: tuple) -> _Summary:
        inside, out, held = expanded
        state = key[0]
        summary = _Summary()
        if state in self.ends:
            summary.ends[state] = [1, 0, ()]
        for number, exit_key in out:
            summary.exits[exit_key] = [1, 1, (number,)]
        if not inside and state not in self.ends:
            held_out = [
                n for n in held if self.region_of.get(self.space._move_parts[n][1]) != self.region_of[state]
            ]
            if out or held_out:
                summary.leaves[len(self._leaf_info)] = 1
                self._leaf_info.append((key, [e for _, e in out], held))
            elif any(facts and self.space.step(facts, n) for n in held for facts in key[1]):
                summary.bounded = 1
            else:
                summary.stuck = 1
        memo, leaves = self._memo, summary.leaves
        for number, child in inside:
            below = memo[child]
            _prefixed(summary.exits, below.exits, number)
            _prefixed(summary.ends, below.ends, number)
            for leaf, count in below.leaves.items():
                leaves[leaf] = leaves.get(leaf, 0) + count
            summary.bounded += below.bounded
            summary.stuck += below.stuck
        return summary

    # ------------------------------------------------------------ where routes leave
    def _whole(self, tagged: tuple[Region, ...], carried: Carried, local: int) -> list[int]:
        """The boxes of tagged local facts with their passengers put back."""
        return [
            box & (local | one)
            for facts, passengers in zip(tagged, carried, strict=True)
            for box in facts
            for one in passengers
        ]

    def _leave(self, exit_id: int, carried: Carried, carried_id: int, local: int) -> Key | None:
        """The node a route reaches by way out ``exit_id`` with these passengers (None: it cannot);
        looked up once per (way out, passengers): many entries share both."""
        left = self._left[exit_id]
        if carried_id in left:
            return left[carried_id]
        dest, used, ops, dead, tagged = self._exit_info[exit_id]
        after = self.space._move_on(
            self._whole(tagged, carried, local), ops, dead, dest, self.max_loops - used
        )
        child = (dest, after, used) if after else None
        left[carried_id] = child
        return child

    def _leaf_fate(self, leaf: int, carried: Carried, carried_id: int, local: int) -> str:
        """'bounded' when a loop step held back by the loop bound could happen at a leaf from
        which no step out can, else 'stuck'; once per (leaf, passengers)."""
        key = (leaf, carried_id)
        fate = self._fates.get(key)
        if fate is not None:
            return fate
        space = self.space
        (state, tagged, _loops), _exits, held = self._leaf_info[leaf]
        fate = "stuck"
        for number in held:
            if not any(facts and space.step(facts, number) for facts in tagged):
                continue  # ruled out by the local facts, whatever the passengers
            inside = self.region_of.get(space._move_parts[number][1]) == self.region_of[state]
            if inside or space.step(space.normalise(self._whole(tagged, carried, local)), number):
                fate = "bounded"
                break
        self._fates[key] = fate
        return fate

    # ------------------------------------------------------------ the whole count
    def run(self, first: Key) -> tuple[dict[str, int], dict[str, tuple[int, ...]], int, int, int]:
        """(routes per end, the shortest route's moves per end, stopped by the loop bound, stuck, nodes)."""
        space, max_loops, reaches = self.space, self.max_loops, self.reaches
        ids: dict[Key, int] = {first: 0}
        keys: list[Key] = [first]
        #: per node: (its moves, child, routes) -- one move, or a route through a region
        edges: list[list[tuple[tuple[int, ...], int, int]]] = []
        #: per node entering a region: its summary, and the routes stopped and stuck at its leaves
        entered: dict[int, tuple[_Summary, int, int]] = {}
        bounded_nodes: set[int] = set()

        def node_of(child_key: Key) -> int:
            child = ids.get(child_key)
            if child is None:
                child = ids[child_key] = len(keys)
                keys.append(child_key)
            return child

        node = 0
        while node < len(keys):
            key = keys[node]
            region = self.region_of.get(key[0])
            if region is None:
                found, held = space.successors(key, max_loops, reaches)
                out: list[tuple[tuple[int, ...], int, int]] = []
                for number, child_key in found:
                    child = ids.get(child_key)
                    if child is None:  # a new node, as node_of adds it
                        child = ids[child_key] = len(keys)
                        keys.append(child_key)
                    out.append(((number,), child, 1))
                edges.append(out)
                if not found and any(space.step(key[1], number) for number in held):
                    bounded_nodes.add(node)
            else:
                summary, through, bounded, stuck = self._through(key, region, node_of)
                edges.append(through)
                entered[node] = (summary, bounded, stuck)
            node += 1
        return self._totals(keys, edges, entered, bounded_nodes)

    def _through(
        self, key: Key, region: int, node_of: Callable[[Key], int]
    ) -> tuple[_Summary, list[tuple[tuple[int, ...], int, int]], int, int]:
        """A node entering ``region``: its summary, its routes out to each node beyond (moves of
        the shortest, child, routes), and the routes stopped and stuck at leaves inside."""
        local = self.local[region]
        tagged, carried = self._enter(key)
        carried_id = self._carried.setdefault(carried, len(self._carried))
        summary = self._summary(tagged)
        merged: dict[int, list] = {}
        blocked: set[int] = set()  # the ways out these passengers rule out
        for exit_id, (count, length, moves) in summary.exits.items():
            child_key = self._leave(exit_id, carried, carried_id, local)
            if child_key is None:
                blocked.add(exit_id)
                continue
            child = node_of(child_key)
            entry = merged.get(child)
            if entry is None:
                merged[child] = [count, length, moves]
            else:
                entry[0] += count
                _better(length, moves, entry)
        fates = {"bounded": 0, "stuck": 0}
        leaf_info = self._leaf_info
        for leaf, count in summary.leaves.items():
            # a leaf with a way out these passengers allow goes on (its routes are in ``out``)
            if not all(exit_id in blocked for exit_id in leaf_info[leaf][1]):
                continue
            fates[self._leaf_fate(leaf, carried, carried_id, local)] += count
        out = [(moves, child, count) for child, (count, _length, moves) in merged.items()]
        return summary, out, fates["bounded"], fates["stuck"]

    def _totals(
        self,
        keys: list[Key],
        edges: list[list[tuple[tuple[int, ...], int, int]]],
        entered: dict[int, tuple[_Summary, int, int]],
        bounded_nodes: set[int],
    ) -> tuple[dict[str, int], dict[str, tuple[int, ...]], int, int, int]:
        """Routes per end, the shortest to each, stopped and stuck routes (parents before children:
        routes to a node, and the shortest, are known before it passes them on)."""
        reach = [0] * len(keys)
        reach[0] = 1
        best: list[Best] = [(0, ())] * len(keys)  # a placeholder until a parent sets it
        counts: dict[str, int] = {}
        shortest: dict[str, Best] = {}
        bounded = stuck = 0

        def arrive(end: str, routes: int, candidate: Best) -> None:
            counts[end] = counts.get(end, 0) + routes
            if end not in shortest or candidate < shortest[end]:
                shortest[end] = candidate

        reached = [False] * len(keys)
        reached[0] = True
        for node in _topological(edges):
            number = reach[node]
            length, moves = best[node]
            if node in entered:
                summary, leaf_bounded, leaf_stuck = entered[node]
                for end, (count, inner_length, inner_moves) in summary.ends.items():
                    arrive(end, number * count, (length + inner_length, moves + inner_moves))
                bounded += number * (summary.bounded + leaf_bounded)
                stuck += number * (summary.stuck + leaf_stuck)
            else:
                state = keys[node][0]
                if state in self.ends:
                    arrive(state, number, (length, moves))
                elif not edges[node]:
                    if node in bounded_nodes:
                        bounded += number
                    else:
                        stuck += number
            for step_moves, child, count in edges[node]:
                reach[child] += number * count
                candidate_length = length + len(step_moves)
                current_length, current = best[child]
                if not reached[child] or candidate_length < current_length:
                    best[child] = (candidate_length, moves + step_moves)
                    reached[child] = True
                elif candidate_length == current_length and moves + step_moves < current:
                    best[child] = (candidate_length, moves + step_moves)
        nodes = len(keys) + len(self._memo)
        return counts, {end: moves for end, (_, moves) in shortest.items()}, bounded, stuck, nodes


def _topological(edges: list[list[tuple[tuple[int, ...], int, int]]]) -> list[int]:
    """The nodes reachable from node 0, each before its children (the graph has no cycles)."""
    seen = [False] * len(edges)
    seen[0] = True
    post: list[int] = []
    stack = [(0, iter(edges[0]))]
    while stack:
        node, children = stack[-1]
        for _, child, _ in children:
            if not seen[child]:
                seen[child] = True
                stack.append((child, iter(edges[child])))
                break
        else:
            stack.pop()
            post.append(node)
    post.reverse()
    return post
