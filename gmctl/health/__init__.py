"""`gmctl db doctor`: the checks an operator or a monitor runs against the database.

Each check reports ok, warn or fail with a detail and, when something is wrong, a hint. A check whose
query the server refuses (a missing privilege, a view absent in this version) reports warn with the
reason instead of stopping the others: each runs in its own savepoint.

Version-aware for PostgreSQL 14 to 18: archive_library exists from 15, the base-backup functions
are pg_backup_start/stop from 15 (pg_start_backup/stop on 14, seed-notes 7), and nothing here reads
a column that one of those versions lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from gmctl.context import Env

OK, WARN, FAIL = "ok", "warn", "fail"
SEVERITY = {OK: 0, WARN: 1, FAIL: 2}


@dataclass(frozen=True)
class Check:
    check: str
    status: str
    detail: str
    hint: str | None = None


@dataclass(frozen=True)
class ServerInfo:
    version: str
    version_num: int

    @property
    def major(self) -> int:
        return self.version_num // 10000


CheckFunction = Callable[[Connection, ServerInfo], list[Check]]


def server_info(conn: Connection) -> ServerInfo:
    version, number = conn.execute(
        text("SELECT current_setting('server_version'), current_setting('server_version_num')::int")
    ).one()
    return ServerInfo(str(version).split()[0], int(number))


def run_checks(engine: Engine, env: "Env | None" = None) -> list[Check]:
    """Every check; with `env`, also the checks of services beside the database (clamd)."""
    from gmctl.health.clamd_check import check_clamd

    return _database_checks(engine) + (check_clamd(env) if env is not None else [])


def _database_checks(engine: Engine) -> list[Check]:
    from gmctl.health import deployment, server_checks, table_checks

    try:
        conn = engine.connect()
    except DBAPIError as exc:
        return [
            Check("connection", FAIL, _first_line(exc), "check the server is running and the database URL")
        ]
    with conn:
        info = server_info(conn)
        results = [
            Check(
                "connection", OK, f"connected to {conn.execute(text('SELECT current_database()')).scalar()}"
            )
        ]
        for function in (*server_checks.CHECKS, *deployment.CHECKS, *table_checks.CHECKS):
            results += _run_one(conn, info, function)
        conn.rollback()
    return results


def _run_one(conn: Connection, info: ServerInfo, function: CheckFunction) -> list[Check]:
    name = function.__name__.removeprefix("check_").replace("_", " ")
    savepoint = conn.begin_nested()
    try:
        results = function(conn, info)
    except DBAPIError as exc:
        savepoint.rollback()
        return [
            Check(name, WARN, f"could not check: {_first_line(exc)}", "run doctor as a role that may read it")
        ]
    savepoint.rollback()  # the checks only read; leave nothing behind
    return results


def worst(checks: list[Check]) -> str:
    return max((c.status for c in checks), key=SEVERITY.__getitem__, default=OK)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip() or type(orig).__name__).splitlines()[0]
