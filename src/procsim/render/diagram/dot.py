"""Render a :class:`~procsim.render.diagram.ir.Diagram` as Graphviz DOT text.

Pure string building, so the same diagram always gives the same bytes. Every
piece of text from the process or a scenario goes through :func:`html_text`
(inside HTML-like labels) or :func:`quoted` (DOT strings): it is shown as
written and can never end a label, add an attribute or run one of Graphviz's
``\\N``-style substitutions. (The ``graphviz`` package's ``quote``/``escape``
would not do: they keep newlines and control characters, which end up in the
SVG and make it invalid XML, and leave backslashes alone unless every value
is escaped by hand.)

Two layouts. The whole process, a forum and the overview are laid out by dot as
they come (:func:`_lanes_body`). A case's path or a comparison is drawn for a
slide (:func:`_rows_body`): each forum a lane, in the process's order from the
top, the case's stages along one row, steps' labels on the arrows, and what
hangs from a stage below it; invisible heads, feet and gates hold dot to that.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import textwrap
from collections import OrderedDict
from collections.abc import Sequence

from procsim.render.diagram import style
from procsim.render.diagram.ir import Cluster, Diagram, Edge, LegendEntry, Node

# wrap widths, in characters
STATE_WIDTH = 20
EDGE_WIDTH = 24
NOTE_WIDTH = 44
SUBTITLE_WIDTH = 120
WAY_WIDTH = 18
WAY_FONT = 12
# a path's own text, large enough to read when the diagram is fitted to a slide
PATH_FONT = 20
PATH_STATE_WIDTH = 14
STEP_WIDTH = 16
STEP_FONT = 17
STEP_TEXT = 16
# a forum view's smallest text, in points: it is drawn for a slide (see extract.forum_pages)
SLIDE_TEXT = 14
SLIDE_RATIO = 0.6  # height / width

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# ---------------------------------------------------------------------- escaping
def html_text(text: str) -> str:
    """Text for an HTML-like label: entities for markup, doubled backslashes."""
    text = _CONTROL.sub(" ", text.replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
    return html.escape(text, quote=True).replace("\\", "\\\\")


def quoted(text: str) -> str:
    """A DOT double-quoted string."""
    text = _CONTROL.sub(" ", str(text).replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters (longer words stay whole)."""
    text = " ".join(text.split())
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def lines_html(text: str, width: int, align: str = "") -> str:
    """Wrapped, escaped lines joined with HTML line breaks."""
    br = f'<br align="{align}"/>' if align else "<br/>"
    body = br.join(html_text(line) for line in wrap(text, width))
    return body + (br if align else "")


class Html(str):
    """An attribute value written as an HTML-like label: ``<...>``."""


def _value(value: object) -> str:
    if isinstance(value, Html):
        return f"<{value}>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return quoted(str(value))


def _attrs(attrs: dict[str, object]) -> str:
    items = [f"{key}={_value(value)}" for key, value in attrs.items() if value is not None]
    return " [" + ", ".join(items) + "]" if items else ""


def _font(
    text: str,
    *,
    size: float | None = None,
    colour: str | None = None,
    bold: bool = False,
    italic: bool = False,
) -> str:
    if bold:
        text = f"<b>{text}</b>"
    if italic:
        text = f"<i>{text}</i>"
    attrs = []
    if size is not None:
        attrs.append(f'point-size="{size:g}"')
    if colour is not None:
        attrs.append(f'color="{colour}"')
    return f"<font {' '.join(attrs)}>{text}</font>" if attrs else text


def _size(diagram: Diagram, size: float) -> float:
    """A font size, raised to SLIDE_TEXT in a forum view."""
    return max(size, SLIDE_TEXT) if diagram.kind == "forum" else size


# ---------------------------------------------------------------------- the graph
def to_dot(diagram: Diagram) -> str:
    """The diagram as DOT text."""
    rows = diagram.kind in ("path", "compare") and bool(diagram.clusters)
    beside = rows and _legend_beside(diagram)
    out: list[str] = ['digraph "procsim" {']
    out.append(f"  graph{_attrs(_graph(diagram, rows, legend=not beside))};")
    out.append(f"  node{_attrs(_node_defaults(diagram))};")
    out.append(f"  edge{_attrs(_edge_defaults(diagram))};")
    if rows:
        out.extend(_rows_body(diagram, beside))
    else:
        out.extend(_lanes_body(diagram))
    out.append("}")
    return "\n".join(out) + "\n"


def _legend_beside(diagram: Diagram) -> bool:
    """Whether a path's legend goes beside its last lane, when there is room there (the legend is
    about as wide as ten boxes of a row), rather than under the title."""
    length: dict[str | None, int] = {}
    lane_of = {node.id: node.cluster for node in diagram.nodes}
    for node in diagram.nodes:
        if node.on_path:
            length[node.cluster] = length.get(node.cluster, 0) + 1
    for edge in diagram.edges:  # each step's label sits in a row too
        if edge.on_path and edge.steps and edge.source != edge.dest:
            lane = lane_of.get(
                edge.dest if lane_of.get(edge.source) == lane_of.get(edge.dest) else edge.source
            )
            length[lane] = length.get(lane, 0) + 1
    last = diagram.clusters[-1].id
    return length.get(last, 0) + LEGEND_BOXES <= max(length.values(), default=0)


