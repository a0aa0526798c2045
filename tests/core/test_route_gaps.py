"""The three route gaps of issue 10: a judicial review of an interim decision that the
proceedings wait for (and resume after), the Tribunal changing the finding itself, and a
death-or-serious-injury matter that becomes a complaint."""

from __future__ import annotations

import pytest

from conftest import SCENARIOS, TO_GM_HEARING, allowed_triggers, walk
from procsim.core.dates import PartialDate
from procsim.core.errors import GuardFailed, ImpossibleEvent
from procsim.workspace import check_file

TO_GM_CASE_TO_ANSWER = TO_GM_HEARING[:-1]
# permission refused on the papers, then the claim is not taken further
REFUSED = ["issue_claim", "refuse_permission"]


# ---------------------------------------------------------------- 1. interim challenges
def test_w80_returns_from_the_supreme_court_to_the_hearing_it_waited_for():
    w80 = check_file(SCENARIOS / "w80-jr-of-iopc-direction.yaml").replayed
    assert w80 is not None and w80.replay.final_state == "hearing_dismissed_no_case"
    steps = {step.event.id: step for step in w80.replay.steps}
    assert steps["uksc-judgment-2023-07-05"].after == "challenge_failed"
    resumed = steps["iopc-confirms-2023-09-29"]
    assert (resumed.before, resumed.after) == ("challenge_failed", "case_to_answer_gross_misconduct")
    assert w80.replay.facts["paused_stage"] == "none"  # cleared when the proceedings resumed
    assert steps["hearing-no-case-2025-10-15"].after == "hearing_dismissed_no_case"


@pytest.mark.parametrize(
    ("stage_steps", "stage"),
    [
        (TO_GM_CASE_TO_ANSWER, "case_to_answer_gross_misconduct"),
        ([*TO_GM_CASE_TO_ANSWER[:-1], "decide_case_to_answer_misconduct"], "case_to_answer_misconduct"),
    ],
)
def test_a_failed_interim_challenge_resumes_the_proceedings_where_they_paused(engine, stage_steps, stage):
    case = walk(engine, [*stage_steps, *REFUSED])
    assert case.facts["paused_stage"] == stage
    engine.fire(case, "end_challenge", actor="officer")
    assert case.state == "challenge_failed"
    engine.fire(case, "resume_proceedings", actor="appropriate_authority")
    assert case.state == stage and case.facts["paused_stage"] == "none"


def test_a_failed_challenge_to_a_concluding_decision_cannot_resume(engine):
    # a claim against the panel's sanction: nothing waits for it, so it ends where the court leaves it
    case = walk(engine, [*TO_GM_HEARING, "find_gross_misconduct", "dismiss_without_notice", *REFUSED])
    assert case.facts["paused_stage"] == "none"
    assert "end_challenge" not in allowed_triggers(engine, case)
    with pytest.raises(GuardFailed, match=r"'end_challenge' is not allowed: .*paused_stage=none"):
        engine.fire(case, "end_challenge", actor="officer")


def test_no_resumption_while_a_quashing_order_stands(engine):
    quashed = [*TO_GM_CASE_TO_ANSWER, "issue_claim", "grant_permission", "hear_claim", "quash_and_remit"]
    case = walk(engine, [*quashed, "refuse_permission_to_appeal_hc"])
    assert case.state == "hc_permission_to_appeal_refused"
    with pytest.raises(GuardFailed, match="quashing_order_in_force=true"):
        engine.fire(case, "end_challenge", actor="iopc")


def test_the_supreme_court_ends_an_interim_challenge_by_sending_it_back(engine):
    # the last court dismisses the appeal: the case does not end at 'UKSC dismissed appeal'
    to_uksc = [
        *TO_GM_CASE_TO_ANSWER,
        "issue_claim",
        "grant_permission",
        "hear_claim",
        "dismiss_claim",
        ("file_appellants_notice", {}),
        "grant_permission_to_appeal",
        "hear_appeal",
        "dismiss_appeal",
        "ask_ca_for_uksc_permission",
        "ca_grants_uksc_permission",
        "hear_uksc_appeal",
        "uksc_dismisses_appeal",
    ]
    case = walk(engine, to_uksc)
    assert case.state == "challenge_failed"
    assert allowed_triggers(engine, case) == {"resume_proceedings"}


def test_a_stay_is_recorded_for_an_interim_challenge_and_ends_with_it(engine):
    case = walk(engine, [*TO_GM_CASE_TO_ANSWER, "issue_claim"])
    engine.apply(case, _side("stay_proceedings", "high_court"))
    assert case.facts["proceedings_stayed"] is True
    engine.fire(case, "refuse_permission")
    engine.fire(case, "end_challenge", actor="officer")
    engine.fire(case, "resume_proceedings", actor="iopc")
    assert case.facts["proceedings_stayed"] is False


def test_a_stay_of_proceedings_needs_an_interim_challenge(engine):
    case = walk(engine, [*TO_GM_HEARING, "find_gross_misconduct", "dismiss_without_notice", "issue_claim"])
    with pytest.raises(GuardFailed, match="interim decision challenged"):
        engine.apply(case, _side("stay_proceedings", "high_court"))


