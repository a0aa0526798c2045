"""Build diagrams' intermediate representation from the process and replays.

Nothing here draws or reads files: each function takes the model (and, for a
case, its :class:`~procsim.core.engine.Replay`) and returns a
:class:`~procsim.render.diagram.ir.Diagram` or :class:`~procsim.render.diagram.ir.Timeline`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from procsim.core.dates import MONTHS, PartialDate, describe_gap
from procsim.core.engine import Replay, Step
from procsim.core.model import Process, Transition
from procsim.core.scenario import Scenario
from procsim.render.diagram.ir import (
    CONTEXTS,
    Branch,
    Cluster,
    Departure,
    Diagram,
    Edge,
    Gap,
    LegendEntry,
    Node,
    Stage,
    StepMark,
    Timeline,
    TimelineEvent,
    Way,
)

START = "__start__"
# Transitions that share a trigger, destination and guards and leave from at
# least this many states are drawn through one junction, labelled once.
JUNCTION_MIN = 4
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# ---------------------------------------------------------------------- helpers
def short_date(date: PartialDate) -> str:
    """'5 Oct 2021', 'Oct 2021' or '2021'."""
    if date.month is None:
        return str(date.year)
    month = MONTHS[date.month - 1][:3]
    return f"{date.day} {month} {date.year}" if date.day else f"{month} {date.year}"


def forum_order(process: Process) -> dict[str, int]:
    return {name: index for index, name in enumerate(process.forums)}


def final_note(replay: Replay) -> str:
    end = replay.scenario.end
    if end.status == "pending":
        return "pending as of " + (short_date(end.as_of) if end.as_of else "an unknown date")
    status = replay.scenario.end.status
    return "concluded" if status == "concluded" else status


# A way back is a decision quashed and decided again: a move into an earlier forum from a
# state of this group (the process's quashed-and-remitted states). Other moves into an earlier
# forum (a judicial review of a barred-list decision, a meeting referring the officer back to the
# force) are moves like any other.
WAY_BACK_GROUP = "remitted_matters"
BACK_LABEL = "a way back: a decision quashed and decided again"


def is_way_back(process: Process, transition: Transition) -> bool:
    """Whether a transition is a way back: a quashed decision sent back to an earlier forum."""
    order = forum_order(process)
    source, dest = process.states[transition.source].forum, process.states[transition.dest].forum
    return order[dest] < order[source] and transition.source in process.groups.get(WAY_BACK_GROUP, ())


def _guard_labels(process: Process, transition: Transition) -> tuple[str, ...]:
    return tuple(process.guards[name].label for name in transition.guards)


def _humanise(name: str) -> str:
    return name.replace("_", " ")


def _state_node(process: Process, name: str, **changes) -> Node:
    state = process.states[name]
    return Node(
        id=name,
        label=state.label,
        kind="state",
        status=state.status,
        cluster=state.forum,
        tooltip=state.description,
        **changes,
    )


def _clusters(process: Process, states: Iterable[str], faint: bool = False) -> tuple[Cluster, ...]:
    order = forum_order(process)
    members: dict[str, list[str]] = {forum: [] for forum in process.forums}
    for name in states:
        members[process.states[name].forum].append(name)
    return tuple(
        Cluster(
            id=forum, label=process.forums[forum].label, nodes=tuple(names), index=order[forum], faint=faint
        )
        for forum, names in members.items()
        if names
    )


def _in_use(
    entries: list[LegendEntry], nodes: Sequence[Node], edges: Sequence[Edge]
) -> tuple[LegendEntry, ...]:
    """The legend entries for what the diagram shows."""
    shown = {n.status for n in nodes if n.kind == "state"} | {n.kind for n in nodes}
    shown |= {e.kind for e in edges} | ({"guard"} if any(e.guards for e in edges) else set())
    shown |= {"move"}
    return tuple(entry for entry in entries if entry.style in shown)


def _status_legend() -> list[LegendEntry]:
    return [
        LegendEntry("ongoing", "a stage in progress"),
        LegendEntry("provisional", "a decision: concluded unless challenged"),
        LegendEntry("terminal", "final: nothing can follow"),
    ]


# ---------------------------------------------------------------------- transitions to edges
def _transition_edges(
    process: Process,
    transitions: Sequence[Transition],
    *,
    faint: bool = False,
    dest_of=None,
    label_of=None,
    prefix: str = "",
) -> tuple[list[Node], list[Edge]]:
    """Edges for transitions; fans of same-named arrows into one destination go through a junction.

    ``dest_of`` maps a transition to the node it is drawn to (by default its
    destination state); ``label_of`` to its label and guards.
    """
    dest_of = dest_of or (lambda t: t.dest)
    label_of = label_of or (lambda t: (process.triggers[t.trigger].label, _guard_labels(process, t)))
    # 1. group by what the arrow says and where it goes
    fans: OrderedDict[tuple, list[Transition]] = OrderedDict()
    for transition in transitions:
        label, guards = label_of(transition)
        fans.setdefault((label, guards, dest_of(transition)), []).append(transition)
    # 2. a wide fan goes through a junction; fans from the same states share one
    named = {frozenset(members): group for group, members in sorted(process.groups.items())}
    junctions: OrderedDict[tuple[str, ...], str] = OrderedDict()  # members -> group name or ""
    plan: dict[tuple, tuple[str, ...]] = {}
    for key, items in fans.items():
        sources = tuple(OrderedDict.fromkeys(t.source for t in items))
        if len(sources) < JUNCTION_MIN:
            continue
        members = next((m for m in junctions if set(m) == set(sources)), sources)
        junctions.setdefault(members, named.get(frozenset(members), ""))
        plan[key] = members
    nodes: list[Node] = []
    edges: list[Edge] = []
    ids: dict[tuple[str, ...], str] = {}
    for index, (members, name) in enumerate(junctions.items()):
        node_id = f"{prefix}junction_{index + 1}"
        ids[members] = node_id
        label = f"any of the {len(members)} {_humanise(name)}" if name else f"any of these {len(members)}"
        nodes.append(
            Node(
                id=node_id,
                label=label,
                kind="junction",
                faint=faint,
                cluster=_junction_forum(process, members, fans, plan),
            )
        )
        edges.extend(Edge(member, node_id, kind="member", faint=faint) for member in members)
    for key, items in fans.items():
        label, guards, dest = key
        members = plan.get(key, ())
        rest = [t for t in items if t.source not in members]
        if members:
            back = all(is_way_back(process, t) for t in items if t.source in members)
            edges.append(
                Edge(
                    ids[members],
                    dest,
                    label=label,
                    kind="back" if back else "bundle",
                    guards=guards,
                    triggers=tuple(OrderedDict.fromkeys(t.trigger for t in items)),
                    count=len(items) - len(rest),
                    faint=faint,
                )
            )
        for transition in rest:
            back = is_way_back(process, transition)
            edges.append(
                Edge(
                    transition.source,
                    dest,
                    label=label,
                    kind="back" if back else "move",
                    guards=guards,
                    triggers=(transition.trigger,),
                    faint=faint,
                )
            )
    return nodes, edges


def _junction_forum(process: Process, members: tuple[str, ...], fans, plan) -> str | None:
    """The forum a junction is drawn in: where most of the states it joins are."""
    counts: dict[str, int] = {}
    for key, chosen in plan.items():
        if chosen == members and key[2] in process.states:
            forum = process.states[key[2]].forum
            counts[forum] = counts.get(forum, 0) + 2  # destinations weigh more: it leads there
    for member in members:
        forum = process.states[member].forum
        counts[forum] = counts.get(forum, 0) + 1
    if not counts:
        return None
    order = forum_order(process)
    return max(counts, key=lambda forum: (counts[forum], -order[forum]))


# ---------------------------------------------------------------------- the whole process
def exit_id(forum: str, dest: str) -> str:
    return f"exit_{forum}_{dest}"


def _lane(process: Process, forum: str) -> tuple[list[Node], list[Edge]]:
    """One forum's states and transitions; arrows that leave the forum end at an exit
    that names the state (and forum) they lead to."""
    inside = {name for name, state in process.states.items() if state.forum == forum}
    leaving = [t for t in process.transitions if t.source in inside]
    nodes = [
        _state_node(process, name, marks=("initial",) if name == process.initial else ())
        for name in process.states
        if name in inside
    ]

    def dest_of(transition: Transition) -> str:
        return transition.dest if transition.dest in inside else exit_id(forum, transition.dest)

    junctions, edges = _transition_edges(process, leaving, dest_of=dest_of, prefix=f"{forum}_")
    exits = list(OrderedDict.fromkeys(t.dest for t in leaving if t.dest not in inside))
    exits.sort(key=_exit_key(process))
    nodes.extend(_exit_node(process, forum, dest) for dest in exits)
    return nodes + junctions, edges


def _exit_node(process: Process, forum: str, dest: str, faint: bool = False) -> Node:
    """A tab in ``forum`` naming the state, in another forum, that an arrow leads to."""
    state = process.states[dest]
    other = process.forums[state.forum].label
    return Node(
        id=exit_id(forum, dest),
        label=state.label,
        kind="exit",
        status=state.status,
        cluster=forum,
        lines=(other,),
        forum_index=forum_order(process)[state.forum],
        faint=faint,
        tooltip=f"continues in {other}: {state.label}",
    )


def _exit_key(process: Process):
    """Exits in the order of the forums, then of the states, they lead to."""
    order = forum_order(process)
    states = {name: index for index, name in enumerate(process.states)}
    return lambda name: (order[process.states[name].forum], states[name])


def process_diagram(process: Process) -> Diagram:
    """Every state and transition: each forum a lane, read left to right.

    An arrow that leaves a forum ends at an exit naming where it leads; the
    overview and a case's path draw the moves between forums.
    """
    nodes = [Node(id=START, label="start", kind="start", cluster=process.states[process.initial].forum)]
    edges = [Edge(START, process.initial, kind="start")]
    for forum in process.forums:
        lane_nodes, lane_edges = _lane(process, forum)
        nodes += lane_nodes
        edges += lane_edges
    legend = [
        *_status_legend(),
        LegendEntry("move", "a step, labelled with what happens"),
        LegendEntry("guard", "[in brackets]: only when this condition holds"),
        LegendEntry("exit", "continues in another forum (its colour)"),
        LegendEntry("junction", "open from any of the states joined here"),
        LegendEntry("back", BACK_LABEL),
    ]
    return Diagram(
        kind="process",
        name="process",
        title=process.title,
        subtitle=f"{len(process.states)} stages in {len(process.forums)} forums; "
        f"{len(process.transitions)} possible steps",
        rankdir="LR",
        clusters=_clusters(process, process.states),
        nodes=tuple(nodes),
        edges=tuple(edges),
        legend=_in_use(legend, nodes, edges),
    )


# A forum view is drawn for a slide. A forum with more stages than a slide holds is split into
# parts, each a band of consecutive steps (see forum_pages); a condition-specific fan of outcomes
# (a sanction menu) is drawn once per regime; every arrow out of the part ends at one tab per forum
# (or other part) it leads to; arrows with the same label into the same box leave through one
# bundle, labelled once; the ways back leave through one bundle per forum.
PAGE_STAGES = 10  # most stages drawn on one slide
PAGE_LEVELS = 5  # most steps deep a part goes: each is a rank of boxes, top to bottom
MENU_MIN = 3  # outcomes a regime must open from a stage for them to be drawn as one menu
BUNDLE_MIN = 3  # arrows with the same label into the same box drawn as one bundle
REGIME_FACT = "regime"


def forum_exit_id(forum: str, other: str) -> str:
    return f"exit_{forum}_to_{other}"


def part_id(forum: str, part: int) -> str:
    """The key of one part (slide) of a split forum, where a tab or entry names it."""
    return f"{forum}_part_{part}"


def _regime_guards(process: Process, transition: Transition) -> tuple[str, ...]:
    """The guards of a transition that name a regime (the rules in force): its labels."""
    return tuple(
        process.guards[name].label
        for name in transition.guards
        if process.guards[name].condition.op == "is" and process.guards[name].condition.fact == REGIME_FACT
    )


def _merged_label(labels: Iterable[str], most: int = 2) -> str:
    return _summarise(list(OrderedDict.fromkeys(labels)), most=most)


def _levels(process: Process, forum: str) -> dict[str, int]:
    """Each of a forum's stages: how many steps deep it is in the forum (the longest chain of
    forward steps inside the forum that reaches it; a step closing a loop is not followed)."""
    ids = [name for name, state in process.states.items() if state.forum == forum]
    out: dict[str, list[str]] = {name: [] for name in ids}
    for transition in process.transitions:
        if transition.source in out and transition.dest in out and transition.source != transition.dest:
            out[transition.source].append(transition.dest)
    state: dict[str, int] = {}
    topo: list[str] = []
    for root in ids:
        if root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            name, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[name] = 2
                topo.append(name)
                stack.pop()
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(out[child])))
    topo.reverse()
    position = {name: index for index, name in enumerate(topo)}
    depth = {name: 0 for name in ids}
    for name in topo:
        for child in out[name]:
            if position[child] > position[name]:
                depth[child] = max(depth[child], depth[name] + 1)
    return depth


def forum_pages(process: Process, forum: str) -> list[tuple[str, ...]]:
    """A forum's stages cut into parts that each fit a slide: bands of consecutive depth (see
    :func:`_levels`), each of at most PAGE_STAGES stages (unless one depth alone has more) and
    PAGE_LEVELS depths. A forum
    of PAGE_STAGES stages or fewer is one part."""
    if forum not in process.forums:
        raise KeyError(forum)
    depth = _levels(process, forum)
    names = list(depth)  # in the process's order
    if len(names) <= PAGE_STAGES:
        return [tuple(names)]
    pages: list[list[str]] = [[]]
    levels = 0  # in the last part
    for level in sorted(set(depth.values())):
        band = [name for name in names if depth[name] == level]
        if pages[-1] and (len(pages[-1]) + len(band) > PAGE_STAGES or levels == PAGE_LEVELS):
            pages.append([])
            levels = 0
        pages[-1].extend(band)
        levels += 1
    return [tuple(page) for page in pages]


def forum_diagrams(process: Process, forum: str) -> list[Diagram]:
    """A forum's slides: the forum whole when it fits one, else one per part (``forum-X-1``...)."""
    count = len(forum_pages(process, forum))
    if count == 1:
        return [forum_diagram(process, forum)]
    return [forum_diagram(process, forum, part=part) for part in range(1, count + 1)]


