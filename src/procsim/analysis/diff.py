"""Two scenarios side by side: the last event they share, then what each does after.

Pure: takes two :class:`~procsim.core.engine.Replay` results.
"""

from __future__ import annotations

from attrs import frozen

from procsim.core.engine import Replay, Step
from procsim.core.scenario import Event


@frozen
class ScenarioDiff:
    """``shared`` leading events are the same in both; ``a_after`` and ``b_after`` follow."""

    a: Replay
    b: Replay
    shared: int

    @property
    def last_shared(self) -> Step | None:
        return self.a.steps[self.shared - 1] if self.shared else None

    @property
    def a_after(self) -> tuple[Step, ...]:
        return self.a.steps[self.shared :]

    @property
    def b_after(self) -> tuple[Step, ...]:
        return self.b.steps[self.shared :]

    @property
    def same(self) -> bool:
        return not self.a_after and not self.b_after


def same_event(first: Event, second: Event) -> bool:
    """The same event: same id, trigger or side event, date and actor (an extension shares its base's)."""
    return (first.id, first.trigger, first.side, first.date, first.actor) == (
        second.id,
        second.trigger,
        second.side,
        second.date,
        second.actor,
    )


def diff(a: Replay, b: Replay) -> ScenarioDiff:
    """Where ``a`` and ``b`` part: the number of leading events they share."""
    shared = 0
    for first, second in zip(a.steps, b.steps, strict=False):
        if not same_event(first.event, second.event) or first.after != second.after:
            break
        shared += 1
    return ScenarioDiff(a, b, shared)


__all__ = ["ScenarioDiff", "diff", "same_event"]
