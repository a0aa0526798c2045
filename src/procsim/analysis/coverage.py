"""Which states and transitions a set of replayed scenarios exercises, and which outcomes none reaches.

Pure: takes a :class:`~procsim.core.model.Process` and :class:`~procsim.core.engine.Replay`
results; the CLI finds, loads and replays the scenarios.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from attrs import frozen

from procsim.core.engine import Replay
from procsim.core.model import Process, State, Transition


@frozen
class Coverage:
    """What the scenarios exercise, each entry with the ids of the scenarios that do.

    ``states`` and ``transitions`` list every state and transition of the process
    in process order (transitions by their position in ``process.transitions``);
    ``ends`` maps each state some scenario ends in to those scenarios.
    """

    process: Process
    scenarios: tuple[str, ...]
    states: Mapping[str, tuple[str, ...]]
    transitions: Mapping[int, tuple[str, ...]]
    ends: Mapping[str, tuple[str, ...]]

    @property
    def states_exercised(self) -> list[str]:
        return [name for name, ids in self.states.items() if ids]

    @property
    def states_missed(self) -> list[str]:
        return [name for name, ids in self.states.items() if not ids]

    @property
    def transitions_exercised(self) -> list[int]:
        return [position for position, ids in self.transitions.items() if ids]

    @property
    def transitions_missed(self) -> list[int]:
        return [position for position, ids in self.transitions.items() if not ids]

    def outcomes_missed(self, status: str = "terminal") -> list[State]:
        """Outcomes (``terminal`` or ``provisional``) that no scenario ends in."""
        return [
            state
            for name, state in self.process.states.items()
            if state.status == status and name not in self.ends
        ]

    def outcomes_reached(self, status: str = "terminal") -> list[State]:
        return [
            state
            for name, state in self.process.states.items()
            if state.status == status and name in self.ends
        ]


def coverage(process: Process, replays: Sequence[Replay]) -> Coverage:
    """Tally the states visited, transitions taken and end states of ``replays`` (of ``process``)."""
    positions = {id(transition): i for i, transition in enumerate(process.transitions)}
    states: dict[str, list[str]] = {name: [] for name in process.states}
    transitions: dict[int, list[str]] = {i: [] for i in range(len(process.transitions))}
    ends: dict[str, list[str]] = {}
    ids = []
    for result in replays:
        scenario = result.scenario.id
        ids.append(scenario)
        visited = [process.initial] + [step.after for step in result.steps]
        for name in dict.fromkeys(visited):
            states[name].append(scenario)
        for step in result.steps:
            if step.transition is not None:
                taken = transitions[positions[id(step.transition)]]
                if scenario not in taken:
                    taken.append(scenario)
        ends.setdefault(result.final_state, []).append(scenario)
    return Coverage(
        process,
        tuple(ids),
        {k: tuple(v) for k, v in states.items()},
        {k: tuple(v) for k, v in transitions.items()},
        {k: tuple(v) for k, v in ends.items()},
    )


def describe_transition(process: Process, position: int) -> str:
    """'source --trigger--> dest', with the guards where the same step has several transitions."""
    transition: Transition = process.transitions[position]
    text = f"{transition.source} --{transition.trigger}--> {transition.dest}"
    twins = [
        t
        for t in process.transitions
        if (t.source, t.trigger, t.dest) == (transition.source, transition.trigger, transition.dest)
    ]
    if len(twins) > 1:
        text += f" [{', '.join(transition.guards) or 'no guards'}]"
    return text


__all__ = ["Coverage", "coverage", "describe_transition"]
