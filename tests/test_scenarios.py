"""Every scenario in scenarios/ is valid and replays to the end it declares."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, SCENARIOS
from procsim.analysis.coverage import coverage
from procsim.core.model import Process
from procsim.io.scenario_reader import load_scenario
from procsim.workspace import check_file

FILES = sorted(SCENARIOS.glob("*.yaml"))
SEEDS = ROOT.parent / "shared" / "seeds"


def test_there_are_scenarios():
    assert len(FILES) >= 4


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_replays_to_its_declared_end(path: Path):
    checked = check_file(path)
    assert checked.errors == ()
    assert checked.replayed is not None
    assert checked.replayed.replay.final_state == checked.replayed.scenario.end.state


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_event_names_a_source_and_every_source_is_citable(path: Path):
    scenario = load_scenario(path)
    for event in scenario.own_events:
        assert event.sources, event.id
    for source in scenario.sources.values():
        assert source.url or source.seed or source.model, source.id
        if scenario.kind == "real":  # a real case cites real material, never the model alone
            assert not source.model, source.id
        if source.seed:
            assert re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", source.seed), source.seed


ALTERNATIVES = [p for p in FILES if load_scenario(p).extends]


def test_real_cases_stand_alone():
    real = [p.stem for p in FILES if load_scenario(p).kind == "real"]
    assert "oconnor" in real and len(real) >= 6  # O'Connor and the real cases of issue 10
    assert all(not load_scenario(SCENARIOS / f"{stem}.yaml").extends for stem in real)


@pytest.mark.parametrize("path", ALTERNATIVES, ids=lambda p: p.stem)
def test_alternatives_extend_without_copying(path: Path):
    scenario = load_scenario(path)
    base = load_scenario(SCENARIOS / f"{scenario.extends}.yaml")
    assert scenario.kind == "hypothetical"
    assert "hypothetical" in scenario.summary.lower()
    own_ids = {event.id for event in scenario.own_events}
    assert not own_ids & {event.id for event in base.events}
    kept = scenario.events[: len(scenario.events) - len(scenario.own_events)]
    assert kept[-1].id == scenario.diverges_after
    assert scenario.own_events, "an alternative has events of its own"


def test_oconnor_path_and_dates():
    scenario = load_scenario(SCENARIOS / "oconnor.yaml")
    moves = [(e.trigger, e.date.iso()) for e in scenario.events if e.trigger]
    triggers = [t for t, _ in moves]
    assert triggers[0] == "make_complaint" and dict(moves)["make_complaint"] == "2020-10-26"
    assert dict(moves)["dismiss_claim"] == "2023-11-17"
    assert dict(moves)["allow_appeal_and_remit"] == "2025-01-22"
    assert dict(moves)["find_would_have_been_dismissed"] == "2025-06-20"
    assert triggers[-2:] == ["find_would_have_been_dismissed", "report_to_barred_list"]
    assert scenario.events[0].date.iso() == "2011-10-23"
    assert scenario.end.state == "barred_list" and scenario.end.status == "concluded"


def test_oconnor_records_every_discrepancy_d1_to_d17():
    scenario = load_scenario(SCENARIOS / "oconnor.yaml")
    ids = [d.id for e in scenario.events for d in e.discrepancies]
    assert {f"D{n}" for n in range(1, 18)} <= set(ids)
    for event in scenario.events:
        for discrepancy in event.discrepancies:
            assert len(discrepancy.accounts) >= 2 and discrepancy.follows and discrepancy.why


def test_oconnor_cites_all_five_seed_articles():
    scenario = load_scenario(SCENARIOS / "oconnor.yaml")
    seeds = {source.seed for source in scenario.sources.values() if source.seed}
    assert len(seeds) == 5
    if SEEDS.is_dir():
        assert seeds == {path.name for path in SEEDS.glob("*.txt")}


def test_a_date_is_the_same_quoted_or_not(tmp_path):
    """Issue 12: the docs say quotes are optional for dates, and the loader agrees."""

    (tmp_path / "oconnor.yaml").write_text((ROOT / "scenarios" / "oconnor.yaml").read_text())
    quoted = load_scenario(tmp_path / "oconnor.yaml")
    text = re.sub(r'date: "(\d{4}(?:-\d{2}){0,2})"', r"date: \1", (tmp_path / "oconnor.yaml").read_text())
    (tmp_path / "oconnor.yaml").write_text(text)
    bare = load_scenario(tmp_path / "oconnor.yaml")
    assert [e.date for e in bare.events] == [e.date for e in quoted.events]


def test_norfolk_dsi_matter_ends_in_a_terminal_outcome_without_becoming_a_conduct_matter(process: Process):
    """The A47 pursuit (May 2022) goes DSI matter -> IOPC investigation -> report -> no indication."""
    replayed = check_file(SCENARIOS / "norfolk-a47-pursuit-dsi-concluded.yaml").replayed
    assert replayed is not None
    replay = replayed.replay
    assert replay.final_state == "dsi_concluded"
    assert process.states[replay.final_state].is_terminal
    path = [step.after for step in replay.steps if step.moved]
    assert path == ["dsi_recorded", "dsi_investigation", "dsi_report", "dsi_concluded"]
    assert replay.facts["regime"] == "2020" and replay.facts["complainant_exists"] is False


def test_the_scenarios_reach_a_terminal_outcome(process: Process):
    """Issue 10: the real cases in scenarios/ reach more than none of the model's terminal outcomes."""
    replays = [checked.replayed.replay for checked in map(check_file, FILES) if checked.replayed]
    reached = coverage(process, replays).outcomes_reached("terminal")
    assert "dsi_concluded" in [state.name for state in reached]
