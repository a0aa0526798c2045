"""The CLI as a user runs it: replay, check, list, explain; text and JSON."""

from __future__ import annotations

import json

import pytest

from conftest import SCENARIOS
from procsim.cli.main import main


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--scenarios", str(SCENARIOS), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_replay_oconnor_shows_the_dated_sourced_timeline(capsys):
    code, out, _ = run(capsys, "replay", "oconnor", "--sources")
    assert code == 0
    for text in (
        "23 October 2011",
        "26 October 2020",
        "5 October 2021",
        "17 November 2023",
        "22 January 2025",
        "20 June 2025",
        "would have been dismissed",
        "Barred list (barred_list)",
        "concluded unless challenged",
        "Sources disagree (D1",
        "[2023] EWHC 2892 (Admin)",
        "Good Law Project",
        "Basis: CR 2020 reg 4, Sch 1",
    ):
        assert text in out, text
    assert "incident -> " not in out.lower() or "Incident (incident) ->" in out


def test_replay_json(capsys):
    code, out, _ = run(capsys, "replay", "oconnor", "--json")
    data = json.loads(out)
    assert code == 0 and data["final_state"] == "barred_list" and data["status"] == "concluded"
    steps = data["steps"]
    assert [s["number"] for s in steps] == list(range(1, len(steps) + 1))
    complaint = next(s for s in steps if s["event"] == "make_complaint")
    assert complaint["state_before"] == "incident" and complaint["state_after"] == "complaint_received"
    assert complaint["facts_changed"]["matter_date"] == "2020-10-26"
    hearing = next(s for s in steps if s["event"] == "find_gross_misconduct")
    fww = next(s for s in steps if s["event"] == "impose_final_written_warning")
    assert hearing["date"] == "2021-10-05" and fww["since_previous"] == "same day"
    assert any(d["id"] == "D1" for s in steps for d in s["discrepancies"])
    assert all(s["sources"] for s in steps)
    assert data["facts"]["regime"] == "2020"


def test_replay_by_path_and_unknown_name(capsys):
    code, _, _ = run(capsys, "replay", str(SCENARIOS / "oconnor-ca-dismisses.yaml"))
    assert code == 0
    code, _, err = run(capsys, "replay", "oconor")
    assert code == 1 and "no scenario 'oconor'" in err and "did you mean 'oconnor'" in err


def test_check_default_folder_passes(capsys):
    code, out, err = run(capsys, "check")
    # warnings (a step the sources date after its time limit: W80's claim) do not make a file invalid
    lines = out.strip().splitlines()
    assert code == 0 and "scenario files checked: all valid" in lines[-1] and err == ""
    assert all(": warning: " in line for line in lines[:-1])


def test_check_json(capsys):
    code, out, _ = run(capsys, "check", "--json")
    data = json.loads(out)
    assert code == 0 and data["valid"] and {f["final_state"] for f in data["files"]} >= {"barred_list"}


def test_list(capsys):
    code, out, _ = run(capsys, "list", "--json")
    data = json.loads(out)
    assert code == 0 and data["processes"][0]["id"] == "police_misconduct_ew"
    ids = {s["id"] for s in data["scenarios"]}
    assert "oconnor" in ids and all(s["valid"] for s in data["scenarios"])
    code, out, _ = run(capsys, "list")
    assert code == 0 and "oconnor" in out


def test_explain_state_lists_what_can_follow(capsys):
    code, out, _ = run(capsys, "explain", "gross_misconduct_found")
    assert code == 0
    assert "Gross misconduct found" in out and "dismiss_without_notice" in out
    assert "officer serving" in out and "CR 2020 reg 42(3)(b)" in out


def test_explain_trigger_shows_time_limit(capsys):
    _code, out, _ = run(capsys, "explain", "issue_claim", "--json")
    data = json.loads(out)
    limit = data["transitions"][0]["time_limit"]
    assert limit["length"] == 3 and limit["unit"] == "months" and limit["promptly"]
    assert "promptly and in any event within 3 months" in limit["text"]


def test_explain_unknown_suggests(capsys):
    code, _, err = run(capsys, "explain", "barred_lst")
    assert code == 1 and "did you mean 'barred_list'" in err


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "replay" in capsys.readouterr().out


def test_common_options_work_before_or_after_the_command(capsys):
    code, after, _ = run(capsys, "replay", "oconnor", "--scenarios", str(SCENARIOS), "--json")
    assert code == 0 and json.loads(after)["scenario"] == "oconnor"
    code, before, _ = run(capsys, "--scenarios", str(SCENARIOS), "--json", "replay", "oconnor")
    assert code == 0 and before == after


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("procsim ")


def test_list_never_cuts_an_id(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "list")
    assert code == 0 and "oconnor-officer-appeals-to-pat\n" in out and "…" not in out


