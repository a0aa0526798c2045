"""Build one self-contained HTML page for a case, or for the bare process.

The page holds ONE JSON document: the process as data (states, transitions with
their guards, fact effects, basis and actors; guards with their declarative
conditions, reasons and basis; facts and derived facts) and, for a scenario,
its replayed steps with what the Python engine computed at each (the options
and why each blocked one is blocked, the time limits running, the sources and
their discrepancies). The map is the SVG the diagram pipeline draws
(``procsim diagram SCENARIO --format svg``), with stable ids and classes added
to every state, step and arrow. The JavaScript and CSS in ``assets/`` are
inlined at build time, so the file opens from ``file://`` with no request.

The same inputs always give the same bytes: keys are sorted, nothing is timed.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from procsim.core.dates import MONTHS, describe_gap
from procsim.core.deadlines import LimitRun, due_text, running_after
from procsim.core.engine import Engine, Replay, Step
from procsim.core.model import STATUS_WORDS, Condition, Process, TimeLimit, Transition, fact_words
from procsim.core.scenario import Scenario, Source
from procsim.core.stepper import Choice, Stepper
from procsim.render.text import discrepancy_json

# bump when the page's code or layout changes, so stamped pages in diagrams/ are redrawn
PAGE_VERSION = "1"
ASSETS = ("procsim.css", "evaluate.js", "panzoom.js", "page.js")


# ---------------------------------------------------------------------- the process as data
def condition_json(condition: Condition) -> dict[str, Any]:
    data: dict[str, Any] = {"op": condition.op}
    if condition.fact is not None:
        data["fact"] = condition.fact
    if condition.op in ("is", "in", "not_in"):
        data["value"] = list(condition.value) if condition.op != "is" else condition.value
    if condition.children:
        data["children"] = [condition_json(child) for child in condition.children]
    return data


def _limit_json(limit: TimeLimit | None) -> dict[str, Any] | None:
    if limit is None:
        return None
    return {
        "text": limit.describe(),
        "basis": limit.basis,
        "kind": limit.kind,
        "unverified": limit.unverified,
    }


def _transition_json(process: Process, index: int, transition: Transition) -> dict[str, Any]:
    return {
        "i": index,
        "trigger": transition.trigger,
        "label": process.triggers[transition.trigger].label,
        "source": transition.source,
        "dest": transition.dest,
        "actors": list(transition.actors),
        "basis": transition.basis,
        "guards": list(transition.guards),
        "sets": [[fact, _plain(value)] for fact, value in transition.sets],
        "records_date": transition.records_date,
        "records_actor": transition.records_actor,
        "records_decision": transition.records_decision,
        "time_limit": _limit_json(transition.time_limit),
        "unverified": transition.unverified,
        "note": transition.note,
    }


def process_json(process: Process) -> dict[str, Any]:
    """Everything the page's evaluator and panels need from the process."""
    return {
        "id": process.id,
        "title": process.title,
        "initial": process.initial,
        "status_words": dict(STATUS_WORDS),
        # facts and values in the terminal's words (model.fact_words; evaluate.js valueWords
        # mirrors model.value_words, with these month names for dates)
        "fact_words": {name: fact_words(process, name) for name in [*process.facts, *process.derived]},
        "months": list(MONTHS),
        "forums": {name: forum.label for name, forum in process.forums.items()},
        "forum_order": list(process.forums),
        "actors": {name: actor.label for name, actor in process.actors.items()},
        "states": {
            name: {
                "label": state.label,
                "forum": state.forum,
                "description": state.description,
                "basis": state.basis,
                "status": state.status,
                "decision_by": state.decision_by,
                "unverified": state.unverified,
            }
            for name, state in process.states.items()
        },
        "transitions": [_transition_json(process, i, t) for i, t in enumerate(process.transitions)],
        "guards": {
            name: {
                "label": guard.label,
                "reason": guard.reason,
                "basis": guard.basis,
                "condition": condition_json(guard.condition),
                "unverified": guard.unverified,
            }
            for name, guard in process.guards.items()
        },
        "facts": {
            name: {
                "type": spec.type,
                "default": _plain(spec.default),
                "values": list(spec.values),
                "falls_back_to": spec.falls_back_to,
            }
            for name, spec in process.facts.items()
        },
        "derived": {
            name: {
                "from_date": derived.from_date,
                "basis": derived.basis,
                "ranges": [[before.iso() if before else None, value] for before, value in derived.ranges],
            }
            for name, derived in process.derived.items()
        },
    }


