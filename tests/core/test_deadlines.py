"""Time limits on real dates: months, working days, bank holidays, coarse dates, verdicts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import SCENARIOS
from procsim.cli.main import main
from procsim.core.dates import PartialDate, describe_gap
from procsim.core.deadlines import (
    add_months,
    add_working_days,
    due_date,
    due_range,
    is_bank_holiday,
    is_working_day,
)
from procsim.core.model import TimeLimit

D = dt.date


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (D(2021, 10, 5), 3, D(2022, 1, 5)),  # O'Connor: three months after the 2021 hearing
        (D(2023, 1, 31), 1, D(2023, 2, 28)),  # no 31 February: the last day of the month
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2023, 11, 30), 3, D(2024, 2, 29)),
        (D(2021, 8, 31), 1, D(2021, 9, 30)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2021, 12, 15), 1, D(2022, 1, 15)),  # over the year end
    ],
)
def test_month_arithmetic(start, months, expected):
    assert add_months(start, months) == expected


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 1, 1)), st.integers(1, 36))
def test_months_land_on_the_same_day_or_the_month_end(start, months):
    due = add_months(start, months)
    assert (due.year - start.year) * 12 + due.month - start.month == months
    next_day = due + dt.timedelta(days=1)
    assert due.day == start.day or (due.day < start.day and next_day.month != due.month)


@pytest.mark.parametrize(
    "day, holiday",
    [
        (D(2021, 4, 2), True),
        (D(2021, 4, 5), True),  # Good Friday, Easter Monday 2021
        (D(2021, 12, 27), True),
        (D(2021, 12, 28), True),  # Christmas (Sat) and Boxing Day (Sun) substitutes
        (D(2022, 12, 27), True),  # Christmas 2022 fell on a Sunday
        (D(2020, 12, 28), True),  # Boxing Day 2020 fell on a Saturday
        (D(2022, 9, 19), True),
        (D(2023, 5, 8), True),  # one-off: state funeral, coronation
        (D(2022, 6, 2), True),
        (D(2022, 5, 30), False),  # spring bank holiday moved for the jubilee
        (D(2024, 1, 2), False),
        (D(2023, 7, 12), False),  # Scotland's 2 January, Northern Ireland's 12 July
        (D(2021, 10, 5), False),
    ],
)
def test_bank_holidays_of_england_and_wales(day, holiday):
    assert is_bank_holiday(day) is holiday


def test_weekends_are_not_working_days():
    assert not is_working_day(D(2021, 10, 9)) and not is_working_day(D(2021, 10, 10))
    assert is_working_day(D(2021, 10, 11))


@pytest.mark.parametrize(
    "start, count, expected",
    [
        (D(2021, 10, 5), 10, D(2021, 10, 19)),  # O'Connor: PAT notice window after the Tuesday decision
        (D(2021, 12, 23), 5, D(2022, 1, 4)),  # over Christmas and New Year substitutes
        (D(2022, 4, 14), 7, D(2022, 4, 27)),  # reg 45: over Good Friday and Easter Monday
        (D(2025, 6, 20), 5, D(2025, 6, 27)),  # O'Connor: barred-list report after the Friday finding
        (D(2021, 10, 9), 1, D(2021, 10, 11)),  # from a Saturday
    ],
)
def test_working_days_start_the_day_after(start, count, expected):
    assert add_working_days(start, count) == expected


def test_working_days_that_start_on_the_day():
    assert add_working_days(D(2021, 10, 4), 1, include_start=True) == D(2021, 10, 4)
    assert add_working_days(D(2021, 10, 2), 1, include_start=True) == D(2021, 10, 4)
    assert add_working_days(D(2021, 10, 4), 5, include_start=True) == D(2021, 10, 8)


def limit(length, unit, **extra) -> TimeLimit:
    return TimeLimit(rule="r", basis="b", starts="s", length=length, unit=unit, **extra)


def test_calendar_days_are_clear_days():
    assert due_date(limit(28, "calendar_days"), D(2021, 3, 1)) == D(2021, 3, 29)
    assert due_date(limit(21, "calendar_days"), D(2023, 11, 17)) == D(
        2023, 12, 8
    )  # O'Connor appellant's notice


def test_cpr_period_ending_when_the_court_is_closed_moves_to_the_next_open_day():
    claim = limit(3, "months", cpr=True)
    assert due_date(claim, D(2022, 9, 3)) == D(2022, 12, 5)  # 3 December 2022 was a Saturday
    assert due_date(claim, D(2022, 10, 2)) == D(2023, 1, 3)  # 2 January 2023 was a bank holiday
    assert due_date(limit(3, "months"), D(2022, 9, 3)) == D(2022, 12, 3)  # not a court limit


def test_cpr_periods_of_five_days_or_less_skip_weekends_and_holidays():
    assert due_date(limit(5, "calendar_days", cpr=True), D(2021, 12, 23)) == D(2022, 1, 4)
    assert due_date(limit(7, "calendar_days", cpr=True), D(2021, 12, 23)) == D(2021, 12, 30)


def test_no_length_means_no_due_date():
    assert due_date(TimeLimit(rule="r", basis="b", starts="s"), D(2021, 1, 1)) is None


def test_coarse_start_gives_a_range():
    assert due_range(limit(3, "months"), PartialDate.parse("2021-10")) == (D(2022, 1, 1), D(2022, 1, 31))
    assert due_range(limit(3, "months"), PartialDate.parse("2021-10-05")) == (D(2022, 1, 5), D(2022, 1, 5))


@pytest.mark.parametrize(
    "before, after, expected",
    [
        ("2011-10-24", "2020-10-26", "3,290 days, about 9 years"),
        ("2020-10-26", "2021-10-04", "343 days, about 11 months"),
        ("2020-10-26", "2025-06-20", "1,698 days, about 4 years 8 months"),
        ("2020", "2020", "same year"),
        ("2020-10-26", "2020", "up to 2 months"),
        ("2020", "2021", "1 day to 2 years"),
    ],
)
def test_durations_in_words(before, after, expected):
    assert describe_gap(PartialDate.parse(before), PartialDate.parse(after)) == expected


def deadlines(capsys, *args):
    code = main(["--scenarios", str(SCENARIOS), "deadlines", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_oconnor_limits_computed_to_the_reference_dates(capsys):
    code, data = deadlines(capsys, "oconnor")
    assert code == 0
    by_rule = {}
    for item in data["limits"]:
        by_rule.setdefault(item["trigger"], []).append(item)
    # the first issue_claim limit ran from the case-to-answer decision (an interim decision, challengeable
    # since issue 10) and was not used; the claim itself challenged the final written warning
    first, claim = by_rule["issue_claim"][:2]
    assert first["verdict"] == "not used"
    assert claim["due"] == ["2022-01-05", "2022-01-05"] and claim["promptly"]
    assert claim["verdict"] == "not determinable" and "only the month (January 2022)" in claim["reason"]
    pat = by_rule["give_pat_notice"][0]
    assert pat["due"][0] == "2021-10-19" and pat["verdict"] == "not used" and pat["unverified"]
    notice = by_rule["file_appellants_notice"][0]
    assert notice["due"] == ["2023-12-08", "2023-12-08"] and notice["started_by"]["date"] == "2023-11-17"
    barred = by_rule["report_to_barred_list"][0]
    # reg 3(1): 5 working days *beginning with* Friday 20 June 2025 (audit A3): Thursday 26 June
    assert barred["due"] == ["2025-06-26", "2025-06-26"] and barred["verdict"] == "not determinable"
    assert not any(item["verdict"] == "late" for item in data["limits"])


HEADER = """\
process: police_misconduct_ew
title: "Renewal test"
kind: hypothetical
summary: "Hypothetical."
sources:
  - {id: src, publisher: "Test", title: "Test source", date: "2022", url: "https://example.org"}
