"""Route counting: fixture processes counted by hand, a brute-force cross-check, the real model."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SCENARIOS
from procsim.analysis.routes import Move, Route, RouteSpace, default_fact_changes, loop_transitions
from procsim.core.engine import replay
from procsim.core.model import Process
from procsim.io.process_reader import load_process_file
from procsim.io.scenario_reader import load_scenario

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(name: str) -> Process:
    return load_process_file(FIXTURES / f"{name}.yaml")


def counts(process: Process, max_loops: int = 1, start: str | None = None) -> dict[str, Any]:
    report = RouteSpace(process).report(start, max_loops=max_loops)
    found: dict[str, Any] = {o.state.name: o.count for o in report.outcomes if o.count}
    found["(stopped by loops)"] = report.stopped_by_loops
    found["(stuck)"] = report.stuck
    return found


# ---------------------------------------------------------------------- counted by hand
def test_plain_routes():
    # done: start-a-done, start-b-done; settled: start-a-settled (it may stop there);
    # upheld: start-a-settled-appeal-upheld.
    assert counts(fixture("routes_plain")) == {
        "done": 2,
        "settled": 1,
        "upheld": 1,
        "(stopped by loops)": 0,
        "(stuck)": 0,
    }


@pytest.mark.parametrize(
    "max_loops, decision, final, stopped",
    [
        (0, 1, 1, 1),  # no loop: decide, then challenge and dismiss; a quashing stops at 'remitted'
        (1, 2, 3, 2),  # one loop: a rehearing or an adjournment (final: none, adjourned, reheard)
        (2, 4, 7, 4),  # final: r remittals, a adjournments, r+a <= 2: sum of C(a+r, r) = 3+3+1
    ],
)
def test_loops_are_bounded(max_loops, decision, final, stopped):
    found = counts(fixture("routes_loops"), max_loops)
    assert found == {"decision": decision, "final": final, "(stopped by loops)": stopped, "(stuck)": 0}


def test_loop_steps_are_the_steps_back_to_where_a_cycle_begins():
    process = fixture("routes_loops")
    loops = {
        (process.transitions[i].source, process.transitions[i].trigger) for i in loop_transitions(process)
    }
    assert loops == {("court", "adjourn"), ("remitted", "rehear")}


def test_guards_hold_for_facts_consistent_along_the_route():
    process = fixture("routes_guards")
    # Lap 1: warned (meeting), dismissed, whd (the officer leaves first), reduced (2020),
    # extended (2012, FWW); each may be challenged and upheld (5). A remittal of the
    # warning is stuck (a rehearing needs a hearing), and so is a remitted dismissal
    # (a dismissed officer cannot be dismissed, leave or be reduced again).
    assert counts(process, 0) == {
        "warned": 1,
        "dismissed": 1,
        "whd": 1,
        "reduced": 1,
        "extended": 1,
        "upheld": 5,
        "(stopped by loops)": 4,
        "(stuck)": 1,
    }
    # Lap 2 after a remittal: from whd only whd again (she cannot serve again); from
    # reduced (2020) dismissed, whd, reduced; from extended (2012) dismissed, whd, extended.
    assert counts(process, 1) == {
        "warned": 1,
        "dismissed": 3,
        "whd": 4,
        "reduced": 2,
        "extended": 2,
        "upheld": 5 + 7,
        "(stopped by loops)": 7,
        "(stuck)": 2,
    }


def test_all_any_not_and_facts_that_persist():
    # end1: a or b, then not a (so b); end2: a and not b; end3: never; end4: a then
    # not a (impossible: a keeps its value); end5: a, a step sets a false, then not a.
    assert counts(fixture("routes_conditions")) == {
        "end1": 1,
        "end2": 1,
        "end5": 1,
        "(stopped by loops)": 0,
        "(stuck)": 0,
    }


def test_shortest_route_and_its_facts():
    process = fixture("routes_guards")
    space = RouteSpace(process)
    report = space.report(max_loops=1)
    whd = next(o for o in report.outcomes if o.state.name == "whd")
    assert [m.trigger for m in whd.shortest.moves] == ["complain", "refer_hearing", "find_whd"]
    witness = space.witness(whd.shortest, prefer={"status": "serving"})
    assert witness.start["status"] == "serving"
    # the officer leaves as early as the route allows once the case has begun: before the hearing
    assert witness.steps[1].changes == (("leaves", "status", "serving", "resigned"),)
    assert witness.steps[2].changes == ()
    assert witness.steps[1].facts["status"] == witness.steps[2].facts["status"] == "resigned"
    reduce_route = Route("start", tuple(space.moves[n][0] for n in (0, 2, 6)))
    assert [m.trigger for m in reduce_route.moves] == ["complain", "refer_hearing", "reduce"]
    assert space.feasible_values(reduce_route, "regime") == ["2020"]


def test_listed_routes_agree_with_the_counts():
    process = fixture("routes_guards")
    space = RouteSpace(process)
    listed = list(space.routes(max_loops=1, limit=1000))
    by_end: dict[str, int] = {}
    for route in listed:
        by_end[route.end] = by_end.get(route.end, 0) + 1
        assert space.witness(route) is not None
    assert by_end == {o.state.name: o.count for o in space.report(max_loops=1).outcomes if o.count}
    assert len(list(space.routes(max_loops=1, limit=5))) == 5
    assert all(r.end == "whd" for r in space.routes(target="whd", max_loops=1))


# ---------------------------------------------------------------------- brute force
def brute_force(process: Process, max_loops: int, start: str | None = None) -> dict[str, int]:
    """Count routes by listing them, with every concrete set of facts, using the model's own conditions."""
    loops = loop_transitions(process)
    changes = default_fact_changes(process)
    reachable = _reachable_transitions(process, start or process.initial, set() if max_loops else loops)
    names = sorted(
        {
            f
            for i in reachable
            for g in process.transitions[i].guards
            for f in process.guards[g].condition.facts_read()
        }
    )
    domains = []
    for name in names:
        if name in process.derived:
            domains.append([value for _, value in process.derived[name].ranges])
        else:
            spec = process.facts[name]
            values = [False, True] if spec.type == "bool" else list(spec.values)
            domains.append(values + ([None] if spec.default is None else []))
    worlds = {tuple(zip(names, combo, strict=False)) for combo in itertools.product(*domains)}
    ends = {name for name, state in process.states.items() if state.can_end}
    found: dict[str, int] = {}

    def step(world: tuple, state: str, positions: list[int]) -> set[tuple]:
        facts = dict(world)
        options = [facts]
        for change in changes:
            if (
                change.fact in facts
                and (not change.states or state in change.states)
                and facts[change.fact] in change.before
            ):
                options += [{**facts, change.fact: value} for value in change.after]
        result = set()
        for option in options:
            for position in positions:
                transition = process.transitions[position]
                if all(process.guards[g].condition.holds(option) for g in transition.guards):
                    after = dict(option)
                    for fact, value in transition.sets:
                        if fact in after:
                            after[fact] = value
                    decision = process.states[transition.source].decision_by
                    if transition.records_decision in after and decision:
                        after[transition.records_decision] = decision
                    result.add(tuple(sorted(after.items())))
        return result

    def walk(state: str, possible: set[tuple], used: int) -> None:
        if state in ends:
            found[state] = found.get(state, 0) + 1
        grouped: dict[tuple[str, str], list[int]] = {}
        for position, transition in enumerate(process.transitions):
            if transition.source == state:
                grouped.setdefault((transition.trigger, transition.dest), []).append(position)
        for (_, dest), positions in grouped.items():
            loop = any(p in loops for p in positions)
            if loop and used >= max_loops:
                continue
            after = set().union(*(step(world, state, positions) for world in possible))
            if after:
                walk(dest, after, used + loop)

    walk(start or process.initial, {tuple(sorted(w)) for w in worlds}, 0)
    return found