def _plain(value: Any) -> Any:
    """A fact value as JSON: dates as written ('2021-10'), everything else as it is."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _plain(value) for name, value in facts.items()}


# ---------------------------------------------------------------------- a case as data
def _source_json(source: Source) -> dict[str, Any]:
    return {
        "publisher": source.publisher,
        "title": source.title,
        "date": source.date.iso(),
        "date_text": source.date.human(),
        "cite": source.cite(),
        "url": source.url,
        "seed": source.seed,
        "model": source.model,
        "note": source.note,
    }


def scenario_json(scenario: Scenario, process: Process) -> dict[str, Any]:
    end = scenario.end
    state = process.states[end.state]
    status = (
        f"pending as of {end.as_of.human()}"
        if end.status == "pending" and end.as_of
        else STATUS_WORDS[state.status]
    )
    return {
        "id": scenario.id,
        "title": scenario.title,
        "kind": scenario.kind,
        "summary": scenario.summary,
        "extends": scenario.extends,
        "initial_facts": _facts(scenario.initial_facts),
        "sources": {sid: _source_json(source) for sid, source in scenario.sources.items()},
        "end": {"state": end.state, "status": end.status, "text": status},
    }


def _choices_json(choices: list[Choice]) -> list[dict[str, Any]]:
    return [
        {
            "t": -1,  # the transition's index, set by the caller
            "taken": choice.taken,
            "blocked": [
                {
                    "guard": failure.guard.name,
                    "text": failure.describe(),
                    "facts": [[name, _plain(value)] for name, value in failure.facts],
                }
                for failure in choice.option.blocked_by
            ],
        }
        for choice in choices
    ]


def _run_json(process: Process, run: LimitRun, outcome: bool) -> dict[str, Any]:
    from procsim.render.text import run_line

    return {
        "label": process.triggers[run.trigger].label,
        "text": run_line(run, outcome=outcome),
        "due": due_text(run.due),
        "verdict": run.verdict if outcome else None,
        "started": run.started.number,
        "unverified": run.limit.unverified,
    }


def _step_json(process: Process, stepper: Stepper, step: Step, runs: list[LimitRun]) -> dict[str, Any]:
    from procsim.render.text import event_label, step_basis, step_unverified

    event = step.event
    previous = stepper.events[step.number - 2] if step.number > 1 else None
    rule = step.transition or step.side_event
    return {
        "number": step.number,
        "id": event.id,
        "date": event.date.iso(),
        "date_text": event.date.human(),
        "precision": event.date.precision,
        "gap": describe_gap(previous.date, event.date) if previous else None,
        "label": event_label(process, event),
        "actor": event.actor,
        "actor_label": process.actors[event.actor].label if event.actor in process.actors else event.actor,
        "summary": event.summary,
        "moved": step.moved,
        "trigger": event.trigger,
        "side": event.side,
        "t": process.transitions.index(step.transition) if step.transition is not None else None,
        "before": step.before,
        "after": step.after,
        "basis": step_basis(step),
        "rule_unverified": rule.unverified if rule is not None else None,
        "unverified": step_unverified(step),
        "event_facts": _facts(event.facts),
        "changes": [[fact, _plain(old), _plain(new)] for fact, old, new in step.changes],
        "sources": list(event.sources),
        "notes": list(event.notes),
        "discrepancies": [discrepancy_json(item) for item in event.discrepancies],
        "limits_closed": [
            _run_json(process, run, outcome=True)
            for run in runs
            if run.closed_by is not None and run.closed_by.number == step.number
        ],
    }


def case_json(process: Process, stepper: Stepper) -> dict[str, Any]:
    """The steps of the stepper's line and, at each position, what the engine computed."""
    index = {id(t): i for i, t in enumerate(process.transitions)}
    runs = stepper.limit_runs()
    positions = []
    for position in range(stepper.total + 1):
        choices = stepper.choices_at(position)
        data = _choices_json(choices)
        for item, choice in zip(data, choices, strict=True):
            item["t"] = index[id(choice.transition)]
        positions.append(
            {
                "state": stepper.state_at(position),
                "facts": _facts(stepper.facts_at(position)),
                "options": data,
                "running": [_run_json(process, run, outcome=False) for run in running_after(runs, position)],
            }
        )
    steps = [_step_json(process, stepper, step, runs) for step in stepper.steps]
    return {"steps": steps, "positions": positions}