def forum_diagram(process: Process, forum: str, part: int | None = None) -> Diagram:
    """One forum in detail, drawn for a slide, with where a case comes from and where it goes next.

    ``part`` (from 1) draws one part of the forum as :func:`forum_pages` cuts it; without it,
    the whole forum. Unlike the whole process (a poster), a forum view leaves conditions other
    than the regime to the full map and the arrows' tooltips; arrows between the same two boxes
    are one arrow; the outcomes a regime opens from a stage (the sanction menu) hang from one
    menu node per regime; arrows out of the part end at one tab per forum (or part) they lead
    to, naming the stages; arrows with the same label into the same box, and the ways back to
    each forum, leave through one bundle, labelled once.
    """
    if forum not in process.forums:
        raise KeyError(forum)
    pages = forum_pages(process, forum)
    if part is not None and not 1 <= part <= len(pages):
        raise KeyError(f"{forum} part {part}")
    page_of = {name: index + 1 for index, page in enumerate(pages) for name in page}
    inside = list(pages[part - 1]) if part else list(page_of)
    inside_set = set(inside)
    order = forum_order(process)
    forum_label = process.forums[forum].label

    def place(state: str) -> str:
        """Where a stage outside this drawing is: its forum, or the part of this forum."""
        other = process.states[state].forum
        return part_id(forum, page_of[state]) if other == forum else other

    def place_label(key: str) -> str:
        if key in process.forums:
            return process.forums[key].label
        return f"{forum_label}, part {key.rsplit('_', 1)[1]}"

    def place_index(key: str) -> int:
        return order[key] if key in process.forums else order[forum]

    nodes: list[Node] = []
    edges: list[Edge] = []
    if process.initial in inside_set:
        nodes.append(Node(id=START, label="start", kind="start", cluster=forum))
        edges.append(Edge(START, process.initial, kind="start"))
    nodes += [
        _state_node(process, name, marks=("initial",) if name == process.initial else ()) for name in inside
    ]
    leaving = [t for t in process.transitions if t.source in inside_set]
    arriving = [t for t in process.transitions if t.dest in inside_set and t.source not in inside_set]
    # 1. the entries: arrows in from elsewhere; forums from which the same arrows arrive share one
    arrivals: OrderedDict[str, OrderedDict[tuple[str, str, bool], int]] = OrderedDict()
    for transition in arriving:
        key = (
            process.triggers[transition.trigger].label,
            transition.dest,
            is_way_back(process, transition),
        )
        ways = arrivals.setdefault(place(transition.source), OrderedDict())
        ways[key] = ways.get(key, 0) + 1
    entries: OrderedDict[tuple, list[str]] = OrderedDict()
    for other in sorted(arrivals, key=lambda key: (place_index(key), key)):
        shared = other in process.forums  # a part of this forum has an entry of its own
        entries.setdefault((tuple(arrivals[other]), "" if shared else other), []).append(other)
    entry_of: dict[str, str] = {}
    for others in entries.values():
        entry = f"from_{'_'.join(others)}"
        names = [place_label(o) for o in others]
        label = "from " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1])
        nodes.append(
            Node(
                id=entry,
                label=label,
                kind="entry",
                cluster=forum,  # at the top of the forum: dot routes arrows around a cluster
                lines=tuple(names),
                tooltip="; ".join(
                    process.forums[o].description if o in process.forums else label for o in others
                ),
                forum_index=min(place_index(o) for o in others),
            )
        )
        entry_of.update((o, entry) for o in others)

    def box_of(transition: Transition) -> str:
        """The box an arrow for a transition starts from: its stage, or the entry it arrives by."""
        if transition.source in inside_set:
            return transition.source
        return entry_of[place(transition.source)]

    # 2. the menus: a regime that opens MENU_MIN or more outcomes (decisions) from one box
    menus: OrderedDict[str, list[Transition]] = OrderedDict()
    for transition in leaving + [t for t in arriving if process.states[t.source].forum == forum]:
        regimes = _regime_guards(process, transition)
        if (
            len(regimes) == 1
            and transition.dest in inside_set
            and process.states[transition.dest].status == "provisional"
        ):
            menus.setdefault(regimes[0], []).append(transition)
    for regime, items in list(menus.items()):
        per_source: dict[str, set[str]] = {}
        for t in items:
            per_source.setdefault(box_of(t), set()).add(t.dest)
        if max(len(d) for d in per_source.values()) < MENU_MIN:
            del menus[regime]
    in_menu = {id(t) for items in menus.values() for t in items}
    for index, (regime, items) in enumerate(menus.items()):
        menu = f"{forum}_menu_{index + 1}"
        outcomes = list(OrderedDict.fromkeys(t.dest for t in items))
        nodes.append(
            Node(
                id=menu,
                label=f"{regime}: {len(outcomes)} outcomes",
                kind="junction",
                cluster=forum,
                tooltip="; ".join(
                    f"{process.states[t.source].label} -> {process.states[t.dest].label}"
                    + (f" [{'; '.join(_guard_labels(process, t))}]" if t.guards else "")
                    for t in items
                ),
            )
        )
        for source in OrderedDict.fromkeys(box_of(t) for t in items):
            mine = [t for t in items if box_of(t) == source]
            edges.append(
                Edge(
                    source,
                    menu,
                    label=f"outcome ({regime})",
                    triggers=tuple(OrderedDict.fromkeys(t.trigger for t in mine)),
                    count=len(mine),
                )
            )
        for dest in outcomes:
            mine = [t for t in items if t.dest == dest]
            edges.append(
                Edge(menu, dest, kind="bundle", triggers=tuple(OrderedDict.fromkeys(t.trigger for t in mine)))
            )
    # 3. arrows: one per pair of boxes; out of the part, to one tab per forum or part
    pairs: OrderedDict[tuple[str, str], list[Transition]] = OrderedDict()
    back_to: OrderedDict[str, list[Transition]] = OrderedDict()
    for transition in leaving:
        if id(transition) in in_menu:
            continue
        if is_way_back(process, transition):
            back_to.setdefault(place(transition.dest), []).append(transition)
            continue
        dest = (
            transition.dest if transition.dest in inside_set else forum_exit_id(forum, place(transition.dest))
        )
        pairs.setdefault((transition.source, dest), []).append(transition)
    for transition in arriving:
        if id(transition) not in in_menu:
            pairs.setdefault((box_of(transition), transition.dest), []).append(transition)
    # arrows with the same label into the same box, from BUNDLE_MIN boxes or more: one bundle
    fans: OrderedDict[tuple[str, str, tuple[str, ...], str], list[str]] = OrderedDict()
    for (source, dest), items in pairs.items():
        label = _merged_label(process.triggers[t.trigger].label for t in items)
        guards = tuple(OrderedDict.fromkeys(g for t in items for g in _regime_guards(process, t)))
        back = all(is_way_back(process, t) for t in items)
        fans.setdefault((dest, label, guards, "back" if back else "move"), []).append(source)
    bundles = 0
    for (dest, label, guards, kind), sources in fans.items():
        arrows = [(source, pairs[(source, dest)]) for source in sources]
        if len(sources) >= BUNDLE_MIN:
            bundles += 1
            junction = f"{forum}_bundle_{bundles}"
            nodes.append(Node(id=junction, label="", kind="junction", cluster=forum))
            edges.extend(Edge(source, junction, kind="member") for source in sources)
            arrows = [(junction, [t for _, mine in arrows for t in mine])]
        edges.extend(
            Edge(
                source,
                dest,
                label=label,
                kind=kind,
                guards=guards,
                triggers=tuple(OrderedDict.fromkeys(t.trigger for t in mine)),
                count=len(mine),
            )
            for source, mine in arrows
        )
    # 4. the ways back: from the stages that send a decision back, one bundle per forum
    for other, items in back_to.items():
        exit_node = forum_exit_id(forum, other)
        sources = list(OrderedDict.fromkeys(t.source for t in items))
        start = sources[0]
        if len(sources) > 1:
            start = f"{forum}_back_{other}"
            nodes.append(Node(id=start, label="", kind="junction", cluster=forum))
            edges.extend(Edge(source, start, kind="member") for source in sources)
        edges.append(
            Edge(
                start,
                exit_node,
                label=_merged_label((process.triggers[t.trigger].label for t in items), most=3),
                kind="back",
                triggers=tuple(OrderedDict.fromkeys(t.trigger for t in items)),
                count=len(items),
            )
        )
    exits = OrderedDict.fromkeys(place(t.dest) for t in leaving if t.dest not in inside_set)
    for other in sorted(exits, key=lambda key: (place_index(key), key)):
        states = [
            process.states[d].label
            for d in OrderedDict.fromkeys(
                t.dest for t in leaving if t.dest not in inside_set and place(t.dest) == other
            )
        ]
        label = place_label(other)
        nodes.append(
            Node(
                id=forum_exit_id(forum, other),
                label=label,
                kind="exit",
                cluster=forum,
                lines=(_summarise(states, most=3),),
                forum_index=place_index(other),
                tooltip=f"continues in {label}: " + "; ".join(states),
            )
        )
    legend = [
        *_status_legend(),
        LegendEntry("move", "a step, labelled with what happens"),
        LegendEntry("guard", "[in brackets]: the regime (other conditions: tooltips, full map)"),
        LegendEntry("entry", "arrives from another forum or part"),
        LegendEntry("exit", "continues in another forum or part: the stages it leads to"),
        LegendEntry("junction", "a regime's outcomes, or the stages a bundle leaves from"),
        LegendEntry("back", BACK_LABEL),
    ]
    name = f"forum-{forum.replace('_', '-')}"
    title = forum_label
    if part is not None:
        name += f"-{part}"
        title += f" ({part} of {len(pages)})"
    return Diagram(
        kind="forum",
        name=name,
        title=title,
        subtitle=process.forums[forum].description,
        rankdir="TB",
        clusters=_clusters(process, inside),
        nodes=tuple(nodes),
        edges=tuple(edges),
        legend=_in_use(legend, nodes, edges),
    )


