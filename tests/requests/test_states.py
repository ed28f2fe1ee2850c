"""The lifecycle rules, pair by pair: every transition the document allows, and every other refused."""

from __future__ import annotations

import itertools

import pytest

from gmctl.errors import USAGE
from gmctl.requests.states import (
    FINAL_STATUSES,
    STATUSES,
    InvalidTransition,
    allowed_next,
    check_status_name,
    plan_transition,
)

ALLOWED = {
    ("pending", "confirmed"), ("pending", "cancelled"), ("pending", "on_hold"),
    ("confirmed", "in_progress"), ("confirmed", "cancelled"), ("confirmed", "on_hold"),
    ("in_progress", "completed"), ("in_progress", "failed"), ("in_progress", "on_hold"),
    ("on_hold", "cancelled"),  # plus the state it was held from (below)
}  # fmt: skip


@pytest.mark.parametrize("current,new", list(itertools.product(STATUSES, STATUSES)))
def test_every_pair_is_allowed_or_refused_as_documented(current, new):
    held_from = "confirmed" if current == "on_hold" else None
    expected = (current, new) in ALLOWED or (current == "on_hold" and new == held_from)
    if expected:
        transition = plan_transition(current, new, held_from=held_from)
        assert (transition.previous, transition.new, transition.reopen) == (current, new, False)
    else:
        with pytest.raises(InvalidTransition) as refused:
            plan_transition(current, new, held_from=held_from)
        assert refused.value.exit_code == USAGE
        assert refused.value.allowed == allowed_next(current, held_from=held_from)
        for state in refused.value.allowed:
            assert state in refused.value.hint


@pytest.mark.parametrize("held_from", ["pending", "confirmed", "in_progress"])
def test_on_hold_resumes_only_to_where_it_was_held_from(held_from):
    assert allowed_next("on_hold", held_from=held_from) == (held_from, "cancelled")
    for other in {"pending", "confirmed", "in_progress"} - {held_from}:
        with pytest.raises(InvalidTransition):
            plan_transition("on_hold", other, held_from=held_from)


def test_on_hold_without_a_known_origin_may_resume_to_any_open_state():
    assert allowed_next("on_hold", held_from=None) == ("pending", "confirmed", "in_progress", "cancelled")


@pytest.mark.parametrize("final", FINAL_STATUSES)
def test_final_states_refuse_everything_and_say_how_to_reopen(final):
    assert allowed_next(final) == ()
    with pytest.raises(InvalidTransition) as refused:
        plan_transition(final, "pending")
    assert "--reopen" in refused.value.hint and "reopen_services" in refused.value.hint


@pytest.mark.parametrize("final", FINAL_STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_reopen_leads_back_to_an_open_working_state_only(final, target):
    if target in ("pending", "confirmed", "in_progress"):
        assert plan_transition(final, target, reopen=True).reopen
    else:
        with pytest.raises(InvalidTransition):
            plan_transition(final, target, reopen=True)


def test_reopen_of_an_open_request_is_refused():
    with pytest.raises(InvalidTransition, match="--reopen is for"):
        plan_transition("pending", "confirmed", reopen=True)


def test_same_status_is_not_a_transition():
    with pytest.raises(InvalidTransition, match="already pending"):
        plan_transition("pending", "pending")


@pytest.mark.parametrize(
    "typed,name", [("In-Progress", "in_progress"), (" on_hold ", "on_hold"), ("FAILED", "failed")]
)
def test_status_names_are_forgiving_about_case_and_dashes(typed, name):
    assert check_status_name(typed) == name


def test_unknown_status_is_invalid_input_listing_the_statuses():
    with pytest.raises(Exception) as refused:
        check_status_name("done")
    assert refused.value.exit_code == USAGE and "in_progress" in refused.value.hint