def _graph(diagram: Diagram, rows: bool, legend: bool = True) -> dict[str, object]:
    big = diagram.kind in ("process", "path", "compare")
    graph: dict[str, object] = {
        "rankdir": diagram.rankdir,
        "fontname": style.FONT,
        "fontsize": 14,
        "bgcolor": "white",
        "pad": 0.4,
        "nodesep": 0.18 if big else 0.6 if diagram.kind == "overview" else 0.25,
        "ranksep": 0.45 if big else 1.1 if diagram.kind == "overview" else 0.55,
        "newrank": True,
        "outputorder": "edgesfirst",
        "labelloc": "t",
        "labeljust": "l",
        "label": Html(_header(diagram, legend=legend)),
    }
    if diagram.kind == "forum":
        # a slide: dot spreads the ranks apart (never shrinks the text) until the drawing is 16:9
        graph["ratio"] = SLIDE_RATIO
    if rows:
        # a case's path reads left to right, lane under lane; dot draws it top to bottom, each lane
        # a band of ranks (see _rows_body). remincross: a last crossing reduction over the whole
        # graph would undo the order of each row.
        graph.update({"rankdir": "TB", "nodesep": 0.28, "ranksep": 0.22, "remincross": False})
    return graph


def _cluster_open(cluster: Cluster, rows: bool) -> list[str]:
    return [
        f"  subgraph {quoted('cluster_' + cluster.id)} {{",
        f"    graph{_attrs(_cluster(cluster, rows))};",
    ]


def _lanes_body(diagram: Diagram) -> list[str]:
    """Clusters, nodes and arrows of a diagram drawn as dot lays it out: the whole process
    (each forum a lane, read left to right, its arrows kept inside it), a forum, the overview,
    or a path with no lanes."""
    out: list[str] = []
    in_cluster = {cluster.id for cluster in diagram.clusters}
    cluster_of = {node.id: node.cluster for node in diagram.nodes if node.cluster in in_cluster}
    # dot lays a left-to-right graph out top to bottom and turns it, so that lanes no arrow joins
    # come out last-written on top: they are written in reverse, to read in the process's order
    # from the top (a test lays the whole process out and checks). Arrows between lanes would
    # reorder them; here none are laid out (constraint=false below) except on a path drawn
    # without lanes.
    clusters = list(diagram.clusters)
    if diagram.rankdir == "LR":
        clusters.reverse()
    for cluster in clusters:
        out.extend(_cluster_open(cluster, False))
        out += [
            f"    {quoted(n.id)}{_attrs(_node(diagram, n))};"
            for n in diagram.nodes
            if n.cluster == cluster.id
        ]
        out.append("  }")
    out += [
        f"  {quoted(n.id)}{_attrs(_node(diagram, n))};" for n in diagram.nodes if n.cluster not in in_cluster
    ]
    for group in diagram.same_rank:
        out.append("  { rank=same; " + " ".join(quoted(name) + ";" for name in group) + " }")
    for edge in diagram.edges:
        attrs = _edge(diagram, edge)
        ends = (cluster_of.get(edge.source), cluster_of.get(edge.dest))
        if None not in ends and ends[0] != ends[1] and edge.kind not in ("start", "note"):
            attrs["constraint"] = False  # each forum is laid out as its own lane
        out.append(f"  {quoted(edge.source)} -> {quoted(edge.dest)}{_attrs(attrs)};")
    return out


