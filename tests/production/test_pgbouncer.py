"""gmctl through Debian's pgbouncer in pool_mode = transaction, with its default startup-parameter rules.

Issue 14, part 2: gmctl used to send lock_timeout and timezone as startup `options`, which pgbouncer
refuses. Now a working day runs through it: sign-in, a requests list, a search, an export, a status
change, a retention dry run and a backup; SQL time is UTC and lock_timeout is in force inside every
transaction, even on server connections another client left with other settings.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gmctl.context import Env
from gmctl.db.engine import make_engine
from gmctl.db.url import libpq_url
from tests.conftest import FIXED_NOW, invoke
from tests.helpers.accounts import make_user
from tests.production.servers import PGBOUNCER, database_of, server_address, start_pgbouncer
from tests.requests.conftest import add_request

pytestmark = pytest.mark.skipif(not Path(PGBOUNCER).exists(), reason="pgbouncer is not installed (.ci/run installs it)")

PASSWORD = "Through-The-Pooler-14"


@pytest.fixture(scope="module")
def pooled(pg_server, template_db):
    """A committed clone with a signed-up staff member and three requests, and a pgbouncer in front of it."""
    name = pg_server.clone(template_db)
    direct = pg_server.url_for(name)
    engine = make_engine(direct)
    with Session(engine) as session:
        boss = make_user(session, "tunde", staff=True, roles=("admin",), password=PASSWORD)
        customer = make_user(session, "amaka")
        ids = [add_request(session, customer.id, title=title, status="pending",
                           created_at=FIXED_NOW - timedelta(hours=hours)).id
               for title, hours in (("Gearbox grinding on the Camry", 5), ("Generator service", 3),
                                    ("Borehole pump replacement", 1))]
        session.commit()
        boss_id = boss.id
    engine.dispose()
    # Not under pytest's private temporary directory: pgbouncer runs as the server's user.
    directory = Path(tempfile.mkdtemp(prefix="gmctl-pgbouncer-"))
    bouncer = start_pgbouncer(directory, pg_server.admin_url)
    try:
        yield {"direct": direct, "bouncer": bouncer, "database": database_of(direct), "ids": ids,
               "boss": boss_id, "user": server_address(pg_server.admin_url)["user"]}
    finally:
        bouncer.stop()
        shutil.rmtree(directory, ignore_errors=True)
        pg_server.drop(name)


def pooled_url(pooled, **query: str) -> str:
    return pooled["bouncer"].url(pooled["database"], pooled["user"], **query)


@pytest.fixture
def gm(pooled, tmp_path):
    """gmctl with GMCTL_DATABASE_URL on pgbouncer (declared), one GMCTL_HOME for the whole test."""
    home = tmp_path / "home"

    def run(*args: str, input: str | None = None, url: str | None = None):
        env = Env(environ={"GMCTL_HOME": str(home), "NO_COLOR": "1",
                           "GMCTL_DATABASE_URL": url or pooled_url(pooled, gmctl_pooler="transaction")},
                  home=home, clock=lambda: FIXED_NOW)
        return invoke(env, *args, input=input)

    return run


def test_startup_options_are_what_pgbouncer_refuses(pooled):
    """The fault gmctl had: a startup `options` is refused by pgbouncer's default rules."""
    with pytest.raises(psycopg.OperationalError, match="unsupported startup parameter: options"):
        psycopg.connect(libpq_url(pooled_url(pooled)), options="-c lock_timeout=5000").close()


def test_a_working_day_through_pgbouncer(gm, pooled, tmp_path):
    log_before = len(pooled["bouncer"].log())
    login = gm("login", "--username", "tunde", "--password-stdin", input=PASSWORD + "\n")
    assert login.exit_code == 0, login.stderr

    listed = gm("-f", "json", "requests", "list")
    assert listed.exit_code == 0, listed.stderr
    titles = [row["title"] for row in json.loads(listed.stdout)]
    assert sorted(titles) == ["Borehole pump replacement", "Gearbox grinding on the Camry", "Generator service"]

    found = gm("-f", "json", "requests", "search", "gearbox")
    assert found.exit_code == 0, found.stderr
    assert [hit["id"] for hit in json.loads(found.stdout)] == [pooled["ids"][0]]

    exported = gm("-f", "csv", "requests", "export")
    assert exported.exit_code == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert sorted(int(r["id"]) for r in rows) == sorted(pooled["ids"])

    moved = gm("requests", "status", str(pooled["ids"][1]), "confirmed")
    assert moved.exit_code == 0, moved.stderr
    with psycopg.connect(libpq_url(pooled["direct"])) as conn:
        status = conn.execute("SELECT status FROM service_requests WHERE id = %s", (pooled["ids"][1],)).fetchone()
        last_seen = conn.execute("SELECT max(last_seen_at) FROM operator_sessions WHERE user_id = %s",
                                 (pooled["boss"],)).fetchone()
    assert status == ("confirmed",)
    assert last_seen[0] is not None  # the sign-in check recorded the session through the pooler

    dry = gm("-f", "json", "db", "retention", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert json.loads(dry.stdout)["dry_run"] is True

    backup = gm("-f", "json", "db", "backup", "--dir", str(tmp_path / "backups"))
    assert backup.exit_code == 0, backup.stderr
    (made,) = json.loads(backup.stdout)
    assert made["kind"] == "full" and Path(made["file"]).stat().st_size > 0
    assert "unsupported startup parameter" not in pooled["bouncer"].log()[log_before:]


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "detected"])
def test_sql_time_is_utc_and_lock_timeout_in_force_in_every_transaction(pooled, declared):
    """Another client leaves its server connections at lock_timeout 0 and Lagos time: gmctl's
    transactions through the same pool still run at 5 s and UTC, and prepare nothing on the server."""
    url = pooled_url(pooled, **({"gmctl_pooler": "transaction"} if declared else {}))
    with psycopg.connect(libpq_url(pooled_url(pooled)), autocommit=True, prepare_threshold=None) as other:
        for _ in range(8):
            other.execute("SET lock_timeout = 0")
            other.execute("SET TimeZone = 'Africa/Lagos'")
    engine = make_engine(url)
    try:
        for _ in range(12):
            with engine.connect() as conn:
                stamp, lock_timeout = conn.execute(text(
                    "SELECT to_char(now(), 'YYYY-MM-DD HH24:MI:SS TZH'), current_setting('lock_timeout')"
                )).one()
                assert stamp.endswith("+00") and lock_timeout == "5s"
                assert conn.connection.dbapi_connection.prepare_threshold is None
                conn.commit()
    finally:
        engine.dispose()
    assert engine.info["pooler"] == ("transaction" if declared else None)
    assert bool(engine.info["detected"]) is not declared


