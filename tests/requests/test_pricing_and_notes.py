"""Priority, urgency, exact costs, internal notes and replies."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from gmctl.db.models import Message, ServiceRequest, SystemLog
from gmctl.errors import InvalidInput
from gmctl.requests.conversation import add_note, reply
from gmctl.requests.pricing import parse_amount, set_cost, set_priority, set_urgency
from tests.conftest import FIXED_NOW


@pytest.mark.parametrize("typed,amount", [
    ("15000", "15000.00"), ("15,000.5", "15000.50"), ("0.10", "0.10"), ("₦ 2,500", "2500.00"),
    ("9999999999.99", "9999999999.99"), ("0", "0.00"),
])  # fmt: skip
def test_amounts_are_exact(typed, amount):
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    "typed", ["1.005", "-5", "1e3", "NaN", "inf", "12,34", "", "1.2.3", "10000000000", "0x10", "١٢٣"]
)
def test_amounts_that_are_not_exact_money_are_refused(typed):
    with pytest.raises(InvalidInput):
        parse_amount(typed)


def test_cost_is_stored_exactly_in_naira_by_default(session, env, ada, make_request):
    request = make_request()
    result = set_cost(session, env.operator, request.id, now=FIXED_NOW, estimate="125,000.10")
    stored = session.get(ServiceRequest, request.id)
    assert (stored.estimated_cost, stored.currency, result.changed) == (Decimal("125000.10"), "NGN", True)
    set_cost(session, env.operator, request.id, now=FIXED_NOW, final="130000")
    assert session.get(ServiceRequest, request.id).final_cost == Decimal("130000.00")


def test_a_request_in_another_currency_is_never_reread_as_naira(session, env, ada, make_request):
    request = make_request(currency="USD", estimated_cost=Decimal("100.00"))
    with pytest.raises(InvalidInput, match="priced in USD") as refused:
        set_cost(session, env.operator, request.id, now=FIXED_NOW, final="120")
    assert "--currency USD" in refused.value.hint
    with pytest.raises(InvalidInput, match="would re-read it"):
        set_cost(session, env.operator, request.id, now=FIXED_NOW, final="150000", currency="NGN")
    set_cost(session, env.operator, request.id, now=FIXED_NOW, final="120", currency="usd")
    set_cost(
        session, env.operator, request.id, now=FIXED_NOW, estimate="150000", final="180000", currency="NGN"
    )
    stored = session.get(ServiceRequest, request.id)
    assert (stored.estimated_cost, stored.final_cost, stored.currency) == (
        Decimal("150000.00"),
        Decimal("180000.00"),
        "NGN",
    )


def test_cost_needs_something_to_set(session, env, ada, make_request):
    with pytest.raises(InvalidInput, match="nothing to set"):
        set_cost(session, env.operator, make_request().id, now=FIXED_NOW)


def test_priority_and_urgency_change_and_are_audited_once(session, env, ada, make_request):
    request = make_request()
    assert set_priority(session, env.operator, request.id, "URGENT", now=FIXED_NOW).changed
    assert not set_priority(session, env.operator, request.id, "urgent", now=FIXED_NOW).changed
    assert set_urgency(session, env.operator, request.id, 4, now=FIXED_NOW).new == 4
    actions = session.scalars(
        select(SystemLog.action).where(SystemLog.target_id == str(request.id)).order_by(SystemLog.id)
    ).all()
    assert actions == ["requests.priority", "requests.urgency"]
    with pytest.raises(InvalidInput):
        set_priority(session, env.operator, request.id, "asap", now=FIXED_NOW)
    with pytest.raises(InvalidInput):
        set_urgency(session, env.operator, request.id, 6, now=FIXED_NOW)


def test_notes_are_appended_with_operator_and_lagos_time_never_overwritten(session, env, ada, make_request):
    request = make_request(internal_notes="legacy note from the old system")
    add_note(session, env.operator, request.id, "customer prefers mornings", now=FIXED_NOW)
    add_note(session, env.operator, request.id, "line one\nline two", now=FIXED_NOW + timedelta(minutes=5))
    notes = session.get(ServiceRequest, request.id).internal_notes
    assert notes.splitlines() == [
        "legacy note from the old system",
        "[2026-11-25 10:00 WAT] ada: customer prefers mornings",
        "[2026-11-25 10:05 WAT] ada: line one",
        "  line two",
    ]


def test_replies_thread_under_the_requests_first_message(session, env, ada, customer, make_request):
    request = make_request()
    first = reply(session, env.operator, request.id, "We have your request.", now=FIXED_NOW)
    second = reply(session, env.operator, request.id, "A mechanic comes on Friday.", now=FIXED_NOW)
    assert first.thread_id is None and second.thread_id == first.message_id
    message = session.get(Message, second.message_id)
    assert (message.sender_id, message.recipient_id, message.service_request_id) == (
        ada.id,
        customer.id,
        request.id,
    )
    assert message.subject.startswith(f"Re: request #{request.id}")


@pytest.mark.parametrize("func", [add_note, reply])
def test_empty_words_are_refused(session, env, ada, make_request, func):
    with pytest.raises(InvalidInput, match="empty"):
        func(session, env.operator, make_request().id, "  \n ", now=FIXED_NOW)