def _rows_body(diagram: Diagram, legend_beside: bool) -> list[str]:
    """A path or comparison: each forum a lane, in the process's order from the top.

    In each lane the stages on the path sit side by side in the order the case reached them,
    and each step's number, date and label sit in the row too, on the arrow: just before the
    stage it reaches, or, for a step into another lane, just after the stage it leaves. What
    hangs from a stage (its ways not taken, its side events) sits one rank below, in the same
    order. See :func:`_lane_band` and :func:`_lane_rows` for how dot is held to these orders.
    """
    out: list[str] = []
    lanes = [cluster.id for cluster in diagram.clusters]
    lane_of = {node.id: node.cluster for node in diagram.nodes}
    visits = _visit_order(diagram)
    # the steps' labels, as boxes of their own
    labels: dict[int, tuple[str, str]] = {}  # edge index -> (label box, its lane)
    before: dict[str, list[tuple[int, int]]] = {}  # stage -> (first step, edge index) placed before it
    after: dict[str, list[tuple[int, int]]] = {}
    for index, edge in enumerate(diagram.edges):
        if not (edge.on_path and edge.steps) or edge.source == edge.dest:
            continue  # a loop keeps its label on the loop
        inside = lane_of.get(edge.source) == lane_of.get(edge.dest)
        label_lane = lane_of.get(edge.dest if inside else edge.source) or ""
        labels[index] = (f"__step_{len(labels) + 1}", label_lane)
        (before if inside else after).setdefault(edge.dest if inside else edge.source, []).append(
            (edge.steps[0].number, index)
        )
    row: dict[str, list[str]] = {lane: [] for lane in lanes}
    for name in _row_order(diagram, visits, lane_of):
        lane = lane_of.get(name)
        if lane not in row:
            continue
        row[lane] += [labels[i][0] for _, i in sorted(before.get(name, []))]
        row[lane].append(name)
        row[lane] += [labels[i][0] for _, i in sorted(after.get(name, []))]
    hanging: dict[str, list[str]] = {}  # a stage's ways not taken, then its side events
    for kind in ("ways", "note"):
        for edge in diagram.edges:
            if edge.kind == kind:
                hanging.setdefault(edge.source, []).append(edge.dest)
    drawn: set[tuple[str, str]] = set()  # the arrows drawn between boxes
    for index, edge in enumerate(diagram.edges):
        if index in labels:
            drawn |= {(edge.source, labels[index][0]), (labels[index][0], edge.dest)}
        else:
            drawn.add((edge.source, edge.dest))
    # in full context, the rest of each forum: below the row, placed by its own arrows
    placed = {name for names in row.values() for name in names} | {c for cs in hanging.values() for c in cs}
    loose = {n.id for n in diagram.nodes if n.cluster in row and n.id not in placed}
    ends = _loose_ends(diagram, loose, placed)
    for cluster in diagram.clusters:
        out.extend(_cluster_open(cluster, True))
        out += [
            f"    {quoted(n.id)}{_attrs(_node(diagram, n))};"
            for n in diagram.nodes
            if n.cluster == cluster.id
        ]
        for index, (box, lane) in labels.items():
            if lane == cluster.id:
                edge = diagram.edges[index]
                out.append(f"    {quoted(box)}{_attrs(_step_box(diagram, edge))};")
        tops, bottoms = ends.get(cluster.id, ([], []))
        out.extend(_lane_band(cluster.id, row[cluster.id], hanging, drawn, tops, bottoms))
        out.append("  }")
    out += [f"  {quoted(n.id)}{_attrs(_node(diagram, n))};" for n in diagram.nodes if n.cluster not in row]
    out.extend(_lane_rows(lanes))
    if legend_beside and row[lanes[-1]]:  # beside the last lane's row, where the lanes above leave room
        last = quoted(row[lanes[-1]][-1])
        out.append(
            f"  {quoted(LEGEND)}{_attrs({'shape': 'plain', 'style': 'solid', 'label': Html(_legend(diagram))})};"
        )
        out.append(f"  {{ rank=same; {last}; {quoted(LEGEND)}; }}")
        out.append(f"  {last} -> {quoted(LEGEND)}{_attrs({'style': 'invis', 'minlen': 3})};")
    for index, edge in enumerate(diagram.edges):
        attrs = _edge(diagram, edge)
        crossing = lane_of.get(edge.source) != lane_of.get(edge.dest) and edge.kind not in ("start", "note")
        if edge.source in loose and edge.dest not in loose:
            attrs["constraint"] = False  # the rest of a forum stays below the row
        if index not in labels:
            if crossing:
                attrs["weight"] = 0  # an arrow to another lane does not drag that lane sideways
            out.append(f"  {quoted(edge.source)} -> {quoted(edge.dest)}{_attrs(attrs)};")
            continue
        box = quoted(labels[index][0])  # the arrow runs through its label, in the row
        attrs.pop("label", None)
        second = dict(attrs, weight=0) if crossing else dict(attrs)  # the label is in the lane it leaves
        out.append(f"  {quoted(edge.source)} -> {box}{_attrs(dict(attrs, arrowhead='none'))};")
        out.append(f"  {box} -> {quoted(edge.dest)}{_attrs(second)};")
    return out


def _loose_ends(
    diagram: Diagram, loose: set[str], placed: set[str]
) -> dict[str, tuple[list[str], list[str]]]:
    """For each lane, the boxes of the rest of the forum (full context) that no arrow from the
    row or from the rest reaches (hung from the lane's head), and those from which no arrow
    leads further into the rest (resting on its foot)."""
    reach: dict[str, list[str]] = {}
    leads: set[str] = set()
    for edge in diagram.edges:
        if edge.dest in loose and (edge.source in loose or edge.source in placed):
            reach.setdefault(edge.source, []).append(edge.dest)
            if edge.source in loose:
                leads.add(edge.source)
    seen: set[str] = set()

    def visit(start: str) -> None:
        stack = [start]
        while stack:
            name = stack.pop()
            for child in reach.get(name, ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)

    for name in placed:
        visit(name)
    result: dict[str, tuple[list[str], list[str]]] = {}
    for node in diagram.nodes:
        if node.id not in loose:
            continue
        tops, bottoms = result.setdefault(node.cluster or "", ([], []))
        if node.id not in seen:
            tops.append(node.id)
            seen.add(node.id)
            visit(node.id)
        if node.id not in leads:
            bottoms.append(node.id)
    return result


LEGEND = "__legend__"
LEGEND_BOXES = 10  # how many boxes of a row the legend is about as wide as
_INVISIBLE: dict[str, object] = {"shape": "point", "style": "invis", "width": 0, "height": 0, "label": ""}


