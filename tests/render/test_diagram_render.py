"""Rendering diagrams: DOT, SVG and Mermaid text, determinism, escaping of hostile
text, atomic writes, the command, and the staleness check on diagrams/."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SCENARIOS
from procsim.cli.main import main
from procsim.core.engine import replay
from procsim.io.atomic import write_bytes_atomic, write_text_atomic
from procsim.io.scenario_reader import load_scenario
from procsim.render.diagram import extract, render
from procsim.render.diagram.catalogue import Drawing, check, drawings, write_all
from procsim.render.diagram.dot import html_text, quoted, step_rows, to_dot
from procsim.render.diagram.mermaid import mermaid_text, timeline_to_mermaid, to_mermaid
from procsim.workspace import engine_for

DIAGRAMS = ROOT / "diagrams"
HOSTILE = (
    'O\'Connor & "Mr Justice Swift" {braces} <b>not bold</b> back\\slash \\N \\G \\L '
    "]; x -> y [color=red] --> end note #quot; %% 😀 é"
)


@pytest.fixture(scope="module")
def oconnor(process):
    return replay(engine_for(process), load_scenario(SCENARIOS / "oconnor.yaml"))


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}text")]


def hostile_process(process):
    """The shipped process with hostile text in a state, a forum, a trigger and a guard."""
    states = dict(process.states)
    states["incident"] = attrs.evolve(states["incident"], label=HOSTILE, description=HOSTILE)
    forums = dict(process.forums)
    forums["police_iopc"] = attrs.evolve(forums["police_iopc"], label=HOSTILE)
    triggers = dict(process.triggers)
    triggers["make_complaint"] = attrs.evolve(triggers["make_complaint"], label=HOSTILE)
    guards = dict(process.guards)
    guards["no_mandatory_referral"] = attrs.evolve(guards["no_mandatory_referral"], label=HOSTILE)
    return attrs.evolve(
        process, states=states, forums=forums, triggers=triggers, guards=guards, title=HOSTILE
    )


# ---------------------------------------------------------------------- escaping
def test_escaping_helpers():
    assert html_text('<a href="x">&\\N') == "&lt;a href=&quot;x&quot;&gt;&amp;\\\\N"
    assert quoted('say "hi" \\N\nnext') == '"say \\"hi\\" \\\\N next"'
    assert mermaid_text('a: "b" <c> #d; {e}') == "a#58; #34;b#34; #60;c#62; #35;d#59; #123;e#125;"
    assert mermaid_text("O'Connor é 😀") == "O'Connor é 😀"


def test_hostile_text_shows_as_written_in_svg_and_cannot_inject(process):
    diagram = extract.process_diagram(hostile_process(process))
    dot = to_dot(diagram)
    import pygraphviz

    graph = pygraphviz.AGraph(string=dot)  # the DOT parses, with exactly the nodes and edges intended
    assert graph.number_of_nodes() == len(diagram.nodes)
    assert graph.number_of_edges() == len(diagram.edges)
    assert not any(edge.attr.get("color") == "red" for edge in graph.edges())
    svg, messages = render.render_dot(dot, "svg")
    assert render.engine_problems(messages) == []
    texts = svg_texts(svg)  # the SVG parses as XML
    joined = " ".join(texts)
    words = HOSTILE.split()
    # every word of the hostile text is shown as written (wrapping only splits at spaces)
    for word in words:
        assert word in joined, word
    # shown as written, not replaced as Graphviz would (\N: the node's name, \G: the graph's)
    assert "\\N" in joined and "\\G" in joined and "back\\slash" in joined
    svg_ns = "{http://www.w3.org/2000/svg}"
    node = next(
        g
        for g in ET.fromstring(svg).iter(svg_ns + "g")
        if g.get("class") == "node" and g.findtext(svg_ns + "title") == "incident"
    )
    shown = " ".join(t.text or "" for t in node.iter(svg_ns + "text"))
    assert shown == " ".join(HOSTILE.split())  # the whole label, exactly, in its wrapped lines
    # the number of nodes and edges is what the representation says: nothing injected
    root = ET.fromstring(svg)
    groups = [g.get("class") for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert groups.count("node") == len(diagram.nodes)
    assert groups.count("edge") == len(diagram.edges)


def test_hostile_text_in_mermaid_is_entities(process):
    text = to_mermaid(extract.process_diagram(hostile_process(process)))
    body = text.split("---\n", 2)[2]
    state_line = next(line for line in body.splitlines() if line.strip().endswith(" as s_incident"))
    label = state_line.strip()[len('state "') : -len('" as s_incident')]
    assert '"' not in label and "<" not in label and ":" not in label and "\n" not in label
    assert "O'Connor" in label and "😀" in label and "#34;Mr Justice Swift#34;" in label
    assert "#92;N" in label  # the backslash, as an entity
    title = text.splitlines()[1]
    assert title.startswith('title: "O\'Connor & \\"Mr Justice Swift\\"')  # a YAML double-quoted string
    transition = next(
        line
        for line in body.splitlines()
        if line.strip().startswith("s_incident -->") and "complaint_received" in line
    )
    assert transition.count(" : ") == 1 and "-->" not in transition.split(" : ", 1)[1]


# ---------------------------------------------------------------------- Mermaid
def test_mermaid_state_diagram_shape(process, oconnor):
    text = to_mermaid(extract.path_diagram(process, oconnor))
    lines = text.splitlines()
    assert lines[0] == "---" and lines[1].startswith("title: ") and lines[2] == "---"
    assert lines[3] == "stateDiagram-v2" and lines[4] == "  direction LR"
    assert '  state "Police and IOPC" as forum_0 {' in lines
    assert "  [*] --> s_incident" in lines
    assert "  s_incident --> s_complaint_received : 3. 26 Oct 2020 complaint made" in lines
    assert any(line.startswith("  note right of s_incident : 1. 23 Oct 2011#58; conduct") for line in lines)
    assert any(line.startswith("  class ") and line.endswith(" final") for line in lines)
    assert text.count("{") == text.count("}")
    assert "s_investigation_directed" not in text  # a path shows only the path


def test_mermaid_timeline_is_a_gantt_chart(process, oconnor):
    text = timeline_to_mermaid(extract.timeline_diagram(process, oconnor))
    lines = text.splitlines()
    assert lines[3:6] == ["gantt", "  dateFormat YYYY-MM-DD", "  axisFormat %Y"]
    assert "  section Administrative Court" in lines
    assert any("3. 26 Oct 2020#58; complaint made : milestone, m3, 2020-10-26, 0d" in line for line in lines)
    assert not any("departure" in line for line in lines)  # the real case leaves nothing


def test_mermaid_timeline_marks_where_a_hypothetical_leaves_its_base(process):
    result = replay(engine_for(process), load_scenario(SCENARIOS / "oconnor-ca-dismisses.yaml"))
    timeline = extract.timeline_diagram(process, result)
    lines = timeline_to_mermaid(timeline).splitlines()
    departure = timeline.departure
    assert departure is not None
    assert lines[-2:] == [
        "  section Leaves oconnor",
        f"    leaves oconnor here, after step {departure.after_step} ({departure.label}) : crit, milestone, "
        f"departure, {departure.when.isoformat()}, 0d",
    ]


# ---------------------------------------------------------------------- determinism
def test_dot_and_svg_are_byte_identical_when_drawn_twice(process, oconnor):
    first = Drawing("oconnor", extract.path_diagram(process, oconnor))
    second = Drawing(
        "oconnor",
        extract.path_diagram(process, replay(engine_for(process), load_scenario(SCENARIOS / "oconnor.yaml"))),
    )
    assert first.dot() == second.dot()
    svg = first.render("svg")
    assert svg == second.render("svg")
    assert b"Generated by graphviz" not in svg  # no engine version in the file


def test_timeline_svg_is_byte_identical_when_drawn_twice(process, oconnor):
    drawing = Drawing("t", extract.timeline_diagram(process, oconnor))
    first = drawing.render("svg")
    assert first == drawing.render("svg")
    assert b"<dc:date>" not in first and b"Matplotlib v" not in first


def test_dot_does_not_depend_on_hash_randomisation():
    outputs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "procsim",
                "--scenarios",
                str(SCENARIOS),
                "diagram",
                "oconnor",
                "oconnor-panel-dismisses",
                "--format",
                "dot",
            ],
            capture_output=True,
            env=env,
            check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_every_kept_diagram_draws_without_engine_warnings(process):
    replays = [replay(engine_for(process), load_scenario(path)) for path in sorted(SCENARIOS.glob("*.yaml"))]
    items = [d for d in drawings([process], replays) if not d.is_timeline]
    items += [Drawing("full", extract.path_diagram(process, replays[0], context="full"))]
    for drawing in items:
        _, messages = render.render_dot(drawing.dot(), "svg")
        assert render.engine_problems(messages) == [], drawing.name


# ---------------------------------------------------------------------- layout
def laid_out(diagram):
    """The diagram laid out by the bundled Graphviz: (graph, lanes top to bottom)."""
    import pygraphviz

    with render.captured_stderr():
        graph = pygraphviz.AGraph(string=to_dot(diagram))
        graph.layout(prog="dot")
    tops = {
        sub.name[len("cluster_") :]: float(sub.graph_attr["bb"].split(",")[3])
        for sub in graph.subgraphs()
        if sub.name and sub.name.startswith("cluster_")
    }
    return graph, sorted(tops, key=lambda lane: -tops[lane])


def x_of(graph, name: str) -> float:
    return float(graph.get_node(name).attr["pos"].split(",")[0])


def test_lanes_are_drawn_in_the_process_order_from_the_top(process, oconnor):
    """The Court of Appeal below the Administrative Court, whatever the path's arrows pull."""
    order = list(process.forums)
    other = replay(engine_for(process), load_scenario(SCENARIOS / "oconnor-officer-appeals-to-pat.yaml"))
    views = [
        extract.process_diagram(process),
        extract.path_diagram(process, oconnor),
        extract.compare_diagram(process, [oconnor, other]),
        extract.path_diagram(process, oconnor, context="full"),
    ]
    for diagram in views:
        _, lanes = laid_out(diagram)
        assert lanes == [c.id for c in diagram.clusters] == sorted(lanes, key=order.index), diagram.name
    assert laid_out(views[2])[1][2:4] == ["pat", "admin_court"]