# ---------------------------------------------------------------------- the map
_NODE_RE = re.compile(r'<g id="node\d+" class="node">\n<title>([^<]*)</title>')
_EDGE_RE = re.compile(r'<g id="edge\d+" class="edge">\n<title>([^<]*)</title>')
_CELL_RE = re.compile(r'<polygon fill="[^"]*" stroke="none"')
_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def _safe(name: str) -> str:
    return _SAFE.sub("_", name)


def _segments(diagram: Any) -> list[tuple[str, str, Any]]:
    """The arrows as Graphviz draws them, in the DOT's order: a path step's arrow runs
    through its label box (``__step_N``; see :func:`procsim.render.diagram.dot._rows_body`)."""
    rows = diagram.kind in ("path", "compare") and bool(diagram.clusters)
    labels: dict[int, str] = {}
    if rows:
        for index, edge in enumerate(diagram.edges):
            if edge.on_path and edge.steps and edge.source != edge.dest:
                labels[index] = f"__step_{len(labels) + 1}"
    result: list[tuple[str, str, Any]] = []
    for index, edge in enumerate(diagram.edges):
        if index in labels:
            result += [(edge.source, labels[index], edge), (labels[index], edge.dest, edge)]
        else:
            result.append((edge.source, edge.dest, edge))
    return result


def annotate_svg(svg: str, diagram: Any, process: Process) -> str:
    """The SVG with stable ids and classes on every state, step label, way not taken and arrow.

    States: ``id="st-NAME" class="node state" data-state="NAME"``; a step's label box:
    ``class="node steplabel" data-steps="N ..."``; ways not taken: each cell
    ``class="way" data-state="NAME"``; arrows: ``class="edge KIND [path]"`` with
    ``data-from``, ``data-to`` and, on the path, ``data-steps``.
    """
    segments = _segments(diagram)
    label_steps: dict[str, str] = {}
    for source, dest, edge in segments:
        for name in (source, dest):
            if name.startswith("__step_"):
                label_steps[name] = " ".join(str(mark.number) for mark in edge.steps)
    nodes = {node.id: node for node in diagram.nodes}

    def node(match: re.Match[str]) -> str:
        name = html.unescape(match.group(1))
        title = match.group(1)
        if name in process.states:
            head = f'<g id="st-{_safe(name)}" class="node state" data-state="{name}">'
        elif name in label_steps:
            head = f'<g id="lbl-{_safe(name[7:])}" class="node steplabel" data-steps="{label_steps[name]}">'
        elif name in nodes and nodes[name].kind == "ways":
            head = f'<g id="ways-{_safe(name[5:])}" class="node ways" data-from="{_safe(name[5:])}">'
        else:
            kind = nodes[name].kind if name in nodes else "other"
            head = f'<g id="n-{_safe(name)}" class="node {kind}">'
        return f"{head}\n<title>{title}</title>"

    svg = _NODE_RE.sub(node, svg)
    queues: dict[tuple[str, str], list[Any]] = {}
    for source, dest, edge in segments:
        queues.setdefault((source, dest), []).append(edge)
    used: dict[str, int] = {}

    def arrow(match: re.Match[str]) -> str:
        title = match.group(1)
        source, _, dest = html.unescape(title).partition("->")
        queue = queues.get((source, dest), [])
        edge = queue.pop(0) if queue else None
        base = f"e-{_safe(source)}--{_safe(dest)}"
        used[base] = used.get(base, 0) + 1
        ident = base if used[base] == 1 else f"{base}-{used[base]}"
        classes = ["edge", edge.kind if edge else "other"]
        extra = f' data-from="{_safe(source)}" data-to="{_safe(dest)}"'
        if edge is not None and edge.on_path:
            classes.append("path")
            if edge.steps:
                extra += f' data-steps="{" ".join(str(mark.number) for mark in edge.steps)}"'
        return f'<g id="{ident}" class="{" ".join(classes)}"{extra}>\n<title>{title}</title>'

    svg = _EDGE_RE.sub(arrow, svg)
    for item in diagram.nodes:
        if item.kind == "ways" and item.ways:
            svg = _mark_ways(svg, item)
    return svg