def _step_box(diagram: Diagram, edge: Edge) -> dict[str, object]:
    """A step's number, date and label, in the row on its arrow."""
    colour = style.PATH_TEXT if diagram.kind == "path" else style.branch_colour(edge.branch)
    return {
        "shape": "plain",
        "style": "solid",
        "fontsize": STEP_FONT,
        "fontcolor": colour,
        "label": Html(_path_label(diagram, edge)),
        "tooltip": edge.label,
    }


def _row_order(diagram: Diagram, visits: list[str], lane_of: dict[str, str | None]) -> list[str]:
    """The stages on the path, each lane's in an order its arrows run left to right where they
    can (a topological order of the path's arrows inside the lane, ties broken by when the case
    first got there; a loop back is the only arrow that runs right to left). A branch's own
    stages follow the stage it leaves from, rather than wherever the other branch had got to."""
    rank = {name: index for index, name in enumerate(visits)}
    after: dict[str, set[str]] = {name: set() for name in visits}
    for edge in diagram.edges:
        if (
            edge.on_path
            and edge.steps
            and edge.source != edge.dest
            and edge.source in rank
            and edge.dest in rank
            and lane_of.get(edge.source) == lane_of.get(edge.dest)
        ):
            after[edge.source].add(edge.dest)
    waiting = {name: 0 for name in visits}
    for nexts in after.values():
        for other in nexts:
            waiting[other] += 1
    order: list[str] = []
    left = set(visits)
    while left:
        ready = [name for name in left if waiting[name] == 0]
        name = min(ready or left, key=rank.__getitem__)  # none ready: a loop; the earliest goes first
        order.append(name)
        left.discard(name)
        for other in after[name]:
            waiting[other] -= 1
    return order


def _visit_order(diagram: Diagram) -> list[str]:
    """The states on the path (and the start), in the order the case first reached them."""
    order: list[str] = [n.id for n in diagram.nodes if n.kind == "start"]
    for edge in diagram.path_edges():
        for name in (edge.source, edge.dest):
            if name not in order:
                order.append(name)
    order += [n.id for n in diagram.nodes if n.on_path and n.id not in order]
    return order


def _gate(index: int) -> str:
    return f"__gate_{index}"


def _head(lane: str) -> str:
    return f"__head_{lane}"


def _foot(lane: str) -> str:
    return f"__foot_{lane}"


def _lane_band(
    lane: str,
    row: list[str],
    hanging: dict[str, list[str]],
    drawn: set[tuple[str, str]],
    tops: Sequence[str] = (),
    bottoms: Sequence[str] = (),
) -> list[str]:
    """Inside a lane: the row (stages on the path and the steps' labels, in order), what hangs
    from each stage (ways not taken, side events) in the same order one rank below, and an
    invisible head (in the row) and foot (below everything) at the left, by which the lanes
    line up and are kept apart.

    Boxes of one rank joined by an arrow keep its direction, left to right (with no last
    crossing reduction over the whole graph, see :func:`_graph`); invisible arrows join the
    neighbours that no drawn arrow (``drawn``) joins already: a second arrow between two
    boxes would be drawn as an arc over them. In full context, the rest of the forum hangs
    below the row, placed by its own arrows: ``tops`` (reached by none of them) hang from
    the head, and ``bottoms`` (leading nowhere further) rest on the foot."""
    head, foot = _head(lane), _foot(lane)
    top = [head, *row]
    below = [child for parent in row for child in hanging.get(parent, ())]
    if not bottoms:
        below.insert(0, foot)  # the foot sits with what hangs below the row
    lines = [f"    {quoted(name)}{_attrs(_INVISIBLE)};" for name in (head, foot)]
    for names in (top, below):
        if not names:
            continue
        lines.append("    { rank=same; " + " ".join(quoted(name) + ";" for name in names) + " }")
        lines += [
            f"    {quoted(a)} -> {quoted(b)}{_attrs({'style': 'invis'})};"
            for a, b in itertools.pairwise(names)
            if (a, b) not in drawn
        ]
    lines.append(f"    {quoted(head)} -> {quoted(foot)}{_attrs({'style': 'invis', 'weight': 50})};")
    light = {"style": "invis", "weight": 0}
    lines += [f"    {quoted(head)} -> {quoted(name)}{_attrs(light)};" for name in tops]
    lines += [f"    {quoted(name)} -> {quoted(foot)}{_attrs(light)};" for name in bottoms]
    return lines


def _lane_rows(lanes: list[str]) -> list[str]:
    """A path's lanes, in the process's order from the top, each a band of ranks.

    Between two lanes sits an invisible gate, below the foot of the upper lane and above the
    head of the lower one: the order of the lanes is a ranking constraint, which the crossing
    reduction cannot undo (arrows between lanes would otherwise pull, say, the Court of
    Appeal above the Administrative Court). Heads, feet and gates are zero-width points
    joined by heavy arrows into one straight line: the lanes' left edges."""
    lines = []
    heavy = {"style": "invis", "weight": 50}
    for index, (upper, lower) in enumerate(itertools.pairwise(lanes)):
        gate = quoted(_gate(index + 1))
        lines.append(f"  {gate}{_attrs(_INVISIBLE)};")
        lines.append(f"  {quoted(_foot(upper))} -> {gate}{_attrs(heavy)};")
        lines.append(f"  {gate} -> {quoted(_head(lower))}{_attrs(heavy)};")
    return lines


