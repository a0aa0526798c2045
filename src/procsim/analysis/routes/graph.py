"""The graph of nodes (state, facts still possible, loop steps taken) that routes are counted over."""

from __future__ import annotations

import contextlib
import gc
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TypeVar

from procsim.analysis.routes.facts import Region

K = TypeVar("K", bound=Hashable)


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
