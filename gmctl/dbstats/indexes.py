"""Indexes: how much each is used, which were never scanned, and which another index covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from gmctl.dbstats import server_major


@dataclass(frozen=True)
class IndexUsage:
    schema: str
    table: str
    index: str
    scans: int
    tuples_read: int
    tuples_fetched: int
    size_bytes: int
    last_scan: datetime | None  # PostgreSQL 16+; None before
    unique: bool
    valid: bool


def _usage_sql(conn: Connection) -> str:
    last_scan = "s.last_idx_scan" if server_major(conn) >= 16 else "CAST(NULL AS timestamptz)"
    return f"""
    SELECT s.schemaname AS schema, s.relname AS table, s.indexrelname AS index, s.idx_scan AS scans,
           s.idx_tup_read AS tuples_read, s.idx_tup_fetch AS tuples_fetched,
           pg_relation_size(s.indexrelid) AS size_bytes, {last_scan} AS last_scan,
           i.indisunique AS unique, i.indisvalid AS valid
    FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
    WHERE CAST(:table AS text) IS NULL OR s.relname = :table
    """


def index_usage(conn: Connection, table: str | None = None) -> list[IndexUsage]:
    sql = _usage_sql(conn) + " ORDER BY s.idx_scan DESC, s.indexrelname"
    return [IndexUsage(**row) for row in conn.execute(text(sql), {"table": table}).mappings()]


def unused_indexes(conn: Connection, table: str | None = None) -> list[IndexUsage]:
    """Never scanned since statistics were reset, and not enforcing a unique rule or a key."""
    never = ("WHERE s.idx_scan = 0 AND NOT i.indisunique"
             " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = s.indexrelid) AND (")
    sql = _usage_sql(conn).replace("WHERE ", never, 1)
    sql += ") ORDER BY pg_relation_size(s.indexrelid) DESC, s.indexrelname"
    return [IndexUsage(**row) for row in conn.execute(text(sql), {"table": table}).mappings()]


def stats_since(conn: Connection) -> datetime | None:
    """When this database's statistics were last reset: "never scanned" means "since then"."""
    sql = "SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()"
    return conn.execute(text(sql)).scalar()


@dataclass(frozen=True)
class DuplicateIndex:
    schema: str
    table: str
    index: str
    covered_by: str
    index_columns: str
    covering_columns: str
    size_bytes: int


# Index A is covered by index B on the same table when both use the same access method, predicate and
# expressions, A's key columns are a leading prefix of B's, and dropping A loses no rule: A is not
# unique, or B is unique on exactly the same columns. A constraint's own index is never proposed.
DUPLICATES = """
WITH idx AS (
    SELECT i.indexrelid, i.indrelid, i.indisunique, i.indkey::int2[] AS keys, i.indnkeyatts AS nkeys,
           c.relam, pg_get_expr(i.indpred, i.indrelid) AS pred, pg_get_expr(i.indexprs, i.indrelid) AS exprs,
           i.indclass::oid[] AS opclasses
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%'
)
SELECT n.nspname AS schema, t.relname AS table, ca.relname AS index, cb.relname AS covered_by,
       pg_get_indexdef(a.indexrelid) AS index_columns, pg_get_indexdef(b.indexrelid) AS covering_columns,
       pg_relation_size(a.indexrelid) AS size_bytes
FROM idx a
JOIN idx b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid AND b.relam = a.relam
JOIN pg_class ca ON ca.oid = a.indexrelid
JOIN pg_class cb ON cb.oid = b.indexrelid
JOIN pg_class t ON t.oid = a.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE a.nkeys <= b.nkeys
  AND a.keys[0:a.nkeys - 1] = b.keys[0:a.nkeys - 1]
  AND a.opclasses[0:a.nkeys - 1] = b.opclasses[0:a.nkeys - 1]
  AND a.pred IS NOT DISTINCT FROM b.pred AND a.exprs IS NOT DISTINCT FROM b.exprs
  AND (NOT a.indisunique OR (b.indisunique AND a.nkeys = b.nkeys))
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = a.indexrelid)
  -- Two identical indexes cover each other: propose only one of them.
  AND NOT (a.nkeys = b.nkeys AND a.indisunique = b.indisunique
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = b.indexrelid)
           AND a.indexrelid < b.indexrelid)
  AND (CAST(:table AS text) IS NULL OR t.relname = :table)
ORDER BY t.relname, ca.relname, cb.relname
"""


def duplicate_indexes(conn: Connection, table: str | None = None) -> list[DuplicateIndex]:
    rows = conn.execute(text(DUPLICATES), {"table": table}).mappings()
    return [DuplicateIndex(**{**row, "index_columns": _columns(row["index_columns"]),
                              "covering_columns": _columns(row["covering_columns"])}) for row in rows]


def _columns(definition: str) -> str:
    """`CREATE INDEX x ON t USING btree (a, b) WHERE p` -> `(a, b) WHERE p`."""
    start = definition.find(" USING ")
    return definition[definition.find("(", start):] if start >= 0 else definition