def test_each_row_reads_left_to_right_in_the_order_the_case_went(process, oconnor):
    diagram = extract.path_diagram(process, oconnor)
    graph, _ = laid_out(diagram)
    lane_of = {n.id: n.cluster for n in diagram.nodes}
    seen: list[str] = []
    for step in oconnor.steps:
        for name in (step.before, step.after):
            if name not in seen:
                seen.append(name)
    for lane in {c.id for c in diagram.clusters}:
        row = [name for name in seen if lane_of.get(name) == lane]
        xs = [x_of(graph, name) for name in row]
        assert xs == sorted(xs), (lane, row)
        ys = {graph.get_node(name).attr["pos"].split(",")[1] for name in row}
        assert len(ys) == 1, lane  # one row
    # the lanes line up on the left
    lefts = {
        round(float(sub.graph_attr["bb"].split(",")[0]))
        for sub in graph.subgraphs()
        if sub.name and sub.name.startswith("cluster_")
    }
    assert max(lefts) - min(lefts) <= 2


def slide_scale(svg: bytes) -> float:
    """How much a drawing is scaled to fit a 1920 x 1080 slide (1 pt drawn as 1 px at full size)."""
    width, height = (float(v) for v in ET.fromstring(svg).get("viewBox").split()[2:])
    return min(1920 / width, 1080 / height)