def _reachable_transitions(process: Process, start: str, skip: set[int] | frozenset[int]) -> set[int]:
    seen, states, queue = set(), {start}, [start]
    while queue:
        state = queue.pop()
        for position, transition in enumerate(process.transitions):
            if transition.source == state and position not in skip:
                seen.add(position)
                if transition.dest not in states:
                    states.add(transition.dest)
                    queue.append(transition.dest)
    return seen


@pytest.mark.parametrize(
    "name, max_loops",
    [
        ("routes_guards", 0),
        ("routes_guards", 1),
        ("routes_guards", 2),
        ("routes_loops", 2),
        ("routes_conditions", 0),
        ("routes_remittal", 0),
        ("routes_remittal", 1),
        ("routes_remittal", 3),
    ],
)
def test_brute_force_agrees_on_fixtures(name, max_loops):
    process = fixture(name)
    report = RouteSpace(process).report(max_loops=max_loops)
    assert {o.state.name: o.count for o in report.outcomes if o.count} == brute_force(process, max_loops)


SLOW = pytest.mark.skipif(
    not os.environ.get("PROCSIM_SLOW_TESTS"),
    reason="a brute force of minutes: set PROCSIM_SLOW_TESTS=1 (CI does) to run it",
)


@pytest.mark.parametrize(
    "start",
    [
        "ca_hearing_held",
        "judgment_reserved",
        "pat_outcome_substituted",
        "pat_finding_overturned",
        "uksc_hearing_held",
    ],
)
def test_brute_force_agrees_on_the_real_model(process, start):
    report = RouteSpace(process).report(start, max_loops=0)
    assert {o.state.name: o.count for o in report.outcomes if o.count} == brute_force(process, 0, start)


