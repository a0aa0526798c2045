"""Each class of bad input gets one line naming file and place, exit 1, no traceback."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SCENARIOS
from procsim.cli.main import main
from strategies import CHILD, GOOD_EVENTS, HEADER


def run_check(tmp_path: Path, text: str, capsys, name: str = "case.yaml") -> tuple[int, list[str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = main(["check", str(path)])
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines and " checked: " in lines[-1], lines  # the summary is the last line of stdout
    return code, lines[:-1]


def one_problem(tmp_path, text, capsys, name="case.yaml") -> str:
    code, lines = run_check(tmp_path, text, capsys, name)
    assert code == 1, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith(str(tmp_path / name) + ":"), lines[0]
    assert "Traceback" not in lines[0]
    return lines[0]


def line_no(message: str) -> int:
    match = re.match(r"^[^:]+:(\d+): ", message)
    assert match, f"no line number in: {message}"
    return int(match.group(1))


def test_valid_file_passes(tmp_path, capsys):
    code, lines = run_check(tmp_path, HEADER + GOOD_EVENTS, capsys)
    assert code == 0 and lines == []


def test_impossible_event_lists_possible_ones(tmp_path, capsys):
    text = HEADER + GOOD_EVENTS.replace(
        "trigger: record_complaint", "trigger: find_gross_misconduct"
    ).replace("actor: appropriate_authority", "actor: misconduct_panel")
    message = one_problem(tmp_path, text, capsys)
    assert line_no(message) == 9
    assert "event 'e2'" in message and "cannot happen in state 'complaint_received'" in message
    assert "possible here: handle_outside_schedule_3, record_complaint" in message


def test_failing_guard_gives_reason_and_facts(tmp_path, capsys):
    text = (
        HEADER
        + "initial_facts: {mandatory_referral: true}\n"
        + GOOD_EVENTS.replace("trigger: record_complaint", "trigger: handle_outside_schedule_3")
    )
    message = one_problem(tmp_path, text, capsys)
    assert "must be referred to the IOPC" in message
    assert "mandatory_referral=true" in message


def test_wrong_actor_names_allowed_ones(tmp_path, capsys):
    text = HEADER + GOOD_EVENTS.replace(
        "record_complaint, actor: appropriate_authority", "record_complaint, actor: complainant"
    )
    message = one_problem(tmp_path, text, capsys)
    assert "actor 'complainant' cannot 'record_complaint'" in message
    assert "appropriate_authority" in message


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            "trigger: record_complaint",
            "trigger: record_complain",
            "unknown trigger 'record_complain' (did you mean 'record_complaint'?)",
        ),
        (
            "actor: appropriate_authority",
            "actor: appropriate_authorty",
            "unknown actor 'appropriate_authorty' (did you mean 'appropriate_authority'?)",
        ),
        ("sources: [src]}\nend", "sources: [srcc]}\nend", "unknown source id 'srcc' (did you mean 'src'?)"),
        ("state: recorded", "state: recordd", "unknown state 'recordd' (did you mean 'recorded'?)"),
    ],
)
def test_unknown_names_suggest_nearest(tmp_path, capsys, old, new, expected):
    message = one_problem(tmp_path, HEADER + GOOD_EVENTS.replace(old, new), capsys)
    assert expected in message


def test_unknown_fact_suggests_nearest(tmp_path, capsys):
    message = one_problem(
        tmp_path, HEADER + "initial_facts: {officer_statu: serving}\n" + GOOD_EVENTS, capsys
    )
    assert line_no(message) == 7
    assert "unknown fact 'officer_statu'" in message and "did you mean 'officer_status'" in message


def test_wrong_fact_value(tmp_path, capsys):
    message = one_problem(
        tmp_path, HEADER + "initial_facts: {officer_status: sacked}\n" + GOOD_EVENTS, capsys
    )
    assert "takes one of serving, resigned, retired, dismissed" in message


def test_derived_fact_cannot_be_set(tmp_path, capsys):
    message = one_problem(tmp_path, HEADER + "initial_facts: {regime: '2012'}\n" + GOOD_EVENTS, capsys)
    assert "derived from 'matter_date'" in message


@pytest.mark.parametrize(
    "date, expected",
    [
        ("2021-02-30", "is not a real date"),
        ("21-03-2021", "is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2021-13", "has no month 13"),
    ],
)
def test_bad_dates(tmp_path, capsys, date, expected):
    message = one_problem(tmp_path, HEADER + GOOD_EVENTS.replace('"2021-03-02"', f'"{date}"'), capsys)
    assert line_no(message) == 9 and expected in message


def test_dates_out_of_order(tmp_path, capsys):
    message = one_problem(tmp_path, HEADER + GOOD_EVENTS.replace('"2021-03-02"', '"2021-02-27"'), capsys)
    assert line_no(message) == 9 and "dates out of order" in message


def test_coarse_date_may_contain_its_neighbour(tmp_path, capsys):
    code, _ = run_check(tmp_path, HEADER + GOOD_EVENTS.replace('"2021-03-02"', '"2021"'), capsys)
    assert code == 0


def test_yaml_syntax_error_names_line(tmp_path, capsys):
    message = one_problem(tmp_path, HEADER + "events: [\n  {id: e1\n", capsys)
    assert "YAML syntax error" in message and line_no(message) >= 7


def test_wrong_type(tmp_path, capsys):
    message = one_problem(
        tmp_path, HEADER.replace("kind: hypothetical", "kind: [real]") + GOOD_EVENTS, capsys
    )
    assert line_no(message) == 3 and "'kind' in the scenario must be text, not a list" in message


def test_missing_required_field(tmp_path, capsys):
    text = HEADER + GOOD_EVENTS.replace(' summary: "Recorded.",', "")
    message = one_problem(tmp_path, text, capsys)
    assert line_no(message) == 9 and "event 'e2' is missing required key 'summary'" in message


def test_unknown_key_suggests(tmp_path, capsys):
    message = one_problem(tmp_path, HEADER + "sumary: x\n" + GOOD_EVENTS, capsys)
    assert line_no(message) == 7 and "unknown key 'sumary'" in message and "did you mean 'summary'" in message


def test_every_problem_in_a_file_is_listed(tmp_path, capsys):
    text = HEADER + "sumary: x\n" + GOOD_EVENTS.replace('"2021-03-02"', '"2021-02-30"')
    code, lines = run_check(tmp_path, text, capsys)
    assert code == 1 and len(lines) == 2


def test_extends_missing_scenario(tmp_path, capsys):
    text = HEADER + "extends: nosuch\ndiverges_after: e1\n" + GOOD_EVENTS
    message = one_problem(tmp_path, text, capsys)
    assert line_no(message) == 7 and "no nosuch.yaml" in message


def test_extends_outside_scenarios_folder(tmp_path, capsys):
    text = HEADER + "extends: ../../etc/passwd\ndiverges_after: e1\n" + GOOD_EVENTS
    message = one_problem(tmp_path, text, capsys)
    assert "must name a scenario in" in message


def test_extends_cycle(tmp_path, capsys):
    for this, other in (("a", "b"), ("b", "a")):
        (tmp_path / f"{this}.yaml").write_text(
            CHILD + f"extends: {other}\ndiverges_after: e1\n" + GOOD_EVENTS.replace("id: e", f"id: {this}")
        )
    code = main(["check", str(tmp_path / "a.yaml")])
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 1 and len(out) == 2 and "cycle" in out[0] and "a -> b -> a" in out[0]


def test_extends_unknown_divergence_point(tmp_path, capsys):
    (tmp_path / "base.yaml").write_text(HEADER + GOOD_EVENTS)
    text = CHILD + "extends: base\ndiverges_after: e9\n" + GOOD_EVENTS.replace("id: e", "id: x")
    message = one_problem(tmp_path, text, capsys)
    assert "'diverges_after' names 'e9'" in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: !!python/object/apply:os.system ['echo owned']\n", "tags"),
        ("a: &x [1]\nb: *x\n", "anchors"),
        ("title: a\ntitle: b\n", "duplicate key 'title'"),
    ],
)
def test_unsafe_yaml_is_refused(tmp_path, capsys, text, expected):
    message = one_problem(tmp_path, text, capsys)
    assert expected in message


def test_alias_bomb_is_refused_quickly(tmp_path, capsys):
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    start = time.perf_counter()
    message = one_problem(tmp_path, "\n".join(lines) + "\n", capsys)
    assert "not allowed" in message
    assert time.perf_counter() - start < 5  # a generous bound: the bomb would take minutes


def test_deep_nesting_is_refused(tmp_path, capsys):
    message = one_problem(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n", capsys)
    assert "nesting deeper than 64" in message


def test_huge_file_is_refused_before_parsing(tmp_path, capsys):
    message = one_problem(tmp_path, "# " + "x" * (3 * 1024 * 1024) + "\n", capsys)
    assert "larger than the 1024 KiB limit" in message


def test_not_a_mapping(tmp_path, capsys):
    message = one_problem(tmp_path, "- just\n- a list\n", capsys)
    assert "must be a mapping" in message


def test_end_state_mismatch(tmp_path, capsys):
    message = one_problem(
        tmp_path, HEADER + GOOD_EVENTS.replace("state: recorded", "state: iopc_assessing"), capsys
    )
    assert "ends in state 'recorded', not 'iopc_assessing'" in message


def test_concluded_in_an_ongoing_state(tmp_path, capsys):
    text = HEADER + GOOD_EVENTS.replace('status: pending, as_of: "2021-04-01"', "status: concluded")
    message = one_problem(tmp_path, text, capsys)
    assert "ongoing state: say pending" in message


def test_real_cli_prints_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEADER + GOOD_EVENTS.replace("trigger: record_complaint", "trigger: nonsense"))
    for args in (
        ["check", str(bad)],
        ["replay", str(bad)],
        ["replay", "no-such-scenario"],
        ["explain", "nonsense"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "procsim", *args], capture_output=True, text=True, cwd=SCENARIOS.parent
        )
        assert result.returncode == 1, (args, result)
        assert "Traceback" not in result.stderr + result.stdout
        assert len((result.stderr + result.stdout).strip().splitlines()) <= 2  # problem + summary


def test_a_missing_key_is_reported_once_with_its_allowed_values(tmp_path, capsys):
    """Issue 13 (finding 17): one problem, one message, even when two checks look for the key."""
    text = "\n".join(line for line in (HEADER + GOOD_EVENTS).splitlines() if not line.startswith("kind:"))
    code, lines = run_check(tmp_path, text + "\n", capsys)
    assert code == 1
    assert [line for line in lines if "'kind'" in line] == [
        f"{tmp_path / 'case.yaml'}:1: the scenario is missing required key 'kind' (one of: real, hypothetical)"
    ]
