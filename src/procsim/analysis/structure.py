"""Structural checks on a process: what any process file must satisfy."""

from __future__ import annotations

from collections import deque

from procsim.core.model import Process


def reachable_from(process: Process, start: str) -> set[str]:
    """States reachable from ``start`` along transitions, ignoring guards."""
    seen = {start}
    queue = deque([start])
    while queue:
        for transition in process.transitions_from(queue.popleft()):
            if transition.dest not in seen:
                seen.add(transition.dest)
                queue.append(transition.dest)
    return seen


def states_reaching(process: Process, targets: set[str]) -> set[str]:
    """States from which some state in ``targets`` can be reached."""
    incoming: dict[str, set[str]] = {}
    for transition in process.transitions:
        incoming.setdefault(transition.dest, set()).add(transition.source)
    seen = set(targets)
    queue = deque(targets)
    while queue:
        for source in incoming.get(queue.popleft(), ()):
            if source not in seen:
                seen.add(source)
                queue.append(source)
    return seen


def invariant_problems(process: Process) -> list[str]:
    """Every way the process breaks the model's rules, as sentences (empty when sound).

    Every state is reachable from the first; every non-terminal state can reach a
    terminal one and has a way out; terminal states have none; every trigger and
    side event in the catalogue is used; every state, transition, guard and side
    event names its legal basis.
    """
    problems = []
    reachable = reachable_from(process, process.initial)
    for name in process.states:
        if name not in reachable:
            problems.append(f"state '{name}' cannot be reached from '{process.initial}'")
    terminal = {name for name, state in process.states.items() if state.is_terminal}
    can_finish = states_reaching(process, terminal)
    for name, state in process.states.items():
        outgoing = process.transitions_from(name)
        if state.is_terminal and outgoing:
            problems.append(f"terminal state '{name}' has transitions out of it")
        if not state.is_terminal and not outgoing:
            problems.append(f"state '{name}' is not terminal but has no way out")
        if not state.is_terminal and name not in can_finish:
            problems.append(f"state '{name}' cannot reach any terminal state")
        if not state.basis.strip():
            problems.append(f"state '{name}' has no legal basis")
    used = {transition.trigger for transition in process.transitions}
    for name in process.triggers:
        if name not in used:
            problems.append(f"trigger '{name}' is defined but no transition uses it")
    for transition in process.transitions:
        if not transition.basis.strip():
            problems.append(
                f"transition '{transition.trigger}' from '{transition.source}' has no legal basis"
            )
    for name, guard in process.guards.items():
        if not guard.basis.strip() or not guard.reason.strip():
            problems.append(f"guard '{name}' has no legal basis or reason")
    guarded = {g for t in process.transitions for g in t.guards}
    guarded |= {g for s in process.side_events.values() for g in s.guards}
    guarded |= {g for s in process.states.values() for v in s.versions for g in v.guards}
    for name in process.guards:
        if name not in guarded:
            problems.append(f"guard '{name}' is defined but nothing uses it")
    return problems
