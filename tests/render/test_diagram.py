"""Diagrams' intermediate representation: what is drawn, not how it looks.

The process as lanes of forums; one forum; the overview; a case's path with its
numbered, dated steps; a comparison and its divergence; a timeline's stages and
gaps. Rendering (DOT, SVG, Mermaid, files) is in test_diagram_render.py.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from conftest import SCENARIOS
from procsim.core.engine import replay
from procsim.io.scenario_reader import load_scenario
from procsim.render.diagram import extract
from procsim.workspace import engine_for


def replayed(process, name: str, folder: Path = SCENARIOS):
    return replay(engine_for(process), load_scenario(folder / f"{name}.yaml"))


@pytest.fixture(scope="module")
def oconnor(process):
    return replayed(process, "oconnor")


# ---------------------------------------------------------------------- the whole process
def test_process_diagram_has_one_lane_per_forum_in_order_and_every_state_once(process):
    diagram = extract.process_diagram(process)
    assert [c.id for c in diagram.clusters] == list(process.forums)
    assert [c.label for c in diagram.clusters][:3] == [
        "Police and IOPC",
        "Misconduct proceedings",
        "Police Appeals Tribunal",
    ]
    states = [n for n in diagram.nodes if n.kind == "state"]
    assert sorted(n.id for n in states) == sorted(process.states)
    for node in states:
        assert node.cluster == process.states[node.id].forum
        assert node.status == process.states[node.id].status
        assert node.label == process.states[node.id].label
    assert {n.status for n in states} == {"ongoing", "provisional", "terminal"}
    assert diagram.node("incident").marks == ("initial",)


def test_every_transition_is_drawn_directly_through_a_junction_or_to_an_exit(process):
    diagram = extract.process_diagram(process)
    edges = [e for e in diagram.edges]
    members = {(e.source, e.dest) for e in edges if e.kind == "member"}
    for transition in process.transitions:
        same_forum = process.states[transition.dest].forum == process.states[transition.source].forum
        target = (
            transition.dest
            if same_forum
            else extract.exit_id(process.states[transition.source].forum, transition.dest)
        )
        direct = any(
            e.source == transition.source and e.dest == target and transition.trigger in e.triggers
            for e in edges
        )
        bundled = any(
            (transition.source, e.source) in members and e.dest == target and transition.trigger in e.triggers
            for e in edges
            if e.kind in ("bundle", "back")
        )
        assert direct or bundled, transition


def test_labels_are_plain_english_and_guards_their_short_labels(process):
    diagram = extract.process_diagram(process)
    edge = next(
        e for e in diagram.edges if e.source == "misconduct_found" and e.dest == "dismissed_without_notice"
    )
    assert edge.label == process.triggers["dismiss_without_notice"].label
    assert "live FWW or unconnected incidents" in edge.guards
    labels = {e.label for e in diagram.edges if e.label}
    assert not any("_" in label for label in labels)  # trigger labels, not trigger names


def test_junction_joins_a_wide_fan_once_and_exits_name_where_they_lead(process):
    diagram = extract.process_diagram(process)
    junctions = {n.id: n for n in diagram.nodes if n.kind == "junction"}
    out = [e for e in diagram.edges if e.source in junctions]
    claim = [e for e in out if e.dest == "exit_misconduct_claim_issued"]
    assert len(claim) == 1 and claim[0].count >= 15 and claim[0].label == "JR claim issued"
    joined = [e.source for e in diagram.edges if e.kind == "member" and e.dest == claim[0].source]
    assert "final_written_warning" in joined and "would_have_been_dismissed" in joined
    exit_node = diagram.node("exit_misconduct_claim_issued")
    assert exit_node.kind == "exit" and exit_node.label == process.states["claim_issued"].label
    assert exit_node.lines == ("Administrative Court",) and exit_node.cluster == "misconduct"
    named = [n for n in junctions.values() if "investigations" in n.label]
    assert named and named[0].label == "any of the 5 investigations"


def test_legend_explains_statuses_guards_and_exits(process):
    legend = {entry.style: entry.label for entry in extract.process_diagram(process).legend}
    assert legend["provisional"] == "a decision: concluded unless challenged"
    assert legend["terminal"].startswith("final")
    for style in ("ongoing", "guard", "exit", "junction", "back"):
        assert style in legend


def test_forum_view_shows_one_forum_with_its_entries_and_exits(process):
    diagram = extract.forum_diagram(process, "court_of_appeal")
    assert [c.id for c in diagram.clusters] == ["court_of_appeal"]
    states = {n.id for n in diagram.nodes if n.kind == "state"}
    assert states == {n for n, s in process.states.items() if s.forum == "court_of_appeal"}
    entries = [n for n in diagram.nodes if n.kind == "entry"]
    assert [n.label for n in entries] == ["from Administrative Court"]
    exits = {n.label: n.lines[0] for n in diagram.nodes if n.kind == "exit"}  # one tab per forum
    assert {"Misconduct proceedings", "Supreme Court"} <= set(exits)
    assert "Gross misconduct found" in exits["Misconduct proceedings"]
    assert "UKSC permission asked of CA" in exits["Supreme Court"]
    assert diagram.name == "forum-court-of-appeal"
    with pytest.raises(KeyError):
        extract.forum_diagram(process, "no_such_forum")


def test_overview_collapses_each_forum_to_one_node(process):
    diagram = extract.overview_diagram(process)
    forums = [n for n in diagram.nodes if n.kind == "forum"]
    assert [n.id for n in forums] == list(process.forums)
    assert forums[0].lines[0] == "29 stages"
    edge = next(e for e in diagram.edges if e.source == "misconduct" and e.dest == "admin_court")
    # 32: a withdrawal of proceedings is no longer challengeable itself (CR 2020 reg 27: the AA then decides)
    assert edge.kind == "move" and edge.count == 32 and "JR claim issued" in edge.label
    # the ways back into a forum join in one bundle beside it
    assert any(e.source == "court_of_appeal" and e.dest == "back_to_police_iopc" for e in diagram.edges)
    back = next(e for e in diagram.edges if e.source == "back_to_police_iopc" and e.dest == "police_iopc")
    assert back.kind == "back" and back.label == "decided again"
    cross = Counter(
        (process.states[t.source].forum, process.states[t.dest].forum) for t in process.transitions
    )
    assert sum(e.count for e in diagram.edges if e.kind in ("move", "back")) == sum(
        count for (a, b), count in cross.items() if a != b
    )


# ---------------------------------------------------------------------- a case's path
def test_path_edges_in_order_with_numbers_and_dates(process, oconnor):
    diagram = extract.path_diagram(process, oconnor)
    path = diagram.path_edges()
    moves = [s for s in oconnor.steps if s.moved]
    assert [(e.source, e.dest) for e in path] == [(s.before, s.after) for s in moves]
    first = path[0]
    assert (first.source, first.dest, first.label) == ("incident", "complaint_received", "complaint made")
    complaint = next(s.number for s in oconnor.steps if s.event.trigger == "make_complaint")
    assert [(m.number, m.date, m.date_text) for m in first.steps] == [
        (complaint, "2020-10-26", "26 Oct 2020")
    ]
    hearing = next(e for e in path if e.dest == "gross_misconduct_found" and e.source == "hearing_listed")
    assert hearing.steps[0].date == "2021-10-05"
    remit = next(e for e in path if e.source == "ca_quashed_and_remitted")
    assert remit.kind == "back" and remit.steps[0].date_text == "19 Jun 2025"
    coarse = next(e for e in path if e.dest == "recorded")
    assert coarse.steps[0].date_text == "2020"  # dates shown to the precision the sources give
    assert all(not e.faint for e in path) and all(e.on_path for e in path)


def test_path_marks_final_state_side_events_and_the_ways_not_taken(process, oconnor):
    diagram = extract.path_diagram(process, oconnor)
    final = diagram.node("barred_list")
    assert "final" in final.marks and final.final_note == "concluded" and final.on_path
    assert diagram.node("recorded").on_path and not diagram.node("recorded").faint
    # a stage the case did not reach is a way not taken, faint, below the stage it is one step from
    with pytest.raises(KeyError):
        diagram.node("investigation_directed")
    ways = diagram.node(extract.ways_id("iopc_assessing"))
    assert ways.kind == "ways" and ways.faint and ways.cluster == "police_iopc"
    assert "investigation_directed" in [way.state for way in ways.ways]
    assert any(e.source == "iopc_assessing" and e.dest == ways.id and e.kind == "ways" for e in diagram.edges)
    # one into another forum names it
    remitted = diagram.node(extract.ways_id("ca_quashed_and_remitted"))
    hearing = next(way for way in remitted.ways if way.state == "hearing_listed")
    assert hearing.forum == "Misconduct proceedings" and hearing.forum_index == 1
    sides = [(m.number, m.label) for m in diagram.side_events]
    assert (1, "conduct") in sides and any(label == "officer leaves the force" for _, label in sides)
    notes = next(n for n in diagram.nodes if n.kind == "notes" and n.id == "notes_incident")
    assert notes.lines[0] == "1. 23 Oct 2011: conduct"
    # the lanes are the forums the case went through, in the process's order
    assert [c.id for c in diagram.clusters] == [
        "police_iopc",
        "misconduct",
        "admin_court",
        "court_of_appeal",
        "lists",
    ]


def path_states(replay) -> set[str]:
    return {replay.steps[0].before} | {s.after for s in replay.steps if s.moved}


def test_path_view_draws_the_path_and_only_the_ways_not_taken_from_it(process, oconnor):
    diagram = extract.path_diagram(process, oconnor)
    on_path = path_states(oconnor)
    states = {n.id for n in diagram.nodes if n.kind == "state"}
    assert states == on_path and all(diagram.node(s).on_path for s in states)
    assert {n.kind for n in diagram.nodes} == {"start", "state", "ways", "notes"}
    # each stage's ways not taken: where its other transitions lead, less where the case went
    went = {(s.before, s.after) for s in oconnor.steps if s.moved}
    for name in on_path:
        expected = {t.dest for t in process.transitions if t.source == name and (name, t.dest) not in went}
        found = {way.state for n in diagram.nodes if n.id == extract.ways_id(name) for way in n.ways}
        assert found == expected, name
    # nothing faint crosses a lane: each box of ways hangs in the lane of its stage
    for edge in diagram.edges:
        if edge.kind == "ways":
            assert diagram.node(edge.dest).cluster == diagram.node(edge.source).cluster
    # the rest of each forum is counted, not drawn
    for cluster in diagram.clusters:
        forum = {n for n, s in process.states.items() if s.forum == cluster.id}
        drawn = (
            on_path | {w.state for n in diagram.nodes if n.cluster == cluster.id for w in n.ways}
        ) & forum
        assert cluster.hidden == len(forum) - len(drawn), cluster.id
    assert (
        diagram.clusters[0].hidden > 0 and diagram.clusters[-1].hidden == 0
    )  # the barred list is all of its lane
    legend = {entry.style: entry.label for entry in diagram.legend}
    assert legend["ways"].startswith("ways not taken") and "exit" in legend and "faint" not in legend


def test_full_context_draws_every_stage_of_the_forums_visited(process, oconnor):
    diagram = extract.path_diagram(process, oconnor, context="full")
    forums = {c.id for c in diagram.clusters}
    assert forums == {"police_iopc", "misconduct", "admin_court", "court_of_appeal", "lists"}
    states = {n.id for n in diagram.nodes if n.kind == "state"}
    assert states == {n for n, s in process.states.items() if s.forum in forums}
    assert diagram.node("investigation_directed").faint and not diagram.node("investigation_directed").on_path
    assert not any(n.kind == "ways" for n in diagram.nodes) and all(c.hidden == 0 for c in diagram.clusters)
    near = extract.path_diagram(process, oconnor)
    assert near.path_edges() == diagram.path_edges()  # the same path either way
    with pytest.raises(ValueError):
        extract.path_diagram(process, oconnor, context="far")
    from procsim.cli.diagram import CONTEXTS as offered
    from procsim.render.diagram.ir import CONTEXTS

    assert offered == CONTEXTS  # the command's choices, kept apart so --help imports nothing


def test_lanes_follow_the_process_order_in_every_view(process, oconnor):
    order = list(process.forums)
    other = replayed(process, "oconnor-officer-appeals-to-pat")
    views = [
        extract.process_diagram(process),
        extract.path_diagram(process, oconnor),
        extract.path_diagram(process, other),
        extract.compare_diagram(process, [oconnor, other]),
        extract.path_diagram(process, other, context="full"),
    ]
    for diagram in views:
        lanes = [c.id for c in diagram.clusters]
        assert lanes == sorted(lanes, key=order.index), diagram.name
        assert [c.index for c in diagram.clusters] == [order.index(lane) for lane in lanes]
    assert [c.id for c in views[3].clusters] == [
        "police_iopc",
        "misconduct",
        "pat",
        "admin_court",
        "court_of_appeal",
        "lists",
    ]


def test_a_loop_shows_repeated_numbers_on_the_same_edge(process, tmp_path):
    for name in ("oconnor.yaml",):
        (tmp_path / name).write_text((SCENARIOS / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "loop.yaml").write_text(
        """
