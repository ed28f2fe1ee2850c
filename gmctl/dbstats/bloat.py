"""Bloat, estimated from the planner's statistics (no extension needed, nothing is read from disk).

The estimate compares the pages a relation has with the pages its rows would need, from
pg_stats' average column widths: for a table, tuple header + data + line pointer per row at the
table's fillfactor; for a btree index, index tuple header + key + line pointer per entry at the
index's fillfactor (90 by default). It is a rough guide, like PgHero's: exact figures need the
pgstattuple extension, which gmctl does not require. Relations never analyzed are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from gmctl.dbstats import SYSTEM_SCHEMAS

# "Clearly bloated": at least half the index is waste, and the waste is worth a rebuild.
CLEAR_BLOAT_RATIO = 0.5
CLEAR_BLOAT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Bloat:
    schema: str
    kind: str  # table or index
    table: str
    name: str
    size_bytes: int
    wasted_bytes: int
    wasted_percent: float
    valid: bool = True

    @property
    def clearly_bloated(self) -> bool:
        return self.wasted_bytes >= CLEAR_BLOAT_BYTES and self.wasted_percent >= CLEAR_BLOAT_RATIO * 100


TABLE_BLOAT = f"""
WITH widths AS (
    SELECT s.schemaname, s.tablename, sum((1 - s.null_frac) * s.avg_width) AS data_width,
           max(s.null_frac) > 0 AS has_nulls, count(*) AS columns
    FROM pg_stats s WHERE s.schemaname NOT IN {SYSTEM_SCHEMAS}
    GROUP BY s.schemaname, s.tablename
), sized AS (
    SELECT n.nspname AS schema, c.relname AS table, c.relpages, c.reltuples,
           current_setting('block_size')::int AS bs,
           COALESCE((SELECT substring(o FROM 'fillfactor=([0-9]+)')::int FROM unnest(c.reloptions) o
                     WHERE o LIKE 'fillfactor=%'), 100) AS fillfactor,
           -- header (23 bytes + null bitmap, aligned to 8) + data (aligned to 8) + line pointer (4)
           (ceil((23 + CASE WHEN w.has_nulls THEN ceil(w.columns / 8.0) ELSE 0 END) / 8.0) * 8
            + ceil(w.data_width / 8.0) * 8 + 4) AS tuple_bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN widths w ON w.schemaname = n.nspname AND w.tablename = c.relname
    WHERE c.relkind = 'r' AND c.reltuples >= 0 AND c.relpages > 0
)
SELECT schema, 'table' AS kind, "table", "table" AS name, relpages::bigint * bs AS size_bytes,
       GREATEST(relpages - ceil(reltuples / GREATEST(floor((bs - 24) * fillfactor / 100.0 / tuple_bytes), 1)),
                0)::bigint * bs AS wasted_bytes
FROM sized
"""

INDEX_BLOAT = f"""
WITH cols AS (
    SELECT i.indexrelid, i.indrelid, k.attnum, k.ord
    FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    WHERE k.ord <= i.indnkeyatts
), widths AS (
    SELECT cols.indexrelid,
           sum(COALESCE(s.avg_width, 8) * (1 - COALESCE(s.null_frac, 0))) AS key_width
    FROM cols JOIN pg_class t ON t.oid = cols.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = cols.indrelid AND a.attnum = cols.attnum AND cols.attnum > 0
    LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = t.relname AND s.attname = a.attname
    GROUP BY cols.indexrelid
), sized AS (
    SELECT n.nspname AS schema, t.relname AS table, c.relname AS name, c.relpages, c.reltuples, i.indisvalid,
           current_setting('block_size')::int AS bs,
           COALESCE((SELECT substring(o FROM 'fillfactor=([0-9]+)')::int FROM unnest(c.reloptions) o
                     WHERE o LIKE 'fillfactor=%'), 90) AS fillfactor,
           -- index tuple header (8) + key (aligned to 8) + line pointer (4)
           8 + ceil(w.key_width / 8.0) * 8 + 4 AS tuple_bytes
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam
    JOIN widths w ON w.indexrelid = i.indexrelid
    WHERE am.amname = 'btree' AND n.nspname NOT IN {SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg_toast%'
      AND c.reltuples >= 0 AND c.relpages > 1
)
SELECT schema, 'index' AS kind, "table", name, relpages::bigint * bs AS size_bytes,
       -- one meta page, and btree pages keep 24 bytes of header and 16 of special space
       GREATEST(relpages - 1 - ceil(reltuples * tuple_bytes / ((bs - 40) * fillfactor / 100.0)), 0)::bigint
           * bs AS wasted_bytes, indisvalid AS valid
FROM sized
"""


def estimate_bloat(conn: Connection, table: str | None = None, *, kind: str | None = None) -> list[Bloat]:
    """Tables and btree indexes, most waste first."""
    found: list[Bloat] = []
    for query, what in ((TABLE_BLOAT, "table"), (INDEX_BLOAT, "index")):
        if kind not in (None, what):
            continue
        for row in conn.execute(text(query)).mappings():
            if table is not None and row["table"] != table:
                continue
            size = int(row["size_bytes"])
            wasted = int(row["wasted_bytes"])
            percent = round(100.0 * wasted / size, 1) if size else 0.0
            found.append(Bloat(row["schema"], what, row["table"], row["name"], size, wasted, percent,
                               bool(row.get("valid", True))))
    return sorted(found, key=lambda b: (-b.wasted_bytes, b.name))
