"""Invariants of the shipped process model."""

from __future__ import annotations

from procsim.analysis.structure import invariant_problems, reachable_from
from procsim.core.model import STATUSES


def test_model_has_no_invariant_problems(process):
    assert invariant_problems(process) == []


def test_every_state_is_reachable(process):
    assert reachable_from(process, process.initial) == set(process.states)


def test_every_state_and_transition_has_a_basis(process):
    assert all(state.basis.strip() for state in process.states.values())
    assert all(t.basis.strip() for t in process.transitions)
    assert all(s.basis.strip() for s in process.side_events.values())
    assert all(state.status in STATUSES for state in process.states.values())


def test_every_forum_has_states(process):
    assert {state.forum for state in process.states.values()} == set(process.forums)


def test_invariants_catch_a_broken_process(process):
    import attrs

    broken = attrs.evolve(
        process, transitions=tuple(t for t in process.transitions if t.dest != "barred_list")
    )
    problems = invariant_problems(broken)
    assert "state 'barred_list' cannot be reached from 'incident'" in problems
    assert "trigger 'report_to_barred_list' is defined but no transition uses it" in problems


def test_unverified_items_of_the_reference_are_marked(process):
    """Items the reference marks UNVERIFIED stay marked in the data."""
    limits = {t.trigger: t.time_limit for t in process.transitions if t.time_limit}
    for trigger in ("give_pat_notice", "renew_permission_application"):
        assert limits[trigger].unverified, trigger
    # verified by the issue-10 audit (CPR 52.12(2)(b), CPR 54.14, the pre-action protocol's 14 days)
    for trigger in ("file_appellants_notice", "file_detailed_grounds", "defendant_concedes"):
        assert limits[trigger].unverified is None, trigger
    assert limits["issue_claim"].unverified is None and limits["issue_claim"].promptly
    assert limits["apply_for_review"].unverified is None
    assert process.states["former_officer_no_action"].unverified


def test_time_limits_of_the_reference(process):
    limits = {t.trigger: t.time_limit for t in process.transitions if t.time_limit}
    expected = {
        "issue_claim": (3, "months"),
        "apply_for_review": (28, "calendar_days"),
        "appeal_meeting_outcome": (7, "working_days"),
        "give_pat_notice": (10, "working_days"),
        "supply_respondent_documents": (15, "working_days"),
        "report_to_barred_list": (5, "working_days"),
        "apply_to_court_of_appeal_for_permission": (7, "calendar_days"),
        "file_acknowledgment_of_service": (21, "calendar_days"),
        "apply_to_uksc_for_permission": (28, "calendar_days"),
    }
    for trigger, (length, unit) in expected.items():
        assert (limits[trigger].length, limits[trigger].unit) == (length, unit), trigger


def test_branches_the_issue_lists_exist(process):
    triggers = set(process.triggers)
    for name in (
        "handle_outside_schedule_3",
        "refer_to_iopc",
        "refer_back_to_appropriate_authority",
        "determine_local_investigation",
        "determine_directed_investigation",
        "determine_independent_investigation",
        "handle_otherwise_than_by_investigation",
        "apply_for_review",
        "appropriate_authority_disagrees",
        "refer_to_rprp",
        "refer_to_cps",
        "certify_special_conditions",
        "withdraw_proceedings",
        "uphold_submission_of_no_case",
        "appeal_meeting_outcome",
        "report_to_barred_list",
        "give_pat_notice",
        "dismiss_pat_appeal_without_hearing",
        "allow_pat_appeal_and_substitute",
        "allow_pat_appeal_and_remit",
        "send_pre_action_letter",
        "defendant_concedes",
        "refuse_permission_totally_without_merit",
        "direct_oral_permission_hearing",
        "direct_rolled_up_hearing",
        "renew_permission_application",
        "apply_to_court_of_appeal_for_permission",
        "hold_further_hearing",
        "quash_and_remit",
        "quash_and_substitute",
        "grant_declaration",
        "withdraw_or_settle",
        "ask_ca_for_uksc_permission",
        "apply_to_uksc_for_permission",
        "uksc_dismisses_appeal",
    ):
        assert name in triggers, name
    assert "report_to_advisory_list" in process.side_events