def test_a_path_and_a_comparison_are_legible_on_a_slide(process, oconnor):
    from procsim.render.diagram.dot import PATH_FONT, STEP_TEXT

    other = replay(engine_for(process), load_scenario(SCENARIOS / "oconnor-panel-dismisses.yaml"))
    for diagram in (
        extract.path_diagram(process, oconnor),
        extract.compare_diagram(process, [oconnor, other]),
    ):
        scale = slide_scale(render.render_dot(to_dot(diagram), "svg")[0])
        assert PATH_FONT * scale >= 12 and STEP_TEXT * scale >= 11, (diagram.name, scale)
    # the whole context, kept for posters, is not
    full = extract.path_diagram(process, oconnor, context="full")
    assert PATH_FONT * slide_scale(render.render_dot(to_dot(full), "svg")[0]) < 12


def test_hostile_text_in_a_path_shows_as_written(process, oconnor):
    hostile = hostile_process(process)
    states = dict(hostile.states)
    states["investigation_directed"] = attrs.evolve(
        states["investigation_directed"], label=HOSTILE
    )  # a way not taken
    hostile = attrs.evolve(hostile, states=states)
    diagram = extract.path_diagram(hostile, oconnor)
    dot = to_dot(diagram)
    import pygraphviz

    graph = pygraphviz.AGraph(string=dot)
    assert not any(edge.attr.get("color") == "red" for edge in graph.edges())
    helpers = ("__step_", "__head_", "__foot_", "__gate_", "__legend__")  # layout only: labels, lane edges
    assert {n for n in graph.nodes() if not n.startswith(helpers)} == {n.id for n in diagram.nodes}
    svg, messages = render.render_dot(dot, "svg")
    assert render.engine_problems(messages) == []
    joined = " ".join(svg_texts(svg))
    for word in HOSTILE.split():
        assert word in joined, word
    assert "\\N" in joined and "back\\slash" in joined and "\\\\" not in joined  # as written, not doubled
    svg_ns = "{http://www.w3.org/2000/svg}"
    groups = {
        g.findtext(svg_ns + "title"): " ".join(t.text or "" for t in g.iter(svg_ns + "text"))
        for g in ET.fromstring(svg).iter(svg_ns + "g")
        if g.get("class") == "node"
    }
    for box in (
        "incident",
        extract.ways_id("iopc_assessing"),
        "__step_1",
    ):  # a stage, a way not taken, a step
        assert all(word in groups[box] for word in HOSTILE.split()), box


