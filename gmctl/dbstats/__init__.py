"""PgHero in a terminal: what the statistics views say about sizes, indexes, vacuum, bloat and queries.

Every function takes a Connection and returns typed rows; nothing prints. Version differences
(PostgreSQL 14 to 18) are handled where they arise: pg_stat_statements' column names,
pg_stat_checkpointer (17+) versus pg_stat_bgwriter, last_idx_scan (16+), vacuum times (18+).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema')"


def server_major(conn: Connection) -> int:
    return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def has_extension(conn: Connection, name: str) -> bool:
    found = conn.execute(text("SELECT count(*) FROM pg_extension WHERE extname = :n"), {"n": name})
    return bool(found.scalar_one())
