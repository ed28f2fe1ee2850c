"""The archive policy on real PostgreSQL: what moves, what stays live, and what reads back."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gmctl.auth.permissions import load_operator
from gmctl.db.models import (
    FileUpload,
    HotelBookingArchive,
    LoanApplicationArchive,
    MessageArchive,
    Payment,
    ServiceRequestArchive,
    StatusChangeArchive,
    VehicleServiceArchive,
)
from gmctl.retention.policies import ARCHIVE, Periods
from gmctl.retention.run import Retention
from tests.conftest import FIXED_NOW
from tests.retention.conftest import LIVE_TABLES, YEAR, count, rows_by_id


def archive(engine, batch_size: int = 500):
    return Retention(engine, (ARCHIVE,), Periods(), lambda: FIXED_NOW, batch_size=batch_size).run()


def test_an_old_request_with_every_dependant_archives_and_reads_back(world, scratch_engine):
    ada = world.person("ada")
    old = world.full_request(ada)
    payment_id = world.session.scalar(select(Payment.id).where(Payment.service_request_id == old.id))
    file_id = world.session.scalar(select(FileUpload.id).where(FileUpload.service_request_id == old.id))
    world.commit()
    before = {table: rows_by_id(scratch_engine, table) for table in LIVE_TABLES}

    report = archive(scratch_engine)

    counts = report.policies[0].counts
    assert counts["requests"] == 1 and counts["status_history"] == 4 and counts["messages"] == 2
    assert counts["hotel_bookings"] == counts["loan_applications"] == counts["vehicle_services"] == 1
    assert counts["payments_detached"] == counts["file_uploads_detached"] == 1
    assert counts["already_archived"] == 0 and report.complete
    for table in LIVE_TABLES:
        assert rows_by_id(scratch_engine, table) == {}, f"{table} still holds the archived rows"
        assert rows_by_id(scratch_engine, f"{table}_archive") == before[table], f"{table}_archive differs"
    with Session(scratch_engine) as session:
        kept = session.get(ServiceRequestArchive, old.id)
        assert kept.archived_links == {"payments": [payment_id], "file_uploads": [file_id]}
        assert kept.archived_at == FIXED_NOW and kept.title == old.title
        for model in (StatusChangeArchive, MessageArchive, HotelBookingArchive, LoanApplicationArchive,
                      VehicleServiceArchive):
            assert session.scalars(select(model).where(model.service_request_id == old.id)).all(), model
        # Payments and files stay live, detached by their own ON DELETE SET NULL.
        assert session.get(Payment, payment_id).service_request_id is None
        assert session.get(FileUpload, file_id).service_request_id is None
    assert count(scratch_engine, "SELECT count(*) FROM notifications"
                 " WHERE action_data->>'service_request_id' = :id", id=str(old.id)) == 1


def test_only_old_completed_requests_move(world, scratch_engine):
    ada = world.person("ada")
    due = world.request(ada, age=5 * YEAR + timedelta(days=3))
    recent = world.request(ada, age=5 * YEAR - timedelta(days=3))
    cancelled = world.request(ada, status="cancelled", age=8 * YEAR, completed=True)
    open_old = world.request(ada, status="in_progress", age=8 * YEAR)
    for request in (due, recent, cancelled, open_old):
        world.history(request, FIXED_NOW - 6 * YEAR)
    world.commit()

    archive(scratch_engine)

    assert set(rows_by_id(scratch_engine, "service_requests_archive")) == {due.id}
    assert set(rows_by_id(scratch_engine, "service_requests")) == {recent.id, cancelled.id, open_old.id}
    assert count(scratch_engine, "SELECT count(*) FROM service_status_history") == 3


def test_a_message_a_live_thread_replies_to_stays_live_and_is_listed(world, scratch_engine):
    ada, bola = world.person("ada"), world.person("bola")
    old = world.request(ada)
    live = world.request(bola, status="in_progress", age=timedelta(days=2))
    root = world.message(ada, old)
    inner = world.message(ada, old, reply_to=root)
    alone = world.message(ada, old)
    reply = world.message(bola, live, reply_to=inner)
    world.commit()

    report = archive(scratch_engine)

    counts = report.policies[0].counts
    assert counts["messages"] == 1 and counts["messages_detached"] == 2
    assert set(rows_by_id(scratch_engine, "messages_archive")) == {alone.id}
    live_messages = rows_by_id(scratch_engine, "messages")
    assert set(live_messages) == {root.id, inner.id, reply.id}
    assert live_messages[root.id]["service_request_id"] is None
    assert live_messages[inner.id]["thread_id"] == root.id
    links = rows_by_id(scratch_engine, "service_requests_archive")
    with Session(scratch_engine) as session:
        assert session.get(ServiceRequestArchive, old.id).archived_links["messages"] == [root.id, inner.id]
    assert old.id in links


def test_a_thread_across_two_old_requests_moves_whole_even_in_batches_of_one(world, scratch_engine):
    ada = world.person("ada")
    first, second = world.request(ada), world.request(ada)
    question = world.message(ada, first)
    answer = world.message(ada, second, reply_to=question)
    world.commit()

    report = archive(scratch_engine, batch_size=1)

    assert report.policies[0].counts["messages_detached"] == 0
    assert set(rows_by_id(scratch_engine, "messages_archive")) == {question.id, answer.id}
    assert set(rows_by_id(scratch_engine, "service_requests_archive")) == {first.id, second.id}


def test_many_batches_move_everything_once(world, scratch_engine):
    ada = world.person("ada")
    requests = [world.full_request(ada) for _ in range(7)]
    world.commit()
    before = {table: rows_by_id(scratch_engine, table) for table in LIVE_TABLES}

    report = archive(scratch_engine, batch_size=2)

    assert report.policies[0].batches >= 2
    assert set(rows_by_id(scratch_engine, "service_requests_archive")) == {r.id for r in requests}
    for table in LIVE_TABLES:
        assert rows_by_id(scratch_engine, f"{table}_archive") == before[table]


def test_an_archived_request_reads_back_with_requests_show_archived(world, scratch_engine, run_cli):
    ada = world.person("ada")
    old = world.full_request(ada)
    reader = world.person("reader", staff=True, roles=("staff",))
    world.commit()
    archive(scratch_engine)
    operator = load_operator(world.session, reader.id, FIXED_NOW)

    result = run_cli("-f", "json", "requests", "show", "--archived", str(old.id), operator=operator)

    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["request"]["id"] == old.id and document["request"]["status"] == "completed"
    steps = [step["to"] for step in document["history"]]
    assert steps == ["pending", "confirmed", "in_progress", "completed"]
    assert len(document["messages"]) == 2 and len(document["payments"]) == 1 and len(document["files"]) == 1
    assert document["archived"]["links"]["payments"] == [document["payments"][0]["id"]]