# ---------------------------------------------------------------------- files
def test_write_is_atomic_and_a_failed_render_leaves_no_file(tmp_path, monkeypatch, capsys):
    target = tmp_path / "overview.svg"

    def broken(*args, **kwargs):
        raise render.RenderError("Graphviz could not draw the diagram: boom")

    monkeypatch.setattr(render, "render_dot", broken)
    code = main(["--scenarios", str(SCENARIOS), "diagram", "--overview", "-o", str(target)])
    assert code == 1 and "boom" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    target.write_text("old")
    assert main(["--scenarios", str(SCENARIOS), "diagram", "--overview", "-o", str(target)]) == 1
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


def test_interrupted_write_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "x.svg"
    target.write_bytes(b"old")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old" and list(tmp_path.iterdir()) == [target]


def test_the_one_atomic_writer_syncs_and_gives_ordinary_permissions(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    target = tmp_path / "deep" / "er" / "x.svg"
    write_bytes_atomic(target, b"new")  # folders are made
    assert target.read_bytes() == b"new" and len(synced) == 1
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # not the temporary file's 0600
    write_text_atomic(tmp_path / "s.yaml", "name: O'Connor é\n")
    assert (tmp_path / "s.yaml").read_bytes() == "name: O'Connor é\n".encode()
    # the diagram code writes with it, and names the file when it cannot
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(render.RenderError, match=r"cannot write .*file/x\.svg"):
        render.write_file(blocker / "x.svg", b"data")


def test_command_writes_formats_and_refuses_nonsense(tmp_path, capsys):
    run = lambda *a: main(["--scenarios", str(SCENARIOS), "diagram", *a])  # noqa: E731
    assert run("--forum", "lists", "-o", str(tmp_path / "lists.png")) == 0
    assert (tmp_path / "lists.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert render.read_stamp(tmp_path / "lists.png") is not None
    capsys.readouterr()
    assert run("--overview", "--format", "dot") == 0
    assert capsys.readouterr().out.startswith('digraph "procsim" {')
    assert run("oconnor", "--timeline", "--format", "dot") == 1
    assert "matplotlib" in capsys.readouterr().err
    assert run("--forum", "courts") == 1
    assert "no forum 'courts'" in capsys.readouterr().err
    assert run("--check") == 1
    assert run("oconnr") == 1 and "did you mean 'oconnor'" in capsys.readouterr().err
    assert run("oconnor", "--json") == 0
    assert '"kind": "path"' in capsys.readouterr().out
    assert run("oconnor", "--context", "full", "--json") == 0
    out = capsys.readouterr().out
    assert '"investigation_directed"' in out and '"kind": "ways"' not in out
    assert run("oconnor", "--json") == 0 and '"kind": "ways"' in capsys.readouterr().out
    assert run("--overview", "--context", "full") == 1
    assert "--context is for a path" in capsys.readouterr().err
    assert run("--all", "--context", "full") == 1


# ---------------------------------------------------------------------- staleness
def test_committed_diagrams_are_up_to_date(capsys):
    """Fails when the model or a scenario changed and diagrams/ was not regenerated:
    run `procsim diagram --all` (or `make run`) and commit diagrams/."""
    code = main(["--scenarios", str(SCENARIOS), "diagram", "--all", "--check"])
    assert code == 0, capsys.readouterr().out


def test_check_names_each_stale_missing_or_orphaned_file(tmp_path, capsys):
    scenarios = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, scenarios)
    shutil.copytree(DIAGRAMS, tmp_path / "diagrams")
    # a scenario changes and nobody regenerates
    path = scenarios / "oconnor-panel-dismisses.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('title: "', 'title: "Renamed: ', 1), encoding="utf-8"
    )
    (tmp_path / "diagrams" / "process-overview.png").unlink()
    (tmp_path / "diagrams" / "gone.svg").write_bytes((DIAGRAMS / "process.svg").read_bytes())
    with open(tmp_path / "diagrams" / ".procsim-diagrams", "a") as manifest:
        manifest.write("gone.svg\n")  # procsim wrote it, once
    code = main(["--scenarios", str(scenarios), "diagram", "--all", "--check"])
    out = capsys.readouterr().out
    assert code == 1
    stale = sorted(
        line.split(":")[0].rsplit("/", 1)[-1] for line in out.splitlines() if "checked" not in line
    )
    assert stale == [
        "gone.svg",
        "index.html",  # the case pages (procsim html) list the scenario's title
        "oconnor-panel-dismisses-timeline.png",
        "oconnor-panel-dismisses-timeline.svg",
        "oconnor-panel-dismisses.html",
        "oconnor-panel-dismisses.png",
        "oconnor-panel-dismisses.svg",
        "oconnor-vs-oconnor-panel-dismisses.png",
        "oconnor-vs-oconnor-panel-dismisses.svg",
        "process-overview.png",
    ]
    assert "missing" in out and "no longer generated" in out and "stale" in out


