"""Reads on a real streaming replica: a PostgreSQL 15 primary and a standby made with pg_basebackup -R.

Issue 14, part 3. Commands marked replica=True read the standby (pg_is_in_recovery() is true for their
queries); their sign-in check, every write and every lock stay on the primary; --primary reads the
primary; a stopped standby costs one warning line and the read goes to the primary.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gmctl import schema
from gmctl.context import Env
from gmctl.db.engine import make_engine
from gmctl.db.url import libpq_url
from tests.conftest import FIXED_NOW, invoke
from tests.helpers.accounts import make_user
from tests.production.servers import PG15, make_primary_and_standby, wait_for_replay
from tests.requests.conftest import add_request

pytestmark = pytest.mark.skipif(not (PG15 / "pg_basebackup").exists(),
                                reason=f"PostgreSQL 15 binaries not found in {PG15}: no streaming replica to test")

PASSWORD = "Read-From-The-Standby-15"
IN_RECOVERY = text("SELECT pg_is_in_recovery()")


@pytest.fixture(scope="module")
def pair():
    directory = Path(tempfile.mkdtemp(prefix="gmctl-replica-"))
    primary = standby = None
    try:
        primary, standby = make_primary_and_standby(directory)
        with psycopg.connect(libpq_url(primary.url()), autocommit=True) as conn:
            conn.execute("CREATE DATABASE gmctl")
        engine = make_engine(primary.url("gmctl"))
        schema.initialise(engine)
        with Session(engine) as session:
            make_user(session, "ngozi", staff=True, roles=("admin",), password=PASSWORD)
            customer = make_user(session, "bayo")
            ids = [add_request(session, customer.id, title=title, status="pending",
                               created_at=FIXED_NOW - timedelta(hours=2)).id
                   for title in ("Tyre rotation", "Air-conditioner regas")]
            session.commit()
            customer_id = customer.id
        engine.dispose()
        wait_for_replay(primary.url("gmctl"), standby.url("gmctl"))
        yield {"primary": primary, "standby": standby, "ids": ids, "customer": customer_id,
               "primary_url": primary.url("gmctl"), "standby_url": standby.url("gmctl"), "dir": directory}
    finally:
        for cluster in (standby, primary):
            if cluster is not None:
                cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def make_env(pair, home: Path, **environ: str) -> Env:
    values = {"GMCTL_HOME": str(home), "NO_COLOR": "1", "GMCTL_DATABASE_URL": pair["primary_url"],
              "GMCTL_READ_DATABASE_URL": pair["standby_url"], **environ}
    return Env(environ={k: v for k, v in values.items() if v}, home=home, clock=lambda: FIXED_NOW)


@pytest.fixture
def gm(pair, home):
    return lambda *args, input=None, **environ: invoke(make_env(pair, home, **environ), *args, input=input)


def sign_in(gm):
    result = gm("login", "--username", "ngozi", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.stderr


def on_primary(pair, sql: str, *params):
    with psycopg.connect(libpq_url(pair["primary_url"]), autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


class replay_paused:
    """The standby stops replaying WAL: what the primary writes meanwhile is not on the standby."""

    def __init__(self, pair):
        self.url = libpq_url(pair["standby_url"])
        self.pair = pair

    def __enter__(self):
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
        return self

    def __exit__(self, *exc):
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_resume()")
        wait_for_replay(self.pair["primary_url"], self.pair["standby_url"])


def test_a_read_command_reads_the_standby_and_keeps_the_primary_for_the_rest(pair, home):
    env = make_env(pair, home)
    env.reads_from_replica = True  # what command(..., replica=True) sets
    try:
        with env.read_transaction() as conn:
            assert conn.execute(IN_RECOVERY).scalar_one() is True
        assert env.session().execute(IN_RECOVERY).scalar_one() is True
        with env.primary_transaction() as conn:
            assert conn.execute(IN_RECOVERY).scalar_one() is False
    finally:
        env.close()
    for forced in (dict(primary=True), dict(reads_from_replica=False)):
        env = make_env(pair, home)
        env.reads_from_replica = True
        for name, value in forced.items():
            setattr(env, name, value)
        try:
            with env.read_transaction() as conn:
                assert conn.execute(IN_RECOVERY).scalar_one() is False, forced
        finally:
            env.close()


def test_the_profile_read_url_is_used_when_the_profile_is(pair, home):
    home.mkdir(parents=True)
    (home / "config.toml").write_text(
        f'active_profile = "live"\n[profiles.live]\ndatabase_url = "{pair["primary_url"]}"\n'
        f'read_url = "{pair["standby_url"]}"\n'
    )
    env = make_env(pair, home, GMCTL_DATABASE_URL="", GMCTL_READ_DATABASE_URL="")
    env.reads_from_replica = True
    try:
        with env.read_transaction() as conn:
            assert conn.execute(IN_RECOVERY).scalar_one() is True
        assert env.read_engine.info["read_source"] == "profile live"
    finally:
        env.close()


def test_marked_commands_read_the_standby_and_sign_in_on_the_primary(gm, pair):
    with replay_paused(pair):
        sign_in(gm)  # the session exists on the primary only: the read commands' sign-in check must go there
        (new_id,), = on_primary(
            pair, "INSERT INTO service_requests (user_id, service_type, title, description, status, priority,"
            " urgency_level, created_at, updated_at) VALUES (%s, 'automotive', 'Solar inverter fault', 'Beeps at night',"
            " 'pending', 'normal', 1, now(), now()) RETURNING id", pair["customer"])
        replica = gm("-f", "json", "requests", "list")
        assert replica.exit_code == 0, replica.stderr
        assert "Solar inverter fault" not in {r["title"] for r in json.loads(replica.stdout)}
        primary = gm("--primary", "-f", "json", "requests", "list")
        assert primary.exit_code == 0, primary.stderr
        assert "Solar inverter fault" in {r["title"] for r in json.loads(primary.stdout)}

        assert gm("requests", "show", str(new_id)).exit_code == 3  # not on the standby yet
        assert gm("--primary", "-f", "json", "requests", "show", str(new_id)).exit_code == 0
        exported = gm("-f", "csv", "requests", "export")
        assert exported.exit_code == 0 and "Solar inverter fault" not in exported.stdout
        for args in (("users", "list"), ("roles", "list"), ("requests", "stats"), ("db", "stats", "tables")):
            result = gm(*args)
            assert result.exit_code == 0 and result.stderr.count("warning") == 0, (args, result.stderr)
    listed = gm("-f", "json", "requests", "list")
    assert "Solar inverter fault" in {r["title"] for r in json.loads(listed.stdout)}


def test_writes_go_to_the_primary(gm, pair):
    sign_in(gm)
    request_id = pair["ids"][0]
    moved = gm("requests", "status", str(request_id), "confirmed")
    assert moved.exit_code == 0, moved.stderr
    assert on_primary(pair, "SELECT status FROM service_requests WHERE id = %s", request_id) == [("confirmed",)]


def test_doctor_reports_the_lag_and_warns_past_the_threshold(gm, pair, home):
    checks = {c["check"]: c for c in json.loads(gm("-f", "json", "db", "doctor").stdout)}
    assert checks["replica lag"]["status"] == "ok", checks["replica lag"]
    assert "warns past 30 s" in checks["replica lag"]["detail"]

    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[replica]\nmax_lag = "1s"\n')
    with replay_paused(pair):
        on_primary(pair, "UPDATE service_requests SET urgency_level = 2 WHERE id = %s", pair["ids"][1])
        time.sleep(1.5)
        lagging = {c["check"]: c for c in json.loads(gm("-f", "json", "db", "doctor").stdout)}
    lag = lagging["replica lag"]
    assert lag["status"] == "warn" and "more than 1 s" in lag["detail"] and "--primary" in lag["hint"]

    not_standby = {c["check"]: c for c in json.loads(
        gm("-f", "json", "db", "doctor", GMCTL_READ_DATABASE_URL=pair["primary_url"]).stdout)}
    assert not_standby["replica"]["status"] == "warn" and "is not a standby" in not_standby["replica"]["detail"]


def test_a_stopped_standby_falls_back_to_the_primary_with_one_warning(gm, pair):
    """Last in the module: it stops the standby."""
    sign_in(gm)
    pair["standby"].stop()
    result = gm("-f", "json", "requests", "list")
    assert result.exit_code == 0, result.stderr
    assert {r["id"] for r in json.loads(result.stdout)} >= set(pair["ids"])
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("warning: the read replica at ") and line.endswith("reading from the primary")
    shown = gm("-f", "json", "requests", "show", str(pair["ids"][0]))
    assert shown.exit_code == 0 and shown.stderr.count("\n") == 1
    checks = {c["check"]: c for c in json.loads(gm("-f", "json", "db", "doctor").stdout)}
    assert checks["replica"]["status"] == "warn" and "unavailable" in checks["replica"]["detail"]