def _cluster(cluster: Cluster, rows: bool = False) -> dict[str, object]:
    label = _font(
        html_text(cluster.label),
        size=18 if rows else 20,
        bold=True,
        colour=style.FAINT_TEXT if cluster.faint else style.TEXT,
    )
    if cluster.hidden:
        other = f"+{cluster.hidden} other stage{'s' if cluster.hidden != 1 else ''} not shown"
        label += "&#160;&#160;" + _font(html_text(other), size=13, colour=style.MUTED, italic=True)
    return {
        "label": Html(label),
        "style": "rounded,filled",
        "fillcolor": style.forum_fill(cluster.index, cluster.faint),
        "color": style.forum_border(cluster.index, cluster.faint),
        "penwidth": 1.5,
        "margin": 8 if rows else 14,
    }


def _node_defaults(diagram: Diagram) -> dict[str, object]:
    return {
        "fontname": style.FONT,
        "fontsize": 14,
        "shape": "box",
        "style": "rounded,filled",
        "margin": "0.14,0.07",
        "penwidth": 1.3,
        "color": style.LINE,
        "fontcolor": style.TEXT,
    }


def _edge_defaults(diagram: Diagram) -> dict[str, object]:
    return {
        "fontname": style.FONT,
        "fontsize": _size(diagram, 12),
        "color": style.LINE,
        "fontcolor": style.TEXT,
        "arrowsize": 0.8,
        "penwidth": 1.2,
    }


# ---------------------------------------------------------------------- nodes
def _cds_margin(label: str, across: float) -> str:
    """The margin of a tag-shaped box (shape ``cds``) where a forum is entered or left.

    Graphviz draws a ``cds`` 12 points shorter than the box its label needs, whatever the number
    of lines: one line still fits (the shape's least height is enough), but a label of two lines
    or more spilled over the top and bottom edges with the usual margin of 0.04 in; 0.1 in (7.2
    points a side) keeps it inside.
    """
    return f"{across},{CDS_DOWN}" if "<br/>" in label else f"{across},0.04"


CDS_DOWN = 0.1


def _node(diagram: Diagram, node: Node) -> dict[str, object]:
    if node.kind == "start":
        return {
            "shape": "circle",
            "style": "filled",
            "fillcolor": style.TEXT,
            "color": style.TEXT,
            "label": "",
            "width": 0.22,
            "height": 0.22,
            "fixedsize": True,
            "tooltip": "start",
        }
    if node.kind == "junction":
        if not node.label:
            return {
                "shape": "point",
                "width": 0.09,
                "color": style.FAINT_LINE if node.faint else style.LINE,
                "label": "",
            }
        colour = style.FAINT_TEXT if node.faint else style.MUTED
        return {
            "shape": "box",
            "style": "rounded,dashed",
            "color": style.FAINT_LINE if node.faint else style.MEMBER,
            "fontcolor": colour,
            "fontsize": _size(diagram, 12),
            "label": Html(_font(lines_html(node.label, 18), italic=True)),
        }
    if node.kind == "exit":
        index = max(node.forum_index, 0)
        name = _font(lines_html(node.label, 18), size=_size(diagram, 12), bold=True)
        forum = (
            _font(lines_html(node.lines[0], 22), size=_size(diagram, 10), colour=style.MUTED)
            if node.lines
            else ""
        )
        faint = node.faint
        return {
            "shape": "cds",
            "style": "filled",
            "fillcolor": style.forum_fill(index, faint),
            "color": style.forum_border(index, faint),
            "penwidth": 1.5,
            "fontcolor": style.FAINT_TEXT if faint else style.TEXT,
            "label": Html(name + ("<br/>" + forum if forum else "")),
            "margin": _cds_margin(name + ("<br/>" + forum if forum else ""), 0.12),
            "tooltip": node.tooltip or None,
        }
    if node.kind == "entry":
        index = max(node.forum_index, 0)
        return {
            "shape": "cds",
            "style": "filled",
            "fillcolor": style.forum_fill(index),
            "color": style.forum_border(index),
            "penwidth": 1.5,
            "label": Html(label := _font(lines_html(node.label, 20), size=_size(diagram, 13), bold=True)),
            "margin": _cds_margin(label, 0.14),
            "tooltip": node.tooltip or None,
        }
    if node.kind == "forum":
        overview = diagram.kind == "overview"
        lines = [_font(lines_html(node.label, 18), size=26 if overview else 15, bold=True)]
        lines += [
            _font(lines_html(line, 24), size=17 if overview else 13, colour=style.MUTED)
            for line in node.lines
        ]
        attrs: dict[str, object] = {
            "shape": "box",
            "style": "rounded,filled",
            "label": Html("<br/>".join(lines)),
            "margin": "0.25,0.15" if diagram.kind == "overview" else "0.18,0.1",
            "tooltip": node.tooltip or None,
        }
        attrs["fillcolor"] = "#f4f4f4"
        attrs["color"] = style.MUTED
        if diagram.kind == "overview":
            index = max(node.forum_index, 0)
            attrs["fillcolor"] = style.forum_fill(index)
            attrs["color"] = style.forum_border(index)
            attrs["penwidth"] = 2
        else:
            attrs["style"] = "rounded,filled,dashed"
        return attrs
    if node.kind == "ways":
        return {
            "shape": "plain",
            "style": "solid",
            "label": Html(_ways(node)),
            "tooltip": node.tooltip or None,
        }
    if node.kind == "notes":
        colour = (
            style.branch_colour(node.branches[0])
            if diagram.kind == "compare" and node.branches and node.branches[0] >= 0
            else style.TEXT
        )
        body = "".join(lines_html(line, NOTE_WIDTH, align="left") for line in node.lines)
        head = _font("side events", size=11, colour=style.MUTED, italic=True) + '<br align="left"/>'
        return {
            "shape": "note",
            "style": "filled",
            "fillcolor": style.NOTE_FILL,
            "color": style.NOTE_BORDER,
            "fontsize": 12,
            "fontcolor": colour,
            "label": Html(head + body),
            "margin": "0.12,0.06",
        }
    return _state(diagram, node)