def overview_diagram(process: Process) -> Diagram:
    """Each forum as one box; arrows say how a case moves between forums."""
    order = forum_order(process)
    nodes = [Node(id=START, label="start", kind="start")]
    for forum, spec in process.forums.items():
        states = [s for s in process.states.values() if s.forum == forum]
        ends = sum(1 for s in states if s.status == "provisional")
        final = sum(1 for s in states if s.status == "terminal")
        lines = [f"{len(states)} stage{'s' if len(states) != 1 else ''}"]
        if ends:
            lines.append(f"{ends} decision{'s' if ends != 1 else ''} that stand unless challenged")
        if final:
            lines.append(f"{final} final outcome{'s' if final != 1 else ''}")
        nodes.append(
            Node(
                id=forum,
                label=spec.label,
                kind="forum",
                lines=tuple(lines),
                tooltip=spec.description,
                forum_index=order[forum],
            )
        )
    moves: OrderedDict[tuple[str, str], list[Transition]] = OrderedDict()
    for transition in process.transitions:
        a, b = process.states[transition.source].forum, process.states[transition.dest].forum
        if a != b:
            moves.setdefault((a, b), []).append(transition)
    edges = [Edge(START, process.states[process.initial].forum, kind="start")]
    back_to: OrderedDict[str, list[tuple[str, list[Transition]]]] = OrderedDict()
    for (a, b), items in moves.items():
        if all(is_way_back(process, t) for t in items):
            back_to.setdefault(b, []).append((a, items))
            continue
        labels = list(OrderedDict.fromkeys(process.triggers[t.trigger].label for t in items))
        edges.append(
            Edge(
                a,
                b,
                label=_summarise(labels, most=4),
                kind="move",
                triggers=tuple(OrderedDict.fromkeys(t.trigger for t in items)),
                count=len(items),
            )
        )
    # the ways back into a forum: one bundle, joined beside the forum, labelled (numbered) once
    same_rank = []
    for b, sources in sorted(back_to.items(), key=lambda item: order[item[0]]):
        items = [t for _, mine in sources for t in mine]
        start = sources[0][0]
        if len(sources) > 1:
            start = f"back_to_{b}"
            nodes.append(Node(id=start, label="", kind="junction", forum_index=order[b]))
            edges.extend(Edge(a, start, kind="member", count=len(mine)) for a, mine in sources)
            same_rank.append((b, start))
        labels = list(OrderedDict.fromkeys(process.triggers[t.trigger].label for t in items))
        edges.append(
            Edge(
                start,
                b,
                label=_summarise(labels, most=4),
                kind="back",
                triggers=tuple(OrderedDict.fromkeys(t.trigger for t in items)),
                count=len(items),
            )
        )
    legend = [
        LegendEntry("forum", "a forum: its stages and decisions"),
        LegendEntry("move", "how a case moves on (thicker: more ways)"),
        LegendEntry("back", BACK_LABEL + "; one numbered bundle per forum, listed below"),
    ]
    return Diagram(
        kind="overview",
        name="process-overview",
        title=process.title,
        subtitle="Overview: each forum as one box",
        rankdir="TB",
        nodes=tuple(nodes),
        edges=tuple(edges),
        legend=tuple(legend),
        same_rank=tuple(same_rank),
    )


