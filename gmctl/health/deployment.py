"""`db doctor` on how gmctl reaches the database: a pooler in the way, and the read replica's lag.

The pooler check says what gmctl was told (profile `pooler`, URL `gmctl_pooler`) or detected (the port
it connected to is not the port the server listens on: PgBouncer on 6432 in front of 5432; a pooler on
the same port number on another host is not detected, so declare it), and shows that lock_timeout and
TimeZone are in force inside a transaction, which is what a pooler that drops settings gets wrong.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection

from gmctl.health import FAIL, OK, WARN, Check, ServerInfo

if TYPE_CHECKING:
    from gmctl.context import Env

DECLARE_HINT = 'declare it: pooler = "transaction" in the profile, or ?gmctl_pooler=transaction in the URL'


def check_pooler(conn: Connection, info: ServerInfo) -> list[Check]:
    from gmctl.db.engine import LOCK_TIMEOUT_MS

    engine_info = conn.engine.info
    lock_timeout, zone, port = conn.execute(text(
        "SELECT current_setting('lock_timeout'), current_setting('TimeZone'), current_setting('port')"
    )).one()
    settings = f"lock_timeout {lock_timeout}, TimeZone {zone}"
    expected = lock_timeout == f"{LOCK_TIMEOUT_MS // 1000}s" and zone == "UTC"
    if engine_info.get("pooler") == "transaction":
        route = ("through a transaction pooler (as declared): settings per transaction, "
                 "no server-side prepared statements")
        status = OK
    elif engine_info.get("pooler"):
        route = f"pooler = {engine_info['pooler']} (as declared): settings per connection; detection off"
        status = OK
    elif engine_info.get("detected"):
        route = (f"a pooler or proxy is in the way ({engine_info['detected']}); gmctl treats it as a "
                 "transaction pooler")
        status = WARN
    else:
        route = f"direct to PostgreSQL on port {port}"
        status = OK
    if not expected:
        return [Check("pooler", FAIL, f"{route}; {settings} (expected 5s and UTC)", DECLARE_HINT)]
    return [Check("pooler", status, f"{route}; {settings}", DECLARE_HINT if status == WARN else None)]


CHECKS = (check_pooler,)


def replica_checks(env: "Env") -> list[Check]:
    """The read replica's state and lag, or nothing when none is configured."""
    from sqlalchemy.exc import DBAPIError

    from gmctl.db.replica import DEFAULT_MAX_LAG, make_read_engine, read_target, replica_state
    from gmctl.when import parse_duration

    target = read_target(env)
    if target is None:
        return []
    max_lag = parse_duration(str(env.config.section("replica").get("max_lag", DEFAULT_MAX_LAG)),
                             what="[replica] max_lag")
    engine = make_read_engine(env, target)
    shown = engine.info["display_url"]
    try:
        with engine.connect() as replica, env.get_engine().connect() as primary:
            state = replica_state(replica, primary)
    except DBAPIError as exc:
        detail = (str(getattr(exc, "orig", None) or exc).strip() or type(exc).__name__).splitlines()[0]
        return [Check("replica", WARN, f"{shown} ({target.source}) is unavailable: {detail}",
                      "reads fall back to the primary until it is back; check the standby is running")]
    finally:
        engine.dispose()
    if not state.in_recovery:
        return [Check("replica", WARN, f"{shown} ({target.source}) is not a standby (pg_is_in_recovery() is false)",
                      "point --read-url / GMCTL_READ_DATABASE_URL / read_url at a streaming replica")]
    behind = _describe(state.lag, state.lag_bytes)
    if state.lag is not None and state.lag > max_lag:
        return [Check("replica lag", WARN, f"{shown}: {behind}, more than {_seconds(max_lag)}",
                      "reads may miss recent changes (--primary reads the primary); check the standby's "
                      "replication (pg_stat_replication on the primary)")]
    return [Check("replica lag", OK, f"{shown} ({target.source}): {behind} (warns past {_seconds(max_lag)})")]


def _describe(lag: timedelta | None, lag_bytes: int | None) -> str:
    wal = "unknown WAL" if lag_bytes is None else f"{lag_bytes:,} bytes of WAL"
    if lag is None:
        return f"{wal} behind, no transaction replayed yet"
    return f"{lag.total_seconds():.1f} s and {wal} behind"


def _seconds(span: timedelta) -> str:
    return f"{span.total_seconds():g} s"
