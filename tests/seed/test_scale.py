"""The scale seed: a unit's counts, foreign keys and histories; resuming, repeating, one loader at a time."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from gmctl.db.url import libpq_url
from gmctl.errors import Busy, InvalidInput
from gmctl.seed import SCALE_DOMAIN
from gmctl.seed.scale import LOCK_KEY, check_jobs, check_units, seed_scale, units_present
from gmctl.seed.scale_rows import REQUESTS, STAFF, USERS, expected_messages
from tests.conftest import FIXED_NOW


def scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_one_unit_loads_the_documented_counts(scaled_db):
    engine, result = scaled_db
    assert (result.target, result.present_before, result.loaded) == (1, 0, 1)
    for table, expected in (("users", USERS), ("user_profiles", USERS), ("service_requests", REQUESTS),
                            ("messages", expected_messages())):
        assert scalar(engine, f"SELECT count(*) FROM {table}") == expected == result.counts[table], table
    history = scalar(engine, "SELECT count(*) FROM service_status_history")
    assert history == result.counts["service_status_history"]
    assert 2.5 * REQUESTS <= history <= 5 * REQUESTS
    payments = scalar(engine, "SELECT count(*) FROM payments")
    assert payments == result.counts["payments"] == scalar(
        engine, "SELECT count(*) FROM service_requests r WHERE EXISTS (SELECT 1 FROM "
                "service_status_history h WHERE h.service_request_id = r.id AND h.new_status = 'confirmed')")
    assert result.rows == sum(result.counts.values()) and result.rows_per_second > 0


def test_foreign_keys_stay_inside_the_unit(scaled_db):
    engine, _ = scaled_db
    assert scalar(engine, "SELECT count(*) FROM users WHERE is_staff") == STAFF
    assert scalar(engine, "SELECT count(*) FROM service_requests r JOIN users u ON u.id = r.user_id "
                          "WHERE u.is_staff") == 0
    assert scalar(engine, "SELECT count(*) FROM service_requests r JOIN users u ON u.id = r.assigned_to "
                          "WHERE NOT u.is_staff") == 0
    assert scalar(engine, "SELECT count(*) FROM payments p JOIN service_requests r "
                          "ON r.id = p.service_request_id WHERE p.user_id <> r.user_id") == 0
    assert scalar(engine, "SELECT count(*) FROM messages m JOIN messages root ON root.id = m.thread_id "
                          "WHERE m.service_request_id <> root.service_request_id") == 0
    assert scalar(engine, "SELECT count(*) FROM service_requests WHERE (assigned_to IS NULL) <> "
                          "(assigned_at IS NULL) OR (status = 'pending' AND assigned_to IS NOT NULL)") == 0
    assert scalar(engine, "SELECT count(*) FROM users WHERE email NOT LIKE :domain",
                  domain=f"%@{SCALE_DOMAIN}") == 0


def test_histories_agree_with_statuses_and_search_works(scaled_db):
    engine, _ = scaled_db
    assert scalar(engine, """
        SELECT count(*) FROM service_requests r
        JOIN LATERAL (SELECT new_status FROM service_status_history h WHERE h.service_request_id = r.id
                      ORDER BY created_at DESC, id DESC LIMIT 1) h ON true
        WHERE h.new_status <> r.status""") == 0
    assert scalar(engine, "SELECT count(DISTINCT status) FROM service_requests") == 7
    assert scalar(engine, "SELECT count(DISTINCT service_type) FROM service_requests") == 11
    assert scalar(engine, "SELECT count(*) FROM service_requests WHERE created_at > :now", now=FIXED_NOW) == 0
    assert scalar(engine, "SELECT count(*) FROM service_requests "
                          "WHERE search_vector @@ plainto_tsquery('english', 'generator')") > 0


def test_sequences_stay_ahead_of_the_loaded_ids(scaled_db):
    engine, _ = scaled_db
    with engine.begin() as conn:
        user_id = conn.execute(text("INSERT INTO users (username, email, password_hash) VALUES "
                                    "('after.scale', 'after@example.com', '!') RETURNING id")).scalar_one()
        loaded = conn.execute(text("SELECT max(id) FROM users WHERE email LIKE '%scale%'")).scalar_one()
        assert user_id > loaded
        conn.rollback()


def test_running_again_loads_nothing(scaled_db):
    engine, _ = scaled_db
    again = seed_scale(engine, 1, FIXED_NOW)
    assert (again.present_before, again.loaded, again.rows) == (1, 0, 0)
    assert scalar(engine, "SELECT count(*) FROM service_requests") == REQUESTS


def test_an_interrupted_load_keeps_whole_units_and_the_next_run_finishes_it(scratch_engine):
    def interrupt(loaded):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        seed_scale(scratch_engine, 3, FIXED_NOW, jobs=1, on_unit=interrupt)
    with scratch_engine.connect() as conn:
        assert units_present(conn.connection.driver_connection) == {1}
    assert scalar(scratch_engine, "SELECT count(*) FROM service_requests") == REQUESTS
    assert scalar(scratch_engine, "SELECT count(*) FROM users") == USERS
    resumed = seed_scale(scratch_engine, 2, FIXED_NOW, jobs=2)
    assert (resumed.present_before, resumed.loaded) == (1, 1)
    assert scalar(scratch_engine, "SELECT count(*) FROM service_requests") == 2 * REQUESTS


def test_a_second_loader_is_told_to_wait(scratch_engine, scratch_url):
    with psycopg.connect(libpq_url(scratch_url), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        with pytest.raises(Busy) as busy:
            seed_scale(scratch_engine, 1, FIXED_NOW)
    assert busy.value.exit_code == 75
    assert scalar(scratch_engine, "SELECT count(*) FROM users WHERE email LIKE '%scale%'") == 0


@pytest.mark.parametrize("units", [0, -1, 10_001])
def test_unit_counts_out_of_range_are_invalid(units):
    with pytest.raises(InvalidInput, match="--scale must be between 1 and"):
        check_units(units)


@pytest.mark.parametrize("jobs", [0, 9])
def test_job_counts_out_of_range_are_invalid(jobs):
    with pytest.raises(InvalidInput, match="--jobs must be between 1 and"):
        check_jobs(jobs)
