"""gmctl db doctor: ok/warn/fail per check, exit 1 on any fail, json lists the checks."""

from __future__ import annotations

import json

import psycopg
import pytest

from gmctl import schema
from gmctl.context import Env
from gmctl.db.engine import make_engine
from gmctl.db.url import libpq_url
from gmctl.health import FAIL, OK, WARN, ServerInfo, run_checks
from gmctl.health.server_checks import base_backup_hint
from tests.conftest import FIXED_NOW, invoke

EVERY_CHECK = {
    "connection",
    "server version",
    "migrations",
    "pg_stat_statements",
    "pooler",
    "pitr wal_level",
    "pitr archiving",
    "immutable checks",
    "invalid indexes",
    "sequences",
    "autovacuum",
}


@pytest.fixture
def doctor(tmp_path):
    def run(url: str, *args: str):
        home = tmp_path / "home"
        env = Env(
            environ={"GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": url}, home=home, clock=lambda: FIXED_NOW
        )
        return invoke(env, *args, "db", "doctor")

    return run


def statuses(result) -> dict[str, dict]:
    return {row["check"]: row for row in json.loads(result.stdout)}


def sql(url: str, *statements: str) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def test_a_database_at_head_has_no_failures(doctor, scratch_url):
    result = doctor(scratch_url, "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = statuses(result)
    assert EVERY_CHECK <= set(rows)
    assert all(row["status"] in (OK, WARN, FAIL) for row in rows.values())
    assert rows["migrations"]["status"] == OK and rows["server version"]["status"] == OK
    assert rows["immutable checks"]["status"] == OK and rows["invalid indexes"]["status"] == OK
    assert "no failures" in result.stderr


def test_a_missing_pg_stat_statements_is_a_warning_not_a_crash(doctor, scratch_url):
    rows = statuses(doctor(scratch_url, "--format", "json"))
    check = rows["pg_stat_statements"]
    with psycopg.connect(libpq_url(scratch_url)) as conn:
        available = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements'"
        ).fetchone()
    if available is None:  # the embedded server: no contrib at all
        assert check["status"] == WARN and "contrib" in check["detail"]
    else:  # Debian's: there, but not created in this database
        assert check["status"] == WARN and "CREATE EXTENSION" in check["hint"]


def test_pitr_off_is_a_warning_with_a_version_aware_hint(doctor, scratch_url):
    rows = statuses(doctor(scratch_url, "--format", "json"))
    archiving = rows["pitr archiving"]
    assert archiving["status"] == WARN and "archive_mode = off" in archiving["detail"]
    assert "pg_backup_start" in archiving["hint"] or "pg_start_backup" in archiving["hint"]


def test_base_backup_functions_are_named_for_the_servers_version():
    assert "pg_start_backup()" in base_backup_hint(ServerInfo("14.12", 140012))  # seed-notes 7
    for number in (150007, 160003, 170002, 180004):
        hint = base_backup_hint(ServerInfo(str(number // 10000), number))
        assert "pg_backup_start()" in hint and "pg_start_backup" not in hint


def test_pending_migrations_fail_and_are_named(doctor, scratch_url):
    engine = make_engine(scratch_url)
    try:
        schema.downgrade(engine, "-1")
    finally:
        engine.dispose()
    result = doctor(scratch_url, "--format", "json")
    assert result.exit_code == 1
    row = statuses(result)["migrations"]
    assert row["status"] == FAIL and schema.head_revision() in row["detail"] and "db upgrade" in row["hint"]
    assert "1 check(s) failed: migrations" in result.stderr


def test_a_check_constraint_on_todays_date_fails(doctor, scratch_url):
    sql(
        scratch_url,
        "ALTER TABLE vehicles ADD CONSTRAINT chk_t_year CHECK (year <= EXTRACT(YEAR FROM CURRENT_DATE) + 1)",
        "CREATE FUNCTION t_volatile_ok(int) RETURNS boolean LANGUAGE sql VOLATILE AS 'SELECT $1 > 0'",
        "ALTER TABLE notifications ADD CONSTRAINT chk_t_volatile CHECK (t_volatile_ok(id))",
    )
    result = doctor(scratch_url, "--format", "json")
    assert result.exit_code == 1
    row = statuses(result)["immutable checks"]
    assert row["status"] == FAIL
    assert "vehicles.chk_t_year (CURRENT_DATE)" in row["detail"]
    assert "notifications.chk_t_volatile (calls t_volatile_ok())" in row["detail"]


def test_an_invalid_index_fails(doctor, scratch_url):
    sql(scratch_url, "INSERT INTO roles (name, display_name) VALUES ('twin_a', 'Twin'), ('twin_b', 'Twin')")
    with pytest.raises(psycopg.errors.UniqueViolation):  # a failed CONCURRENTLY build leaves an invalid index
        sql(scratch_url, "CREATE UNIQUE INDEX CONCURRENTLY idx_t_display ON roles (display_name)")
    row = statuses(doctor(scratch_url, "--format", "json"))["invalid indexes"]
    assert row["status"] == FAIL and "idx_t_display" in row["detail"]


@pytest.mark.parametrize(("value", "status"), [(1_700_000_000, WARN), (2_000_000_000, FAIL)])
def test_a_serial_sequence_near_the_end_of_its_range(doctor, scratch_url, value, status):
    sql(scratch_url, f"SELECT setval('users_id_seq', {value})")
    result = doctor(scratch_url, "--format", "json")
    row = statuses(result)["sequences"]
    assert row["status"] == status and "users_id_seq" in row["detail"] and "integer" in row["detail"]
    assert result.exit_code == (1 if status == FAIL else 0)


def test_a_table_far_behind_on_vacuum_warns(doctor, scratch_url):
    with psycopg.connect(libpq_url(scratch_url), autocommit=True) as conn:
        if int(conn.execute("SHOW server_version_num").fetchone()[0]) < 150000:
            pytest.skip("statistics are flushed on demand from PostgreSQL 15")
        conn.execute("CREATE TABLE t_churn (id int) WITH (autovacuum_enabled = false)")
        conn.execute("INSERT INTO t_churn SELECT generate_series(1, 5000)")
        conn.execute("DELETE FROM t_churn")
        conn.execute("SELECT pg_stat_force_next_flush()")
    rows = [
        r for r in json.loads(doctor(scratch_url, "--format", "json").stdout) if r["check"] == "autovacuum"
    ]
    assert rows[0]["status"] == WARN and "t_churn: 5000 dead rows" in rows[0]["detail"]
    assert "autovacuum disabled on it" in rows[0]["detail"]


def test_an_unreachable_database_is_a_failed_check(doctor, pg_server):
    url = pg_server.url_for("gmctl_t_no_such_database")
    result = doctor(url, "--format", "json")
    assert result.exit_code == 1
    assert statuses(result)["connection"]["status"] == FAIL


def test_a_seed_built_database_is_told_to_adopt(scratch_url):
    engine = make_engine(scratch_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE alembic_version")
        checks = {c.check: c for c in run_checks(engine)}
    finally:
        engine.dispose()
    assert checks["migrations"].status == FAIL and "db adopt" in (checks["migrations"].hint or "")


def test_table_output_on_a_pipe_has_every_check(doctor, scratch_url):
    result = doctor(scratch_url)
    assert result.exit_code == 0
    header, *lines = result.stdout.strip().splitlines()
    assert header.split("\t") == ["check", "status", "detail", "hint"]
    assert {line.split("\t")[0] for line in lines} >= EVERY_CHECK