def test_regenerating_writes_only_what_changed(process, tmp_path):
    items = [Drawing("process-overview", extract.overview_diagram(process))]
    assert len(write_all(items, tmp_path).written) == 2 and check(items, tmp_path) == []
    assert write_all(items, tmp_path).written == []
    changed = [Drawing("process-overview", attrs_free_title(items[0].ir, "Another title"))]
    assert [p.name for p, _ in check(changed, tmp_path)] == ["process-overview.png", "process-overview.svg"]
    assert len(write_all(changed, tmp_path).written) == 2 and check(changed, tmp_path) == []


def attrs_free_title(diagram, title):
    from dataclasses import replace

    return replace(diagram, title=title)


def test_stamps_survive_in_svg_and_png(tmp_path, process):
    drawing = Drawing("lists", extract.forum_diagram(process, "lists"))
    for fmt in ("svg", "png"):
        path = tmp_path / f"lists.{fmt}"
        path.write_bytes(drawing.render(fmt))
        assert render.read_stamp(path) == drawing.stamp()
    assert re.match(rb"<\?xml[^>]*\?>\n<!-- procsim: sha256=", (tmp_path / "lists.svg").read_bytes())


def test_hostile_text_in_a_timeline_is_not_mathtext(process, oconnor):
    from dataclasses import replace

    line = extract.timeline_diagram(process, oconnor)
    title = HOSTILE + r" $\frac{1}{" + " 50% $x$"
    svg = Drawing("t", replace(line, title=title)).render("svg")  # an unclosed \frac would fail as mathtext
    import html

    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.fromstring(svg, parser=parser)  # still well-formed XML
    comments = [html.unescape(el.text or "").strip() for el in root.iter() if el.tag is ET.Comment]
    assert " ".join(title.split()).replace("--", "- -") in comments  # matplotlib names each text it draws


# ---------------------------------------------------------------------- fit to a slide
def slide_fit(svg: bytes) -> tuple[float, float]:
    """(aspect ratio, smallest text in px) of an SVG scaled to 1920 px wide."""
    root = ET.fromstring(svg)
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    sizes = [float(el.get("font-size")) for el in root.iter() if el.get("font-size")]
    return width / height, min(sizes) * 1920 / width


def forum_views(process):
    return [d for forum in process.forums for d in extract.forum_diagrams(process, forum)]


