"""paths, coverage, scaffold and diff as a user runs them; check's verdict on scaffolds."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import SCENARIOS
from procsim.cli.main import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def run(capsys, *args: str, scenarios: Path = SCENARIOS) -> tuple[int, str, str]:
    code = main(["--scenarios", str(scenarios), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------------- paths
def test_paths_on_the_real_model(capsys):
    code, out, _ = run(capsys, "paths", "--json")
    data = json.loads(out)
    assert code == 0 and data["from"] == "incident" and data["max_loops"] == 1
    by_state = {o["state"]: o for o in data["outcomes"]}
    for name in ("uksc_appeal_dismissed", "rprp_concluded", "barred_list", "jr_discontinued"):
        assert by_state[name]["routes"] > 0 and by_state[name]["shortest"]["end"] == name
    assert data["total"] == sum(o["routes"] for o in data["outcomes"])
    assert data["total"] == data["terminal_total"] + data["provisional_total"]
    assert {
        "trigger": "reconsider_decision",
        "from": "jr_quashed_and_remitted",
        "to": "recorded",
        "loop": True,
    } in data["loop_steps"]
    code, out, _ = run(capsys, "paths", "--max-loops", "0")
    assert code == 0
    for text in (
        "Terminal outcomes",
        "Concluded unless challenged",
        "The shortest route to each",
        "uksc_decision_restored",
        "Loop steps",
        "Method:",
    ):
        assert text in out, text


def test_paths_on_a_fixture_process_file(capsys):
    code, out, _ = run(capsys, "paths", "--process", str(FIXTURES / "routes_guards.yaml"), "--json")
    data = json.loads(out)
    assert code == 0
    assert {o["state"]: o["routes"] for o in data["outcomes"]} == {
        "upheld": 12,
        "warned": 1,
        "dismissed": 3,
        "whd": 4,
        "reduced": 2,
        "extended": 2,
    }
    assert data["not_counted"] == {"stopped_by_loop_bound": 7, "stuck": 2}
    code, out, _ = run(
        capsys,
        "paths",
        "--process",
        str(FIXTURES / "routes_guards.yaml"),
        "--json",
        "--fact",
        "regime=2012",
        "--max-loops",
        "0",
    )
    assert {o["state"]: o["routes"] for o in json.loads(out)["outcomes"]}["reduced"] == 0


def test_paths_to_one_state_lists_routes(capsys):
    code, out, _ = run(capsys, "paths", "--to", "barred_list", "--max-loops", "0", "--show", "4", "--json")
    data = json.loads(out)
    assert code == 0 and [o["state"] for o in data["outcomes"]] == ["barred_list"]
    assert len(data["routes"]) == 4 and all(
        r["end"] == "barred_list" and r["loops"] == 0 for r in data["routes"]
    )
    assert data["outcomes"][0]["shortest"]["steps"] == 8


def test_paths_from_a_state(capsys):
    _code, out, _ = run(capsys, "paths", "--from", "ca_hearing_held", "--max-loops", "0", "--json")
    counts = {o["state"]: o["routes"] for o in json.loads(out)["outcomes"] if o["routes"]}
    # dismissed / restored (stop there), or on to the Supreme Court: asked of the CA, refused there (stop)
    # or granted; or refused and asked of the UKSC: refused, or granted; at a hearing: dismissed or restored.
    assert counts == {
        "ca_appeal_dismissed": 1,
        "ca_appeal_allowed_decision_restored": 1,
        "uksc_permission_refused_by_ca": 4,
        "uksc_permission_refused": 4,
        "uksc_appeal_dismissed": 4,
        "uksc_decision_restored": 4,
    }


def test_paths_bad_input(capsys):
    code, _, err = run(capsys, "paths", "--from", "incidnet")
    assert code == 1 and "did you mean 'incident'" in err
    code, _, err = run(capsys, "paths", "--fact", "regime=1999")
    assert code == 1 and "takes one of 2012, 2020" in err


# ---------------------------------------------------------------------- coverage
def test_coverage_on_fixture_scenarios(capsys):
    code, out, _ = run(capsys, "coverage", "--json", scenarios=FIXTURES / "scenarios")
    data = json.loads(out)
    assert code == 0 and data["scenarios"] == ["fixture-performance", "fixture-warning"]
    # performance: incident, complaint_received, recorded, investigation_local, investigation_report,
    # no_case_to_answer, performance_procedures; warning adds case_to_answer_misconduct, meeting_listed,
    # misconduct_found, written_warning. Transitions: 6 + 4 (the first four are shared).
    assert data["states"]["exercised"] == 11 and data["transitions"]["exercised"] == 10
    assert data["states"]["by_state"]["recorded"] == ["fixture-performance", "fixture-warning"]
    assert data["states"]["by_state"]["written_warning"] == ["fixture-warning"]
    outcomes = data["outcomes"]
    assert outcomes["terminal_reached"] == {"performance_procedures": ["fixture-performance"]}
    assert "rprp_concluded" in outcomes["terminal_unreached"] and len(outcomes["terminal_unreached"]) == 9
    assert outcomes["provisional_reached"] == {"written_warning": ["fixture-warning"]}
    code, out, _ = run(capsys, "coverage", scenarios=FIXTURES / "scenarios")
    assert "States: 11 of 104 exercised" in out and "Terminal outcomes no scenario reaches (9)" in out


def test_coverage_of_the_shipped_scenarios(capsys):
    code, out, _ = run(capsys, "coverage", "--json")
    data = json.loads(out)
    assert code == 0 and "oconnor" in data["scenarios"]
    assert "barred_list" in data["outcomes"]["provisional_reached"]
    assert "rprp_concluded" in data["outcomes"]["terminal_unreached"]
    # W80 no longer ends in the Supreme Court: its failed challenge returns to the hearing;
    # the one terminal outcome reached is the Norfolk DSI matter's
    assert data["outcomes"]["terminal_reached"] == {"dsi_concluded": ["norfolk-a47-pursuit-dsi-concluded"]}
    assert data["outcomes"]["provisional_reached"]["hearing_dismissed_no_case"] == [
        "w80-jr-of-iopc-direction"
    ]


# ---------------------------------------------------------------------- scaffold
def fill(text: str) -> str:
    """Fill a scaffold's TODO markers as an author would: dates that fit the hints, words, a source."""
    after = re.search(r"not before (\d{4}-\d{2}-\d{2})", text)
    date = after.group(1) if after else "2019-06-03" if "before 2020-02-01" in text else "2021-03-01"
    text = re.sub(r'(date|as_of): "TODO[^"]*"', rf'\1: "{date}"', text)
    text = text.replace('url: "TODO: its address', 'url: "https://example.org/made-up').replace(
        "TODO-source", "src"
    )
    return re.sub(r'"TODO: ([^"]*)"', r'"Filled in: \1"', text)