def test_an_unstayed_claim_is_recorded_beside_the_proceedings(engine):
    case = walk(engine, TO_GM_HEARING)
    step = engine.apply(case, _side("claim_beside_proceedings", "officer"))
    assert step.after == "hearing_listed"
    case.facts["proceedings_stayed"] = True
    with pytest.raises(GuardFailed, match="proceedings not stayed"):
        engine.apply(case, _side("claim_beside_proceedings", "high_court"))


# ---------------------------------------------------------------- 2. the Tribunal changes the finding
TO_PAT_HEARING_DISMISSED = [
    *TO_GM_HEARING,
    "find_gross_misconduct",
    "dismiss_without_notice",
    "give_pat_notice",
    "supply_respondent_documents",
    "refer_to_pat_hearing",
]


def test_the_tribunal_substitutes_misconduct_for_gross_misconduct_and_reinstates(engine):
    case = walk(engine, TO_PAT_HEARING_DISMISSED, {"tribunal_substitutes": "final_written_warning"})
    assert case.facts["officer_status"] == "dismissed"
    engine.fire(case, "allow_pat_appeal_substitute_finding")
    assert case.state == "pat_finding_substituted"
    facts = case.facts
    assert (facts["finding"], facts["sanction"], facts["officer_status"]) == (
        "misconduct",
        "final_written_warning",
        "serving",
    )


def test_the_tribunal_reverses_a_finding(engine):
    case = walk(engine, TO_PAT_HEARING_DISMISSED)
    engine.fire(case, "allow_pat_appeal_reverse_finding")
    assert case.state == "pat_finding_overturned"
    assert (case.facts["finding"], case.facts["sanction"], case.facts["officer_status"]) == (
        "no_misconduct",
        "none",
        "serving",
    )
    assert "issue_claim" in allowed_triggers(engine, case)  # the chief officer may challenge it


def test_the_tribunal_cannot_substitute_misconduct_for_a_finding_of_misconduct(engine):
    steps = [
        *TO_GM_HEARING[:-2],
        "decide_case_to_answer_misconduct",
        "refer_to_misconduct_hearing",
        "find_misconduct",
        "impose_final_written_warning",
        "give_pat_notice",
        "supply_respondent_documents",
        "refer_to_pat_hearing",
    ]
    facts = {"fww_live_at_severity_assessment": True, "tribunal_substitutes": "written_warning"}
    case = walk(engine, steps, facts)
    with pytest.raises(GuardFailed, match="finding appealed: gross misconduct"):
        engine.fire(case, "allow_pat_appeal_substitute_finding")


def test_reduction_in_rank_for_substituted_misconduct_is_a_2020_rule(engine):
    facts = {"tribunal_substitutes": "reduction_in_rank", "multiple_unconnected_incidents": True}
    old = walk(engine, TO_PAT_HEARING_DISMISSED, facts, complaint_date="2019-06-01")
    with pytest.raises(GuardFailed, match="2020 regime"):
        engine.fire(old, "allow_pat_appeal_substitute_finding")
    new = walk(engine, TO_PAT_HEARING_DISMISSED, facts)
    engine.fire(new, "allow_pat_appeal_substitute_finding")
    assert new.facts["sanction"] == "reduction_in_rank"


# ---------------------------------------------------------------- 3. a DSI matter becomes a complaint
@pytest.mark.parametrize(
    "dsi_steps",
    [[], ["determine_dsi_investigation"], ["determine_dsi_investigation", "submit_investigation_report"]],
)
def test_a_complaint_about_a_dsi_matter_joins_the_complaint_route(engine, dsi_steps):
    case = engine.new_case({})
    engine.fire(case, "record_dsi_matter", date=PartialDate.parse("2022-04-01"))
    for trigger in dsi_steps:
        engine.fire(case, trigger)
    engine.fire(case, "make_complaint", actor="complainant")
    assert case.state == "complaint_received"
    assert case.facts["complainant_exists"] is True and case.facts["mandatory_referral"] is True
    # it must be recorded and referred: not handled informally
    with pytest.raises(GuardFailed, match="referral"):
        engine.fire(case, "handle_outside_schedule_3")


def test_no_complaint_route_from_a_concluded_dsi_matter(engine):
    case = engine.new_case({})
    engine.fire(case, "record_dsi_matter", date=PartialDate.parse("2022-04-01"))
    engine.fire(case, "decide_dsi_not_investigated")
    with pytest.raises(ImpossibleEvent, match="'make_complaint' cannot happen in state 'dsi_concluded'"):
        engine.fire(case, "make_complaint", actor="complainant")


def _side(name: str, actor: str):
    from procsim.core.scenario import Event

    return Event(id=name, date=PartialDate(2020), actor=actor, summary="", sources=(), side=name)


# ---------------------------------------------------------------- handling outside Schedule 3
@pytest.mark.parametrize(("complaint_date", "allowed"), [("2019-06-01", False), ("2021-03-01", True)])
def test_a_complaint_is_handled_outside_schedule_3_only_under_the_2020_rules(engine, complaint_date, allowed):
    """PRA 2002 Sch 3 para 2(6A)-(6C) came with the 2020 reforms; before them every complaint was recorded."""
    case = walk(engine, [], complaint_date=complaint_date)
    if allowed:
        engine.fire(case, "handle_outside_schedule_3")
        assert case.state == "handled_outside_schedule_3"
    else:
        with pytest.raises(GuardFailed, match="2020 regime"):
            engine.fire(case, "handle_outside_schedule_3")
        engine.fire(case, "record_complaint")
        assert case.state == "recorded"
