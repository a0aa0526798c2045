"""The sanction menus of reg 42 (2020) and regs 35 and 55 (2012), and the regime switch."""

from __future__ import annotations

import pytest

from conftest import TO_GM_HEARING, allowed_triggers, walk
from procsim.core.dates import PartialDate
from procsim.core.errors import GuardFailed

SANCTIONS = {
    "impose_management_advice",
    "impose_written_warning",
    "impose_final_written_warning",
    "extend_final_written_warning",
    "impose_reduction_in_rank",
    "dismiss_with_notice",
    "dismiss_without_notice",
    "record_finding_no_further_action",
    "find_would_have_been_dismissed",
    "take_no_action_former_officer",
}
DATE_2012 = "2019-06-01"
DATE_2020 = "2021-03-01"


def menu(engine, case) -> set[str]:
    return allowed_triggers(engine, case) & SANCTIONS


def test_gross_misconduct_at_hearing_2020_menu(engine):
    case = walk(engine, [*TO_GM_HEARING, "find_gross_misconduct"], complaint_date=DATE_2020)
    assert menu(engine, case) == {
        "impose_final_written_warning",
        "impose_reduction_in_rank",
        "dismiss_without_notice",
    }


def test_gross_misconduct_at_hearing_2012_menu(engine):
    case = walk(engine, [*TO_GM_HEARING, "find_gross_misconduct"], complaint_date=DATE_2012)
    assert menu(engine, case) == {
        "impose_management_advice",
        "impose_written_warning",
        "impose_final_written_warning",
        "dismiss_with_notice",
        "dismiss_without_notice",
        "record_finding_no_further_action",
    }


@pytest.mark.parametrize("date, regime", [(DATE_2012, "2012"), (DATE_2020, "2020")])
def test_misconduct_at_hearing_without_fww_is_warnings_only(engine, date, regime):
    case = walk(engine, [*TO_GM_HEARING, "find_misconduct"], complaint_date=date)
    expected = {"impose_written_warning", "impose_final_written_warning"}
    if regime == "2012":
        expected |= {"impose_management_advice", "record_finding_no_further_action"}
    assert menu(engine, case) == expected


def test_misconduct_2020_with_live_fww_allows_reduction_and_dismissal(engine):
    case = walk(engine, [*TO_GM_HEARING, "find_misconduct"], {"fww_live_at_severity_assessment": True})
    assert {"impose_reduction_in_rank", "dismiss_without_notice"} <= menu(engine, case)


def test_misconduct_2020_unconnected_incidents_allow_reduction_and_dismissal(engine):
    case = walk(engine, [*TO_GM_HEARING, "find_misconduct"], {"multiple_unconnected_incidents": True})
    assert {"impose_reduction_in_rank", "dismiss_without_notice"} <= menu(engine, case)


def test_misconduct_2012_unconnected_incidents_do_not_allow_dismissal(engine):
    """2012 reg 35(5) has only the live-FWW limb."""
    case = walk(
        engine,
        [*TO_GM_HEARING, "find_misconduct"],
        {"multiple_unconnected_incidents": True},
        complaint_date=DATE_2012,
    )
    assert not {"dismiss_with_notice", "dismiss_without_notice"} & menu(engine, case)


def test_misconduct_2012_with_live_fww_allows_dismissal_but_not_reduction(engine):
    case = walk(
        engine,
        [*TO_GM_HEARING, "find_misconduct"],
        {"fww_live_at_severity_assessment": True},
        complaint_date=DATE_2012,
    )
    allowed = menu(engine, case)
    assert {"dismiss_with_notice", "dismiss_without_notice"} <= allowed
    assert "impose_reduction_in_rank" not in allowed


def test_dismissal_for_misconduct_blocked_with_reason_and_facts(engine):
    case = walk(engine, [*TO_GM_HEARING, "find_misconduct"])
    with pytest.raises(GuardFailed) as caught:
        engine.fire(case, "dismiss_without_notice", actor="misconduct_panel")
    message = caught.value.message
    assert "final written warning was in force" in message
    assert "fww_live_at_severity_assessment=false" in message
    assert "multiple_unconnected_incidents=false" in message
    # both alternatives (2020 and 2012 rules) are named by their basis, with their own reasons
    assert (
        "[under CR 2020 reg 42(3)(a), (5), (6)]" in message and "[under CR 2012 reg 35(3)(b), (5)]" in message
    )
    assert case.state == "misconduct_found"


@pytest.mark.parametrize("date", [DATE_2012, DATE_2020])
def test_meeting_menu(engine, date):
    steps = [
        "record_complaint",
        "start_local_investigation",
        "submit_investigation_report",
        "decide_case_to_answer_misconduct",
        "refer_to_misconduct_meeting",
        "find_misconduct",
    ]
    case = walk(engine, steps, complaint_date=date)
    expected = {"impose_written_warning", "impose_final_written_warning"}
    if date == DATE_2012:
        expected |= {"impose_management_advice", "record_finding_no_further_action"}
    assert menu(engine, case) == expected


