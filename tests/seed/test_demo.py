"""The demo data set: complete, consistent with itself, with work for retention, and loaded only once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gmctl.db.models.service_requests import REQUEST_STATUSES, SERVICE_TYPES
from gmctl.requests.states import allowed_next
from gmctl.seed import DEMO_DOMAIN, users_outside_seed
from gmctl.seed.chains import PATHS, transitions
from gmctl.seed.demo import DemoAlreadyLoaded, demo_loaded_at, seed_demo
from tests.conftest import FIXED_NOW


def rows(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def test_every_service_type_appears_in_every_status(demo_db):
    engine, _ = demo_db
    pairs = set(rows(engine, "SELECT DISTINCT service_type, status FROM service_requests"))
    assert pairs == {(t, s) for t in SERVICE_TYPES for s in REQUEST_STATUSES}


def test_each_requests_history_ends_in_its_status(demo_db):
    engine, _ = demo_db
    disagree = rows(engine, """
        SELECT r.id, r.status, h.new_status FROM service_requests r
        JOIN LATERAL (SELECT new_status FROM service_status_history h WHERE h.service_request_id = r.id
                      ORDER BY created_at DESC, id DESC LIMIT 1) h ON true
        WHERE h.new_status <> r.status""")
    assert disagree == []
    without = rows(engine, "SELECT id FROM service_requests r WHERE NOT EXISTS "
                           "(SELECT 1 FROM service_status_history h WHERE h.service_request_id = r.id)")
    assert without == []


def test_each_history_is_a_chain_the_lifecycle_allows(demo_db):
    engine, _ = demo_db
    chains: dict[int, list[tuple]] = {}
    history = rows(engine, "SELECT service_request_id, previous_status, new_status, created_at "
                           "FROM service_status_history ORDER BY created_at, id")
    for request_id, previous, new, at in history:
        chains.setdefault(request_id, []).append((previous, new, at))
    for request_id, chain in chains.items():
        assert chain[0][:2] == (None, "pending"), request_id
        for (_, before, _at), (previous, new, _) in zip(chain, chain[1:]):
            assert previous == before, request_id
            held_from = next((p for p, n, _ in reversed(chain) if n == "on_hold"), None)
            assert new in allowed_next(previous, held_from=held_from), (request_id, previous, new)


def test_paths_cover_every_status_and_follow_the_lifecycle():
    assert set(PATHS) == set(REQUEST_STATUSES)
    for status, paths in PATHS.items():
        for path in paths:
            assert path[-1] == status
            steps = transitions(path)
            assert steps[0] == (None, "pending")
            held_from = None
            for previous, new in steps[1:]:
                assert new in allowed_next(previous, held_from=held_from), (path, previous, new)
                held_from = previous if new == "on_hold" else held_from


def test_request_times_come_from_their_history(demo_db):
    engine, _ = demo_db
    wrong = rows(engine, """
        SELECT r.id FROM service_requests r
        JOIN (SELECT service_request_id, min(created_at) AS first, max(created_at) AS last
              FROM service_status_history GROUP BY 1) h ON h.service_request_id = r.id
        WHERE r.created_at <> h.first OR r.updated_at <> h.last
           OR (r.status = 'completed') <> (r.completed_at IS NOT NULL)
           OR (r.status = 'completed' AND r.completed_at <> h.last)
           OR r.created_at > :now OR h.last > :now""", now=FIXED_NOW)
    assert wrong == []


def test_work_in_progress_has_somebody_on_it_and_pending_work_nobody(demo_db):
    engine, result = demo_db
    staff = {a.user_id for a in result.accounts if a.role == "staff"}
    assignees = dict(rows(engine, "SELECT status, array_agg(DISTINCT assigned_to) FILTER "
                                  "(WHERE assigned_to IS NOT NULL) FROM service_requests GROUP BY status"))
    assert assignees["pending"] is None
    for status in ("in_progress", "completed", "failed"):
        assert set(assignees[status]) == staff
    unassigned = rows(engine, "SELECT count(*) FROM service_requests "
                              "WHERE status IN ('in_progress', 'completed', 'failed') "
                              "AND assigned_to IS NULL")
    assert unassigned == [(0,)]


def test_people_are_nigerian_with_reachable_phone_numbers_and_seed_addresses(demo_db):
    engine, _ = demo_db
    customers = rows(engine, "SELECT u.email, u.phone, p.country, p.city FROM users u "
                             "JOIN user_profiles p ON p.user_id = u.id WHERE NOT u.is_staff")
    assert len(customers) == 40
    assert all(email.endswith(f"@{DEMO_DOMAIN}") for email, *_ in customers)
    assert all(phone.startswith("+234") and len(phone) == 14 for _, phone, *_ in customers)
    assert {country for *_, country, _ in customers} == {"Nigeria"}
    assert {"Lagos", "Abuja"} <= {city for *_, city in customers}
    currencies = rows(engine, "SELECT DISTINCT currency FROM service_requests UNION SELECT DISTINCT currency "
                              "FROM payments")
    assert currencies == [("NGN",)]
    with Session(engine) as session:
        assert users_outside_seed(session) == 0


def test_money_agrees_with_the_requests(demo_db):
    engine, _ = demo_db
    unpaid_completed = rows(engine, """
        SELECT r.id FROM service_requests r
        WHERE r.status = 'completed' AND r.final_cost <> (
            SELECT coalesce(sum(amount), 0) FROM payments p
            WHERE p.service_request_id = r.id AND p.status = 'completed')""")
    assert unpaid_completed == []
    paid_pending = rows(engine, "SELECT count(*) FROM payments p JOIN service_requests r "
                                "ON r.id = p.service_request_id WHERE r.status = 'pending'")
    assert paid_pending == [(0,)]
    statuses = {s for (s,) in rows(engine, "SELECT DISTINCT status FROM payments")}
    assert {"completed", "pending", "failed", "refunded", "processing"} <= statuses


def test_every_line_has_rows_that_match_their_requests(demo_db):
    engine, result = demo_db
    for table in ("loan_applications", "hotel_bookings", "vehicles", "vehicle_services", "messages",
                  "notifications", "file_uploads", "payment_methods"):
        assert result.counts[table] > 0, table
    loans = set(rows(engine, "SELECT r.status, l.application_status FROM loan_applications l "
                             "JOIN service_requests r ON r.id = l.service_request_id"))
    assert ("completed", "approved") in loans and ("failed", "rejected") in loans
    bookings = set(rows(engine, "SELECT r.status, b.booking_status FROM hotel_bookings b "
                                "JOIN service_requests r ON r.id = b.service_request_id"))
    assert ("completed", "checked_out") in bookings and ("cancelled", "cancelled") in bookings
    mismatched = rows(engine, "SELECT b.id FROM hotel_bookings b JOIN service_requests r "
                              "ON r.id = b.service_request_id WHERE r.service_type <> 'hotel'")
    assert mismatched == []


def test_messages_are_threaded_on_their_request(demo_db):
    engine, _ = demo_db
    replies = rows(engine, "SELECT m.service_request_id, root.service_request_id, root.thread_id "
                           "FROM messages m JOIN messages root ON root.id = m.thread_id")
    assert replies
    assert all(mine == theirs and root_thread is None for mine, theirs, root_thread in replies)
    system = rows(engine, "SELECT count(*) FROM messages WHERE message_type = 'system' AND sender_id IS NULL")
    assert system[0][0] > 0


def test_retention_has_something_to_do(demo_db):
    engine, _ = demo_db
    now = FIXED_NOW
    archive = rows(engine, "SELECT count(*) FROM service_requests WHERE status = 'completed' "
                           "AND completed_at < :cut", cut=now - timedelta(days=5 * 365 + 2))
    history = rows(engine, "SELECT count(*) FROM service_status_history WHERE created_at < :cut",
                   cut=now - timedelta(days=2 * 365 + 1))
    temporary = rows(engine, "SELECT count(*) FROM file_uploads WHERE is_temporary AND created_at < :cut",
                     cut=now - timedelta(days=7))
    recent_temporary = rows(engine, "SELECT count(*) FROM file_uploads "
                                    "WHERE is_temporary AND created_at > :cut", cut=now - timedelta(days=7))
    assert archive[0][0] >= 5 and history[0][0] >= 20 and temporary[0][0] >= 5 and recent_temporary[0][0] >= 1
    dependants = rows(engine, """
        SELECT count(*) FROM service_requests r WHERE r.status = 'completed' AND r.completed_at < :cut
        AND (EXISTS (SELECT 1 FROM payments p WHERE p.service_request_id = r.id)
             OR EXISTS (SELECT 1 FROM messages m WHERE m.service_request_id = r.id))""",
                      cut=now - timedelta(days=5 * 365 + 2))
    assert dependants[0][0] >= 1


def test_a_card_that_expired_last_year_is_stored_and_the_rule_still_guards_new_ones(demo_db):
    engine, _ = demo_db
    expired = rows(engine, "SELECT card_exp_year FROM payment_methods "
                           "WHERE type = 'card' AND card_exp_year < :year", year=FIXED_NOW.year)
    assert expired == [(FIXED_NOW.year - 1,)]
    enabled = rows(engine, "SELECT tgenabled FROM pg_trigger "
                           "WHERE tgname = 'trigger_payment_methods_card_not_expired'")
    assert enabled == [("O",)]
    with engine.connect() as conn, pytest.raises(Exception, match="card expired"):
        conn.execute(text("INSERT INTO payment_methods (user_id, type, provider, card_exp_month, "
                          "card_exp_year) SELECT min(id), 'card', 'paystack', 1, 2001 FROM users"))


def test_demo_accounts_and_one_audit_entry(demo_db):
    engine, result = demo_db
    assert sorted(a.role for a in result.accounts) == ["admin", "staff", "staff"]
    assert all(len(a.password) >= 12 for a in result.accounts)
    entries = rows(engine, "SELECT actor_id, target_type, message FROM system_logs "
                           "WHERE action = 'db.seed.demo'")
    assert len(entries) == 1 and entries[0][0] is None and "168 requests" in entries[0][2]


def test_the_demo_is_loaded_once(scratch_engine):
    with Session(scratch_engine) as session:
        assert demo_loaded_at(session) is None
        seed_demo(session, FIXED_NOW)
        session.commit()
        before = session.scalar(text("SELECT count(*) FROM service_requests"))
        assert demo_loaded_at(session) is not None
        with pytest.raises(DemoAlreadyLoaded, match="already in this database") as refused:
            seed_demo(session, FIXED_NOW)
        assert refused.value.exit_code == 2
        session.rollback()
        assert session.scalar(text("SELECT count(*) FROM service_requests")) == before


def test_the_same_clock_gives_the_same_data(demo_db, scratch_engine):
    engine, _ = demo_db
    query = "SELECT service_type, status, title, estimated_cost, created_at FROM service_requests ORDER BY id"
    with Session(scratch_engine) as session:
        seed_demo(session, FIXED_NOW)
        session.commit()
    assert rows(scratch_engine, query) == rows(engine, query)


def test_without_owning_payment_methods_the_expired_card_is_left_out_and_said_so(scratch_engine):
    role = f"gmctl_seed_clerk_{uuid.uuid4().hex[:8]}"
    with scratch_engine.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}"'))
        conn.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"'))
        conn.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    try:
        with Session(scratch_engine) as session:
            session.execute(text(f'SET ROLE "{role}"'))
            result = seed_demo(session, FIXED_NOW)
            expired = session.scalar(text("SELECT count(*) FROM payment_methods WHERE card_exp_year < :year"),
                                     {"year": FIXED_NOW.year})
            session.rollback()
        assert expired == 0
        assert result.counts["payment_methods"] > 0 and result.counts["service_requests"] == 168
        assert result.notes == [
            "the expired demo card was left out: only the owner of payment_methods may load it"]
    finally:
        with scratch_engine.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
