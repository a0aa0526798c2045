"""The intermediate representation of a diagram: plain data, no drawing.

:mod:`procsim.render.diagram.extract` builds it from the process and replays;
the renderers (:mod:`~procsim.render.diagram.dot`, :mod:`~procsim.render.diagram.mermaid`,
:mod:`~procsim.render.diagram.timeline`) turn it into text or pictures. Tests assert
on this representation, not on pixels.

Text held here is as written in the process and scenario files: unescaped and
unwrapped. Each renderer escapes and wraps it for its own format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

# What a diagram is of.
KINDS = ("process", "forum", "overview", "path", "compare", "timeline")
# How much of the process a path or comparison shows around the case:
# "near": the path's stages and the stages one step away from them (the ways not
# taken), each forum's other stages counted; "full": every stage of every forum visited.
CONTEXTS = ("near", "full")


@dataclass(frozen=True)
class StepMark:
    """One step of a scenario, as a diagram shows it: its number and date."""

    number: int
    date: str  # as written: "2021-10-05", "2021-10" or "2021"
    date_text: str  # "5 Oct 2021", "Oct 2021" or "2021"
    label: str  # the trigger's or side event's plain-English label
    branch: int = -1  # the branch (scenario) it belongs to; -1: shared, or a single path
    summary: str = ""  # for side events: what happened

    def text(self) -> str:
        return f"{self.number}. {self.date_text}"


@dataclass(frozen=True)
class Way:
    """A way not taken from a stage on a path: the state another transition leads to."""

    state: str
    label: str
    status: str  # ongoing, provisional or terminal
    forum: str = ""  # the other forum's label, when the way leads out of the stage's forum
    forum_index: int = -1  # the forum's place (its colour)


@dataclass(frozen=True)
class Node:
    """A box in the diagram: a state, a forum (in the overview), or a junction.

    ``kind`` is ``state``, ``start`` (the initial marker), ``junction`` (where
    many same-named transitions from a group of states meet), ``exit`` (where an
    arrow leaves the forum: it names the state it leads to), ``entry`` (arrows
    arriving from other forums), ``forum`` (a whole forum as one node),
    ``notes`` (side events listed beside a state) or ``ways`` (on a path: the
    ways not taken from the stage it hangs from).
    """

    id: str
    label: str
    kind: str = "state"
    status: str = ""  # for states: ongoing, provisional or terminal
    cluster: str | None = None
    faint: bool = False  # drawn as context, off the scenario's path
    on_path: bool = False
    branches: tuple[int, ...] = ()  # which branches visit it (comparison)
    marks: tuple[str, ...] = ()  # initial, final, divergence
    final_note: str = ""  # "concluded" or "pending as of 30 June 2025"
    lines: tuple[str, ...] = ()  # extra lines: a forum's summary, side events
    forum_index: int = -1  # for exits, entries and forums: the forum's place (its colour)
    tooltip: str = ""
    ways: tuple[Way, ...] = ()  # for ``ways``: the ways not taken from the stage above


@dataclass(frozen=True)
class Edge:
    """An arrow. ``kind`` is ``move`` (a transition), ``back`` (to an earlier
    forum: a remittal or reconsideration), ``member`` (a state joining a
    junction), ``bundle`` (from a junction), ``start``, ``note`` or ``ways``.
    """

    source: str
    dest: str
    label: str = ""
    kind: str = "move"
    guards: tuple[str, ...] = ()  # the guards' short labels
    triggers: tuple[str, ...] = ()
    count: int = 1  # how many transitions it stands for (overview)
    faint: bool = False
    on_path: bool = False
    branch: int = -1  # -1: shared (or the single path); else the branch index
    steps: tuple[StepMark, ...] = ()


@dataclass(frozen=True)
class Cluster:
    """A forum: a box around its states."""

    id: str
    label: str
    nodes: tuple[str, ...]
    index: int  # the forum's position in the process (for its colour)
    faint: bool = False
    hidden: int = 0  # the forum's stages left out (a path drawn with its near context): "+N other stages"


@dataclass(frozen=True)
class Branch:
    """One scenario of a comparison (or the only one of a path diagram)."""

    index: int
    scenario: str
    title: str
    kind: str  # real or hypothetical
    final_state: str
    final_note: str
    letter: str = ""


@dataclass(frozen=True)
class LegendEntry:
    """One line of the legend; ``style`` is a key the renderers know."""

    style: str
    label: str
    branch: int = -1


@dataclass(frozen=True)
class Diagram:
    """A whole diagram of states and arrows."""

    kind: str
    name: str  # a file stem, e.g. "oconnor" or "process-overview"
    title: str
    subtitle: str = ""
    rankdir: str = "LR"
    clusters: tuple[Cluster, ...] = ()
    nodes: tuple[Node, ...] = ()
    edges: tuple[Edge, ...] = ()
    legend: tuple[LegendEntry, ...] = ()
    branches: tuple[Branch, ...] = ()
    side_events: tuple[StepMark, ...] = ()
    divergence: str | None = None  # the state where the branches part
    divergence_after: StepMark | None = None  # the last shared step
    same_rank: tuple[tuple[str, ...], ...] = ()  # nodes drawn side by side

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def path_edges(self, branch: int | None = None) -> list[Edge]:
        """Edges on a path, in the order of their first step."""
        edges = [e for e in self.edges if e.on_path and e.steps and (branch is None or e.branch == branch)]
        return sorted(edges, key=lambda e: (e.steps[0].number, e.branch))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------- timeline
@dataclass(frozen=True)
class TimelineEvent:
    """A step placed on the time axis.

    ``when`` is where it is drawn; ``earliest`` and ``latest`` bound what its
    (possibly coarse) date allows, narrowed by its neighbours' dates.
    """

    number: int
    date: str
    date_text: str
    label: str
    when: dt.date
    earliest: dt.date
    latest: dt.date
    moved: bool  # a transition (True) or a side event (False)
    state: str  # the state after the step
    forum: str
    precise: bool  # dated to the day


@dataclass(frozen=True)
class Stage:
    """A stretch of time the case spent in one forum (consecutive states)."""

    forum: str
    label: str  # the forum's label
    index: int  # the forum's position in the process
    start: dt.date
    end: dt.date
    start_text: str
    end_text: str
    duration: str  # "about 11 months", "344 days (11 months)"
    states: tuple[str, ...]
    waiting: bool = False  # the case sat on a decision that stood unless challenged
    before_process: bool = False  # the time before anything moved the case (the incident)
    open_ended: bool = False  # still running at the scenario's as_of date


@dataclass(frozen=True)
class Gap:
    """The time between two day-dated steps, e.g. 3290 days from incident to complaint."""

    start: dt.date
    end: dt.date
    from_step: int
    to_step: int
    from_label: str
    to_label: str
    days: int
    text: str  # "3290 days (9 years)"


@dataclass(frozen=True)
class Departure:
    """Where a scenario that extends another leaves it: after the last step they share."""

    base: str  # the scenario it extends, e.g. "oconnor"
    after_step: int  # the number of the last shared step
    when: dt.date  # where that step is drawn
    date_text: str
    label: str

    def text(self) -> str:
        return f"leaves {self.base} here, after step {self.after_step} ({self.label})"


@dataclass(frozen=True)
class Timeline:
    """A scenario on a dated axis: stages, events and the gaps between them."""

    kind: str
    name: str
    title: str
    subtitle: str
    scenario: str
    events: tuple[TimelineEvent, ...]
    stages: tuple[Stage, ...]
    gaps: tuple[Gap, ...]
    lanes: tuple[tuple[str, str, int], ...]  # (forum, label, index) top to bottom
    start: dt.date
    end: dt.date
    final_note: str
    breaks: tuple[tuple[dt.date, dt.date], ...] = field(default=())  # axis breaks
    departure: Departure | None = None  # for a scenario that extends another: where it leaves it

    def to_json(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
