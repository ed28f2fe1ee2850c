"""The migration history: one head, empty to head, a faithful round trip, and models that match the DDL.

These are pytest-alembic's four built-in tests, written out because pytest-alembic 0.13 does not
load under pytest 9.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import inspect, text

from gmctl import schema
from gmctl.db.engine import make_engine
from gmctl.db.tools import find_pg_tool
from gmctl.db.url import libpq_url

SEED_VERSIONS = [f"2024010100000{i}" for i in range(1, 6)]
SEED_TABLES = {
    "users", "user_profiles", "roles", "permissions", "user_roles", "role_permissions", "service_requests",
    "service_status_history", "vehicles", "vehicle_services", "hotel_bookings", "loan_applications", "payments",
    "payment_methods", "messages", "notifications", "file_uploads", "schema_migrations",
}


def server_major(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def schema_dump(url: str, engine) -> str:
    pg_dump = find_pg_tool("pg_dump", server_major(engine))
    done = subprocess.run([str(pg_dump.path), "--schema-only", "--no-owner", "--no-privileges", libpq_url(url)],
                          capture_output=True, text=True, check=True)
    # pg_dump 17+ writes a random \restrict key per run; it is not part of the schema.
    return re.sub(r"^\\(un)?restrict .*$", "", done.stdout, flags=re.M)


def test_single_head_revision():
    assert len(schema.script_directory().get_heads()) == 1


def test_history_keeps_the_seed_versions_first():
    ids = [rev.revision for rev in reversed(list(schema.script_directory().walk_revisions()))]
    assert ids[:5] == SEED_VERSIONS
    assert len(ids) > 5, "the fixes follow the seed's five versions"


@pytest.mark.slow
def test_empty_to_head_creates_every_table(empty_url):
    engine = make_engine(empty_url)
    try:
        schema.initialise(engine)
        tables = set(inspect(engine).get_table_names())
        assert SEED_TABLES <= tables
        assert {"system_logs", "service_requests_archive", "service_status_history_archive"} <= tables
        with engine.connect() as conn:
            assert schema.current_revision(conn) == schema.head_revision()
            roles = set(conn.execute(text("SELECT name FROM roles")).scalars())
            assert {"customer", "staff", "admin", "super_admin"} <= roles
    finally:
        engine.dispose()


@pytest.mark.slow
def test_down_to_base_and_back_gives_an_identical_schema(empty_url):
    engine = make_engine(empty_url)
    try:
        schema.upgrade(engine, "head")
        first = schema_dump(empty_url, engine)
        schema.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        schema.upgrade(engine, "head")
        assert schema_dump(empty_url, engine) == first
    finally:
        engine.dispose()


@pytest.mark.slow
def test_every_step_down_and_up_works(empty_url):
    """The stairway: each revision's downgrade undoes its upgrade well enough to upgrade again."""
    engine = make_engine(empty_url)
    try:
        revisions = [rev.revision for rev in reversed(list(schema.script_directory().walk_revisions()))]
        for revision in revisions:
            schema.upgrade(engine, revision)
            schema.downgrade(engine, "-1")
            schema.upgrade(engine, revision)
    finally:
        engine.dispose()


def test_models_match_the_migrated_database(shared_engine):
    assert schema.drift(shared_engine) == []
