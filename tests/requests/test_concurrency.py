"""Two staff on the same request at once, on two real connections: nothing is lost.

The first person's transaction holds the row lock; the second person's command is seen waiting on
it in pg_stat_activity, and continues when the first commits, on top of what the first wrote.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gmctl.auth.permissions import load_operator
from gmctl.db.models import ServiceRequest, StatusChange
from gmctl.requests.conversation import add_note
from gmctl.requests.lifecycle import change_status
from gmctl.requests.locking import StatusChanged
from gmctl.requests.pricing import set_priority
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user
from tests.requests.conftest import add_request


@pytest.fixture
def desk(scratch_engine):
    """Two staff members and a pending request, committed; an operator per person."""
    with Session(scratch_engine, expire_on_commit=False) as setup:
        ada = make_user(setup, "ada", staff=True, roles=("staff",))
        bola = make_user(setup, "bola", staff=True, roles=("staff",))
        customer = make_user(setup, "chinedu")
        request = add_request(setup, customer.id, status="pending")
        setup.commit()
        return {
            "ada": load_operator(setup, ada.id, FIXED_NOW),
            "bola": load_operator(setup, bola.id, FIXED_NOW),
            "request_id": request.id,
        }


def second_person_waits(engine, first: Session, act: Callable[[Session], Any]) -> Any:
    """Run `act` in a second session while `first` holds its lock; return its result or raise its error."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        with Session(engine, expire_on_commit=False) as second:
            try:
                outcome["value"] = act(second)
                second.commit()
            except Exception as exc:  # handed back to the test thread
                second.rollback()
                outcome["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    assert wait_for_lock_wait(engine), f"the second person did not wait: {activity(engine)} {outcome}"
    first.commit()
    worker.join(timeout=30)
    assert not worker.is_alive()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def activity(engine) -> list:
    with engine.connect() as watcher:
        return [
            tuple(r)
            for r in watcher.execute(
                text(
                    "SELECT pid, state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity"
                    " WHERE datname = current_database()"
                )
            )
        ]


def wait_for_lock_wait(engine, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
            if waiting:
                return True
            watcher.rollback()  # pg_stat_activity is a snapshot for the rest of a transaction
            time.sleep(0.02)
    return False


def test_two_notes_at_once_both_land(scratch_engine, desk):
    rid = desk["request_id"]
    with Session(scratch_engine, expire_on_commit=False) as first:
        add_note(first, desk["ada"], rid, "customer called, wants Friday", now=FIXED_NOW)
        second_person_waits(
            scratch_engine, first, lambda s: add_note(s, desk["bola"], rid, "parts ordered", now=FIXED_NOW)
        )
    with Session(scratch_engine) as check:
        notes = check.get(ServiceRequest, rid).internal_notes
    assert "ada: customer called, wants Friday" in notes and "bola: parts ordered" in notes


def test_the_second_status_change_applies_on_top_of_the_first(scratch_engine, desk):
    rid = desk["request_id"]
    with Session(scratch_engine, expire_on_commit=False) as first:
        change_status(first, desk["ada"], rid, "confirmed", now=FIXED_NOW)
        result = second_person_waits(
            scratch_engine,
            first,
            lambda s: change_status(
                s, desk["bola"], rid, "on_hold", now=FIXED_NOW, reason="waiting for parts"
            ),
        )
    assert (result.previous_status, result.new_status) == ("confirmed", "on_hold")
    with Session(scratch_engine) as check:
        history = check.execute(
            select(StatusChange.previous_status, StatusChange.new_status)
            .where(StatusChange.service_request_id == rid)
            .order_by(StatusChange.created_at, StatusChange.id)
        ).all()
        assert [tuple(h) for h in history][-2:] == [("pending", "confirmed"), ("confirmed", "on_hold")]
        assert check.get(ServiceRequest, rid).status == "on_hold"


def test_the_second_change_is_refused_when_its_expected_status_is_gone(scratch_engine, desk):
    rid = desk["request_id"]
    with Session(scratch_engine, expire_on_commit=False) as first:
        change_status(first, desk["ada"], rid, "confirmed", now=FIXED_NOW)
        with pytest.raises(StatusChanged) as refused:
            second_person_waits(
                scratch_engine,
                first,
                lambda s: change_status(
                    s, desk["bola"], rid, "cancelled", now=FIXED_NOW, expect_status="pending"
                ),
            )
    assert "confirmed now, not pending" in refused.value.message
    assert "by ada" in refused.value.hint
    with Session(scratch_engine) as check:
        assert check.get(ServiceRequest, rid).status == "confirmed"


def test_the_same_move_twice_is_refused_the_second_time(scratch_engine, desk):
    rid = desk["request_id"]
    with Session(scratch_engine, expire_on_commit=False) as first:
        change_status(first, desk["ada"], rid, "confirmed", now=FIXED_NOW)
        with pytest.raises(Exception, match="already confirmed"):
            second_person_waits(
                scratch_engine,
                first,
                lambda s: change_status(s, desk["bola"], rid, "confirmed", now=FIXED_NOW),
            )
    with Session(scratch_engine) as check:
        moves = check.scalar(
            select(text("count(*)"))
            .select_from(StatusChange.__table__)
            .where(StatusChange.service_request_id == rid, StatusChange.new_status == "confirmed")
        )
    assert moves == 1


def test_a_priority_change_during_a_status_change_keeps_both(scratch_engine, desk):
    rid = desk["request_id"]
    with Session(scratch_engine, expire_on_commit=False) as first:
        change_status(first, desk["ada"], rid, "confirmed", now=FIXED_NOW)
        second_person_waits(
            scratch_engine, first, lambda s: set_priority(s, desk["bola"], rid, "urgent", now=FIXED_NOW)
        )
    with Session(scratch_engine) as check:
        request = check.get(ServiceRequest, rid)
        assert (request.status, request.priority) == ("confirmed", "urgent")
