"""Issue 14 part 5: schema changes one at a time (advisory lock, job "schema" of gmctl.retention.lock).

Three `gmctl db upgrade` at once on an empty database used to end in duplicate pg_type rows. Now the
later runs wait (bounded by --lock-wait), then find the work done ("already at head"), or exit 75
if the lock is still held when the wait ends.
"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from gmctl.context import Env
from gmctl.db.engine import make_engine
from gmctl.db.url import libpq_url
from gmctl.retention.lock import exclusive_run
from tests.adopt.conftest import seed_template, seed_url  # noqa: F401  (fixtures)
from tests.conftest import FIXED_NOW, invoke

pytestmark = pytest.mark.slow


def other_sessions(url: str) -> int:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            " AND pid <> pg_backend_pid()").fetchone()[0]


def has_schema(url: str) -> bool:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return conn.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()[0]


def version_rows(url: str) -> list[tuple]:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchall()


def finish(processes) -> list[tuple[int, str]]:
    results = []
    for process in processes:
        out, err = process.communicate(timeout=240)
        results.append((process.returncode, out + err))
    return results


def assert_serialised(results: list[tuple[int, str]]) -> None:
    for code, output in results:
        assert code == 0, output
        assert "duplicate key" not in output and "unexpected" not in output and "Traceback" not in output
    migrated = [o for _, o in results if "(was empty)" in o]
    at_head = [o for _, o in results if "already at head" in o]
    assert len(migrated) == 1 and len(at_head) == 2, [o for _, o in results]


def test_three_upgrades_queued_behind_the_lock(installed_gmctl, empty_url):
    """Deterministic: all three are waiting before any may start, then they race for the lock."""
    engine = make_engine(empty_url)
    try:
        with exclusive_run(engine, "schema"):
            before = other_sessions(empty_url)
            processes = [installed_gmctl.start("db", "upgrade", "--lock-wait", "3m", url=empty_url)
                         for _ in range(3)]
            deadline = time.monotonic() + 120
            while other_sessions(empty_url) < before + 3:  # each waiter holds its lock connection
                assert time.monotonic() < deadline, "the three runs never queued"
                assert all(p.poll() is None for p in processes), finish(processes)
                time.sleep(0.2)
            assert not has_schema(empty_url)
    finally:
        engine.dispose()
    results = finish(processes)
    assert all("waiting up to 180 s for another schema change (server pid" in o for _, o in results)
    assert_serialised(results)
    assert len(version_rows(empty_url)) == 1


def test_three_upgrades_started_at_once(installed_gmctl, empty_url):
    """As the issue found it: three at once, nothing held beforehand."""
    results = finish([installed_gmctl.start("db", "upgrade", url=empty_url) for _ in range(3)])
    assert_serialised(results)
    assert len(version_rows(empty_url)) == 1


@pytest.fixture
def gm(tmp_path: Path):
    def run(url: str, *args: str, config: str | None = None):
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        if config is not None:
            (home / "config.toml").write_text(config)
        env = Env(environ={"GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": url}, home=home, clock=lambda: FIXED_NOW)
        return invoke(env, *args)

    return run


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "init"], ["--yes", "db", "downgrade", "base"]])
def test_still_held_after_the_wait_is_exit_75_and_changes_nothing(gm, empty_url, command):
    engine = make_engine(empty_url)
    try:
        with exclusive_run(engine, "schema"):
            started = time.monotonic()
            result = gm(empty_url, *command, "--lock-wait", "1s")
            waited = time.monotonic() - started
    finally:
        engine.dispose()
    assert result.exit_code == 75, result.output
    assert "another schema change is active (server pid" in result.stderr
    assert "after waiting 1 s" in result.stderr and "--lock-wait" in result.stderr
    assert "unexpected" not in result.stderr
    assert 1.0 <= waited < 30
    assert not has_schema(empty_url)


def test_adopt_takes_the_same_lock(gm, seed_url):  # noqa: F811
    engine = make_engine(seed_url)
    try:
        with exclusive_run(engine, "schema"):
            result = gm(seed_url, "--yes", "db", "adopt", "--lock-wait", "0s")
    finally:
        engine.dispose()
    assert result.exit_code == 75, result.output
    assert "another schema change is active" in result.stderr
    assert not has_schema(seed_url), "adopt stamped nothing while the lock was held"
    adopted = gm(seed_url, "--yes", "db", "adopt")
    assert adopted.exit_code == 0, adopted.output


def test_lock_wait_is_checked_where_it_is_read(gm, empty_url):
    bad = gm(empty_url, "db", "upgrade", "--lock-wait", "forever")
    assert bad.exit_code == 2 and "--lock-wait 'forever' is not a duration" in bad.stderr
    too_long = gm(empty_url, "db", "upgrade", "--lock-wait", "2d")
    assert too_long.exit_code == 2 and "longer than a day" in too_long.stderr
    configured = gm(empty_url, "db", "upgrade", config='[schema]\nlock_wait = "soon"\n')
    assert configured.exit_code == 2 and "[schema] lock_wait in" in configured.stderr
    assert not has_schema(empty_url)


def test_configured_lock_wait_applies(gm, empty_url):
    engine = make_engine(empty_url)
    try:
        with exclusive_run(engine, "schema"):
            result = gm(empty_url, "db", "upgrade", config='[schema]\nlock_wait = "1s"\n')
    finally:
        engine.dispose()
    assert result.exit_code == 75 and "after waiting 1 s" in result.stderr


def test_lock_is_released_after_each_change(gm, empty_url):
    assert gm(empty_url, "db", "upgrade").exit_code == 0
    engine = make_engine(empty_url)
    try:
        with engine.connect() as conn:
            held = conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar_one()
        assert held == 0
    finally:
        engine.dispose()
