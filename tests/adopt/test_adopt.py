"""gmctl db adopt on a database the schema document built, with rows in every table."""

from __future__ import annotations

import json

import pytest

from gmctl import schema
from gmctl.db.engine import make_engine
from tests.adopt.conftest import query, sql

pytestmark = pytest.mark.slow


def contents(url: str) -> dict[str, tuple[int, str]]:
    """Per table: rows, and an md5 of every row over the columns the table has now, by id."""
    columns: dict[str, list[str]] = {}
    for table, column in query(
        url,
        "SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
        " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum",
    ):
        columns.setdefault(table, []).append(column)
    return {table: checksum(url, table, names) for table, names in columns.items()}


def checksum(url: str, table: str, names: list[str]) -> tuple[int, str]:
    order = "id" if "id" in names else "1"
    row = ", ".join(f'"{n}"' for n in names)
    [(count, digest)] = query(
        url,
        f"SELECT count(*), md5(coalesce(string_agg(ROW({row})::text, E'\\n'"
        f" ORDER BY {order}), '')) FROM \"{table}\"",
    )
    return count, digest


def column_lists(url: str) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    for table, column in query(
        url,
        "SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
        " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum",
    ):
        lists.setdefault(table, []).append(column)
    return lists


def rows_of(result) -> list[dict]:
    return json.loads(result.stdout)


def not_adopted(url: str) -> bool:
    return query(url, "SELECT to_regclass('alembic_version') IS NULL")[0][0]


def row_texts(url: str, columns: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        table: sorted(
            r[0]
            for r in query(
                url, f'SELECT ROW({", ".join(chr(34) + n + chr(34) for n in names)})::text FROM "{table}"'
            )
        )
        for table, names in columns.items()
    }


# gm03 adds the permissions beyond the document's five, and their default grants.
GROWING_TABLES = {"permissions", "role_permissions"}