process: police_misconduct_ew
title: "Hypothetical: two more further hearings"
kind: hypothetical
extends: oconnor
diverges_after: jr-further-hearing-2023-10-20
summary: "Hypothetical. The High Court sits twice more before dismissing the claim."
events:
  - {id: again-1, date: "2023-11-01", trigger: hold_further_hearing, actor: high_court,
     summary: "Another hearing.", sources: [ewhc-2023]}
  - {id: again-2, date: "2023-11-10", trigger: hold_further_hearing, actor: high_court,
     summary: "And another.", sources: [ewhc-2023]}
  - {id: dismissed, date: "2023-12-01", trigger: dismiss_claim, actor: high_court,
     summary: "Dismissed.", sources: [ewhc-2023]}
end: {state: jr_claim_dismissed, status: concluded}
""",
        encoding="utf-8",
    )
    diagram = extract.path_diagram(process, replayed(process, "loop", tmp_path))
    loop = [e for e in diagram.path_edges() if e.source == e.dest == "further_hearing"]
    assert len(loop) == 1
    assert [m.date for m in loop[0].steps] == ["2023-11-01", "2023-11-10"]
    numbers = [m.number for m in loop[0].steps]
    assert numbers[1] == numbers[0] + 1


def test_pending_case_is_marked_pending_as_of(process, tmp_path):
    (tmp_path / "oconnor.yaml").write_text(
        (SCENARIOS / "oconnor.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "pending.yaml").write_text(
        """
