"""Status changes against the database: history, dates, notification and audit in one transaction."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gmctl.db.models import Notification, ServiceRequest, StatusChange, SystemLog
from gmctl.requests.lifecycle import change_status, held_from
from gmctl.requests.locking import StatusChanged
from gmctl.requests.states import InvalidTransition, allowed_next
from tests.conftest import FIXED_NOW
from tests.requests.conftest import last_history


def test_a_change_writes_history_notification_and_one_audit_entry(session, env, ada, customer, make_request):
    request = make_request(status="pending")
    result = change_status(
        session, env.operator, request.id, "confirmed", now=FIXED_NOW, reason="called back"
    )
    assert (result.previous_status, result.new_status) == ("pending", "confirmed")
    row = last_history(session, request.id)
    assert (row.previous_status, row.new_status, row.changed_by, row.reason) == (
        "pending",
        "confirmed",
        ada.id,
        "called back",
    )
    note = session.get(Notification, result.notification_id)
    assert note.user_id == customer.id and note.type == "service_update"
    assert note.action_data == {
        "service_request_id": request.id,
        "previous_status": "pending",
        "new_status": "confirmed",
    }
    assert "called back" not in (note.message or "")  # staff reasons stay internal
    logs = session.scalars(select(SystemLog).where(SystemLog.target_id == str(request.id))).all()
    assert [(log.action, log.actor_id, log.changes["status"]) for log in logs] == [
        ("requests.status", ada.id, {"old": "pending", "new": "confirmed"})
    ]


def test_completion_sets_completed_at_and_reopening_clears_it(session, env, ada, boss, make_request):
    request = make_request(status="in_progress", assigned_to=ada.id)
    change_status(session, env.operator, request.id, "completed", now=FIXED_NOW)
    assert session.get(ServiceRequest, request.id).completed_at == FIXED_NOW
    later = FIXED_NOW + timedelta(hours=2)
    change_status(
        session, env.operator, request.id, "in_progress", now=later, reopen=True, reason="came back"
    )
    reopened = session.get(ServiceRequest, request.id)
    assert reopened.completed_at is None and reopened.status == "in_progress"
    assert last_history(session, request.id).metadata_["reopened"] is True


def test_taking_work_in_progress_assigns_it_to_the_operator_when_nobody_has_it(
    session, env, ada, make_request
):
    request = make_request(status="confirmed")
    result = change_status(session, env.operator, request.id, "in_progress", now=FIXED_NOW)
    assert result.assigned_to == ada.id
    assert session.get(ServiceRequest, request.id).assigned_at == FIXED_NOW


def test_someone_elses_assignment_is_kept_when_work_starts(session, env, ada, bola, make_request):
    request = make_request(status="confirmed", assigned_to=bola.id)
    assert (
        change_status(session, env.operator, request.id, "in_progress", now=FIXED_NOW).assigned_to == bola.id
    )


def test_schedule_is_set_and_a_cancellation_frees_a_future_slot(session, env, ada, make_request):
    request = make_request(status="pending")
    slot = FIXED_NOW + timedelta(days=3)
    assert (
        change_status(
            session, env.operator, request.id, "confirmed", now=FIXED_NOW, schedule=slot
        ).scheduled_date
        == slot
    )
    change_status(session, env.operator, request.id, "cancelled", now=FIXED_NOW)
    assert session.get(ServiceRequest, request.id).scheduled_date is None
    assert last_history(session, request.id).metadata_["scheduled_date_cleared"] == slot.isoformat()


def test_on_hold_returns_to_the_state_it_was_held_from(session, env, ada, make_request):
    request = make_request(status="in_progress", assigned_to=ada.id)
    change_status(session, env.operator, request.id, "on_hold", now=FIXED_NOW)
    assert held_from(session, request.id) == "in_progress"
    with pytest.raises(InvalidTransition) as refused:
        change_status(session, env.operator, request.id, "confirmed", now=FIXED_NOW)
    assert refused.value.allowed == ("in_progress", "cancelled")
    change_status(session, env.operator, request.id, "in_progress", now=FIXED_NOW)


def test_an_invalid_change_writes_nothing(session, env, ada, make_request):
    request = make_request(status="pending")
    before = session.scalar(select(func.count()).select_from(StatusChange))
    with pytest.raises(InvalidTransition) as refused:
        change_status(session, env.operator, request.id, "completed", now=FIXED_NOW)
    assert refused.value.allowed == ("confirmed", "cancelled", "on_hold")
    assert session.scalar(select(func.count()).select_from(StatusChange)) == before
    assert session.get(ServiceRequest, request.id).status == "pending"


def test_expect_status_refuses_with_the_current_state(session, env, ada, make_request):
    request = make_request(status="confirmed")
    with pytest.raises(StatusChanged) as refused:
        change_status(session, env.operator, request.id, "cancelled", now=FIXED_NOW, expect_status="pending")
    assert "confirmed now, not pending" in refused.value.message
    assert "pending -> confirmed" in refused.value.hint
    assert session.get(ServiceRequest, request.id).status == "confirmed"


def test_history_and_request_never_disagree_over_a_long_random_walk(session, env, ada, make_request):
    """After every transition (including reopenings) the last history row is the request's status."""
    chooser = random.Random(5)
    request = make_request(status="pending")
    now = FIXED_NOW
    for _ in range(200):
        current = session.get(ServiceRequest, request.id).status
        held = held_from(session, request.id) if current == "on_hold" else None
        choices = allowed_next(
            current, held_from=held, reopen=current in ("completed", "cancelled", "failed")
        )
        now += timedelta(minutes=1)
        change_status(
            session,
            env.operator,
            request.id,
            chooser.choice(choices),
            now=now,
            reopen=current in ("completed", "cancelled", "failed"),
        )
        fresh = session.get(ServiceRequest, request.id)
        assert last_history(session, request.id).new_status == fresh.status
        assert (fresh.completed_at is not None) == (fresh.status == "completed")
