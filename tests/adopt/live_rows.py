"""Rows in every table of a live database built from the document, whatever blocks it ran.

The document's own rows (tests.backup.sample_data.SEED_ROWS), the archived request where the
archive exists, a vehicle service where the team made vehicle_services, and the card that has
expired since it was stored. Then, per table, what adoption must keep: the row count and an md5 of
the rows over the columns the table had before.
"""

from __future__ import annotations

import psycopg

from gmctl.db.url import libpq_url
from tests.backup.sample_data import (
    EXPIRED_CARD,
    RESET_SEQUENCES,
    SEED_ARCHIVE_ROW,
    SEED_CARD_CHECK,
    SEED_ROWS,
)

VEHICLE_SERVICE_ROW = (
    "INSERT INTO vehicle_services (id, vehicle_id, service_request_id, service_type, cost, service_date,"
    " parts_cost, labor_cost) VALUES (1, 1, 1, 'brake_service', 25000.00, '2026-11-20', 15000.00, 10000.00),"
    " (2, 1, NULL, 'inspection', NULL, '2026-11-21', 0, 5000.00)"
)


def load_live_rows(url: str) -> None:
    with psycopg.connect(libpq_url(url)) as conn:
        exists = lambda table: conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0]  # noqa: E731
        conn.execute(SEED_ROWS)
        if exists("service_requests_archive"):
            conn.execute(SEED_ARCHIVE_ROW)
        if exists("vehicle_services"):
            conn.execute(VEHICLE_SERVICE_ROW)
        # Stored while it was valid: the document's CHECK compares with today.
        conn.execute("ALTER TABLE payment_methods DROP CONSTRAINT chk_card_exp")
        conn.execute(EXPIRED_CARD)
        conn.execute(f"ALTER TABLE payment_methods ADD CONSTRAINT chk_card_exp {SEED_CARD_CHECK} NOT VALID")
        conn.execute("UPDATE pg_constraint SET convalidated = TRUE WHERE conname = 'chk_card_exp'")
        conn.execute(RESET_SEQUENCES)


def query(url: str, statement: str) -> list[tuple]:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute(statement).fetchall()


def column_lists(url: str) -> dict[str, list[str]]:
    """Per table of the public schema, its columns in order."""
    lists: dict[str, list[str]] = {}
    for table, column in query(
        url,
        "SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
        " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum",
    ):
        lists.setdefault(table, []).append(column)
    return lists


def contents(url: str, columns: dict[str, list[str]]) -> dict[str, tuple[int, str]]:
    """Per table: (rows, md5 of the rows as text over `columns`, in a fixed order)."""
    result = {}
    for table, names in columns.items():
        row = ", ".join(f'"{n}"' for n in names)
        [(count, digest)] = query(
            url,
            f"SELECT count(*), md5(coalesce(string_agg(r, E'\\n' ORDER BY r), ''))"
            f' FROM (SELECT ROW({row})::text AS r FROM "{table}") AS t',
        )
        result[table] = (count, digest)
    return result


def row_texts(url: str, table: str, names: list[str]) -> set[str]:
    row = ", ".join(f'"{n}"' for n in names)
    return {r[0] for r in query(url, f'SELECT ROW({row})::text FROM "{table}"')}
