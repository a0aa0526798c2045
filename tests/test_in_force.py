"""Rules in force by date: periods on transitions, guards and state versions (issue 10)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import allowed_triggers, walk
from procsim.core.dates import PartialDate
from procsim.core.effects import facts_view, in_force, state_version
from procsim.core.errors import GuardFailed
from procsim.core.model import InForce, period_fact_name

TO_REFERRAL = [
    "record_complaint",
    "start_local_investigation",
    "submit_investigation_report",
    "decide_case_to_answer_gross_misconduct",
]


def gm_finding(engine, allegation: str, hearing: str = "2026-09-01", facts=None):
    """A gross-misconduct finding at a full hearing on a complaint of ``allegation``."""
    case = walk(engine, TO_REFERRAL, facts=facts, complaint_date=allegation)
    engine.fire(case, "refer_to_misconduct_hearing", date=PartialDate.parse(hearing))
    engine.fire(case, "find_gross_misconduct")
    return case


def fww_option(engine, case):
    options = [o for o in engine.options(case) if o.transition.trigger == "impose_final_written_warning"]
    return [o for o in options if o.transition.actors == ("misconduct_panel",)]


def test_presumption_of_dismissal_2026_v_2021(engine):
    """Done-when: otherwise identical findings of 2026 and 2021 show different sanction rules."""
    old, new = gm_finding(engine, "2021-03-01"), gm_finding(engine, "2026-03-01")
    assert "impose_final_written_warning" in allowed_triggers(engine, old)
    assert "impose_final_written_warning" not in allowed_triggers(engine, new)
    assert "impose_reduction_in_rank" not in allowed_triggers(engine, new)
    assert "dismiss_without_notice" in allowed_triggers(engine, new)
    # the rule open in 2021 is the unamended reg 42; in 2026 the one blocked cites SI 2025/558
    (open_2021,) = [o for o in fww_option(engine, old) if o.allowed]
    assert open_2021.transition.basis.startswith("CR 2020 reg 42(3)(b)")
    blocked = [o for o in fww_option(engine, new) if "SI 2025/558" in o.transition.basis]
    assert blocked and [f.guard.name for f in blocked[0].blocked_by] == ["exceptional_circumstances"]
    with pytest.raises(GuardFailed, match="exceptional circumstances"):
        engine.fire(new, "impose_final_written_warning", actor="misconduct_panel")


def test_exceptional_circumstances_open_a_warning_in_2026(engine):
    case = gm_finding(engine, "2026-03-01", facts={"exceptional_circumstances": True})
    step = engine.fire(case, "impose_final_written_warning", actor="misconduct_panel")
    assert "SI 2025/558 reg 15" in step.transition.basis


def test_allegation_date_decides_not_the_matter_date(engine):
    """SI 2025/558 reg 64(1): the allegation's date decides; it falls back to the matter date."""
    case = gm_finding(engine, "2025-05-01", facts={"allegation_date": "2025-06-02"})
    assert "impose_final_written_warning" not in allowed_triggers(engine, case)
    assert facts_view(engine.process, case.facts)["regime"] == "2020"


def test_last_day_before_the_reform_keeps_the_old_rule(engine):
    assert "impose_final_written_warning" in allowed_triggers(engine, gm_finding(engine, "2025-05-27"))
    assert "impose_final_written_warning" not in allowed_triggers(engine, gm_finding(engine, "2025-05-28"))


def test_2012_regime_untouched_by_the_presumption(engine):
    assert "impose_final_written_warning" in allowed_triggers(engine, gm_finding(engine, "2019-06-01"))


@pytest.mark.parametrize(
    "hearing, expected",
    [("2023-06-01", "CR 2020 reg 28 (as made)"), ("2025-06-01", "SI 2024/521 reg 3")],
)
def test_panel_depends_on_the_hearing_date(engine, hearing, expected):
    """Done-when: a hearing in 2023 and one in 2025 show a different panel (SI 2024/521)."""
    case = walk(engine, TO_REFERRAL, complaint_date="2021-03-01")
    engine.fire(case, "refer_to_misconduct_hearing", date=PartialDate.parse(hearing))
    version = state_version(engine.process, engine.process.states["hearing_listed"], case.facts)
    assert version is not None and expected in version.basis


