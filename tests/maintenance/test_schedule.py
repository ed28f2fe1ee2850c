"""`gmctl db schedule`: the crontab, and the pg_cron jobs (their SQL runs here as pg_cron would run it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from gmctl.retention.lock import exclusive_run
from gmctl.retention.policies import ARCHIVE, HISTORY, TEMP_FILES, Periods
from gmctl.schedule import JOBS_IN_ORDER, pg_cron_jobs, retention_job_sql
from tests.conftest import FIXED_NOW
from tests.retention.conftest import LIVE_TABLES, YEAR, World, count, rows_by_id


def test_the_crontab_has_every_job_and_no_flock(run_cli):
    result = run_cli("db", "schedule")

    assert result.exit_code == 0, result.stderr
    crontab = result.stdout
    entries = [line for line in crontab.splitlines() if line and not line.startswith("#") and "=" not in
               line.split()[0]]
    assert len(entries) == len(JOBS_IN_ORDER) == 9
    for schedule, command in (("30 1 * * *", "db retention"), ("0 3 * * *", "db backup --kind all"),
                              ("0 4 * * 0", "db maintenance"), ("7 * * * *", "db doctor"),
                              ("15 0 * * *", "GMCTL_UNATTENDED=1 "),
                              ("*/30 * * * *", "payments expire-pending --older-than 24h"),
                              ("50 0 * * *", "loans expire --older-than 30d")):
        assert any(line.startswith(schedule) and command in line for line in entries), (schedule, command)
    assert "roles sweep" in crontab and "GMCTL_DATABASE_URL=postgresql://USER@HOST:5432/DBNAME" in crontab
    assert "flock" not in crontab.replace("no flock", "")
    assert ".pgpass" in crontab


def test_pg_cron_missing_is_said_plainly(run_cli):
    result = run_cli("db", "schedule", "--pg-cron")

    assert result.exit_code == 1
    assert "pg_cron is not installed" in result.stderr and "crontab" in result.stderr


@pytest.fixture
def world(scratch_engine):
    from sqlalchemy.orm import Session

    session = Session(scratch_engine, expire_on_commit=False)
    yield World(session)
    session.close()


def run_job(engine, sql: str) -> None:
    # pg_cron sends the command as one top-level statement, as this does.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(sql)


def test_the_pg_cron_retention_jobs_do_one_batch_of_the_same_work(world, scratch_engine):
    ada = world.person("ada")
    old = [world.full_request(ada, age=6 * YEAR) for _ in range(3)]
    live = world.request(ada, status="in_progress", age=3 * YEAR)
    world.history(live, FIXED_NOW - 3 * YEAR)
    world.file(ada, temporary=True, age=timedelta(days=30))
    world.commit()
    before = {table: rows_by_id(scratch_engine, table) for table in LIVE_TABLES}

    run_job(scratch_engine, retention_job_sql(ARCHIVE, Periods(), size=2))
    assert count(scratch_engine, "SELECT count(*) FROM service_requests_archive") == 2
    run_job(scratch_engine, retention_job_sql(ARCHIVE, Periods(), size=2))
    run_job(scratch_engine, retention_job_sql(HISTORY, Periods()))
    run_job(scratch_engine, retention_job_sql(TEMP_FILES, Periods()))

    assert set(rows_by_id(scratch_engine, "service_requests_archive")) == {r.id for r in old}
    for table in LIVE_TABLES[1:]:
        archived = rows_by_id(scratch_engine, f"{table}_archive")
        assert {k: v for k, v in before[table].items() if k in archived} == archived
    assert count(scratch_engine, "SELECT count(*) FROM service_status_history") == 0
    assert count(scratch_engine, "SELECT count(*) FROM file_uploads WHERE is_temporary") == 0


def test_a_pg_cron_batch_skips_its_turn_while_gmctl_retention_runs(world, scratch_engine):
    world.full_request(world.person("ada"))
    world.commit()

    with exclusive_run(scratch_engine, "retention"):
        run_job(scratch_engine, retention_job_sql(ARCHIVE, Periods()))

    assert count(scratch_engine, "SELECT count(*) FROM service_requests_archive") == 0


def test_pg_cron_install_schedules_each_sql_job_in_this_database(scratch_engine, run_cli):
    # pg_cron itself is not in the test servers; this stands in for its two functions' signatures.
    with scratch_engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA cron"))
        conn.execute(text("CREATE TABLE cron.test_jobs (id serial, name text UNIQUE, schedule text,"
                          " command text, database text)"))
        conn.execute(text(
            "CREATE FUNCTION cron.schedule(text, text, text) RETURNS bigint LANGUAGE sql AS"
            " $$ SELECT 0::bigint $$"))
        conn.execute(text(
            "CREATE FUNCTION cron.schedule_in_database(job_name text, schedule text, command text,"
            " database text, username text DEFAULT NULL, active boolean DEFAULT true)"
            " RETURNS bigint LANGUAGE sql AS"
            " $$ INSERT INTO cron.test_jobs (name, schedule, command, database) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (name) DO UPDATE SET command = EXCLUDED.command RETURNING id::bigint $$"))

    result = run_cli("db", "schedule", "--pg-cron")

    assert result.exit_code == 0, result.stderr
    assert "4 job(s) scheduled with pg_cron" in result.stderr and "gmctl-backup" in result.stderr
    with scratch_engine.connect() as conn:
        jobs = {row.name: row for row in conn.execute(text("SELECT * FROM cron.test_jobs"))}
        database = conn.execute(text("SELECT current_database()")).scalar_one()
    assert set(jobs) == {job.name for job in pg_cron_jobs(Periods())}
    assert all(job.database == database for job in jobs.values())
    assert jobs["gmctl-maintenance"].command == "VACUUM (ANALYZE)"