def _ways(node: Node) -> str:
    """The ways not taken from a stage: a grid of small faint boxes, those into another
    forum in that forum's colour and named with it."""
    count = len(node.ways)
    columns = 1 if count <= 2 else (count + 1) // 2  # at most two rows: the lane stays low
    cells = []
    for way in node.ways:
        text = _font(lines_html(way.label, WAY_WIDTH), size=WAY_FONT, colour=style.WAY_TEXT)
        if way.status == "terminal":
            text = f"<b>{text}</b>"
        if way.forum:
            text = (
                _font("&#8594; ", size=WAY_FONT, colour=style.WAY_TEXT)
                + text
                + "<br/>"
                + _font(lines_html(way.forum, WAY_WIDTH + 4), size=WAY_FONT - 2, colour=style.WAY_TEXT)
            )
            fill, border = style.forum_fill(way.forum_index), style.forum_border(way.forum_index)
        else:
            fill, border = style.FAINT_FILL, style.FAINT_LINE
        cells.append(f'<td border="1" color="{border}" bgcolor="{fill}" cellpadding="3">{text}</td>')
    rows = ["".join(cells[i : i + columns]) for i in range(0, count, columns)]
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    return f'<table border="0" cellborder="1" cellspacing="3" cellpadding="0">{body}</table>'


def _name(diagram: Diagram, node_id: str) -> str:
    for node in diagram.nodes:
        if node.id == node_id:
            return node.label
    return node_id


def _state(diagram: Diagram, node: Node) -> dict[str, object]:
    colours = style.STATUS.get(node.status, style.STATUS["ongoing"])
    attrs: dict[str, object] = {
        "fillcolor": colours["fill"],
        "color": colours["border"],
        "fontcolor": colours["text"],
        "tooltip": node.tooltip or None,
    }
    width = PATH_STATE_WIDTH if node.on_path and diagram.kind in ("path", "compare") else STATE_WIDTH
    text = lines_html(node.label, width)
    if node.status == "terminal":
        attrs["style"] = "filled"
        attrs["peripheries"] = 2
        text = f"<b>{text}</b>"
    if node.faint:
        attrs["fillcolor"] = style.FAINT_FILL if node.status != "terminal" else "#eeeeee"
        attrs["color"] = style.FAINT_LINE
        attrs["fontcolor"] = style.FAINT_TEXT
        attrs["label"] = Html(text)
        return attrs
    extra = []
    if node.on_path:
        colour = style.PATH if diagram.kind == "path" else _node_branch_colour(node)
        attrs["color"] = colour
        attrs["penwidth"] = 3
        attrs["fontsize"] = PATH_FONT
        if node.status != "terminal":
            text = f"<b>{text}</b>"
    if "divergence" in node.marks:
        attrs["color"] = style.DIVERGENCE
        attrs["penwidth"] = 4.5
        extra.append(_font("&#9670; the scenarios part here", size=12, colour=style.DIVERGENCE, bold=True))
    if "final" in node.marks:
        pending = "pending" in node.final_note
        colour = style.PENDING if pending else style.CONCLUDED
        attrs["penwidth"] = 4.5
        attrs["peripheries"] = 2
        if diagram.kind == "path":
            attrs["color"] = colour
        symbol = "&#8987;" if pending else "&#9632;"
        for part in node.final_note.split("; "):
            extra.append(
                _font(
                    symbol + " " + html_text(part),
                    size=12,
                    colour="#ffffff" if node.status == "terminal" else colour,
                    bold=True,
                )
            )
    if extra:
        text += "<br/>" + "<br/>".join(extra)
    attrs["label"] = Html(text)
    return attrs


def _node_branch_colour(node: Node) -> str:
    branches = [b for b in node.branches if b >= 0]
    if -1 in node.branches or len(branches) != 1:
        return style.SHARED
    return style.branch_colour(branches[0])