def test_2012_panel_for_a_2012_matter_heard_in_2025(engine):
    """W80: a 2012-regime hearing in October 2025 was independently chaired."""
    case = walk(engine, TO_REFERRAL, complaint_date="2015-12-11")
    engine.fire(case, "refer_to_misconduct_hearing", date=PartialDate.parse("2025-10-06"))
    version = state_version(engine.process, engine.process.states["hearing_listed"], case.facts)
    assert version is not None and version.basis.startswith("CR 2012")


def test_period_fact_is_cut_at_every_boundary(process):
    derived = process.derived[period_fact_name("allegation_date")]
    assert [value for _, value in derived.ranges] == ["before 2025-05-28", "from 2025-05-28"]
    hearing = process.derived[period_fact_name("hearing_date")]
    assert [value for _, value in hearing.ranges] == ["before 2024-05-07", "from 2024-05-07"]


DAYS = st.dates(min_value=PartialDate(2019).earliest, max_value=PartialDate(2027).latest)


@settings(max_examples=200, deadline=None)
@given(DAYS, st.sampled_from(["day", "month", "year"]))
def test_period_guards_agree_with_the_in_force_predicate(process, day, precision):
    """The guard the loader builds from a period holds exactly when :func:`in_force` says True."""
    date = PartialDate(
        day.year, day.month if precision != "year" else None, day.day if precision == "day" else None
    )
    facts = {**process.default_facts(), "matter_date": date, "hearing_date": date}
    view = facts_view(process, facts)
    for guard in process.guards.values():
        if guard.in_force is not None:
            assert guard.condition.holds(view) == (in_force(process, guard.in_force, facts) is True), (
                guard.name
            )


def test_in_force_straddling_date_is_unknown():
    period = InForce("allegation_date", start=PartialDate.parse("2025-05-28"))
    assert period.holds_for(PartialDate.parse("2025-05")) is None
    assert period.holds_for(PartialDate.parse("2025-06")) is True
    assert period.holds_for(PartialDate.parse("2024")) is False
    assert period.describe() == "from 28 May 2025 (decided by allegation_date)"


def test_every_basis_cites_an_authority(process):
    """Each abbreviation of `basis` resolves to an entry of `authorities` (with a URL)."""
    bases = [s.basis for s in process.states.values()]
    bases += [t.basis for t in process.transitions]
    bases += [t.time_limit.basis for t in process.transitions if t.time_limit]
    bases += [g.basis for g in process.guards.values()]
    # side events that are not legal steps say so instead of citing (e.g. 'not a legal step: ...')
    bases += [s.basis for s in process.side_events.values() if not s.basis.startswith("not a ")]
    bases += [v.basis for s in process.states.values() for v in s.versions]
    assert [b for b in bases if not process.cited(b)] == []
    assert all(a.url.startswith("https://") for a in process.authorities.values())


def test_cited_prefers_the_longest_abbreviation(process):
    cited = process.cited("PAT Rules 2012 r.11(2); CR 2020 reg 42 as amended by SI 2025/558 reg 15")
    assert [a.id for a in cited] == ["PAT Rules 2012", "CR 2020", "SI 2025/558"]
    assert process.cited("CR 20201") == ()


def test_explain_shows_versions_periods_and_links(process):
    from procsim.render.text import explain_data

    data = explain_data(process, "hearing_listed")
    periods = [v["in_force"]["text"] for v in data["versions"]]
    assert periods == [
        "until 31 January 2020 (decided by matter_date)",
        "until 6 May 2024 (decided by hearing_date)",
        "from 7 May 2024 (decided by hearing_date)",
    ]
    urls = {a["id"]: a["url"] for a in data["authorities"]}
    assert urls["SI 2024/521"] == "https://www.legislation.gov.uk/uksi/2024/521/made"
    fww = [t for t in explain_data(process, "gross_misconduct_found")["what_can_follow"] if t["in_force"]]
    assert {t["in_force"]["from"] for t in fww} >= {"2025-05-28"}