def test_replay_brief_and_default_are_short_and_name_no_seed_file(capsys):
    code, brief, _ = run(capsys, "replay", "oconnor", "--brief")
    assert (
        code == 0
        and len(brief.splitlines()) < 60
        and "13. 5 October 2021  final written warning -> Final written warning" in brief
    )
    code, normal, _ = run(capsys, "replay", "oconnor")
    assert len(normal.splitlines()) < 450 and ".txt" not in normal and "None" not in normal
    assert "unset" not in normal and "Basis: None" not in normal


def test_explain_takes_words(capsys):
    code, out, _ = run(capsys, "explain", "final", "written", "warning")
    assert code == 0 and "state 'final_written_warning'" in out


def test_diagram_json_with_output_writes_the_file(capsys, tmp_path):
    target = tmp_path / "x.mmd"
    code, out, _ = run(capsys, "diagram", "oconnor", "-o", str(target), "--json")
    assert code == 0 and target.exists() and json.loads(out)["written"] == str(target)


def test_check_says_when_a_valid_scenario_has_no_diagram_yet(tmp_path, capsys):
    """Issue 12: adding a scenario makes make test fail until diagram --all; check says so."""
    import shutil

    folder = tmp_path / "scenarios"
    folder.mkdir()
    (tmp_path / "diagrams").mkdir()
    for name in ("oconnor.yaml", "oconnor-ca-dismisses.yaml"):
        shutil.copy(SCENARIOS / name, folder / name)
    (tmp_path / "diagrams" / "oconnor.svg").write_text("<svg/>")
    code = main(["--scenarios", str(folder), "check"])
    out = capsys.readouterr().out
    assert code == 0
    assert "note: 1 valid scenario without a diagram" in out and "oconnor-ca-dismisses" in out
    assert "run procsim diagram --all" in out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("trigger: record_complaint", "trigger: officer_resigns"),
            "(did you mean 'officer_leaves'?); in state",
        ),
        (
            ("trigger: record_complaint", "trigger: officer_leaves"),
            "is a side event, not a trigger: write 'side:",
        ),
        (
            ("\ntitle:", "\nauthor: x\ntitle:"),
            "unknown key 'author' in the scenario; allowed: process, title",
        ),
        (("\n  status: concluded", ""), "missing required key 'status' (one of: concluded, pending)"),
        (("\ntitle:", "\n  title:"), "check this line's indentation"),
    ],
)
def test_errors_say_how_to_fix(tmp_path, capsys, change, expected):
    """Issue 12: an error names what is allowed instead, or says the syntax problem in words."""
    import shutil

    shutil.copy(SCENARIOS / "oconnor.yaml", tmp_path / "oconnor.yaml")
    text = (SCENARIOS / "oconnor.yaml").read_text().replace(*change, 1)
    (tmp_path / "bad.yaml").write_text(text)
    code = main(["check", str(tmp_path / "bad.yaml")])
    out = capsys.readouterr().out
    assert code == 1 and expected in out
    assert len([line for line in out.splitlines() if "bad.yaml:" in line]) == 1


@pytest.mark.parametrize("enabled", [True, False])
def test_a_command_runs_with_the_cycle_collector_paused_and_leaves_it_as_it_was(monkeypatch, enabled):
    import gc

    from procsim.cli import main as cli

    seen: list[tuple[str, bool]] = []
    monkeypatch.setattr(cli, "cmd_explain", lambda args: seen.append(("explain", gc.isenabled())) or 0)
    monkeypatch.setattr(cli, "cmd_step", lambda args: seen.append(("step", gc.isenabled())) or 0)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert main(["explain", "regime"]) == 0
        assert gc.isenabled() is enabled
        assert main(["step", "oconnor"]) == 0  # reads commands for as long as its user types them
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert seen == [("explain", False), ("step", True)]


def test_the_program_exits_with_the_commands_status(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [\n")
    for args, status in ((["list"], 0), (["replay", str(bad)], 1), (["nonsense"], 2)):
        done = subprocess.run(
            [sys.executable, "-m", "procsim", *args], capture_output=True, text=True, check=False
        )
        assert done.returncode == status, done.stderr
        assert "Traceback" not in done.stderr


def test_a_command_leaves_as_few_reference_cycles_for_many_files_as_for_few(tmp_path, capsys):
    """Why a command may run with the cycle collector paused: what it leaves in cycles does not
    grow with its work (a cycle made per file would, and would then need the collector)."""
    import gc
    import shutil

    text = (SCENARIOS / "dalton-jr-permission-refused.yaml").read_text()
    left = {}
    for count in (2, 60):
        folder = tmp_path / str(count)
        folder.mkdir()
        for number in range(count):
            (folder / f"dalton-{number}.yaml").write_text(text)
        main(["check", str(folder)])  # warm: imports, the process, the engine
        was = gc.isenabled()
        gc.collect()
        gc.disable()
        try:
            assert main(["check", str(folder)]) == 0
            left[count] = gc.collect()
        finally:
            if was:
                gc.enable()
        shutil.rmtree(folder)
    capsys.readouterr()
    assert left[60] <= left[2] + 50, left  # fewer than one object in a cycle per file
