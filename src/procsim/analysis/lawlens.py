"""The law-in-force lens: a case's options under the rules of another date.

Pure: reads a replayed case and its process, prints nothing. At each state the
case reached, the options open under the case's own dates are compared with
those open if every rule's period (and the regime) were decided by another date
(:func:`procsim.core.effects.facts_view` with ``law_as_of``); the first event the
other law would not allow is where the case's outcome would differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from procsim.core.dates import PartialDate
from procsim.core.effects import facts_after, facts_view, state_version
from procsim.core.engine import Engine, Replay
from procsim.core.model import Transition


def option_name(transition: Transition) -> str:
    """An option as the lens shows it: the step and the rule it goes by."""
    return f"{transition.trigger} -> {transition.dest} [{transition.basis}]"


def open_options(engine: Engine, state: str, facts: Mapping[str, Any], law: PartialDate | None) -> set[str]:
    """The options open in ``state`` for ``facts`` under the law of ``law`` (None: the case's own dates)."""
    view = facts_view(engine.process, facts, law)
    return {
        option_name(t)
        for t in engine.process.transitions_from(state)
        if not engine.guard_failures(t.guards, view)
    }


@frozen
class LensRow:
    """Where the options under two laws differ: after ``step`` (0: the start), in ``state``."""

    step: int
    event: str
    state: str
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]
    #: the state's dated versions that apply under each law, where they differ (e.g. the panel)
    versions: tuple[str, str] | None = None


@frozen
class LensReport:
    """A case seen under two laws (``first`` None: the case's own dates)."""

    scenario: str
    first: PartialDate | None
    second: PartialDate | None
    rows: tuple[LensRow, ...]
    #: the first event whose step one law allows and the other does not: (step, event id, which law blocks)
    diverges: tuple[int, str, str] | None

    @property
    def differs(self) -> bool:
        return bool(self.rows) or self.diverges is not None


def _version(version: Any) -> str:
    return "no version applies" if version is None else f"{version.description} [{version.basis}]"


def _label(law: PartialDate | None) -> str:
    return "the case's own dates" if law is None else f"the law as of {law.human()}"


def compare_laws(
    engine: Engine, replay: Replay, first: PartialDate | None, second: PartialDate | None
) -> LensReport:
    """Compare the options along a replayed case under two laws."""
    process = engine.process
    initial = {**process.default_facts(), **engine.coerce_facts(replay.scenario.initial_facts)}
    rows: list[LensRow] = []
    diverges: tuple[int, str, str] | None = None
    changes: list[Any] = []
    state = process.initial
    points = [(0, "start", state, dict(initial))]
    for step in replay.steps:
        changes.append(step.changes)
        points.append((step.number, step.event.id, step.after, facts_after(process, initial, changes)))
    for index, (number, event, at, facts) in enumerate(points):
        a, b = open_options(engine, at, facts, first), open_options(engine, at, facts, second)
        va, vb = (state_version(process, process.states[at], facts, law) for law in (first, second))
        versions = None if va == vb else (_version(va), _version(vb))
        if a != b or versions:
            rows.append(LensRow(number, event, at, tuple(sorted(a - b)), tuple(sorted(b - a)), versions))
        if diverges is None and index + 1 < len(points):
            step = replay.steps[index]
            if step.transition is None:
                continue
            before = {**facts, **engine.coerce_facts(step.event.facts)}
            name = option_name(step.transition)
            ok_a = name in open_options(engine, at, before, first)
            ok_b = name in open_options(engine, at, before, second)
            if ok_a != ok_b:
                diverges = (step.number, step.event.id, _label(second if ok_a else first))
    return LensReport(replay.scenario.id, first, second, tuple(rows), diverges)


def lens_lines(report: LensReport) -> list[str]:
    """The report in plain lines (the CLI styles nothing here)."""
    head = f"{report.scenario}: {_label(report.first)} v {_label(report.second)}"
    if not report.differs:
        return [head + ": the same options at every step"]
    lines = [head]
    for row in report.rows:
        where = "at the start" if row.step == 0 else f"after step {row.step} ({row.event})"
        lines.append(f"  {where}, in {row.state}:")
        lines.extend(f"    only under {_label(report.first)}: {o}" for o in row.only_first)
        lines.extend(f"    only under {_label(report.second)}: {o}" for o in row.only_second)
        if row.versions:
            lines.append(f"    rules under {_label(report.first)}: {row.versions[0]}")
            lines.append(f"    rules under {_label(report.second)}: {row.versions[1]}")
    if report.diverges:
        number, event, law = report.diverges
        lines.append(f"  outcome differs: step {number} ({event}) is not open under {law}")
    return lines
