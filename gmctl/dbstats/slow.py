"""Slow queries from pg_stat_statements, and checkpoint pressure, on PostgreSQL 14 to 18."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from gmctl.dbstats import has_extension, server_major

ENABLE_HINT = (
    "pg_stat_statements is not available in this database. To enable it: add pg_stat_statements to "
    "shared_preload_libraries in postgresql.conf, restart PostgreSQL, then run "
    "`CREATE EXTENSION pg_stat_statements;` in this database (as a superuser). "
    "The embedded server has no contrib extensions: use a full PostgreSQL (e.g. Debian's postgresql-contrib) "
    "for query statistics."
)


@dataclass(frozen=True)
class SlowQuery:
    query: str
    calls: int
    total_ms: float
    mean_ms: float
    stddev_ms: float
    rows: int
    cache_hit_percent: float | None
    io_read_ms: float  # time reading blocks (needs track_io_timing)


@dataclass(frozen=True)
class Checkpoints:
    source: str  # pg_stat_checkpointer (17+) or pg_stat_bgwriter
    timed: int
    requested: int
    write_ms: float
    sync_ms: float
    buffers_written: int


@dataclass
class SlowReport:
    available: bool
    note: str | None
    queries: list[SlowQuery] = field(default_factory=list)
    checkpoints: Checkpoints | None = None


def _statements_sql(major: int) -> str:
    # 13 renamed total_time -> total_exec_time (the seed's query fails on 14+); 17 renamed
    # blk_read_time -> shared_blk_read_time when local and temp block timings were added.
    read_time = "shared_blk_read_time" if major >= 17 else "blk_read_time"
    return f"""
    SELECT query, calls, total_exec_time AS total_ms, mean_exec_time AS mean_ms,
           stddev_exec_time AS stddev_ms, rows,
           CASE WHEN shared_blks_hit + shared_blks_read = 0 THEN NULL
                ELSE round(CAST(100.0 * shared_blks_hit / (shared_blks_hit + shared_blks_read) AS numeric),
                           1)::float8
           END AS cache_hit_percent,
           {read_time} AS io_read_ms
    FROM pg_stat_statements
    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
    ORDER BY mean_exec_time DESC
    LIMIT :limit
    """


def checkpoints(conn: Connection) -> Checkpoints:
    if server_major(conn) >= 17:
        sql = ("SELECT 'pg_stat_checkpointer' AS source, num_timed AS timed, num_requested AS requested,"
               " write_time AS write_ms, sync_time AS sync_ms, buffers_written FROM pg_stat_checkpointer")
    else:
        sql = ("SELECT 'pg_stat_bgwriter' AS source, checkpoints_timed AS timed,"
               " checkpoints_req AS requested, checkpoint_write_time AS write_ms,"
               " checkpoint_sync_time AS sync_ms, buffers_checkpoint AS buffers_written"
               " FROM pg_stat_bgwriter")
    return Checkpoints(**conn.execute(text(sql)).mappings().one())


def slow_queries(conn: Connection, limit: int = 10) -> SlowReport:
    """The slowest statements by mean time, or a note saying how to enable pg_stat_statements."""
    report = SlowReport(available=False, note=None, checkpoints=checkpoints(conn))
    if not has_extension(conn, "pg_stat_statements"):
        report.note = ENABLE_HINT
        return report
    try:
        with conn.begin_nested():
            rows = conn.execute(text(_statements_sql(server_major(conn))), {"limit": limit}).mappings().all()
    except DBAPIError as exc:  # installed in the database but not preloaded by the server
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        report.note = f"pg_stat_statements is installed but cannot be read ({first}). " + ENABLE_HINT
        return report
    report.available = True
    report.queries = [SlowQuery(**{**row, "query": " ".join(str(row["query"]).split())}) for row in rows]
    return report