def _mark_ways(svg: str, node: Any) -> str:
    """Wrap each cell of a 'ways not taken' box in a group naming the state it leads to."""
    stage = _safe(node.id[5:])
    start = svg.find(f'<g id="ways-{stage}" ')
    if start < 0:
        return svg
    end = svg.find("</a>\n</g>", start)
    if end < 0:
        return svg
    body = svg[start:end]
    cuts = [m.start() for m in _CELL_RE.finditer(body)]
    if len(cuts) != len(node.ways):
        return svg  # not the layout this was written for: leave the box as drawn
    pieces = [body[: cuts[0]]]
    for number, way in enumerate(node.ways):
        piece = body[cuts[number] : cuts[number + 1] if number + 1 < len(cuts) else len(body)]
        pieces.append(
            f'<g id="way-{stage}--{_safe(way.state)}" class="way" data-state="{way.state}">{piece}</g>\n'
        )
    return svg[:start] + "".join(pieces) + svg[end:]


def _inline_svg(svg: bytes) -> str:
    """The SVG as an element in the page: no XML prolog, doctype or comments; sized by CSS."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    text = re.sub(r"<!--.*?-->\n?", "", text, flags=re.S)
    text = re.sub(r'<svg width="[^"]*" height="[^"]*"', '<svg id="map-svg" role="img"', text, count=1)
    return text


# ---------------------------------------------------------------------- the page
@dataclass(frozen=True)
class Page:
    """A page ready to build: its name (file stem), the data and the drawing of its map."""

    name: str
    title: str
    data: dict[str, Any]
    drawing: Any  # a procsim.render.diagram.Drawing
    process: Process

    def data_text(self) -> str:
        return json.dumps(self.data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def stamp(self) -> str:
        """The hash of what the page is built from: its data, the map's DOT and the assets."""
        digest = hashlib.sha256()
        digest.update(f"procsim-page/{PAGE_VERSION}\n".encode())
        digest.update(self.data_text().encode("utf-8"))
        digest.update(self.drawing.dot().encode("utf-8"))
        for name in ASSETS:
            digest.update(asset(name).encode("utf-8"))
        return "sha256=" + digest.hexdigest()

    def render(self) -> bytes:
        return build_page(self).encode("utf-8")


def basis_links() -> dict[str, list[str]]:
    """Where the instruments a legal basis names are published: abbreviation -> [title, URL]."""
    links: dict[str, list[str]] = json.loads(asset("basis_links.json"))
    return links