def _summarise(labels: list[str], most: int = 3) -> str:
    if len(labels) <= most:
        return "; ".join(labels)
    return "; ".join(labels[:most]) + f"; +{len(labels) - most} more"


# ---------------------------------------------------------------------- a case's path
def _mark(step: Step, process: Process, branch: int = -1) -> StepMark:
    event = step.event
    label = (
        process.triggers[event.trigger].label
        if event.trigger
        else process.side_events[event.side or ""].label
    )
    return StepMark(
        number=step.number,
        date=event.date.iso(),
        date_text=short_date(event.date),
        label=label,
        branch=branch,
        summary=event.summary if not step.moved else "",
    )


def path_diagram(process: Process, replay: Replay, context: str = "near") -> Diagram:
    """The case's path drawn strongly, steps numbered with dates, and the process faintly
    around it: with ``context="near"`` the stages one step away from the path (the ways not
    taken), with ``"full"`` every stage of the forums the case went through."""
    return _paths(process, [replay], name=replay.scenario.id, context=context)


def compare_diagram(process: Process, replays: Sequence[Replay], context: str = "near") -> Diagram:
    """Two or more scenarios: the shared part, each branch in its own colour, the divergence."""
    if len(replays) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    return _paths(process, list(replays), name="-vs-".join(r.scenario.id for r in replays), context=context)


