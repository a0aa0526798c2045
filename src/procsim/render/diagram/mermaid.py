"""Render diagrams as Mermaid text for slides and markdown.

A :class:`~procsim.render.diagram.ir.Diagram` becomes a ``stateDiagram-v2`` (forums as
composite states); a :class:`~procsim.render.diagram.ir.Timeline` becomes a ``gantt``
chart. A path or comparison shows only the states and steps on the paths:
Mermaid cannot draw the rest of the process faintly.

Every piece of text from the process or a scenario goes through
:func:`mermaid_text`: characters Mermaid gives a meaning to are written as its
``#code;`` entities, so text shows as written and cannot end a label or start
a statement. Identifiers are the model's names when they are plain, else
numbered.
"""

from __future__ import annotations

import json
import re
import unicodedata

from procsim.core.text import printable
from procsim.render.diagram import style
from procsim.render.diagram.ir import Diagram, Edge, Node, Timeline, TimelineEvent

_PLAIN_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,60}$")
_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,'()/?!+*_-@$~^")


def mermaid_text(text: str) -> str:
    """Text for a Mermaid label: risky characters become ``#code;`` entities."""
    out = []
    for char in " ".join(str(text).split()):
        if char in _SAFE:
            out.append(char)
        elif ord(char) > 127 and unicodedata.category(char)[0] in "LMNPS" and char not in "\u2028\u2029":
            out.append(char)  # letters, marks, numbers, punctuation, symbols (emoji) as they are
        else:
            out.append(f"#{ord(char)};")
    return "".join(out)


def _front_matter(title: str) -> list[str]:
    # JSON strings are YAML double-quoted strings: quotes, backslashes and control characters escaped
    # and, from procsim.core.text, noncharacters and bidirectional overrides shown escaped too
    quoted = printable(json.dumps(" ".join(title.split()), ensure_ascii=False))
    return ["---", f"title: {quoted}", "---"]


