"""The models cover the schema document: every table, column, named CHECK and index it defines.

Static: no database. Whatever the fix revisions removed on purpose is listed here with its
seed-notes point, so that dropping something by accident still fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from gmctl.db import ddl
from gmctl.db.models import Base

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [
    os.environ.get("GMCTL_SEED_DOC", ""),
    *sorted(str(p) for p in (ROOT / "docs" / "seed").glob("*.txt")),
    "/work/shared/seed/000_7f5a9904fd021492.txt",
]

# Named in the document, removed by a fix revision.
DROPPED_INDEXES = {
    "idx_users_username": "fix12 (point 12)",
    "idx_users_email": "fix12 (point 12)",
    "idx_vehicles_vin": "fix12 (point 12)",
    "idx_user_profiles_user_id": "fix12 (point 12)",
    "idx_payment_methods_default": "fix04 (point 4): uq_payment_methods_default serves it",
}
DROPPED_CONSTRAINTS = {
    "uq_users_username": "fix03 (point 3)",
    "uq_users_email": "fix03 (point 3)",
    "uq_role_permissions": "fix03 (point 3)",
    "uq_user_roles": "fix03 (point 3)",
    "fk_user_profiles_user": "fix03 (point 3)",
    "fk_user_roles_user": "fix03 (point 3)",
    "fk_service_requests_user": "fix03 (point 3)",
    "fk_status_history_service": "fix03 (point 3)",
    "fk_payments_service": "fix03 (point 3): now payments_service_request_id_fkey, SET NULL",
    "fk_file_uploads_service": "fix03 (point 3): now file_uploads_service_request_id_fkey, SET NULL",
    "chk_users_email_format": "fix03 (point 3)",
    "chk_users_phone_format": "fix03 (point 3)",
    "chk_hotel_dates": "fix03 (point 3)",
    "chk_payments_amount_positive": "fix03 (point 3)",
    "chk_loan_amounts": "fix03 (point 3)",
}
CONSTRAINT_WORDS = {"CONSTRAINT", "UNIQUE", "PRIMARY", "CHECK", "FOREIGN"}


@pytest.fixture(scope="module")
def document() -> str:
    for candidate in CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    pytest.skip("the schema document is not available (set GMCTL_SEED_DOC)")


def sql_of(document: str) -> str:
    return "\n".join(re.findall(r"```sql\n(.*?)```", document, flags=re.DOTALL))


def created_tables(sql: str) -> dict[str, set[str]]:
    """Table -> columns, from every CREATE TABLE and ADD COLUMN of the document."""
    tables: dict[str, set[str]] = {}
    for name, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\n\);", sql, flags=re.DOTALL):
        columns = tables.setdefault(name, set())
        for line in body.splitlines():
            line = line.split("--")[0].strip()
            word = line.split(" ", 1)[0] if line else ""
            if re.fullmatch(r"[a-z_]+", word) and word.upper() not in CONSTRAINT_WORDS:
                columns.add(word)
    for name, column in re.findall(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", sql):
        tables.setdefault(name, set()).add(column)
    return tables


def model_constraint_names() -> set[str]:
    return {c.name for t in Base.metadata.tables.values() for c in t.constraints if isinstance(c.name, str)}


def model_index_names() -> set[str]:
    return {i.name for t in Base.metadata.tables.values() for i in t.indexes if isinstance(i.name, str)}


def test_every_table_and_column_has_a_model(document):
    tables = created_tables(sql_of(document))
    assert len(tables) >= 18
    for table, columns in tables.items():
        assert table in Base.metadata.tables, f"no model for {table}"
        missing = columns - set(Base.metadata.tables[table].c.keys()) - {"metadata"}
        if "metadata" in columns:
            assert "metadata" in {c.name for c in Base.metadata.tables[table].c}
        assert not missing, f"{table} lacks {sorted(missing)}"


def test_every_named_check_and_constraint_is_kept_or_dropped_on_purpose(document):
    named = set(re.findall(r"CONSTRAINT (\w+)", sql_of(document)))
    unaccounted = named - model_constraint_names() - set(DROPPED_CONSTRAINTS)
    assert not unaccounted, f"constraints neither in the models nor dropped by a fix: {sorted(unaccounted)}"
    assert not (set(DROPPED_CONSTRAINTS) & model_constraint_names())


def test_every_index_is_kept_or_dropped_on_purpose(document):
    named = set(re.findall(r"CREATE (?:UNIQUE )?INDEX (\w+)", sql_of(document)))
    unaccounted = named - model_index_names() - set(DROPPED_INDEXES)
    assert not unaccounted, f"indexes neither in the models nor dropped by a fix: {sorted(unaccounted)}"
    assert not (set(DROPPED_INDEXES) & model_index_names())


def test_seed_function_text_is_the_documents_byte_for_byte(document):
    # PostgreSQL keeps function bodies verbatim: an editor that trims trailing
    # spaces would make the seed revisions differ from production.
    for name in (
        "SEED_SEARCH_VECTOR_FUNCTION",
        "SEED_SEARCH_VECTOR_TRIGGER",
        "SEED_VALIDATE_NOTIFICATION_PREFERENCES",
        "SEED_PERFORM_MAINTENANCE",
    ):
        assert getattr(ddl, name) in document, name


def test_archive_tables_have_their_live_tables_columns():
    for name, table in Base.metadata.tables.items():
        if name.endswith("_archive"):
            live = Base.metadata.tables[name.removesuffix("_archive")]
            assert [c.name for c in table.c][: len(live.c)] == [c.name for c in live.c]
            assert not table.foreign_keys
