"""The read replica: which URL reads go to, its engine, and how far behind the primary it is.

The read URL comes from --read-url, then GMCTL_READ_DATABASE_URL, then the `read_url` key of the
profile that supplies the database URL. Commands that only read mark themselves
(`command(app, "list", replica=True)` in gmctl/cli/base.py); Env then sends their queries to the
replica, keeps the sign-in check on the primary (it records last-seen, and a revoked session must end
at once, not a replication lag later), and falls back to the primary with one warning line when the
replica cannot be reached. `--primary` keeps every read on the primary (read-your-own-writes).

Kept free of SQLAlchemy at import: Env asks `read_target` on every marked command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from gmctl.db.url import normalise_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from gmctl.context import Env

READ_URL_VARIABLE = "GMCTL_READ_DATABASE_URL"
# A replica that cannot answer within this many seconds is treated as down (the primary waits 5).
READ_CONNECT_TIMEOUT = 2
# `db doctor` warns when the replica is further behind than this ([replica] max_lag in config.toml).
DEFAULT_MAX_LAG = "30s"


@dataclass(frozen=True)
class ReadTarget:
    url: str
    source: str  # --read-url, GMCTL_READ_DATABASE_URL or "profile NAME"


def active_profile_body(env: "Env") -> dict[str, Any]:
    """The whole table of the profile that supplies the database URL; {} when the URL comes from elsewhere."""
    target = env.target()
    if not target.source.startswith("profile "):
        return {}
    return env.config.profile_bodies.get(target.source.removeprefix("profile "), {})


def read_target(env: "Env") -> ReadTarget | None:
    """Where reads go, or None when no replica is configured."""
    if env.read_url:
        return ReadTarget(normalise_url(env.read_url), "--read-url")
    if env.environ.get(READ_URL_VARIABLE):
        return ReadTarget(normalise_url(env.environ[READ_URL_VARIABLE]), READ_URL_VARIABLE)
    if env.database_url or env.environ.get("GMCTL_DATABASE_URL") or env.environ.get("DATABASE_URL"):
        return None  # the profile is not in use: its read_url does not apply
    body = active_profile_body(env)
    if body.get("read_url"):
        return ReadTarget(normalise_url(str(body["read_url"])), env.target().source)
    return None


def make_read_engine(env: "Env", target: ReadTarget) -> "Engine":
    """The replica's engine: short connect timeout, named `gmctl read`, the profile's pooler if any."""
    from gmctl.db.engine import make_engine, profile_pooler

    pooler = profile_pooler(env) if target.source.startswith("profile ") else None
    engine = make_engine(target.url, pooler=pooler, connect_timeout=READ_CONNECT_TIMEOUT,
                         application_name="gmctl read")
    engine.info["read_source"] = target.source  # type: ignore[index]
    return engine


@dataclass(frozen=True)
class ReplicaState:
    in_recovery: bool
    lag_bytes: int | None  # WAL the primary wrote that the replica has not replayed; None if unknown
    lag: timedelta | None  # time since the last replayed transaction, 0 when it has replayed everything


def replica_state(replica: "Connection", primary: "Connection") -> ReplicaState:
    """How far the replica is behind: bytes of WAL not yet replayed, and replay delay.

    The delay is `now() - pg_last_xact_replay_timestamp()` on the replica, but 0 when it has replayed
    all the WAL the primary has written (an idle primary writes nothing, and the replica is not behind).
    """
    from sqlalchemy import text

    in_recovery, replayed, replay_at, delay = replica.execute(text(
        "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, pg_last_xact_replay_timestamp(),"
        " now() - pg_last_xact_replay_timestamp()"
    )).one()
    if not in_recovery:
        return ReplicaState(False, None, None)
    written = primary.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
    lag_bytes = None
    if replayed is not None:
        lag_bytes = max(0, int(primary.execute(
            text("SELECT pg_wal_lsn_diff(CAST(:w AS pg_lsn), CAST(:r AS pg_lsn))"), {"w": written, "r": replayed}
        ).scalar_one()))
    lag = timedelta(0) if lag_bytes == 0 else delay
    return ReplicaState(True, lag_bytes, lag)
