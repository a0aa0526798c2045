"""Scenarios: real or hypothetical cases as dated, sourced events.

Plain data; :mod:`procsim.io.scenario_reader` reads them from YAML and
:mod:`procsim.core.engine` replays them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from procsim.core.dates import PartialDate


@frozen
class Source:
    """Where a fact comes from: an article, a judgment, a press release, a statute."""

    id: str
    publisher: str
    title: str
    date: PartialDate
    url: str | None = None
    seed: str | None = None
    citation: str | None = None
    note: str | None = None
    model: str | None = None

    def cite(self) -> str:
        """Publisher, title and date, as a citation line."""
        title = f"{self.title} {self.citation}" if self.citation else self.title
        return f"{self.publisher}, \u201c{title}\u201d, {self.date.human()}"


@frozen
class Account:
    """What some sources say on a point where sources disagree."""

    sources: tuple[str, ...]
    says: str


@frozen
class Discrepancy:
    """A point where sources disagree, and which the scenario follows and why."""

    id: str
    topic: str
    accounts: tuple[Account, ...]
    follows: tuple[str, ...]
    why: str


@frozen
class Event:
    """One dated event of a scenario.

    Exactly one of ``trigger`` (moves the case) and ``side`` (changes facts or
    records context) is set. ``origin`` and ``line`` say where it was written.
    """

    id: str
    date: PartialDate
    actor: str
    summary: str
    sources: tuple[str, ...]
    trigger: str | None = None
    side: str | None = None
    facts: Mapping[str, Any] = {}
    notes: tuple[str, ...] = ()
    unverified: str | None = None
    discrepancies: tuple[Discrepancy, ...] = ()
    origin: str | None = None
    line: int = 0

    @property
    def name(self) -> str:
        return self.trigger or self.side or ""


@frozen
class End:
    """Where a scenario says it ends: a state, concluded or pending as of a date."""

    state: str
    status: str
    as_of: PartialDate | None = None
    line: int = 0


@frozen
class Scenario:
    """A whole scenario, with any ``extends`` already resolved into ``events``.

    ``own_events`` are those written in this scenario's file; ``events`` adds the
    base's events up to the point of divergence.
    """

    id: str
    process: str
    title: str
    kind: str
    summary: str
    sources: Mapping[str, Source]
    initial_facts: Mapping[str, Any]
    events: tuple[Event, ...]
    end: End
    extends: str | None = None
    diverges_after: str | None = None
    own_events: tuple[Event, ...] = ()
    path: str | None = None