process: police_misconduct_ew
title: "Hypothetical: still waiting for the High Court"
kind: hypothetical
extends: oconnor
diverges_after: jr-further-hearing-2023-10-20
summary: "Hypothetical. Judgment not yet given."
events:
  - {id: nothing, date: '2023-11-01', side: publication, actor: press, summary: 'A report.', sources: [ewhc-2023]}
end: {state: further_hearing, status: pending, as_of: "2023-11-10"}
""",
        encoding="utf-8",
    )
    result = replayed(process, "pending", tmp_path)
    diagram = extract.path_diagram(process, result)
    assert diagram.node("further_hearing").final_note == "pending as of 10 Nov 2023"
    stages = extract.timeline_diagram(process, result).stages
    assert stages[-1].open_ended and stages[-1].end == dt.date(2023, 11, 10)


# ---------------------------------------------------------------------- a comparison
def test_comparison_shares_the_prefix_and_colours_each_branch(process, oconnor):
    other = replayed(process, "oconnor-panel-dismisses")
    diagram = extract.compare_diagram(process, [oconnor, other])
    assert diagram.kind == "compare" and diagram.name == "oconnor-vs-oconnor-panel-dismisses"
    shared = [e.id for e in oconnor.scenario.events].index(other.scenario.diverges_after) + 1
    assert extract.shared_prefix([oconnor, other]) == shared
    assert diagram.divergence == "gross_misconduct_found"
    assert diagram.divergence_after.number == shared
    assert diagram.divergence_after.label == "gross misconduct found"
    assert "divergence" in diagram.node("gross_misconduct_found").marks
    common = diagram.path_edges(-1)
    assert common[-1].dest == "gross_misconduct_found" and all(e.branch == -1 for e in common)
    b = [(e.source, e.dest, e.steps[0].number) for e in diagram.path_edges(1)]
    assert b == [
        ("gross_misconduct_found", "dismissed_without_notice", shared + 1),
        ("dismissed_without_notice", "barred_list", shared + 2),
    ]
    a = diagram.path_edges(0)
    assert a[0].source == "gross_misconduct_found" and a[0].dest == "final_written_warning"
    names = [e.label for e in diagram.legend if e.style == "branch"]
    assert names[0].startswith("A: oconnor: ") and names[1].startswith("B: oconnor-panel-dismisses: ")
    final = diagram.node("barred_list")
    assert final.final_note == "A: concluded; B: concluded" and set(final.branches) == {0, 1}


# ---------------------------------------------------------------------- a timeline
def test_timeline_stages_gaps_and_a_broken_axis(process, oconnor):
    line = extract.timeline_diagram(process, oconnor)
    gaps = {(g.from_step, g.to_step): g for g in line.gaps}
    to_complaint = next(g for g in line.gaps if g.to_label == "complaint made")  # conduct -> complaint
    assert to_complaint.days == 3290 and "9 years" in to_complaint.text
    assert gaps[(to_complaint.from_step, to_complaint.to_step)] == to_complaint
    complaint_to_hearing = next(g for g in line.gaps if g.from_label == "complaint made")
    assert complaint_to_hearing.to_label == "hearing sits" and complaint_to_hearing.days == 343
    first = line.stages[0]
    assert first.before_process and first.states == ("incident",) and first.start == dt.date(2011, 10, 23)
    court = next(s for s in line.stages if s.forum == "admin_court" and not s.waiting)
    assert court.start_text == "Jan 2022" and court.end == dt.date(2023, 11, 17)
    waiting = [s.states for s in line.stages if s.waiting]
    assert ("final_written_warning",) in waiting
    assert line.breaks == ((dt.date(2011, 10, 24), dt.date(2020, 10, 26)),)
    assert [forum for forum, _, _ in line.lanes] == [
        "police_iopc",
        "misconduct",
        "admin_court",
        "court_of_appeal",
        "lists",
    ]
    # coarse dates are placed within what they and their neighbours allow, in order
    whens = [e.when for e in line.events]
    assert whens == sorted(whens)
    recorded = next(e for e in line.events if e.label == "recorded")
    assert recorded.earliest == dt.date(2020, 10, 26) and recorded.latest == dt.date(2020, 12, 31)
    assert not recorded.precise and recorded.earliest < recorded.when < recorded.latest
    assert line.final_note == "concluded"


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIOS.glob("*.yaml")))
def test_a_timeline_marks_where_a_hypothetical_leaves_its_base(process, name):
    result = replayed(process, name)
    line = extract.timeline_diagram(process, result)
    scenario = result.scenario
    if scenario.extends is None:
        assert line.departure is None
        return
    departure = line.departure
    assert departure is not None and departure.base == scenario.extends
    # the base's last shared event, which the hypothetical keeps as one of its own steps
    shared = [e.id for e in scenario.events].index(scenario.diverges_after) + 1
    assert departure.after_step == shared
    step = line.events[shared - 1]
    assert (departure.when, departure.label, departure.date_text) == (step.when, step.label, step.date_text)
    assert all(e.number > shared for e in line.events if e.when > departure.when)
    assert line.to_json()["departure"]["when"] == departure.when.isoformat()