@pytest.mark.parametrize("date", [DATE_2012, DATE_2020])
def test_former_officer_can_only_be_found_would_have_been_dismissed(engine, date):
    case = walk(
        engine,
        [*TO_GM_HEARING, "find_gross_misconduct"],
        {"officer_status": "resigned", "former_officer_condition": "A"},
        complaint_date=date,
    )
    assert menu(engine, case) == {"find_would_have_been_dismissed", "take_no_action_former_officer"}
    with pytest.raises(GuardFailed, match="officer_status=resigned"):
        engine.fire(case, "impose_final_written_warning", actor="misconduct_panel")


def test_former_officer_without_condition_cannot_be_sent_to_hearing(engine):
    steps = [
        "record_complaint",
        "start_local_investigation",
        "submit_investigation_report",
        "decide_case_to_answer_gross_misconduct",
    ]
    case = walk(engine, steps, {"officer_status": "resigned"})
    with pytest.raises(GuardFailed, match="Condition A, B or C"):
        engine.fire(case, "refer_to_misconduct_hearing")


def test_accelerated_2012_menu_includes_extension_only_with_live_fww(engine):
    steps = [
        "record_complaint",
        "start_local_investigation",
        "submit_investigation_report",
        "decide_case_to_answer_gross_misconduct",
        "certify_special_conditions",
        "find_gross_misconduct",
    ]
    plain = walk(engine, steps, {"special_conditions_met": True}, complaint_date=DATE_2012)
    assert menu(engine, plain) == {"impose_final_written_warning", "dismiss_without_notice"}
    live = walk(
        engine,
        steps,
        {"special_conditions_met": True, "fww_live_at_severity_assessment": True},
        complaint_date=DATE_2012,
    )
    assert menu(engine, live) == {
        "impose_final_written_warning",
        "dismiss_without_notice",
        "extend_final_written_warning",
    }


@pytest.mark.parametrize(
    "date, regime",
    [
        ("2020-01-31", "2012"),
        ("2020-02-01", "2020"),
        ("2020-01", "2012"),
        ("2020-02", "2020"),
        ("2019", "2012"),
        ("2021", "2020"),
        ("2020", None),
    ],
)
def test_regime_switches_on_1_february_2020(engine, date, regime):
    case = engine.new_case()
    engine.fire(case, "make_complaint", date=PartialDate.parse(date))
    assert case.view()["regime"] == regime


def test_regime_follows_complaint_date_not_conduct_date(engine):
    """O'Connor: conduct in 2011, complaint in 2020, so the 2020 regime."""
    case = engine.new_case()
    engine.fire(case, "make_complaint", date=PartialDate.parse("2020-10-26"))
    assert case.view()["regime"] == "2020"


def test_coarse_complaint_date_blocks_regime_dependent_steps(engine):
    case = walk(engine, [*TO_GM_HEARING, "find_gross_misconduct"], complaint_date="2020")
    with pytest.raises(GuardFailed, match="regime=unknown"):
        engine.fire(case, "impose_reduction_in_rank", actor="misconduct_panel")


def test_fire_without_actor_takes_the_alternative_whose_guards_hold(engine):
    """At an accelerated hearing it is the chief officer, not the panel, who dismisses."""
    steps = [
        "record_complaint",
        "start_local_investigation",
        "submit_investigation_report",
        "decide_case_to_answer_gross_misconduct",
        "certify_special_conditions",
        "find_gross_misconduct",
    ]
    case = walk(engine, steps, {"special_conditions_met": True})
    step = engine.fire(case, "dismiss_without_notice")
    assert step.event.actor == "accelerated_hearing_chair" and case.state == "dismissed_without_notice"


def test_quashed_dismissal_reinstates_for_the_rehearing(engine):
    """PA 1996 Sch 6 para 7: a remitted dismissal leaves the officer serving, so a sanction is possible."""
    to_remittal = [
        *TO_GM_HEARING,
        "find_gross_misconduct",
        "dismiss_without_notice",
        "give_pat_notice",
        "supply_respondent_documents",
        "refer_to_pat_hearing",
        "allow_pat_appeal_and_remit",
        "rehear_sanction",
    ]
    case = walk(engine, to_remittal)
    assert case.state == "gross_misconduct_found" and case.facts["officer_status"] == "serving"
    assert menu(engine, case) == {
        "impose_final_written_warning",
        "impose_reduction_in_rank",
        "dismiss_without_notice",
    }


def test_remittal_keeps_a_former_officer_former(engine):
    """O'Connor: he had resigned, so the reheard sanction can only be 'would have been dismissed'."""
    to_fww = [*TO_GM_HEARING, "find_gross_misconduct", "impose_final_written_warning"]
    case = walk(engine, to_fww)
    engine.fire(case, "give_pat_notice", facts={"officer_status": "resigned"})
    for trigger in (
        "supply_respondent_documents",
        "refer_to_pat_hearing",
        "allow_pat_appeal_and_remit",
        "rehear_sanction",
    ):
        engine.fire(case, trigger)
    assert case.facts["officer_status"] == "resigned"
    assert menu(engine, case) == {"find_would_have_been_dismissed", "take_no_action_former_officer"}
