"""Issue 10's route gaps: permission without an acknowledgment of service, court and CPS side
events, the Tribunal's substituted outcome and reinstatement, and the DSI matter route."""

from __future__ import annotations

import pytest

from conftest import TO_GM_HEARING, allowed_triggers, walk
from procsim.core.dates import PartialDate
from procsim.core.errors import EngineError, GuardFailed
from procsim.core.scenario import Event

DAY = PartialDate.parse("2021-06-01")
TO_PAT_HEARING = [
    *TO_GM_HEARING,
    "find_gross_misconduct",
    "dismiss_without_notice",
    "give_pat_notice",
    "supply_respondent_documents",
    "refer_to_pat_hearing",
]


def side(engine, case, name: str, actor: str, facts: dict | None = None):
    event = Event(id=name, date=DAY, actor=actor, summary="test", sources=(), side=name, facts=facts or {})
    return engine.apply(case, event)


def test_permission_is_decided_without_an_acknowledgment_of_service(engine):
    case = walk(engine, [*TO_GM_HEARING[:4], ("issue_claim", {}), "refuse_permission"])
    assert case.state == "permission_refused_on_papers"
    case = walk(engine, [*TO_GM_HEARING[:4], "issue_claim"])
    assert {
        "grant_permission",
        "refuse_permission",
        "refuse_permission_totally_without_merit",
        "direct_oral_permission_hearing",
        "direct_rolled_up_hearing",
        "file_acknowledgment_of_service",
    } <= allowed_triggers(engine, case)


def test_court_side_events_are_limited_to_their_states(engine):
    case = walk(engine, [*TO_GM_HEARING[:4], "issue_claim", "direct_oral_permission_hearing"])
    step = side(engine, case, "permission_hearing_sits", "high_court")
    assert step.before == step.after == "oral_permission_hearing"
    side(engine, case, "court_case_management", "high_court")
    with pytest.raises(EngineError, match="cannot happen in state"):
        side(engine, case, "remedies_judgment", "high_court")
    engine.fire(case, "grant_permission")
    engine.fire(case, "hear_claim")
    engine.fire(case, "quash_and_remit")
    assert side(engine, case, "remedies_judgment", "high_court").after == "jr_quashed_and_remitted"
    with pytest.raises(EngineError, match="cannot happen in state"):
        side(engine, case, "permission_hearing_sits", "high_court")


def test_cps_decision_is_recorded_while_the_matter_waits(engine):
    case = walk(
        engine,
        ["record_complaint", "start_local_investigation", "submit_investigation_report"],
        facts={"indication_of_offence": True},
    )
    engine.fire(case, "refer_to_cps")
    assert side(engine, case, "cps_decision", "cps").after == "report_awaiting_cps"


@pytest.mark.parametrize(
    ("substitutes", "date", "sanction"),
    [
        ("final_written_warning", "2021-03-01", "final_written_warning"),
        ("management_advice", "2019-06-01", "management_advice"),
    ],
)
def test_tribunal_substitution_sets_the_sanction_and_reinstates(engine, substitutes, date, sanction):
    case = walk(engine, TO_PAT_HEARING, complaint_date=date)
    assert case.facts["officer_status"] == "dismissed"
    engine.fire(case, "allow_pat_appeal_and_substitute", facts={"tribunal_substitutes": substitutes})
    assert case.state == "pat_outcome_substituted"
    assert (case.facts["sanction"], case.facts["officer_status"]) == (sanction, "serving")


def test_tribunal_substitution_must_state_an_outcome_open_under_the_regime(engine):
    case = walk(engine, TO_PAT_HEARING)
    with pytest.raises(GuardFailed, match="tribunal_substitutes=none"):
        engine.fire(case, "allow_pat_appeal_and_substitute")
    with pytest.raises(GuardFailed, match="2012 regime"):
        engine.fire(
            case, "allow_pat_appeal_and_substitute", facts={"tribunal_substitutes": "management_advice"}
        )
    assert case.state == "pat_hearing" and case.facts["sanction"] == "dismissal_without_notice"


def _dsi_case(engine):
    case = engine.new_case({})
    engine.fire(case, "record_dsi_matter", date=PartialDate.parse("2021-03-01"))
    return case


def test_dsi_matter_becomes_a_conduct_matter_or_ends(engine):
    case = _dsi_case(engine)
    assert case.state == "dsi_recorded" and case.facts["complainant_exists"] is False
    engine.fire(case, "determine_dsi_investigation")
    engine.fire(case, "submit_investigation_report")
    assert allowed_triggers(engine, case) >= {"record_dsi_as_conduct_matter", "conclude_dsi_matter"}
    engine.fire(case, "record_dsi_as_conduct_matter")
    assert case.state == "recorded"
    engine.fire(case, "refer_to_iopc")
    assert case.state == "iopc_assessing"

    case = _dsi_case(engine)
    engine.fire(case, "decide_dsi_not_investigated")
    assert case.current.is_terminal