def test_every_forum_view_is_legible_on_a_slide(process):
    """Issue 12: each forum slide at 1920 px wide is between 1.3:1 and 2.2:1 and its smallest
    text at least 14 px (the police forum was one 4.3:1 strip with text about 2 px high)."""
    for diagram in forum_views(process):
        aspect, smallest = slide_fit(Drawing(diagram.name, diagram).render("svg"))
        assert 1.3 <= aspect <= 2.2 and smallest >= 14, (diagram.name, aspect, smallest)


def test_a_large_forum_is_split_into_parts_that_link_up(process):
    """Every stage of a forum is on exactly one part; an arrow between parts leaves one at a tab
    naming the other part and arrives at the other by an entry naming the first."""
    for forum in process.forums:
        pages = extract.forum_pages(process, forum)
        inside = [name for name, state in process.states.items() if state.forum == forum]
        assert sorted(name for page in pages for name in page) == sorted(inside), forum
        assert all(len(page) <= extract.PAGE_STAGES for page in pages) or len(pages) == 1
        diagrams = extract.forum_diagrams(process, forum)
        assert len(diagrams) == len(pages)
        if len(pages) == 1:
            assert diagrams[0].name == f"forum-{forum.replace('_', '-')}"
            continue
        page_of = {name: index + 1 for index, page in enumerate(pages) for name in page}
        for part, diagram in enumerate(diagrams, start=1):
            assert diagram.name.endswith(f"-{part}") and f"({part} of {len(pages)})" in diagram.title
            ids = {node.id for node in diagram.nodes}
            for t in process.transitions:
                if t.source in page_of and t.dest in page_of and page_of[t.source] != page_of[t.dest]:
                    if page_of[t.source] == part:
                        assert extract.forum_exit_id(forum, extract.part_id(forum, page_of[t.dest])) in ids
                    if page_of[t.dest] == part:
                        assert f"from_{extract.part_id(forum, page_of[t.source])}" in ids
    assert len(extract.forum_pages(process, "police_iopc")) > 1  # 27 stages do not fit one slide


def test_forum_view_draws_the_ways_back_as_one_bundle_per_forum(process):
    for diagram in forum_views(process):
        back = [e for e in diagram.edges if e.kind == "back" and not e.source.startswith("from_")]
        dests = [e.dest for e in back]
        assert len(dests) == len(set(dests)), diagram.name  # one arrow per forum sent back to
        pairs = [(e.source, e.dest) for e in diagram.edges]
        assert len(pairs) == len(set(pairs)), diagram.name  # never two arrows between the same boxes
    admin = extract.forum_diagram(process, "admin_court")
    assert len([e for e in admin.edges if e.kind == "back"]) <= 3  # was about 30


def test_arrows_with_the_same_label_into_a_box_are_one_bundle(process):
    """The 'pre-action letter; JR claim issued' arrows from every decision leave through one
    bundle per part, labelled once (there was a wall of them)."""
    for diagram in forum_views(process):
        labelled = [(e.dest, e.label) for e in diagram.edges if e.label and e.kind in ("move", "back")]
        counts = {key: labelled.count(key) for key in labelled}
        assert max(counts.values(), default=0) < extract.BUNDLE_MIN, (diagram.name, counts)
    whole = extract.forum_diagram(process, "misconduct")
    to_court = [e for e in whole.edges if e.dest == "exit_misconduct_to_admin_court"]
    assert len(to_court) == 1 and to_court[0].count > 10


def test_overview_draws_one_way_back_per_forum_each_badge_once(process):
    from procsim.render.diagram.dot import _back_keys

    diagram = extract.overview_diagram(process)
    back = [e for e in diagram.edges if e.kind == "back"]
    assert len({e.dest for e in back}) == len(back) >= 2  # one bundle per forum returned to
    keys = _back_keys(diagram)
    assert len(keys) == len(back)
    svg = Drawing(diagram.name, diagram).render("svg")
    texts = [t.strip() for t in svg_texts(svg)]
    for key in keys.values():
        assert texts.count(key) == 2, key  # once on its arrow, once in the legend