# ---------------------------------------------------------------------- edges
def _edge(diagram: Diagram, edge: Edge) -> dict[str, object]:
    if edge.kind == "start":
        return {"color": style.TEXT, "penwidth": 2 if edge.on_path else 1.2}
    if edge.kind == "ways":
        return {"color": style.FAINT_LINE, "penwidth": 1, "arrowsize": 0.5, "weight": 2}
    if edge.kind == "note":
        return {
            "style": "dotted",
            "arrowhead": "none",
            "color": style.NOTE_BORDER,
            "penwidth": 1.2,
            "weight": 2,
        }
    if edge.kind == "member":
        if diagram.kind == "overview":  # a way back, joining others before the forum it returns to
            return {
                "arrowhead": "none",
                "color": style.BACK,
                "style": "dashed",
                "penwidth": 1.8,
                "constraint": False,
            }
        return {
            "arrowhead": "none",
            "color": style.FAINT_LINE if edge.faint else style.MEMBER,
            "penwidth": 0.9,
        }
    attrs: dict[str, object] = {}
    if edge.kind == "back":
        attrs["style"] = "dashed"
        attrs["color"] = style.BACK
        attrs["fontcolor"] = style.BACK
    if diagram.kind == "overview":
        attrs["fontsize"] = 17
        attrs["penwidth"] = round(min(1.5 + edge.count**0.5 * 0.6, 6.0), 1)
        attrs["arrowsize"] = 1.2
        if edge.kind == "back":  # numbered; the legend says what each number means
            attrs.update(
                {
                    "penwidth": 1.8,
                    "constraint": False,
                    "label": Html(_badge(_back_keys(diagram)[(edge.dest, edge.label)])),
                }
            )
            return attrs
    if edge.faint:
        attrs["color"] = style.FAINT_LINE
        attrs["fontcolor"] = style.FAINT_TEXT
        attrs["arrowsize"] = 0.6
        attrs["penwidth"] = 1
        return attrs  # faint arrows carry no labels: the path tells the story
    if edge.on_path:
        colour = style.PATH if diagram.kind == "path" else style.branch_colour(edge.branch)
        attrs.update(
            {
                "color": colour,
                "fontcolor": colour if diagram.kind == "compare" else style.PATH_TEXT,
                "penwidth": 3.5,
                "arrowsize": 1.1,
                "weight": 8,
                "fontsize": STEP_FONT,
            }
        )
        attrs.pop("constraint", None)
        if edge.kind == "back":
            attrs["style"] = "bold,dashed"
        attrs["label"] = Html(_path_label(diagram, edge))
        return attrs
    label = lines_html(edge.label, 30 if diagram.kind == "overview" else EDGE_WIDTH)
    if edge.guards:
        guard = _font(
            lines_html("[" + "; ".join(edge.guards) + "]", EDGE_WIDTH),
            size=_size(diagram, 11),
            colour=style.GUARD,
            italic=True,
        )
        label += "<br/>" + guard
    if edge.label or edge.guards:
        attrs["label"] = Html(label)
    return attrs


def _back_keys(diagram: Diagram) -> dict[tuple[str, str], str]:
    """In the overview, the ways back into each forum (one bundle) get a number: what they
    are is in the legend."""
    keys: dict[tuple[str, str], str] = {}
    for edge in diagram.edges:
        if edge.kind == "back" and (edge.dest, edge.label) not in keys:
            keys[(edge.dest, edge.label)] = str(len(keys) + 1)
    return keys


def _badge(key: str) -> str:
    return (
        f'<table border="1" style="rounded" cellborder="0" cellpadding="2" bgcolor="white" '
        f'color="{style.BACK}"><tr><td>{_font("<b>" + key + "</b>", size=16, colour=style.BACK)}</td></tr>'
        "</table>"
    )


def _path_label(diagram: Diagram, edge: Edge) -> str:
    rows = [
        f"<b>{letters}{number}</b>  {html_text(date)}" for letters, number, date in step_rows(diagram, edge)
    ]
    text = "<br/>".join(rows) + "<br/>" + _font(lines_html(edge.label, STEP_WIDTH), size=STEP_TEXT)
    if edge.guards:
        text += "<br/>" + _font(
            lines_html("[" + "; ".join(edge.guards) + "]", STEP_WIDTH + 8),
            size=11,
            colour=style.GUARD,
            italic=True,
        )
    return text


def step_rows(diagram: Diagram, edge: Edge) -> list[tuple[str, int, str]]:
    """An arrow's steps as (branch letters, number, date): a step two branches take on the same
    day under the same number is listed once, lettered for both ('B/C30')."""
    rows: OrderedDict[tuple[int, str], list[str]] = OrderedDict()
    for mark in edge.steps:
        letter = (
            diagram.branches[mark.branch].letter if diagram.kind == "compare" and mark.branch >= 0 else ""
        )
        letters = rows.setdefault((mark.number, mark.date_text), [])
        if letter not in letters:
            letters.append(letter)
    return [("/".join(letters), number, date) for (number, date), letters in rows.items()]


# ---------------------------------------------------------------------- title and legend
def _header(diagram: Diagram, legend: bool = True) -> str:
    title = _font(html_text(diagram.title), size=28, bold=True)
    subtitle = (
        _font(lines_html(diagram.subtitle, SUBTITLE_WIDTH, align="left"), size=16, colour=style.MUTED)
        if diagram.subtitle
        else ""
    )
    return (
        '<table border="0" cellborder="0" cellspacing="2" cellpadding="2">'
        f'<tr><td align="left">{title}</td></tr>'
        + (f'<tr><td align="left">{subtitle}</td></tr>' if subtitle else "")
        + (f'<tr><td align="left">{_legend(diagram)}</td></tr>' if legend else "")
        + "</table>"
    )