class _Ids:
    """Mermaid identifiers for node ids: ``s_<name>`` for plain names, else ``n<number>``."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def __call__(self, node_id: str) -> str:
        if node_id not in self.ids:
            plain = _PLAIN_ID.match(node_id)
            self.ids[node_id] = f"s_{node_id}" if plain else f"n{len(self.ids) + 1}"
        return self.ids[node_id]


# ---------------------------------------------------------------------- state diagrams
def to_mermaid(diagram: Diagram) -> str:
    """The diagram as a Mermaid ``stateDiagram-v2``."""
    ids = _Ids()
    lines = _front_matter(diagram.title)
    lines.append("stateDiagram-v2")
    lines.append(f"  direction {'TB' if diagram.rankdir == 'TB' else 'LR'}")
    context = diagram.kind in ("path", "compare")
    nodes = [n for n in diagram.nodes if not (context and n.faint) and n.kind not in ("start", "notes")]
    shown = {n.id for n in nodes}
    clusters = {c.id: c for c in diagram.clusters}
    for cluster in diagram.clusters:
        members = [n for n in nodes if n.cluster == cluster.id]
        if not members:
            continue
        lines.append(f'  state "{mermaid_text(cluster.label)}" as forum_{cluster.index} {{')
        lines.extend(f"    {_state_line(ids, node)}" for node in members)
        lines.append("  }")
    for node in nodes:
        if node.cluster not in clusters:
            lines.append(f"  {_state_line(ids, node)}")
    for edge in diagram.edges:
        if edge.kind == "start":
            if edge.dest in shown:
                lines.append(f"  [*] --> {ids(edge.dest)}")
            continue
        if (
            edge.source not in shown
            or edge.dest not in shown
            or edge.kind == "note"
            or (context and edge.faint)
        ):
            continue
        label = _edge_label(diagram, edge)
        lines.append(f"  {ids(edge.source)} --> {ids(edge.dest)}" + (f" : {label}" if label else ""))
    for node in diagram.nodes:  # side events, beside the state where they happened
        if node.kind == "notes" and node.lines:
            anchor = next((e.source for e in diagram.edges if e.dest == node.id), None)
            if anchor in shown:
                text = "<br/>".join(mermaid_text(line) for line in node.lines)
                lines.append(f"  note right of {ids(anchor)} : {text}")
    lines.extend(_classes(diagram, nodes, ids))
    return "\n".join(lines) + "\n"


def _state_line(ids: _Ids, node: Node) -> str:
    label = node.label
    if node.kind == "exit" and node.lines:
        label = f"\u2192 {node.label} ({node.lines[0]})"
    elif node.kind == "junction" and not label:
        label = "any of these"
    elif node.kind == "forum" and node.lines:
        label = f"{node.label}: {'; '.join(node.lines)}"
    if node.final_note:
        label = f"{label} [{node.final_note}]"
    if "divergence" in node.marks:
        label = f"{label} [the scenarios part here]"
    return f'state "{mermaid_text(label)}" as {ids(node.id)}'


def _edge_label(diagram: Diagram, edge: Edge) -> str:
    parts = []
    if edge.steps:
        from procsim.render.diagram.dot import step_rows

        parts.append(
            ", ".join(f"{letters}{number}. {date}" for letters, number, date in step_rows(diagram, edge))
        )
    if edge.label:
        parts.append(edge.label)
    text = mermaid_text(" ".join(parts))
    if edge.guards:
        text += " #91;" + mermaid_text("; ".join(edge.guards)) + "#93;"
    return text


def _classes(diagram: Diagram, nodes: list[Node], ids: _Ids) -> list[str]:
    lines = [
        f"  classDef provisional fill:{style.STATUS['provisional']['fill']},stroke:{style.STATUS['provisional']['border']}",
        f"  classDef terminal fill:{style.STATUS['terminal']['fill']},stroke:{style.STATUS['terminal']['border']},color:#ffffff",
        f"  classDef onpath stroke:{style.PATH},stroke-width:3px",
        f"  classDef final stroke:{style.CONCLUDED},stroke-width:4px",
        f"  classDef divergence stroke:{style.DIVERGENCE},stroke-width:4px",
    ]
    groups: dict[str, list[str]] = {}
    for node in nodes:
        if node.kind != "state":
            continue
        if node.status in ("provisional", "terminal"):
            groups.setdefault(node.status, []).append(ids(node.id))
        if node.on_path:
            groups.setdefault("onpath", []).append(ids(node.id))
        for mark in ("final", "divergence"):
            if mark in node.marks:
                groups.setdefault(mark, []).append(ids(node.id))
    for name in ("provisional", "terminal", "onpath", "final", "divergence"):
        if groups.get(name):
            lines.append(f"  class {','.join(groups[name])} {name}")
    return lines


# ---------------------------------------------------------------------- timelines
def _milestone(event: TimelineEvent) -> str:
    """A step's label; one dated only to the month or year says so ('~Oct 2021 (month)'),
    since the chart must place it on a day."""
    if event.precise:
        return f"{event.number}. {event.date_text}: {event.label}"
    precision = "year" if len(event.date) == 4 else "month"
    return f"{event.number}. ~{event.date_text} ({precision}, day assumed): {event.label}"


def timeline_to_mermaid(timeline: Timeline) -> str:
    """The timeline as a Mermaid ``gantt`` chart: stages as bars, steps as milestones."""
    lines = _front_matter(timeline.title + " (timeline)")
    lines += ["gantt", "  dateFormat YYYY-MM-DD", "  axisFormat %Y", "  tickInterval 1year"]
    if any(not event.precise for event in timeline.events):  # Mermaid has no comments on the chart
        lines.append("  %% ~ marks a step dated only to the month or year: drawn at an assumed day")
    labels = {forum: label for forum, label, _ in timeline.lanes}
    before = [s for s in timeline.stages if s.before_process]
    if before:
        lines.append(f"  section {mermaid_text('Before')}")
        for index, stage in enumerate(before):
            lines.append(
                f"    {mermaid_text(stage.label + ': ' + stage.duration)} : done, b{index + 1}, "
                f"{stage.start.isoformat()}, {stage.end.isoformat()}"
            )
    for forum, _label, _ in timeline.lanes:
        stages = [s for s in timeline.stages if s.forum == forum and not s.before_process]
        events = [e for e in timeline.events if e.moved and e.forum == forum]
        if not stages and not events:
            continue
        lines.append(f"  section {mermaid_text(labels[forum])}")
        for index, stage in enumerate(stages):
            name = f"{stage.label} (decision stood)" if stage.waiting else stage.label
            status = "done, " if stage.waiting else "active, " if not stage.open_ended else ""
            lines.append(
                f"    {mermaid_text(name + ': ' + stage.duration)} : {status}{forum}_{index + 1}, "
                f"{stage.start.isoformat()}, {stage.end.isoformat()}"
            )
        for event in events:
            lines.append(
                f"    {mermaid_text(_milestone(event))} : milestone, "
                f"m{event.number}, {event.when.isoformat()}, 0d"
            )
    side = [e for e in timeline.events if not e.moved]
    if side:
        lines.append("  section Side events")
        for event in side:
            lines.append(
                f"    {mermaid_text(_milestone(event))} : milestone, "
                f"m{event.number}, {event.when.isoformat()}, 0d"
            )
    if timeline.departure is not None:  # where a hypothetical leaves the case it extends
        lines.append(f"  section {mermaid_text('Leaves ' + timeline.departure.base)}")
        lines.append(
            f"    {mermaid_text(timeline.departure.text())} : crit, milestone, departure, "
            f"{timeline.departure.when.isoformat()}, 0d"
        )
    return "\n".join(lines) + "\n"