def shared_prefix(replays: Sequence[Replay]) -> int:
    """How many leading steps every replay shares with the first: the pairwise definition of
    :func:`procsim.analysis.diff.diff`, the one home of where two scenarios part."""
    from procsim.analysis.diff import diff

    return min((diff(replays[0], other).shared for other in replays[1:]), default=len(replays[0].steps))


def _paths(process: Process, replays: list[Replay], name: str, context: str = "near") -> Diagram:
    if context not in CONTEXTS:
        raise ValueError(f"context is one of {', '.join(CONTEXTS)}, not {context!r}")
    compare = len(replays) > 1
    shared = shared_prefix(replays) if compare else 0
    # every step on a path, keyed by the arrow it follows
    path_steps: OrderedDict[tuple[str, str, str, int], list[StepMark]] = OrderedDict()
    fired: dict[tuple[str, str, str, int], Transition] = {}
    side: OrderedDict[tuple[str, int], list[StepMark]] = OrderedDict()
    visited: OrderedDict[str, set[int]] = OrderedDict()
    branches = []
    for index, replay in enumerate(replays):
        branch_index = index if compare else -1
        letter = LETTERS[index] if compare else ""
        visited.setdefault(process.initial, set()).add(
            -1 if (compare and shared) or not compare else branch_index
        )
        for position, step in enumerate(replay.steps):
            is_shared = compare and position < shared
            if is_shared and index > 0:
                continue
            owner = -1 if is_shared or not compare else branch_index
            mark = _mark(step, process, owner)
            if step.transition is None:
                side.setdefault((step.before, owner), []).append(mark)
                continue
            # one arrow per move, whichever branches take it: branches that take the same move
            # after they part (or agree longer than the rest) share its arrow, each step listed
            key = (step.before, step.after, step.transition.trigger, -1)
            path_steps.setdefault(key, []).append(mark)
            fired.setdefault(key, step.transition)
            visited.setdefault(step.before, set()).add(owner)
            visited.setdefault(step.after, set()).add(owner)
        branches.append(
            Branch(
                index=branch_index if compare else 0,
                scenario=replay.scenario.id,
                title=replay.scenario.title,
                kind=replay.scenario.kind,
                final_state=replay.final_state,
                final_note=final_note(replay),
                letter=letter,
            )
        )
    divergence = None
    divergence_after = None
    if compare and shared:
        last = replays[0].steps[shared - 1]
        divergence = last.after
        divergence_after = _mark(last, process)
    elif compare:
        divergence = process.initial
    finals: dict[str, list[Branch]] = {}
    for branch in branches:
        finals.setdefault(branch.final_state, []).append(branch)

    on_path_keys = {(s, d, t) for (s, d, t, _b) in path_steps}
    if context == "full":  # the forums the case passed through, drawn in full and faint
        full = process_diagram(process)
        forums = {process.states[name].forum for name in visited}
        kept = {node.id for node in full.nodes if node.cluster in forums}
        base = _replace(
            full,
            nodes=tuple(n for n in full.nodes if n.id in kept),
            edges=tuple(e for e in full.edges if e.source in kept and e.dest in kept),
            clusters=tuple(c for c in full.clusters if c.id in forums),
        )
    else:  # the path's stages and the ways not taken from them
        base = _near(process, list(visited), on_path_keys)
    nodes: list[Node] = []
    for node in base.nodes:
        if node.id in visited:
            marks = list(node.marks)
            notes = []
            if node.id in finals:
                marks.append("final")
                notes = [(f"{b.letter}: " if compare else "") + b.final_note for b in finals[node.id]]
            if node.id == divergence and compare:
                marks.append("divergence")
            nodes.append(
                _replace(
                    node,
                    faint=False,
                    on_path=True,
                    branches=tuple(sorted(visited[node.id])),
                    marks=tuple(marks),
                    final_note="; ".join(notes),
                )
            )
        elif node.kind == "start":
            nodes.append(node)
        else:
            nodes.append(_replace(node, faint=True))
    edges: list[Edge] = []
    for edge in base.edges:
        if edge.kind == "start":
            edges.append(_replace(edge, on_path=True))
            continue
        if edge.kind in ("move", "back") and (edge.source, edge.dest, edge.triggers[0]) in on_path_keys:
            continue  # drawn strongly below
        edges.append(_replace(edge, faint=True))
    for (source, dest, trigger, _key), marks in path_steps.items():
        transition = fired[(source, dest, trigger, _key)]
        owners = {mark.branch for mark in marks}
        owner = owners.pop() if len(owners) == 1 else -1
        back = is_way_back(process, transition)
        edges.append(
            Edge(
                source,
                dest,
                label=process.triggers[trigger].label,
                kind="back" if back else "move",
                guards=_guard_labels(process, transition),
                triggers=(trigger,),
                on_path=True,
                branch=owner,
                steps=tuple(marks),
            )
        )
    # side events, listed beside the state where they happened
    side_marks: list[StepMark] = []
    for (state, owner), marks in side.items():
        note_id = f"notes_{state}" + (f"_{owner}" if owner >= 0 else "")
        nodes.append(
            Node(
                id=note_id,
                label="",
                kind="notes",
                cluster=process.states[state].forum,
                lines=tuple(_side_line(m, branches, compare) for m in marks),
                branches=(owner,),
            )
        )
        edges.append(Edge(state, note_id, kind="note", branch=owner))
        side_marks.extend(marks)
    side_marks.sort(key=lambda m: (m.branch, m.number))

    legend = _status_legend()
    if compare:
        if shared:
            legend.append(LegendEntry("shared", f"shared steps 1-{shared}"))
        for branch in branches:
            legend.append(
                LegendEntry(
                    "branch",
                    f"{branch.letter}: {branch.scenario}: {branch.title} ({branch.kind})",
                    branch=branch.index,
                )
            )
        legend.append(LegendEntry("divergence", "where the scenarios part"))
    else:
        legend.append(LegendEntry("path", "the case's path: step number and date"))
    legend += [
        LegendEntry("final", "where the case ends"),
        LegendEntry("notes", "side events: they change facts, not the stage"),
    ]
    if context == "full":
        legend.append(LegendEntry("faint", "the rest of these forums"))
    else:
        legend.append(LegendEntry("ways", "ways not taken: one step from the path"))
        if any(way.forum for n in nodes for way in n.ways):
            legend.append(LegendEntry("exit", "a way not taken into another forum"))
    if compare:
        title = "Comparison: " + " / ".join(r.scenario.id for r in replays)
        subtitle = (
            (
                f"Shared until {divergence_after.date_text} ({divergence_after.label}), then each "
                "branch in its own colour"
            )
            if divergence_after
            else "No shared steps"
        )
    else:
        scenario = replays[0].scenario
        title = scenario.title
        subtitle = (
            f"{scenario.kind.capitalize()} case: {len(replays[0].steps)} steps; ends {branches[0].final_note}"
        )
    return Diagram(
        kind="compare" if compare else "path",
        name=name,
        title=title,
        subtitle=subtitle,
        rankdir="LR",
        clusters=base.clusters,
        nodes=tuple(nodes),
        edges=tuple(edges),
        legend=tuple(legend),
        branches=tuple(branches),
        side_events=tuple(side_marks),
        divergence=divergence,
        divergence_after=divergence_after,
    )