def _legend(diagram: Diagram) -> str:
    cells = []
    for entry in diagram.legend:
        size = 16 if diagram.kind == "overview" else _size(diagram, 13)
        cells.append(
            f"<td>{_sample(diagram, entry)}</td>"
            f'<td align="left">{_font(html_text(entry.label), size=size)}</td>'
        )
    per_row = 4 if diagram.kind in ("process", "path", "compare") else 3
    if diagram.kind == "compare":
        per_row = 2
    rows = ["".join(cells[i : i + per_row]) for i in range(0, len(cells), per_row)]
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    table = (
        '<table border="1" color="#cccccc" cellborder="0" cellspacing="4" cellpadding="3" '
        f'bgcolor="#ffffff">{body}</table>'
    )
    keys = _back_keys(diagram) if diagram.kind == "overview" else {}
    if keys:  # what the numbered ways back are
        rows = [
            f'<tr><td align="left" balign="left">{_font("<b>" + key + "</b>", size=16, colour=style.BACK)}'
            f"&#160;&#160;{_font(html_text(f'to {_name(diagram, dest)}: {label}'), size=15)}</td></tr>"
            for (dest, label), key in keys.items()
        ]
        table = (
            f'<table border="0" cellborder="0" cellspacing="0" cellpadding="0"><tr><td align="left">{table}'
            '</td></tr><tr><td align="left">'
            '<table border="1" color="#cccccc" cellborder="0" cellspacing="2" cellpadding="2" bgcolor="#ffffff">'
            f'<tr><td align="left">{_font("<b>Ways back</b>", size=15)}</td></tr>'
            f"{''.join(rows)}</table></td></tr></table>"
        )
    return table


def _plain_box(
    fill: str,
    border: str,
    text: str,
    *,
    rounded: bool = True,
    dashed: bool = False,
    width: int = 1,
    font: str = style.TEXT,
    size: float = 11,
) -> str:
    styles = ",".join(s for s in ("rounded" if rounded else "", "dashed" if dashed else "") if s)
    style_attr = f' style="{styles}"' if styles else ""
    return (
        f'<table border="{width}" cellborder="0" cellpadding="3" bgcolor="{fill}" color="{border}"'
        f"{style_attr}><tr><td>{_font(text, size=size, colour=font)}</td></tr></table>"
    )


def _arrow(colour: str, dashed: bool = False, width: str = "") -> str:
    line = "&#9476;&#9476;&#9476;" if dashed else "&#9472;&#9472;&#9472;"
    text = f"{line}&#9654;"
    return _font(f"<b>{text}</b>" if width else text, size=14, colour=colour)


def _sample(diagram: Diagram, entry: LegendEntry) -> str:
    key = entry.style
    _box = functools.partial(_plain_box, size=_size(diagram, 11))
    if key in style.STATUS:
        colours = style.STATUS[key]
        return _box(
            colours["fill"],
            colours["border"],
            "stage" if key != "terminal" else "<b>end</b>",
            rounded=key != "terminal",
            width=2 if key == "terminal" else 1,
            font=colours["text"],
        )
    if key == "move":
        return _arrow(style.LINE)
    if key == "guard":
        return _font("<i>[condition]</i>", size=_size(diagram, 12), colour=style.GUARD)
    if key == "back":
        return _arrow(style.BACK, dashed=True)
    if key == "junction":
        return _box("#ffffff", style.MEMBER, "<i>any of</i>", dashed=True, font=style.MUTED)
    if key == "exit":
        return _box(style.forum_fill(3), style.forum_border(3), "&#8594; elsewhere", rounded=False)
    if key == "entry":
        return _box(style.forum_fill(1), style.forum_border(1), "from &#8594;", rounded=False)
    if key == "forum":
        return _box("#f4f4f4", style.MUTED, "<b>forum</b>", dashed=diagram.kind != "overview")
    if key == "path":
        return _font("<b>3</b> 26 Oct 2020", size=12, colour=style.PATH) + _arrow(style.PATH, width="bold")
    if key == "shared":
        return _arrow(style.SHARED, width="bold")
    if key == "branch":
        return _arrow(style.branch_colour(entry.branch), width="bold")
    if key == "divergence":
        return _box("#ffffff", style.DIVERGENCE, "&#9670;", width=3, font=style.DIVERGENCE)
    if key == "final":
        return _box("#ffffff", style.CONCLUDED, "&#9632; ends", width=3, font=style.CONCLUDED)
    if key == "notes":
        return _box(style.NOTE_FILL, style.NOTE_BORDER, "side events", rounded=False, font=style.TEXT)
    if key == "faint":
        return _box(style.FAINT_FILL, style.FAINT_LINE, "other", font=style.FAINT_TEXT)
    if key == "ways":
        return _box(style.FAINT_FILL, style.FAINT_LINE, "not taken", rounded=False, font=style.WAY_TEXT)
    return ""