events:
  - {id: e1, date: "2022-01-10", trigger: make_complaint, actor: complainant, summary: "Complaint.", sources: [src]}
  - {id: e2, date: "2022-01-11", trigger: handle_outside_schedule_3, actor: appropriate_authority, summary: "Informal.", sources: [src]}
  - {id: e3, date: "2022-02-01", trigger: issue_claim, actor: complainant, summary: "Claim.", sources: [src]}
  - {id: e4, date: "2022-02-15", trigger: file_acknowledgment_of_service, actor: appropriate_authority, summary: "AoS.", sources: [src]}
  - {id: e5, date: "2022-03-01", trigger: refuse_permission, actor: high_court, summary: "Refused.", sources: [src]}
"""


def write(tmp_path, text):
    path = tmp_path / "renewal.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("renewed, verdict", [("2022-03-08", "in time"), ("2022-03-15", "late")])
def test_verdicts_on_a_renewal(tmp_path, capsys, renewed, verdict):
    path = write(
        tmp_path,
        HEADER
        + f"""\
  - {{id: e6, date: "{renewed}", trigger: renew_permission_application, actor: complainant, summary: "Renewed.", sources: [src]}}
end: {{state: oral_permission_hearing, status: pending, as_of: "2022-04-01"}}
""",
    )
    code, data = deadlines(capsys, str(path))
    renewal = next(item for item in data["limits"] if item["trigger"] == "renew_permission_application")
    assert renewal["due"] == ["2022-03-08", "2022-03-08"] and renewal["verdict"] == verdict
    assert renewal["unverified"]  # CPR 54.12(4) is unverified in the reference
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 0  # lateness is a warning, not an error
    if verdict == "late":
        assert out.startswith(f"{path}:13: warning: event 'e6' was late") and "fell due 8 March 2022" in out
        assert "1 late step" in out and err == ""
    else:
        assert out.strip() == "1 scenario file checked: all valid"


def test_limit_still_running_at_as_of_is_open(tmp_path, capsys):
    path = write(
        tmp_path,
        HEADER + 'end: {state: permission_refused_on_papers, status: pending, as_of: "2022-03-04"}\n',
    )
    _, data = deadlines(capsys, str(path))
    renewal = next(item for item in data["limits"] if item["trigger"] == "renew_permission_application")
    assert renewal["verdict"] == "open" and renewal["next_step"] is None and renewal["due"][0] == "2022-03-08"


def test_replay_shows_running_total_and_limit_verdicts(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["--scenarios", str(SCENARIOS), "replay", "oconnor"]) == 0
    out = capsys.readouterr().out
    assert "343 days, about 11 months since complaint made" in out
    assert "1,698 days, about 4 years 8 months since complaint made" in out
    assert "due 5 January 2022; not determinable" in out
    assert (
        "CPR 52.12(2)(b)" in out and "[UNVERIFIED: the text of CPR 52.12(2)(b)" not in out
    )  # verified (A-audit)


def test_deadlines_text_output(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    assert main(["--scenarios", str(SCENARIOS), "deadlines", "oconnor"]) == 0
    out = capsys.readouterr().out
    assert "19 October 2021" in out and "UNVERIFIED" in out and "time limits; 0 late" in out


LATE_CLAIM = """\
process: police_misconduct_ew
title: "Extension test"
kind: hypothetical
summary: "Hypothetical."
sources:
  - {id: src, publisher: "Test", title: "Test source", date: "2022", url: "https://example.org"}