def ways_id(state: str) -> str:
    return f"ways_{state}"


def _near(process: Process, path: list[str], taken: set[tuple[str, str, str]]) -> Diagram:
    """The path's stages (not yet marked as such) and, under each, the ways not taken from it.

    A stage's ways not taken are the states its other transitions lead to, listed in one
    faint box below it (those in other forums name the forum, as the whole process's exit
    tabs do), so that no faint arrow crosses the lanes or the path. Each forum counts the
    stages it leaves out.
    """
    on_path = set(path)
    moved = {(source, dest) for source, dest, _trigger in taken}
    forum_of = {name: state.forum for name, state in process.states.items()}
    order = forum_order(process)
    position = {name: index for index, name in enumerate(process.states)}
    nodes = [Node(id=START, label="start", kind="start", cluster=forum_of[process.initial])]
    nodes += [
        _state_node(process, name, marks=("initial",) if name == process.initial else ())
        for name in process.states
        if name in on_path
    ]
    edges = [Edge(START, process.initial, kind="start")]
    shown: dict[str, set[str]] = {forum: set() for forum in process.forums}
    for name in path:
        shown[forum_of[name]].add(name)
    for name in path:
        ways: OrderedDict[str, list[str]] = OrderedDict()
        for transition in process.transitions:
            if transition.source == name and (name, transition.dest) not in moved:  # not where the case went
                ways.setdefault(transition.dest, []).append(transition.trigger)
        if not ways:
            continue
        forum = forum_of[name]
        # this forum's states first, then the other forums', each in the process's order
        dests = sorted(ways, key=lambda d: (forum_of[d] != forum, order[forum_of[d]], position[d]))
        items = []
        for dest in dests:
            state = process.states[dest]
            other = process.forums[state.forum].label if state.forum != forum else ""
            items.append(
                Way(
                    state=dest,
                    label=state.label,
                    status=state.status,
                    forum=other,
                    forum_index=order[state.forum],
                )
            )
            if not other:
                shown[forum].add(dest)
        nodes.append(
            Node(
                id=ways_id(name),
                label="",
                kind="ways",
                cluster=forum,
                faint=True,
                ways=tuple(items),
                tooltip="ways not taken from " + process.states[name].label,
            )
        )
        triggers = tuple(OrderedDict.fromkeys(t for dest in dests for t in ways[dest]))
        edges.append(
            Edge(name, ways_id(name), kind="ways", faint=True, triggers=triggers, count=len(triggers))
        )
    clusters = tuple(
        _replace(
            cluster,
            hidden=sum(1 for s in process.states.values() if s.forum == cluster.id) - len(shown[cluster.id]),
        )
        for cluster in _clusters(process, [n for n in process.states if n in on_path])
    )
    return Diagram(kind="path", name="", title="", clusters=clusters, nodes=tuple(nodes), edges=tuple(edges))