@SLOW
def test_brute_force_agrees_from_the_tribunal_hearing_to_the_high_court(process):
    """From the Tribunal hearing: every outcome it may substitute or find, under each regime and
    status, and every judicial review of it in the High Court. The appeal courts are cut off
    (the starts above cover them): with them, brute force takes about an hour."""
    appeals = {
        name for name, state in process.states.items() if state.forum in ("court_of_appeal", "supreme_court")
    }
    cut = attrs.evolve(process, transitions=tuple(t for t in process.transitions if t.source not in appeals))
    report = RouteSpace(cut).report("pat_hearing", max_loops=0)
    found = {o.state.name: o.count for o in report.outcomes if o.count}
    assert found == brute_force(cut, 0, "pat_hearing")
    assert {"pat_outcome_substituted", "pat_finding_substituted", "pat_finding_overturned"} <= set(found)


# ---------------------------------------------------------------------- forgetting by key facts
def WithoutKeys(process: Process) -> RouteSpace:
    """The route analysis forgetting only what no route reads, whatever the facts' values."""
    return RouteSpace(process, key_facts=False)


def test_key_facts_are_the_remittal_choice_and_the_constant_facts_of_loop_guards():
    space = RouteSpace(fixture("routes_remittal"))
    assert [space.names[k] for k in space._keys] == ["challenged", "regime"]
    assert [space.names[k] for k in RouteSpace(fixture("routes_plain"))._keys] == []


def test_forgetting_by_key_facts_merges_nodes_and_keeps_every_count():
    process = fixture("routes_remittal")
    keyed, plain = RouteSpace(process).report(max_loops=3), WithoutKeys(process).report(max_loops=3)
    assert keyed.figures == plain.figures
    assert keyed.nodes < plain.nodes


_REMITTAL_GUARDS = ["local", "independent", "with_complainant", "serving", "former", "fww", "no_fww", "r2020"]
_REMITTAL_GUARDS += ["to_investigator", "to_panel"]


def remittal_under_random_guards(data, tmp_path_factory) -> Process:
    """The remittal fixture with up to two guards, drawn by hypothesis, on every step after the
    complaint (some draws leave routes stuck or stopped by the loop bound)."""
    document = yaml.safe_load((FIXTURES / "routes_remittal.yaml").read_text())
    for transition in document["transitions"]:
        if transition["trigger"] != "complain":
            chosen = data.draw(st.lists(st.sampled_from(_REMITTAL_GUARDS), max_size=2, unique=True))
            transition["guards"] = chosen
    path = tmp_path_factory.mktemp("remittal") / "routes_remittal.yaml"
    path.write_text(yaml.safe_dump(document))
    return load_process_file(path)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_forgetting_by_key_facts_agrees_with_brute_force_under_any_guards(data, tmp_path_factory):
    """Random guards on the remittal fixture: the counts with key facts, without, and by brute force."""
    process = remittal_under_random_guards(data, tmp_path_factory)
    for max_loops in (1, 2):
        keyed = RouteSpace(process).report(max_loops=max_loops)
        assert keyed.figures == WithoutKeys(process).report(max_loops=max_loops).figures
        assert {name: n for name, n in keyed.figures[0] if n} == brute_force(process, max_loops)