def test_sanction_menu_is_grouped_by_regime(process):
    diagram = extract.forum_diagram(process, "misconduct")
    menus = [n for n in diagram.nodes if n.kind == "junction" and "regime" in n.label]
    assert menus and all(n.label.split(":")[0].endswith("regime") for n in menus)
    into = [e for e in diagram.edges if e.dest in {n.id for n in menus}]
    assert all(e.label.startswith("outcome (") for e in into)
    labels = [e for e in diagram.edges if e.source == "gross_misconduct_found" and e.label]
    assert len(labels) <= 8  # was about 25 labelled sanction arrows


def test_a_way_back_is_a_decision_quashed_and_decided_again(process):
    """JR claims and Tribunal appeals from the lists move on; only remittals are ways back."""
    for diagram in (extract.overview_diagram(process), extract.forum_diagram(process, "lists")):
        legend = {entry.style: entry.label for entry in diagram.legend}
        assert "reconsideration" not in legend.get("back", "")
        lists_out = [e for e in diagram.edges if e.source in ("lists", "barred_list")]
        assert lists_out and all(e.kind != "back" for e in lists_out), diagram.name
    overview = extract.overview_diagram(process)
    assert any(e.source == "admin_court" and e.dest == "back_to_misconduct" for e in overview.edges)
    remit = next(e for e in overview.edges if e.dest == "misconduct" and e.source == "back_to_misconduct")
    assert remit.kind == "back"


def test_comparison_draws_each_move_once(process, oconnor):
    """A move two scenarios both take (after parting, or three-way when two agree longer)
    is one arrow listing each branch's step, not parallel duplicates."""
    from procsim.core.engine import replay
    from procsim.io.scenario_reader import load_scenario
    from procsim.workspace import engine_for

    engine = engine_for(process)
    others = [
        replay(engine, load_scenario(SCENARIOS / f"{n}.yaml"))
        for n in ("oconnor-ca-dismisses", "oconnor-permission-renewed")
    ]
    for replays in ([oconnor, others[1]], [oconnor, *others]):
        diagram = extract.compare_diagram(process, replays)
        moves = [(e.source, e.dest, e.triggers) for e in diagram.edges if e.on_path and e.steps]
        assert len(moves) == len(set(moves)), diagram.name
        for edge in diagram.edges:
            rows = [(letters, number) for letters, number, _ in step_rows(diagram, edge)]
            assert len(rows) == len(set(rows))


@pytest.mark.parametrize(("page", "inches"), [("slide", (13.333, 7.5)), ("a4", (11.69, 8.27))])
def test_pdf_fits_the_page_asked_for(process, page, inches):
    drawing = Drawing("process", extract.process_diagram(process))  # a poster: 5811 x 7414 px
    data = drawing.render("pdf", page=page)
    box = re.search(rb"/MediaBox \[ ?0 0 ([0-9.]+) ([0-9.]+) ?\]", data)
    width, height = float(box.group(1)), float(box.group(2))
    limit = (inches[0] * 72, inches[1] * 72)
    assert width <= limit[0] + 1 and height <= limit[1] + 1
    assert limit[0] - width <= 72 or limit[1] - height <= 72  # fills the page one way (its pad aside)


def test_mermaid_gantt_marks_approximate_dates(process, oconnor):
    timeline = extract.timeline_diagram(process, oconnor)
    text = timeline_to_mermaid(timeline)
    coarse = [e for e in timeline.events if not e.precise]
    assert (
        coarse
        and "  %% ~ marks a step dated only to the month or year: drawn at an assumed day"
        in text.splitlines()
    )
    for event in timeline.events:
        line = next(line for line in text.splitlines() if f", m{event.number}," in line)
        assert ("~" in line and "day assumed" in line) == (not event.precise), line


# ---------------------------------------------------------------------- timeline labels
def drawn_texts(figure) -> list[tuple[str, object]]:
    """Every text the figure draws, with its box in pixels (tick labels out of view are not drawn)."""
    from matplotlib.text import Text

    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    unseen = set()
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low <= tick.get_loc() <= high:
                    unseen |= {id(tick.label1), id(tick.label2)}
    return [
        (text.get_text(), text.get_window_extent(renderer))
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip() and id(text) not in unseen
    ]