def test_adopt_keeps_every_row_and_the_schema_then_matches_the_models(gm, seed_url):
    before_columns = column_lists(seed_url)
    before = row_texts(seed_url, before_columns)
    assert all(before.values()), "every table of the document holds rows"
    result = gm(seed_url, "--format", "json", "db", "adopt")
    assert result.exit_code == 0, result.stderr
    assert "adopted" in result.stderr and "stamped 20240101000005" in result.stderr
    findings = rows_of(result)
    assert [f["kind"] for f in findings] == ["info"]  # the expired card: kept, and said so
    after = row_texts(seed_url, before_columns)
    for table, rows in before.items():
        assert set(rows) <= set(after[table]), f"{table} lost rows"
        assert table in GROWING_TABLES or after[table] == rows, f"{table} changed"
    assert query(seed_url, "SELECT version_num FROM alembic_version") == [(schema.head_revision(),)]
    check = gm(seed_url, "db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr
    engine = make_engine(seed_url)
    try:
        assert schema.drift(engine) == []
    finally:
        engine.dispose()
    assert query(seed_url, "SELECT count(*) FROM schema_migrations WHERE NOT dirty") == [(5,)]
    assert query(seed_url, "SELECT action FROM system_logs") == [("db.adopt",)]


def test_adopted_database_restores_with_its_expired_card(gm, seed_url, pg_server, tmp_path):
    assert gm(seed_url, "db", "adopt").exit_code == 0
    made = gm(seed_url, "--format", "json", "db", "backup", "--dir", str(tmp_path))
    verify = gm(seed_url, "db", "backup", "verify", "--restore", rows_of(made)[0]["file"])
    assert verify.exit_code == 0, verify.stdout + verify.stderr


def test_dry_run_reports_and_changes_nothing(gm, seed_url):
    result = gm(seed_url, "db", "adopt", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "can be adopted" in result.stderr and "stamp 20240101000005" in result.stderr
    assert not_adopted(seed_url)


def test_emails_equal_but_for_case_are_reported_before_anything_changes(gm, seed_url):
    sql(
        seed_url,
        "INSERT INTO users (username, email, password_hash) VALUES ('amaka2', 'AMAKA@gmservices.ng', 'x')",
    )
    before = contents(seed_url)
    result = gm(seed_url, "--format", "json", "db", "adopt")
    assert result.exit_code == 1
    [block] = [f for f in rows_of(result) if f["kind"] == "block"]
    assert "uq_users_email_lower" in block["subject"] and "amaka@gmservices.ng" in block["detail"]
    assert "1 rule(s) the live data breaks" in result.stderr
    assert contents(seed_url) == before and not_adopted(seed_url)


def test_json_of_the_wrong_shape_and_a_second_default_method_are_reported(gm, seed_url):
    sql(
        seed_url,
        "UPDATE messages SET attachments = '{}' WHERE id = 1",
        "DROP INDEX uq_payment_methods_default",  # as if its CREATE had failed on live data
        "INSERT INTO payment_methods (user_id, type, provider, is_default)"
        " VALUES (2, 'wallet', 'opay', TRUE)",
    )
    result = gm(seed_url, "--format", "json", "db", "adopt", "--dry-run")
    assert result.exit_code == 1
    by_kind: dict[str, list[str]] = {}
    for row in rows_of(result):
        by_kind.setdefault(row["kind"], []).append(row["subject"] + " " + row["detail"])
    assert any("chk_attachments_array" in s for s in by_kind["block"])
    assert any("uq_payment_methods_default" in s and "e.g. 2)" in s for s in by_kind["block"])
    assert "one default payment method absent" in by_kind["variant"][0]


def test_a_missing_default_method_index_alone_is_explained_and_recreated(gm, seed_url):
    sql(seed_url, "DROP INDEX uq_payment_methods_default")
    result = gm(seed_url, "--format", "json", "db", "adopt")
    assert result.exit_code == 0, result.stderr
    assert query(
        seed_url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'uq_payment_methods_default'"
    ) == [(1,)]


def test_a_dirty_schema_migrations_is_refused(gm, seed_url):
    sql(seed_url, "UPDATE schema_migrations SET dirty = TRUE WHERE version = '20240101000005'")
    result = gm(seed_url, "--format", "json", "db", "adopt")
    assert result.exit_code == 1
    [refusal] = [r for r in rows_of(result) if r["kind"] == "refusal"]
    assert "20240101000005 is marked dirty" in refusal["detail"]
    assert not_adopted(seed_url)


def test_conflicts_are_listed_and_refused_and_a_plain_extra_index_is_not_one(gm, seed_url):
    sql(
        seed_url,
        "ALTER TABLE users ADD COLUMN nickname TEXT",
        "ALTER TABLE payments DROP CONSTRAINT chk_gateway",
        "CREATE INDEX idx_t_by_hand ON vehicles (make)",
    )
    result = gm(seed_url, "--format", "json", "db", "adopt")
    assert result.exit_code == 1
    conflicts = {r["subject"]: r["detail"] for r in rows_of(result) if r["kind"] == "conflict"}
    assert set(conflicts) == {"column:users.nickname", "constraint:payments.chk_gateway"}
    assert "is missing" in conflicts["constraint:payments.chk_gateway"]
    assert "not in the schema document" in conflicts["column:users.nickname"]
    assert "move it to a table of your own" in conflicts["column:users.nickname"]
    assert [r["subject"] for r in rows_of(result) if r["kind"] == "extra"] == ["index vehicles.idx_t_by_hand"]
    assert "cannot resolve" in result.stderr and not_adopted(seed_url)


def test_stale_archive_copies_need_confirmation(gm, seed_url):
    sql(seed_url, "INSERT INTO service_requests_archive SELECT * FROM service_requests WHERE id = 2")
    refused = gm(seed_url, "db", "adopt")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert "stale copies" in refused.stdout and not_adopted(seed_url)
    done = gm(seed_url, "--yes", "db", "adopt")
    assert done.exit_code == 0, done.stderr
    assert query(seed_url, "SELECT id FROM service_requests_archive ORDER BY id") == [(99,)]
    assert query(seed_url, "SELECT count(*) FROM service_requests WHERE id = 2") == [(1,)]


def test_a_database_already_at_head_is_not_adopted_again(gm, scratch_url):
    result = gm(scratch_url, "db", "adopt")
    assert result.exit_code == 2 and "already managed by gmctl" in result.stderr


def test_a_database_without_schema_migrations_is_not_a_seed_database(gm, empty_url):
    result = gm(empty_url, "db", "adopt")
    assert result.exit_code == 3 and "db init" in result.stderr