def _side_line(mark: StepMark, branches: list[Branch], compare: bool) -> str:
    prefix = f"{branches[mark.branch].letter}" if compare and mark.branch >= 0 else ""
    return f"{prefix}{mark.number}. {mark.date_text}: {mark.label}"


def _replace(item, **changes):
    from dataclasses import replace

    return replace(item, **changes)


# ---------------------------------------------------------------------- timeline
def timeline_diagram(process: Process, replay: Replay) -> Timeline:
    """The case on a dated axis: where each step falls, how long each stage took, the gaps."""
    steps = replay.steps
    scenario = replay.scenario
    order = forum_order(process)
    events = _place(process, steps)
    pending = scenario.end.status == "pending"
    as_of = scenario.end.as_of if pending else None
    last = events[-1].when if events else dt.date(2000, 1, 1)
    axis_end = max(last, as_of.latest) if as_of else last
    # the states the case was in: (state, index of the move in, index of the move out)
    segments: list[tuple[str, int | None, int | None]] = []
    state, entered = process.initial, None
    for index, step in enumerate(steps):
        if step.moved:
            segments.append((state, entered, index))
            state, entered = step.after, index
    segments.append((state, entered, None))

    def at(index: int | None) -> tuple[dt.date, str, PartialDate | None]:
        if index is None:
            return axis_end, short_date(as_of) if as_of else "", as_of
        return events[index].when, events[index].date_text, steps[index].event.date

    stages: list[Stage] = []
    open_run: list[tuple[str, int | None, int | None]] = []

    def close_run() -> None:
        if not open_run:
            return
        first, last_segment = open_run[0], open_run[-1]
        stages.append(
            _stage(
                process,
                order,
                [s for s, _, _ in open_run],
                at(first[1]),
                at(last_segment[2]),
                open_ended=last_segment[2] is None,
            )
        )
        open_run.clear()

    for state_name, entered, left in segments:
        spec = process.states[state_name]
        if entered is None and state_name == process.initial:  # before anything moved the case
            if steps and left != 0:
                start = (events[0].when, events[0].date_text, steps[0].event.date)
                stages.append(_stage(process, order, [state_name], start, at(left), before=True))
            continue
        if left is None and not pending:
            continue  # a concluded case's final state has no duration
        if spec.status == "provisional":
            close_run()
            stages.append(
                _stage(
                    process, order, [state_name], at(entered), at(left), waiting=True, open_ended=left is None
                )
            )
            continue
        if open_run and process.states[open_run[-1][0]].forum != spec.forum:
            close_run()
        open_run.append((state_name, entered, left))
    close_run()
    gaps = _gaps(steps, events)
    used = {s.forum for s in stages if not s.before_process} | {e.forum for e in events if e.moved}
    lanes = tuple(
        (forum, spec.label, order[forum]) for forum, spec in process.forums.items() if forum in used
    )
    note = final_note(replay)
    final_label = process.states[replay.final_state].label
    return Timeline(
        kind="timeline",
        name=f"{scenario.id}-timeline",
        title=scenario.title,
        subtitle=f"Ends: {final_label}, {note}",
        scenario=scenario.id,
        events=tuple(events),
        stages=tuple(stages),
        gaps=tuple(gaps),
        lanes=lanes,
        start=events[0].when if events else axis_end,
        end=axis_end,
        final_note=note,
        breaks=tuple(_breaks(events, axis_end)),
        departure=_departure(scenario, steps, events),
    )