def overlapping(texts, gap: float) -> list[tuple[str, str]]:
    """Pairs of texts closer than ``gap`` pixels on both axes: printed over (or run into) each other."""
    return [
        (a, b)
        for (a, p), (b, q) in itertools.combinations(texts, 2)
        if p.x0 < q.x1 + gap and q.x0 < p.x1 + gap and p.y0 < q.y1 and q.y0 < p.y1
    ]


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIOS.glob("*.yaml")))
def test_no_two_labels_on_a_timeline_overlap(process, name):
    from procsim.render.diagram.timeline import draw

    result = replay(engine_for(process), load_scenario(SCENARIOS / f"{name}.yaml"))
    timeline = extract.timeline_diagram(process, result)
    figure = draw(timeline)
    texts = drawn_texts(figure)
    # none printed over another, and none run into the next ('14–1517–18'): more than a word space apart
    assert overlapping(texts, gap=5 * figure.dpi / 72) == []
    shown = [text for text, _ in texts]
    for event in timeline.events:  # every step is numbered on the chart, alone or in a group
        assert any(re.fullmatch(r"[\d–, ]+", t) and event.number in numbers_in(t) for t in shown), event
    if timeline.departure is not None:
        assert any(t.startswith(f"leaves {timeline.departure.base} here") for t in shown)


def numbers_in(label: str) -> set[int]:
    """'10, 12–14' -> {10, 12, 13, 14}."""
    numbers: set[int] = set()
    for part in label.split(", "):
        first, _, last = part.partition("–")
        numbers |= set(range(int(first), int(last or first) + 1))
    return numbers


def test_grouped_step_numbers_keep_separate_runs_apart():
    from procsim.render.diagram.timeline import _numbers

    assert _numbers([3]) == "3"
    assert _numbers([3, 4, 5, 6]) == "3–6"
    assert _numbers([10, 12, 13]) == "10, 12–13"
    assert _numbers([14, 15, 17, 18]) == "14–15, 17–18"
    assert _numbers([16, 18]) == "16, 18"


@st.composite
def crowded_timelines(draw):
    """A made-up timeline with steps bunched in a year across three lanes, so labels crowd."""
    from procsim.render.diagram.ir import Departure, Gap, Stage, Timeline, TimelineEvent

    start = dt.date(2020, 1, 1)
    offsets = sorted(draw(st.lists(st.integers(0, 365), min_size=2, max_size=24)))
    lanes = (("a", "First forum", 0), ("b", "Second forum", 1), ("c", "Third forum", 2))
    events = []
    for number, offset in enumerate(offsets, start=1):
        when = start + dt.timedelta(days=offset)
        moved = number == len(offsets) or draw(st.booleans())
        events.append(
            TimelineEvent(
                number=number,
                date=when.isoformat(),
                date_text=when.isoformat(),
                label=f"step {number}",
                when=when,
                earliest=when,
                latest=when,
                moved=moved,
                state="s",
                forum=lanes[draw(st.integers(0, 2))][0],
                precise=draw(st.booleans()),
            )
        )
    stages = tuple(
        Stage(
            forum=forum,
            label=label,
            index=index,
            start=min(e.when for e in mine),
            end=max(e.when for e in mine),
            start_text="",
            end_text="",
            duration=draw(st.sampled_from(["3 days", "about 4 months", "1 year 1 month to 2 years 1 month"])),
            states=("s",),
        )
        for forum, label, index in lanes
        if (mine := [e for e in events if e.moved and e.forum == forum])
    )
    anchors = [e for e in events if e.precise]
    gaps = tuple(
        Gap(a.when, b.when, a.number, b.number, a.label, b.label, (b.when - a.when).days, "")
        for a, b in itertools.pairwise(anchors)
        if b.when > a.when
    )
    after = draw(st.none() | st.sampled_from(events[:-1]))
    departure = after and Departure("base", after.number, after.when, after.date_text, after.label)
    return Timeline(
        kind="timeline",
        name="t-timeline",
        title="Made up",
        subtitle="Ends: somewhere, concluded",
        scenario="t",
        events=tuple(events),
        stages=stages,
        gaps=gaps,
        lanes=lanes,
        start=events[0].when,
        end=events[-1].when,
        final_note=draw(st.sampled_from(["concluded", "pending as of 30 June 2025"])),
        departure=departure,
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded_timelines())
def test_crowded_timeline_labels_do_not_overlap(timeline):
    from procsim.render.diagram.timeline import draw

    figure = draw(timeline)
    assert overlapping(drawn_texts(figure), gap=5 * figure.dpi / 72) == []
