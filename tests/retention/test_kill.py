"""Real processes: a second run exits 75; a run killed mid-batch, then rerun, loses and duplicates nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from tests.retention.conftest import LIVE_TABLES, count, rows_by_id

# A pause inside every archive batch, after the moves and before the commit: the kill lands there.
SLOW_BATCHES = [
    "CREATE FUNCTION test_slow_batch() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN PERFORM pg_sleep(0.3); RETURN NULL; END $$",
    "CREATE TRIGGER test_slow_batch AFTER INSERT ON service_requests_archive"
    " FOR EACH STATEMENT EXECUTE FUNCTION test_slow_batch()",
]


def gmctl(url: str, home, *args: str) -> subprocess.Popen:
    environ = {**os.environ, "GMCTL_HOME": str(home), "NO_COLOR": "1"}
    environ.pop("GMCTL_DATABASE_URL", None)
    return subprocess.Popen([sys.executable, "-m", "gmctl", "--database-url", url, "db", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ)


def in_a_batch(engine) -> bool:
    return bool(count(engine, "SELECT count(*) FROM pg_stat_activity"
                              " WHERE application_name = 'gmctl retention' AND wait_event = 'PgSleep'"
                              " AND xact_start IS NOT NULL"))


@pytest.mark.slow
def test_sigkill_mid_batch_then_rerun_keeps_every_row_exactly_once(world, scratch_url, scratch_engine,
                                                                    tmp_path):
    ada = world.person("ada")
    for _ in range(30):
        world.full_request(ada)
    world.commit()
    before = {table: rows_by_id(scratch_engine, table) for table in LIVE_TABLES}
    with scratch_engine.begin() as conn:
        for statement in SLOW_BATCHES:
            conn.execute(text(statement))

    first = gmctl(scratch_url, tmp_path, "retention", "--batch-size", "1", "--policy", "archive")
    deadline = time.monotonic() + 60
    while not (count(scratch_engine, "SELECT count(*) FROM service_requests_archive") >= 2
               and in_a_batch(scratch_engine)):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the run never reached its third batch"
        time.sleep(0.02)
    second = gmctl(scratch_url, tmp_path, "retention", "--policy", "archive")
    assert second.wait(timeout=60) == 75, second.communicate()
    assert "another retention run is active" in second.communicate()[1]
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert 2 <= count(scratch_engine, "SELECT count(*) FROM service_requests_archive") < 30

    # At once: the killed run's server process is still rolling back its batch and holds its rows.
    # The rerun must wait for it, or SKIP LOCKED would leave that batch's request behind.
    rerun = gmctl(scratch_url, tmp_path, "retention", "--policy", "archive", "--batch-size", "100")
    out, err = rerun.communicate(timeout=120)

    assert rerun.returncode == 0, err
    assert "retention done: " in out
    for table in LIVE_TABLES:
        live, archived = rows_by_id(scratch_engine, table), rows_by_id(scratch_engine, f"{table}_archive")
        assert not set(live) & set(archived), f"{table}: rows both live and archived"
        assert {**live, **archived} == before[table], f"{table}: archive + live differs from before"
        assert len(live) + len(archived) == len(before[table])
    assert count(scratch_engine, "SELECT count(*) FROM service_requests_archive") == 30