def test_prepared_statements_are_off_behind_the_pooler(pooled):
    """What psycopg does by default breaks under transaction pooling; gmctl's engine does not do it."""
    plain = libpq_url(pooled_url(pooled))
    with pytest.raises(psycopg.errors.DuplicatePreparedStatement):
        for _ in range(3):  # the second client gets the first one's server connection, _pg3_0 and all
            with psycopg.connect(plain, autocommit=True) as client:
                for n in range(6):
                    client.execute("SELECT %s::int + 1", (n,))
    for _ in range(3):
        engine = make_engine(pooled_url(pooled, gmctl_pooler="transaction"))
        try:
            with engine.connect() as conn:
                for n in range(12):
                    assert conn.execute(text("SELECT CAST(:n AS int) + 1"), {"n": n}).scalar_one() == n + 1
                    conn.commit()
        finally:
            engine.dispose()


def test_one_run_at_a_time_holds_through_the_pooler(pooled):
    """The cron lock: behind a transaction pooler a second run is busy (exit 75) while the first holds it,
    and the lock is gone when the first ends, whichever server connection the next run gets."""
    from gmctl.errors import Busy
    from gmctl.retention.lock import exclusive_run, is_running

    engine = make_engine(pooled_url(pooled, gmctl_pooler="transaction"))
    direct = make_engine(pooled["direct"])
    try:
        with exclusive_run(engine, "retention", leftover_wait=0):
            assert is_running(direct, "retention")
            with pytest.raises(Busy) as busy:
                with exclusive_run(engine, "retention", leftover_wait=0):
                    pass
            assert busy.value.exit_code == 75
        assert not is_running(direct, "retention")
        for _ in range(3):
            with exclusive_run(engine, "retention", leftover_wait=0):
                pass
    finally:
        engine.dispose()
        direct.dispose()


def test_a_profile_declares_the_pooler_and_doctor_says_so(pooled, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'active_profile = "live"\n[profiles.live]\ndatabase_url = "{pooled_url(pooled)}"\npooler = "transaction"\n'
    )
    env = Env(environ={"GMCTL_HOME": str(home), "NO_COLOR": "1"}, home=home, clock=lambda: FIXED_NOW)
    result = invoke(env, "-f", "json", "db", "doctor")
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks["pooler"]["status"] == "ok", checks["pooler"]
    assert "transaction pooler (as declared)" in checks["pooler"]["detail"]
    assert "lock_timeout 5s, TimeZone UTC" in checks["pooler"]["detail"]


def test_doctor_warns_of_a_pooler_nobody_declared(gm, pooled):
    result = gm("-f", "json", "db", "doctor", url=pooled_url(pooled))
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    pooler = checks["pooler"]
    assert pooler["status"] == "warn" and "a pooler or proxy is in the way" in pooler["detail"]
    assert f"connected to port {pooled['bouncer'].port}" in pooler["detail"]
    assert "gmctl_pooler=transaction" in pooler["hint"]


def test_doctor_says_direct_when_there_is_no_pooler(gm, pooled):
    result = gm("-f", "json", "db", "doctor", url=pooled["direct"])
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks["pooler"]["status"] == "ok" and checks["pooler"]["detail"].startswith("direct to PostgreSQL")


def test_an_unknown_pooler_mode_is_exit_2(gm, pooled):
    result = gm("requests", "list", url=pooled_url(pooled, gmctl_pooler="statement-ish"))
    assert result.exit_code == 2
    assert "gmctl_pooler is 'statement-ish'" in result.stderr and "transaction" in result.stderr
    assert "Traceback" not in result.stderr


def test_pgbouncer_binary_is_debians():
    assert shutil.which("pgbouncer") or Path(PGBOUNCER).exists()


def test_pooler_none_turns_the_detection_off(gm, pooled):
    """For a port-forward that is not a pooler: direct behaviour, no warning."""
    result = gm("-f", "json", "db", "doctor", url=pooled_url(pooled, gmctl_pooler="none"))
    pooler = {c["check"]: c for c in json.loads(result.stdout)}["pooler"]
    assert pooler["status"] == "ok" and pooler["detail"].startswith("pooler = none (as declared)")
