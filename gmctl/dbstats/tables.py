"""Tables: sizes (heap, indexes, TOAST), row estimates, and their vacuum and analyze state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from gmctl.dbstats import SYSTEM_SCHEMAS, server_major


@dataclass(frozen=True)
class TableSize:
    schema: str
    table: str
    total_bytes: int
    table_bytes: int
    index_bytes: int
    toast_bytes: int
    rows_estimate: int | None  # None: never analyzed or vacuumed


TABLE_SIZES = f"""
SELECT n.nspname AS schema, c.relname AS table,
       pg_total_relation_size(c.oid) AS total_bytes,
       pg_table_size(c.oid) - COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0) AS table_bytes,
       pg_indexes_size(c.oid) AS index_bytes,
       COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0) AS toast_bytes,
       CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END AS rows_estimate
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN {SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg_toast%'
  AND (CAST(:table AS text) IS NULL OR c.relname = :table)
ORDER BY total_bytes DESC, c.relname
"""


def table_sizes(conn: Connection, table: str | None = None) -> list[TableSize]:
    return [TableSize(**row) for row in conn.execute(text(TABLE_SIZES), {"table": table}).mappings()]


@dataclass(frozen=True)
class VacuumState:
    schema: str
    table: str
    live_rows: int
    dead_rows: int
    dead_percent: float
    modified_since_analyze: int
    last_vacuum: datetime | None  # manual or automatic, whichever is later
    last_analyze: datetime | None
    vacuum_count: int
    autovacuum_count: int
    vacuum_seconds: float | None  # total time vacuuming, PostgreSQL 18+


def vacuum_states(conn: Connection, table: str | None = None) -> list[VacuumState]:
    times = ("(total_vacuum_time + total_autovacuum_time) / 1000.0" if server_major(conn) >= 18
             else "CAST(NULL AS float8)")
    sql = f"""
    SELECT schemaname AS schema, relname AS table, n_live_tup AS live_rows, n_dead_tup AS dead_rows,
           round(CAST(100.0 * n_dead_tup / GREATEST(n_live_tup + n_dead_tup, 1) AS numeric), 1)::float8
               AS dead_percent,
           n_mod_since_analyze AS modified_since_analyze,
           GREATEST(last_vacuum, last_autovacuum) AS last_vacuum,
           GREATEST(last_analyze, last_autoanalyze) AS last_analyze,
           vacuum_count, autovacuum_count, {times} AS vacuum_seconds
    FROM pg_stat_user_tables
    WHERE CAST(:table AS text) IS NULL OR relname = :table
    ORDER BY n_dead_tup DESC, relname
    """
    return [VacuumState(**row) for row in conn.execute(text(sql), {"table": table}).mappings()]


def table_exists(conn: Connection, table: str) -> bool:
    return bool(conn.execute(text(
        f"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        f" WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN {SYSTEM_SCHEMAS} AND c.relname = :t"
    ), {"t": table}).scalar_one())
