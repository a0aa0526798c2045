"""Where the process's cycles begin again (loop steps), and the fact changes side events make."""

from __future__ import annotations

from typing import Any

from procsim.analysis.routes.results import FactChange
from procsim.core.model import Process


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