@pytest.mark.parametrize(
    "target, extends",
    [
        ("would_have_been_dismissed", False),  # the officer must leave before the finding
        ("final_written_warning_extended", False),  # the 2012 regime: the complaint's date before 1 Feb 2020
        ("uksc_decision_restored", False),
        ("reduction_in_rank", True),
        ("pat_outcome_substituted", True),
    ],
)
def test_a_scaffold_once_filled_in_passes_check(capsys, tmp_path, target, extends):
    shutil.copy(SCENARIOS / "oconnor.yaml", tmp_path / "oconnor.yaml")
    out_file = tmp_path / "hypo.yaml"
    base = ["--extends", "oconnor", "--after", "panel-finds-gross-misconduct-2021-10-05"] if extends else []
    code, out, _ = run(capsys, "scaffold", "--to", target, *base, "-o", str(out_file), scenarios=tmp_path)
    assert code == 0 and f" to {target} (" in out
    text = out_file.read_text()
    assert text.count('"TODO') >= 6 and ("extends: oconnor" in text) == extends
    code, out, err = run(capsys, "check", str(out_file))
    assert code == 3 and "incomplete: event" in out and "1 incomplete (TODO markers left)" in out
    out_file.write_text(fill(text))
    code, out, err = run(capsys, "check", str(out_file))
    assert (code == 0 and out.strip().endswith("all valid")) or "warning:" in out, (out, err)
    code, out, _ = run(capsys, "replay", str(out_file), "--json")
    assert code == 0 and json.loads(out)["final_state"] == target