@pytest.mark.parametrize("start", ["claim_issued", "review", "pat_hearing", "hearing_listed"])
def test_real_model_forgetting_by_key_facts_keeps_every_count(process, start):
    keyed = RouteSpace(process)
    assert "challenged_decision" in [keyed.names[k] for k in keyed._keys]
    report, plain = keyed.report(start, max_loops=1), WithoutKeys(process).report(start, max_loops=1)
    assert report.figures == plain.figures
    assert report.nodes < plain.nodes


# ---------------------------------------------------------------------- the real model
def test_real_model_loop_steps(process):
    space = RouteSpace(process)
    loops = {(m.trigger, m.dest) for m in space.report(max_loops=0).loop_moves}
    assert {
        ("reconsider_decision", "recorded"),
        ("rehear_sanction", "gross_misconduct_found"),
        ("order_reinvestigation", "iopc_assessing"),
        ("hold_further_hearing", "further_hearing"),
        ("resume_after_criminal_proceedings", "investigation_local"),
        ("allow_appeal_remit_to_high_court", "ready_for_hearing"),
        # a failed challenge to an interim decision goes back to the paused proceedings
        ("resume_proceedings", "case_to_answer_gross_misconduct"),
        ("resume_proceedings", "case_to_answer_misconduct"),
    } <= loops
    assert not {trigger for trigger, _ in loops} & {
        "issue_claim",
        "send_pre_action_letter",
        "give_pat_notice",
        "take_no_further_action",
        "take_management_action",
        "end_challenge",
        "allow_pat_appeal_substitute_finding",
    }


def test_real_model_every_outcome_is_reachable(process):
    report = RouteSpace(process).report(max_loops=1)
    assert report.total > 10**12
    for outcome in report.outcomes:
        assert outcome.count > 0 and outcome.shortest is not None, outcome.state.name
        assert outcome.shortest.end == outcome.state.name
    terminal = {o.state.name for o in report.terminal}
    assert terminal == {name for name, s in process.states.items() if s.is_terminal}


def test_the_oconnor_route_is_feasible_and_needs_the_officer_to_leave(process, engine):
    result = replay(engine, load_scenario(SCENARIOS / "oconnor.yaml"))
    space = RouteSpace(process)
    moves = []
    for step in result.steps:
        if step.transition is not None:
            number = space._move_number(Move(step.before, step.transition.trigger, step.after, ()))
            moves.append(space.moves[number][0])
    route = Route(process.initial, tuple(moves))
    assert route.loops == 1  # the remittal of the sanction to the panel
    witness = space.witness(route, prefer={"officer_status": "serving"})
    assert witness is not None
    leaves = [step for step in witness.steps if step.changes]
    assert leaves and leaves[0].changes[0][:2] == ("officer_leaves", "officer_status")
    assert witness.steps[-2].move.trigger == "find_would_have_been_dismissed"
    assert space.feasible_values(route, "regime") == ["2012", "2020"]  # no step on it reads the regime


def test_one_trigger_to_several_states_is_kept_apart_by_guards(process):
    """The engine fires the first transition whose guards pass; the analysis takes a step as possible
    when its own guards can hold. They agree while no facts let one trigger, by one actor, go two ways."""
    space = RouteSpace(process)
    by_trigger: dict[tuple[str, str], list[int]] = {}
    for position, transition in enumerate(process.transitions):
        by_trigger.setdefault((transition.source, transition.trigger), []).append(position)
    for positions in by_trigger.values():
        for a, b in itertools.combinations(positions, 2):
            first, second = process.transitions[a], process.transitions[b]
            if first.dest != second.dest and set(first.actors) & set(second.actors):
                assert not space.intersect(space._guards[a], space._guards[b]), (first, second)