def _departure(scenario: Scenario, steps: Sequence[Step], events: list[TimelineEvent]) -> Departure | None:
    """Where a scenario that extends another leaves it: its base's last shared event
    (``diverges_after``), which the reader has already kept as one of its steps."""
    if scenario.extends is None or scenario.diverges_after is None:
        return None
    for step, event in zip(steps, events, strict=True):
        if step.event.id == scenario.diverges_after:
            return Departure(
                base=scenario.extends,
                after_step=event.number,
                when=event.when,
                date_text=event.date_text,
                label=event.label,
            )
    return None


def _stage(
    process: Process,
    order: dict[str, int],
    states: list[str],
    start: tuple[dt.date, str, PartialDate | None],
    end: tuple[dt.date, str, PartialDate | None],
    *,
    waiting: bool = False,
    before: bool = False,
    open_ended: bool = False,
) -> Stage:
    forum = process.states[states[0]].forum
    label = process.states[states[0]].label if before or waiting else process.forums[forum].label
    duration = describe_gap(start[2], end[2]) if start[2] is not None and end[2] is not None else ""
    return Stage(
        forum=forum,
        label=label,
        index=order[forum],
        start=start[0],
        end=end[0],
        start_text=start[1],
        end_text=end[1],
        duration=duration,
        states=tuple(states),
        waiting=waiting,
        before_process=before,
        open_ended=open_ended,
    )


def _place(process: Process, steps: Sequence[Step]) -> list[TimelineEvent]:
    """Where each step goes on the axis.

    A coarse date ('2021') spans a range; it is narrowed by the steps before and
    after it (dates never go backwards), and steps that share a range are spread
    evenly across it in their order.
    """
    lows: list[dt.date] = []
    highs: list[dt.date] = []
    floor = dt.date.min
    for step in steps:
        floor = max(floor, step.event.date.earliest)
        lows.append(floor)
    ceiling = dt.date.max
    for step in reversed(steps):
        ceiling = min(ceiling, step.event.date.latest)
        highs.append(ceiling)
    highs.reverse()
    whens: list[dt.date] = []
    index = 0
    while index < len(steps):
        if steps[index].event.date.precision == "day":
            whens.append(lows[index])
            index += 1
            continue
        # a run of coarse steps with the same date as written share its range
        run_end = index
        while run_end + 1 < len(steps) and steps[run_end + 1].event.date == steps[index].event.date:
            run_end += 1
        low, high = lows[index], highs[run_end]
        span = (high - low).days
        count = run_end - index + 1
        for position in range(count):
            whens.append(low + dt.timedelta(days=round(span * (position + 1) / (count + 1))))
        index = run_end + 1
    events = []
    for step, when, low, high in zip(steps, whens, lows, highs, strict=False):
        event = step.event
        label = (
            process.triggers[event.trigger].label
            if event.trigger
            else process.side_events[event.side or ""].label
        )
        events.append(
            TimelineEvent(
                number=step.number,
                date=event.date.iso(),
                date_text=short_date(event.date),
                label=label,
                when=min(max(when, low), high),
                earliest=low,
                latest=high,
                moved=step.moved,
                state=step.after,
                forum=process.states[step.after].forum,
                precise=event.date.precision == "day",
            )
        )
    return events


def _gaps(steps: Sequence[Step], events: list[TimelineEvent]) -> list[Gap]:
    """Exact times between consecutive day-dated steps of the process (moves, and
    side events tied to a stage, such as the conduct or a hearing day)."""
    anchors = [
        (step, event)
        for step, event in zip(steps, events, strict=False)
        if event.precise and (step.moved or (step.side_event is not None and step.side_event.states))
    ]
    gaps = []
    for (a_step, a), (b_step, b) in itertools.pairwise(anchors):
        days = (b.when - a.when).days
        if days <= 0:
            continue
        gaps.append(
            Gap(
                start=a.when,
                end=b.when,
                from_step=a.number,
                to_step=b.number,
                from_label=a.label,
                to_label=b.label,
                days=days,
                text=describe_gap(a_step.event.date, b_step.event.date),
            )
        )
    return gaps


def _breaks(events: list[TimelineEvent], end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Stretches with nothing in them that take more than half the axis: drawn broken."""
    if len(events) < 2:
        return []
    whens = sorted({e.when for e in events} | {end})
    total = (whens[-1] - whens[0]).days or 1
    breaks = []
    for a, b in itertools.pairwise(whens):
        if (b - a).days > total / 2 and (b - a).days > 365:
            breaks.append((a, b))
    return breaks