def test_scaffold_sets_the_facts_the_guards_need(capsys, tmp_path):
    code, out, _ = run(capsys, "scaffold", "--to", "would_have_been_dismissed")
    assert code == 0
    assert "side: officer_leaves" in out and "officer_status: resigned" in out
    assert "# guards: former officer (officer_status in (resigned, retired))" in out
    code, out, _ = run(capsys, "scaffold", "--to", "final_written_warning_extended")
    assert "before 2020-02-01 (regime 2012)" in out and "special_conditions_met: true" in out
    assert "fww_live_at_severity_assessment: true" in out


def test_scaffold_writes_safely(capsys, tmp_path):
    target = tmp_path / "new.yaml"
    target.write_text("keep me\n")
    code, _, err = run(capsys, "scaffold", "--to", "barred_list", "-o", str(target))
    assert code == 1 and "exists; use --force" in err and target.read_text() == "keep me\n"
    code, _, _ = run(capsys, "scaffold", "--to", "barred_list", "-o", str(target), "--force")
    assert code == 0 and "end:\n  state: barred_list" in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["new.yaml"]  # no temporary file left behind


def test_scaffold_bad_input(capsys):
    code, _, err = run(capsys, "scaffold", "--to", "barred_list", "--extends", "oconnor")
    assert code == 1 and "go together" in err
    code, _, err = run(
        capsys,
        "scaffold",
        "--to",
        "management_advice",
        "--extends",
        "oconnor",
        "--after",
        "panel-finds-gross-misconduct-2021-10-05",
    )
    assert code == 1 and "no route reaches 'management_advice'" in err  # a 2012 outcome; O'Connor is 2020
    code, _, err = run(capsys, "scaffold", "--to", "barred_list", "--extends", "oconnor", "--after", "nope")
    assert code == 1 and "'nope' is not an event of 'oconnor'" in err


def test_check_invalid_wins_over_incomplete(capsys, tmp_path):
    scaffold = tmp_path / "a.yaml"
    run(capsys, "scaffold", "--to", "barred_list", "-o", str(scaffold))
    (tmp_path / "b.yaml").write_text("process: police_misconduct_ew\n")
    code, out, _err = run(capsys, "check", str(tmp_path), "--json")
    data = json.loads(out)
    assert code == 1 and data["incomplete"] == 1 and not data["valid"]


# ---------------------------------------------------------------------- diff
def test_diff_shows_where_two_scenarios_part(capsys):
    code, out, _ = run(capsys, "diff", "oconnor", "oconnor-panel-dismisses", "--json")
    data = json.loads(out)
    assert code == 0 and data["shared_events"] == 12
    assert data["last_shared"]["id"] == "panel-finds-gross-misconduct-2021-10-05"
    assert data["a_after"][0]["event"] == "impose_final_written_warning"
    assert [s["event"] for s in data["b_after"]] == ["dismiss_without_notice", "report_to_barred_list"]
    code, out, _ = run(capsys, "diff", "oconnor", "oconnor-panel-dismisses")
    assert (
        "They share 12 events" in out
        and "dismiss_without_notice" in out
        and "impose_final_written_warning" in out
    )


def test_diff_of_fixtures_and_of_a_scenario_with_itself(capsys):
    code, out, _ = run(
        capsys, "diff", "fixture-performance", "fixture-warning", "--json", scenarios=FIXTURES / "scenarios"
    )
    data = json.loads(out)
    assert data["last_shared"]["id"] == "report" and len(data["a_after"]) == 2 and len(data["b_after"]) == 4
    code, out, _ = run(capsys, "diff", "oconnor", "oconnor")
    assert code == 0 and "run alike" in out
    code, _, err = run(capsys, "diff", "oconnor", "oconor")
    assert code == 1 and "did you mean 'oconnor'" in err


def test_scaffold_places_a_side_event_as_early_as_the_route_allows(capsys):
    """Issue 12: the officer leaves before the hearing decides, not after the finding."""
    code, out, _ = run(capsys, "scaffold", "--to", "would_have_been_dismissed")
    assert code == 0
    order = [
        line.split(": ")[1] for line in out.splitlines() if line.startswith(("    side:", "    trigger:"))
    ]
    assert order.index("officer_leaves") < order.index("find_gross_misconduct")
