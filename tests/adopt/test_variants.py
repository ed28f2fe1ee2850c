"""gmctl db adopt on live databases as they really are: the document's blocks run, skipped or mended.

Each variant builds a live database from the document (blocks left out, blocks mended by hand),
fills every table, adopts it, and checks that every row is kept (count and md5 per table over
the columns it had) and that `gmctl db check` is clean afterwards.
"""

from __future__ import annotations

import json
import uuid

import pytest

from gmctl import schema
from tests.adopt.conftest import sql
from tests.adopt.live_rows import column_lists, contents, load_live_rows, query, row_texts
from tests.adopt.seed_build import (
    AND_CHECK,
    COMMA_CHECK,
    PARENTHESISED_CHECK,
    LiveVariant,
    apply_document,
    seed_document,
)

pytestmark = pytest.mark.slow

RELATIONSHIPS = frozenset({"Foreign Key Relationships", "Check Constraints", "Unique Constraints"})
INDEX_BLOCKS = frozenset(
    {"Primary Indexes", "Partial Indexes", "Composite Indexes", "Full-Text Search Indexes"}
)
NOT_SCHEMA = frozenset(
    {
        "Migration 20240101000001 - Initial Schema",
        "Backup Strategy",
        "Point-in-Time Recovery",
        "Database Statistics",
    }
)
EVERY_OPTIONAL_BLOCK = (
    RELATIONSHIPS
    | INDEX_BLOCKS
    | NOT_SCHEMA
    | {"Custom Types and Enums", "JSON Schema Validation", "Data Retention Policies", "Maintenance Scripts"}
)
AND_FIX = ("vehicle_services", COMMA_CHECK, AND_CHECK)
BRACKETED_FIX = ("vehicle_services", COMMA_CHECK, PARENTHESISED_CHECK)
NO_CHECK_FIX = ("vehicle_services", ",\n" + COMMA_CHECK, "")
COMMENTED = "-- (left out by the team) "

# A live database, and the variant names adopt must report for it (each a prefix of one name).
VARIANTS = [
    (
        LiveVariant(
            "the issue's database",
            omit=frozenset({"Custom Types and Enums", "Maintenance Scripts", "Data Retention Policies"}),
            mend=(AND_FIX,),
        ),
        [
            "enum types absent",
            "archive table absent",
            "maintenance function absent",
            "vehicle_services made by hand",
        ],
    ),
    (
        LiveVariant("relationships skipped", omit=RELATIONSHIPS, mend=(BRACKETED_FIX,)),
        [
            "relationship foreign keys absent",
            "relationship checks absent",
            "relationship unique constraints absent",
            "one default payment method absent",
            "vehicle_services made by hand",
        ],
    ),
    (
        LiveVariant(
            "no performance indexes, no search, archive without search_vector",
            omit=INDEX_BLOCKS,
            mend=(("service_requests", "CREATE INDEX idx_service_requests_active", COMMENTED),),
        ),
        [
            "primary indexes absent",
            "partial indexes absent",
            "composite indexes absent",
            "full-text search absent",
            "the twice-written index absent",
            "archive table present without search_vector",
        ],
    ),
    (
        LiveVariant(
            "no JSON validation, repeated indexes dropped by hand",
            omit=frozenset({"JSON Schema Validation"}),
            after=("DROP INDEX idx_users_username, idx_vehicles_vin",),
        ),
        ["JSON validation absent", "repeated indexes partly present"],
    ),
    (
        LiveVariant(
            "blocks partly run",
            mend=(
                ("Unique Constraints", "CREATE UNIQUE INDEX uq_payment_methods_default", COMMENTED),
                ("Custom Types and Enums", "CREATE TYPE user_status", COMMENTED),
                ("Full-Text Search Indexes", "CREATE TRIGGER", COMMENTED),
            ),
        ),
        ["one default payment method absent", "enum types partly present", "full-text search partly present"],
    ),
    (
        LiveVariant("tables only", omit=EVERY_OPTIONAL_BLOCK, mend=(NO_CHECK_FIX,)),
        [
            "relationship foreign keys absent",
            "relationship checks absent",
            "relationship unique constraints absent",
            "one default payment method absent",
            "primary indexes absent",
            "partial indexes absent",
            "composite indexes absent",
            "full-text search absent",
            "enum types absent",
            "JSON validation absent",
            "archive table absent",
            "maintenance function absent",
            "vehicle_services made by hand",
        ],
    ),
]