def asset(name: str) -> str:
    return resources.files("procsim.render.html").joinpath("assets", name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """Text that cannot end the <script> element it sits in."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def build_page(page: Page) -> str:
    from procsim.render.diagram.render import render_dot

    svg, _messages = render_dot(page.drawing.dot(), "svg")
    map_svg = _inline_svg(svg)
    map_svg = annotate_svg(map_svg, page.drawing.ir, page.process)
    title = html.escape(page.title)
    scripts = "\n".join(f"<script>\n{_script_safe(asset(name))}\n</script>" for name in ASSETS[1:])
    return TEMPLATE.format(
        stamp=page.stamp(),
        title=title,
        css=asset("procsim.css"),
        data=_script_safe(page.data_text()),
        svg=map_svg,
        scripts=scripts,
    )


TEMPLATE = """<!DOCTYPE html>
<!-- procsim: {stamp} -->
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
<a class="skip" href="#panel">Skip to the step</a>
<header id="bar">
  <h1 id="title">{title}</h1>
  <nav id="controls" aria-label="Steps">
    <button id="prev" type="button" aria-label="Previous step" title="Previous step (left arrow)">&#9664; Back</button>
    <label class="sr" for="jump">Go to step</label>
    <select id="jump"></select>
    <button id="next" type="button" aria-label="Next step" title="Next step (right arrow)">Next &#9654;</button>
  </nav>
  <div id="modes" role="group" aria-label="View">
    <button type="button" data-mode="case" aria-pressed="true">Case</button>
    <button type="button" data-mode="quiz" aria-pressed="false">Classroom</button>
    <button type="button" data-mode="timeline" aria-pressed="false">Timeline</button>
    <button type="button" id="print" aria-label="Print this step">Print</button>
    <button type="button" id="handout" aria-label="Print the whole case as a handout">Handout</button>
    <label class="inline"><input type="checkbox" id="one-per-page"> one step a page</label>
  </div>
</header>
<main id="main">
  <section id="map" aria-label="Map of the process">
    <div id="map-tools" role="group" aria-label="Map">
      <button type="button" id="zoom-in" aria-label="Zoom in">+</button>
      <button type="button" id="zoom-out" aria-label="Zoom out">&#8722;</button>
      <button type="button" id="zoom-fit" aria-label="Fit the whole map">Fit</button>
      <button type="button" id="zoom-here" aria-label="Zoom to the current state">Here</button>
    </div>
    <div id="map-view" tabindex="0" aria-label="Map: drag or use the arrow keys with Shift to pan, plus and minus to zoom">
{svg}
    </div>
    <p id="map-note" aria-live="polite"></p>
  </section>
  <section id="panel" tabindex="-1" aria-live="polite" aria-label="The step"></section>
</main>
<section id="handout-view" aria-hidden="true"></section>
<script type="application/json" id="procsim-data">{data}</script>
{scripts}
</body>
</html>
"""


# ---------------------------------------------------------------------- the two kinds of page
def scenario_page(process: Process, replay: Replay, engine: Engine | None = None) -> Page:
    from procsim.render.diagram import extract
    from procsim.render.diagram.catalogue import Drawing

    scenario = replay.scenario
    stepper = Stepper(engine or Engine(process), scenario)
    diagram = extract.path_diagram(process, replay)
    timeline = extract.timeline_diagram(process, replay).to_json()
    data = {
        "kind": "scenario",
        "basis_links": basis_links(),
        "process": process_json(process),
        "scenario": scenario_json(scenario, process),
        "case": case_json(process, stepper),
        "timeline": {key: timeline[key] for key in ("events", "stages", "gaps", "final_note", "subtitle")},
    }
    return Page(scenario.id, scenario.title, data, Drawing(diagram.name, diagram), process)


def process_page(process: Process, engine: Engine | None = None) -> Page:
    from procsim.render.diagram import extract
    from procsim.render.diagram.catalogue import Drawing

    stepper = Stepper(engine or Engine(process))
    diagram = extract.process_diagram(process)
    data = {
        "kind": "process",
        "basis_links": basis_links(),
        "process": process_json(process),
        "scenario": None,
        "case": case_json(process, stepper),
        "timeline": None,
    }
    return Page(
        "process", f"The bare process: {process.title}", data, Drawing(diagram.name, diagram), process
    )


def page_data(page: Page) -> dict[str, Any]:
    return page.data