events:
  - {id: e1, date: "2022-01-10", trigger: make_complaint, actor: complainant, summary: "Complaint.", sources: [src]}
  - {id: e2, date: "2022-01-11", trigger: handle_outside_schedule_3, actor: appropriate_authority, summary: "Informal.", sources: [src]}
  - {id: e3, date: "2022-05-03", trigger: issue_claim, actor: complainant, summary: "Claim.", sources: [src]}
  - {id: e4, date: "2022-05-16", trigger: file_acknowledgment_of_service, actor: appropriate_authority, summary: "AoS.", sources: [src]}
"""
REFUSED = (
    '  - {id: e6, date: "2022-06-01", trigger: refuse_permission, actor: high_court, '
    'summary: "Refused.", sources: [src]}\n'
    'end: {state: permission_refused_on_papers, status: pending, as_of: "2022-06-02"}\n'
)


def _claim(data):
    return next(item for item in data["limits"] if item["trigger"] == "issue_claim")


@pytest.mark.parametrize(
    "ruling, verdict, words",
    [
        ("", "time extended", "late, but time extended by the court (CPR 3.1(2)(a); 'e5' (25 May 2022))"),
        (", time_ruling: not_needed", "in time", "the court held it in time ('e5' (25 May 2022))"),
    ],
)
def test_a_court_ruling_on_time_replaces_the_late_verdict(tmp_path, capsys, ruling, verdict, words):
    path = write(
        tmp_path,
        LATE_CLAIM
        + '  - {id: e5, date: "2022-05-25", side: court_extends_time, actor: high_court, summary: "Time'
        + f' extended.", sources: [src], facts: {{time_extended_for: issue_claim{ruling}}}}}\n'
        + REFUSED,
    )
    _, data = deadlines(capsys, str(path))
    claim = _claim(data)
    assert claim["due"] == ["2022-04-11", "2022-04-11"]  # 3 months from 11 January 2022
    assert claim["verdict"] == verdict and claim["reason"] == words and claim["time_ruled_on_by"] == "e5"
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "1 scenario file checked: all valid"  # no late-step warning


def test_a_late_claim_the_court_dealt_with_says_the_sources_do_not_say(tmp_path, capsys):
    path = write(tmp_path, LATE_CLAIM + REFUSED)
    _, data = deadlines(capsys, str(path))
    claim = _claim(data)
    assert claim["verdict"] == "late" and claim["dealt_with_by_court"] == "e6"
    assert "late unless the court extended time (CPR 3.1(2)(a)): the sources do not say" in claim["reason"]
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        f"{path}:10: warning: event 'e3' was late unless the court extended time (CPR 3.1(2)(a)), "
        "which the sources do not say (the court dealt with it: 'e6'): "
    )
    assert "fell due 11 April 2022, and it happened on 3 May 2022" in out and "1 late step" in out


def test_a_court_ruling_needs_the_limit_it_rules_on(tmp_path, capsys):
    path = write(
        tmp_path,
        LATE_CLAIM
        + '  - {id: e5, date: "2022-05-25", side: court_extends_time, actor: high_court, summary: "Time'
        + ' extended.", sources: [src]}\n'
        + REFUSED,
    )
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "time_extended_for" in out and "Traceback" not in out


def test_a_limit_open_when_a_concluded_case_ends_was_not_used(tmp_path, capsys):
    path = write(tmp_path, HEADER + "end: {state: permission_refused_on_papers, status: concluded}\n")
    _, data = deadlines(capsys, str(path))
    renewal = next(item for item in data["limits"] if item["trigger"] == "renew_permission_application")
    assert renewal["verdict"] == "not used" and renewal["next_step"] is None
    assert renewal["reason"] == "the case ended (1 March 2022) without it"


def test_a_coarse_start_is_narrowed_by_the_case_s_other_dates(tmp_path, capsys):
    text = HEADER.replace('date: "2022-01-11", trigger: handle', 'date: "2022", trigger: handle').replace(
        '"2022-02-01", trigger: issue_claim', '"2022-03-05", trigger: issue_claim'
    )
    text = text.replace('"2022-02-15"', '"2022-03-15"').replace(
        '"2022-03-01", trigger: refuse', '"2022-03-20", trigger: refuse'
    )
    path = write(
        tmp_path, text + 'end: {state: permission_refused_on_papers, status: pending, as_of: "2022-03-21"}\n'
    )
    _, data = deadlines(capsys, str(path))
    claim = _claim(data)
    # the start ('2022') lies between the complaint (10 January) and the claim (5 March): 3 months
    # later is 10 April (a Sunday: 11 April) to 5 June (a Sunday; 6 June is a working day)
    assert claim["due"] == ["2022-04-11", "2022-06-06"] and claim["verdict"] == "in time"
    assert claim["reason"] == (
        "'e2' (2022) was not before 10 January 2022 (the date of 'e1', earlier) "
        "and not after 5 March 2022 (the date of 'e3', later)"
    )