# gm03 adds the permissions beyond the document's five, and their default grants.
GROWING_TABLES = {"permissions", "role_permissions"}


@pytest.fixture
def build_live(pg_server):
    made = []

    def build(variant: LiveVariant) -> str:
        name = pg_server.create_empty(f"gmctl_t_live_{uuid.uuid4().hex[:8]}")
        made.append(name)
        url = pg_server.url_for(name)
        apply_document(url, seed_document(), variant)
        load_live_rows(url)
        return url

    yield build
    for name in made:
        pg_server.drop(name)


def reported(result, kind: str) -> list[dict]:
    return [row for row in json.loads(result.stdout) if row["kind"] == kind]


@pytest.mark.parametrize(("variant", "expected"), VARIANTS, ids=[v.name for v, _ in VARIANTS])
def test_each_variant_is_adopted_keeping_every_row_and_db_check_is_clean(gm, build_live, variant, expected):
    url = build_live(variant)
    columns = column_lists(url)
    # fix00 fills the search column where the document's trigger never ran: checked apart.
    columns["service_requests"] = [c for c in columns["service_requests"] if c != "search_vector"]
    before = contents(url, columns)
    growing = {t: row_texts(url, t, columns[t]) for t in GROWING_TABLES}
    assert all(count for count, _ in before.values()), "every table holds rows"

    result = gm(url, "--format", "json", "db", "adopt")
    assert result.exit_code == 0, result.stdout + result.stderr

    names = [row["subject"] for row in reported(result, "variant")]
    assert len(names) == len(expected), names
    for prefix in expected:
        assert any(n.startswith(prefix) for n in names), (prefix, names)
    assert reported(result, "conflict") == [] and reported(result, "extra") == []
    assert f"variants ({len(expected)}): " in result.stderr and "conflicts: none" in result.stderr

    after = contents(url, columns)
    for table, kept in before.items():
        if table in GROWING_TABLES:
            assert growing[table] <= row_texts(url, table, columns[table]), f"{table} lost rows"
        else:
            assert after[table] == kept, f"{table}: {kept} -> {after[table]}"
    assert query(url, "SELECT count(*) FROM service_requests WHERE search_vector IS NULL") == [(0,)]
    assert query(url, "SELECT version_num FROM alembic_version") == [(schema.head_revision(),)]
    check = gm(url, "db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr


def test_a_hand_made_check_without_brackets_let_in_rows_that_are_listed_before_anything_changes(
    gm, build_live
):
    url = build_live(LiveVariant("AND only", mend=(AND_FIX,)))
    # cost NULL OR (cost >= 0 AND ...): the unbracketed CHECK lets a negative part cost in.
    sql(
        url,
        "INSERT INTO vehicle_services (vehicle_id, service_type, service_date, parts_cost)"
        " VALUES (1, 'repair', '2026-11-22', -500)",
    )
    before = contents(url, column_lists(url))
    result = gm(url, "--format", "json", "db", "adopt")
    assert result.exit_code == 1
    [block] = reported(result, "block")
    assert "chk_costs_non_negative" in block["subject"] and "1 row(s)" in block["detail"]
    assert any(v["subject"] == "vehicle_services made by hand" for v in reported(result, "variant"))
    assert "1 rule(s) the live data breaks" in result.stderr
    assert contents(url, column_lists(url)) == before
    assert query(url, "SELECT to_regclass('alembic_version') IS NULL") == [(True,)]


def test_extras_are_kept_reported_and_left_out_of_db_check(gm, seed_url):
    sql(
        seed_url,
        "CREATE TABLE team_callbacks (id SERIAL PRIMARY KEY,"
        " service_request_id INTEGER REFERENCES service_requests(id), note TEXT NOT NULL)",
        "INSERT INTO team_callbacks (service_request_id, note) VALUES (1, 'call after 5pm'), (3, 'email only')",
        "CREATE INDEX idx_team_vehicles_make ON vehicles (lower(make))",
        # The document's monitoring query, mended for PostgreSQL 14+ and kept as a view.
        "CREATE VIEW team_index_usage AS SELECT schemaname, relname, indexrelname, idx_scan"
        " FROM pg_stat_user_indexes",
        "CREATE FUNCTION team_open_requests() RETURNS bigint LANGUAGE sql"
        " AS $$ SELECT count(*) FROM service_requests WHERE status = 'pending' $$",
    )
    before = contents(seed_url, column_lists(seed_url))
    result = gm(seed_url, "--format", "json", "db", "adopt")
    assert result.exit_code == 0, result.stdout + result.stderr
    extras = {row["subject"]: row["detail"] for row in reported(result, "extra")}
    assert set(extras) == {
        "table team_callbacks",
        "sequence team_callbacks_id_seq",
        "index vehicles.idx_team_vehicles_make",
        "view team_index_usage",
        "function team_open_requests()",
    }
    assert "refers to service_requests" in extras["table team_callbacks"]
    summary = next(line for line in result.stderr.splitlines() if line.startswith("extras kept (5): "))
    assert "table team_callbacks" in summary and "view team_index_usage" in summary
    assert "5 extra(s) kept" in result.stderr
    assert contents(seed_url, {"team_callbacks": ["id", "service_request_id", "note"]}) == {
        "team_callbacks": before["team_callbacks"]
    }
    assert query(seed_url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_team_vehicles_make'") == [
        (1,)
    ]
    assert query(seed_url, "SELECT team_open_requests()") == [(1,)]
    check = gm(seed_url, "db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr


def test_an_extra_added_after_adoption_is_still_drift(gm, seed_url):
    assert gm(seed_url, "db", "adopt").exit_code == 0
    sql(seed_url, "CREATE TABLE later_by_hand (id INTEGER)")
    check = gm(seed_url, "db", "check")
    assert check.exit_code == 1 and "later_by_hand" in check.stdout


def test_real_conflicts_are_refused_with_the_list_and_what_to_do(gm, seed_url):
    sql(
        seed_url,
        "ALTER TABLE users ALTER COLUMN phone TYPE VARCHAR(40)",
        "DROP TABLE notifications",
        # A CHECK that lets in a priority gmctl does not know.
        "ALTER TABLE service_requests DROP CONSTRAINT chk_priority, ADD CONSTRAINT chk_priority"
        " CHECK (priority IN ('low', 'normal', 'high', 'urgent', 'critical'))",
        "CREATE UNIQUE INDEX uq_team_vehicles_plate ON vehicles (license_plate)",
    )
    before = contents(seed_url, column_lists(seed_url))
    result = gm(seed_url, "--format", "json", "db", "adopt")
    assert result.exit_code == 1
    conflicts = {row["subject"]: row["detail"] for row in reported(result, "conflict")}
    assert set(conflicts) == {
        "column:users.phone",
        "table:notifications",
        "constraint:service_requests.chk_priority",
        "index:vehicles.uq_team_vehicles_plate",
    }
    assert "character varying(20)" in conflicts["column:users.phone"]
    assert "to do: gmctl expects" in conflicts["column:users.phone"]
    assert "pg_restore -t notifications" in conflicts["table:notifications"]
    assert "'critical'" in conflicts["constraint:service_requests.chk_priority"]
    assert "put the document's definition" in conflicts["constraint:service_requests.chk_priority"]
    assert "make it a plain index" in conflicts["index:vehicles.uq_team_vehicles_plate"]
    assert "cannot adopt: 4 conflict(s) with the schema document" in result.stderr
    assert "each says what to do" in result.stderr and "Traceback" not in result.stderr
    assert contents(seed_url, column_lists(seed_url)) == before
    assert query(seed_url, "SELECT to_regclass('alembic_version') IS NULL") == [(True,)]


def test_the_backup_role_is_reported_and_left_alone(gm, seed_url, pg_server):
    existed = query(seed_url, "SELECT count(*) FROM pg_roles WHERE rolname = 'backup_user'") == [(1,)]
    if not existed:
        pg_server.execute("CREATE ROLE backup_user NOLOGIN")
    try:
        result = gm(seed_url, "--format", "json", "db", "adopt", "--dry-run")
        assert result.exit_code == 0, result.stderr
        [role] = [v for v in reported(result, "variant") if v["subject"] == "backup role present"]
        assert "ALTER ROLE backup_user PASSWORD" in role["detail"]
    finally:
        if not existed:
            pg_server.execute("DROP ROLE backup_user")


# pg_cron cannot be started here (it must be preloaded into the server). This stand-in has the
# part of its API that the document and fix06 use: cron.job (jobid, command, database) and
# cron.schedule / cron.unschedule. It lives in its own schema, as pg_cron's objects do.
PG_CRON_STAND_IN = (
    "CREATE SCHEMA cron",
    "CREATE TABLE cron.job (jobid BIGSERIAL PRIMARY KEY, jobname TEXT, schedule TEXT NOT NULL,"
    " command TEXT NOT NULL, database TEXT NOT NULL DEFAULT current_database())",
    "CREATE FUNCTION cron.schedule(job_name TEXT, schedule TEXT, command TEXT) RETURNS BIGINT"
    " LANGUAGE sql AS $$ INSERT INTO cron.job (jobname, schedule, command) VALUES ($1, $2, $3)"
    " RETURNING jobid $$",
    "CREATE FUNCTION cron.unschedule(job_id BIGINT) RETURNS BOOLEAN"
    " LANGUAGE sql AS $$ DELETE FROM cron.job WHERE jobid = $1 RETURNING TRUE $$",
)


def test_the_pg_cron_schedule_is_reported_and_unscheduled_with_the_function(gm, build_live):
    url = build_live(LiveVariant("pg_cron there", before=PG_CRON_STAND_IN))
    sql(url, "SELECT cron.schedule('team_vacuum', '0 3 * * *', 'VACUUM ANALYZE payments')")
    assert query(url, "SELECT jobname FROM cron.job ORDER BY jobid") == [("maintenance",), ("team_vacuum",)]
    result = gm(url, "--format", "json", "db", "adopt")
    assert result.exit_code == 0, result.stdout + result.stderr
    [cron] = [v for v in reported(result, "variant") if v["subject"] == "pg_cron schedule present"]
    assert "fix06 unschedules" in cron["detail"]
    assert query(url, "SELECT jobname FROM cron.job") == [("team_vacuum",)]
    assert query(url, "SELECT to_regprocedure('perform_maintenance()') IS NULL") == [(True,)]


def test_rows_a_skipped_json_block_let_in_are_listed_before_anything_changes(gm, build_live):
    url = build_live(LiveVariant("no JSON validation", omit=frozenset({"JSON Schema Validation"})))
    sql(url, """UPDATE user_profiles SET notification_preferences = '{"email": "yes"}' WHERE id = 2""")
    result = gm(url, "--format", "json", "db", "adopt")
    assert result.exit_code == 1
    [block] = reported(result, "block")
    assert "chk_notification_preferences_schema" in block["subject"] and "ids 2" in block["detail"]
    assert query(url, "SELECT to_regprocedure('validate_notification_preferences(jsonb)') IS NULL") == [
        (True,)
    ]


def test_an_index_of_head_built_ahead_is_found_by_its_migration(gm, seed_url):
    # As gm05 advises for a busy table: built first (CONCURRENTLY) under gm05's name and definition.
    sql(
        seed_url,
        "CREATE INDEX idx_service_status_history_completed ON service_status_history (created_at)"
        " WHERE new_status = 'completed'",
    )
    result = gm(seed_url, "--format", "json", "db", "adopt")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert [v["subject"] for v in reported(result, "variant")] == [
        "index service_status_history.idx_service_status_history_completed built ahead"
    ]
    assert reported(result, "extra") == [] and reported(result, "conflict") == []
    check = gm(seed_url, "db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr
