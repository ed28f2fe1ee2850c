"""A backup is only a hope until restored: back up, restore into a new database, compare every table.

Runs on whatever server the suite uses: CI runs it on the embedded PostgreSQL 18 and on Debian's 15.
The data include a card that expired last year: the document's CHECK on it (seed-notes 10) would
make the restore of payment_methods fail; since fix10 the rule is a trigger and the restore succeeds.
"""

from __future__ import annotations

import json

import psycopg
import pytest

from gmctl.db.url import libpq_url
from tests.backup.conftest import table_checksums

pytestmark = pytest.mark.slow


def expired_cards(url: str) -> int:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute(
            "SELECT count(*) FROM payment_methods WHERE type = 'card'"
            " AND card_exp_year = EXTRACT(YEAR FROM CURRENT_DATE)::int - 1"
        ).fetchone()[0]


def test_full_backup_restores_into_a_new_database_identically(
    gm, loaded_url, pg_server, new_database, tmp_path
):
    made = gm(loaded_url, "--format", "json", "db", "backup", "--kind", "full", "--dir", str(tmp_path))
    assert made.exit_code == 0, made.stderr
    [backup] = json.loads(made.stdout)
    name = new_database()
    restored = gm(loaded_url, "db", "restore", backup["file"], "--create-db", name)
    assert restored.exit_code == 0, restored.stderr
    assert "row counts match the manifest" in restored.stderr
    original, copy = table_checksums(loaded_url), table_checksums(pg_server.url_for(name))
    assert copy == original
    assert all(rows > 0 for table, (rows, _) in original.items()), "every table holds rows"
    assert expired_cards(pg_server.url_for(name)) == 1


def test_schema_then_data_backups_restore_identically(gm, loaded_url, pg_server, new_database, tmp_path):
    made = gm(loaded_url, "--format", "json", "db", "backup", "--kind", "all", "--dir", str(tmp_path))
    files = {row["kind"]: row["file"] for row in json.loads(made.stdout)}
    name = new_database()
    assert gm(loaded_url, "db", "restore", files["schema"], "--create-db", name).exit_code == 0
    target = pg_server.url_for(name)
    data = gm(loaded_url, "db", "restore", files["data"], "--target-url", target)
    assert data.exit_code == 0, data.stderr
    assert table_checksums(target) == table_checksums(loaded_url)
    assert expired_cards(target) == 1


def test_verify_with_restore_proves_the_backup_and_says_so_in_the_manifest(gm, loaded_url, tmp_path):
    made = gm(loaded_url, "--format", "json", "db", "backup", "--kind", "full", "--dir", str(tmp_path))
    [backup] = json.loads(made.stdout)
    result = gm(loaded_url, "--format", "json", "db", "backup", "verify", "--restore", backup["file"])
    assert result.exit_code == 0, result.stderr
    checks = {row["check"]: row for row in json.loads(result.stdout)}
    assert set(checks) == {"file", "size", "sha256", "contents", "restore"}
    assert all(row["ok"] for row in checks.values())
    assert "counts match the manifest" in checks["restore"]["detail"]
    listed = json.loads(
        gm(loaded_url, "--format", "json", "db", "backup", "list", "--dir", str(tmp_path)).stdout
    )
    assert listed[0]["verification"] == "restored" and listed[0]["checked_at"]
    with psycopg.connect(libpq_url(loaded_url)) as conn:  # the scratch database is gone
        assert (
            conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'gmctl_scratch_%'").fetchone()[
                0
            ]
            == 0
        )


def test_a_data_only_backup_alone_verifies_against_a_schema_built_by_migrations(gm, loaded_url, tmp_path):
    made = gm(loaded_url, "--format", "json", "db", "backup", "--kind", "data", "--dir", str(tmp_path))
    [backup] = json.loads(made.stdout)
    result = gm(loaded_url, "--format", "json", "db", "backup", "verify", "--restore", backup["file"])
    assert result.exit_code == 0, result.stderr
    assert all(row["ok"] for row in json.loads(result.stdout))