# ---------------------------------------------------------------------- corrections (audit A1-A16)
def test_a12_dismissal_by_another_procedure_is_not_undone_by_a_remittal(engine):
    """Buckett: FWW quashed and remitted; meanwhile dismissed after vetting withdrawal. No reinstatement."""
    case = gm_finding(engine, "2021-12-03", hearing="2023-01-01")
    engine.fire(case, "impose_final_written_warning", actor="misconduct_panel")
    case.facts["officer_status"] = "dismissed"  # a different procedure (facts_change in a scenario)
    for trigger, actor in [
        ("issue_claim", "iopc"),
        ("file_acknowledgment_of_service", "misconduct_panel"),
        ("grant_permission", "high_court"),
        ("hear_claim", "high_court"),
        ("quash_and_remit", "high_court"),
    ]:
        engine.fire(case, trigger, actor=actor)
    step = engine.fire(case, "rehear_sanction", actor="misconduct_panel")
    assert case.facts["officer_status"] == "dismissed" and case.facts["sanction"] == "none"
    assert "reinstatement" not in step.transition.basis


def test_a2_a7_complaint_withdrawn_or_ended(engine):
    case = walk(engine, ["record_complaint", "start_local_investigation"], complaint_date="2021-03-01")
    engine.fire(case, "withdraw_complaint", actor="complainant")
    assert case.state == "complaint_withdrawn"
    assert all(
        "cps" not in t.actors
        for t in engine.process.transitions
        if t.trigger == "resume_after_criminal_proceedings"
    )


def test_a1_reporting_duty_runs_from_the_complaint_or_the_matter(process):
    limits = {
        t.guards: t.time_limit for t in process.transitions if t.trigger == "submit_investigation_report"
    }
    assert limits[("regime_2020", "complaint_case")].basis == "CMR 2020 reg 13"
    assert limits[("regime_2020", "complaint_case")].runs_from == ("complaint_received",)
    assert limits[("regime_2020", "conduct_matter_case")].basis == "CR 2020 reg 19"


def test_2012_regime_cases_decided_after_2020_run_under_2012_rules():
    """Dalton and Srivastava: decided in 2022-2024 under the 2012 Regulations (the PAT Rules 2012 sift)."""
    from conftest import SCENARIOS
    from procsim.workspace import check_file

    dalton = check_file(SCENARIOS / "dalton-jr-permission-refused.yaml").replayed
    assert dalton is not None and dalton.replay.facts["regime"] == "2012"
    sift = next(s for s in dalton.replay.steps if s.event.id == "chair-dismisses-2023-04-21")
    assert sift.transition is not None and sift.transition.basis.startswith("PAT Rules 2012 r.11(2)")
    buckett = check_file(SCENARIOS / "buckett-iopc-jr-of-sanction.yaml").replayed
    assert buckett is not None and buckett.replay.facts["officer_status"] == "dismissed"


# ---------------------------------------------------------------------- the law-in-force lens
def test_lens_shows_options_vanish_under_the_2025_presumption(capsys):
    import json

    from procsim.cli.main import main

    assert main(["replay", "oconnor", "--law-as-of", "2026-01-01", "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["diverges"]["event"] == "final-written-warning-2021-10-05"
    row = next(r for r in report["rows"] if r["state"] == "gross_misconduct_found")
    assert any(o.startswith("impose_final_written_warning") for o in row["only_first"])


def test_lens_shows_a_different_panel(capsys):
    import json

    from procsim.cli.main import main

    assert main(["replay", "buckett-iopc-jr-of-sanction", "--law-as-of", "2025-01-01", "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    panel = next(r for r in report["rows"] if r["state"] == "hearing_listed")
    assert "SI 2024/521" in panel["versions"][1] and "as made" in panel["versions"][0]


def test_law_diff_lists_the_scenarios_that_differ(capsys):
    from procsim.cli.main import main

    assert main(["law-diff", "2025-01-01", "2025-02-01"]) == 0
    assert capsys.readouterr().out == ""  # no rule changes between these dates
    assert main(["law-diff", "2025-05-27", "2025-05-28", "--json"]) == 0
    out = capsys.readouterr().out
    assert "oconnor" in out and "buckett-iopc-jr-of-sanction" in out
    assert main(["law-diff", "2025-05-27", "someday"]) != 0


def test_w80_2012_regime_interim_challenge_returns_to_the_hearing():
    from conftest import SCENARIOS
    from procsim.workspace import check_file

    w80 = check_file(SCENARIOS / "w80-jr-of-iopc-direction.yaml").replayed
    assert w80 is not None and w80.replay.facts["regime"] == "2012"
    assert w80.replay.final_state == "hearing_dismissed_no_case"
    claim = next(s for s in w80.replay.steps if s.event.id == "claim-issued-2019")
    assert claim.before == "case_to_answer_gross_misconduct"  # an interim decision challenged
