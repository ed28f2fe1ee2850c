"""Verification catches damage; restore never overwrites without --yes and refuses a damaged file."""

from __future__ import annotations

import hashlib
import json

import psycopg
import pytest
from sqlalchemy.engine import make_url

from gmctl.backup import dump
from gmctl.backup.manifest import FAILED, read_manifest
from gmctl.db.url import libpq_url
from tests.conftest import FIXED_NOW


@pytest.fixture(scope="module")
def backups(loaded_url, tmp_path_factory):
    directory = tmp_path_factory.mktemp("backups")
    return {
        b.manifest.kind: b.path
        for b in dump.make_backups(loaded_url, dump.expand_kinds("all"), directory, FIXED_NOW)
    }


def damaged_copy(path, tmp_path, how: str):
    copy = tmp_path / path.name
    data = bytearray(path.read_bytes())
    if how == "flip":
        for i in range(len(data) // 2, len(data) // 2 + 16):
            data[i] ^= 0xFF
    else:
        data = data[: len(data) * 2 // 3]
    copy.write_bytes(bytes(data))
    manifest = path.with_name(path.name + ".manifest.json")
    copy.with_name(copy.name + ".manifest.json").write_text(manifest.read_text())
    return copy


def test_flipped_bytes_are_caught_by_verify(gm, loaded_url, backups, tmp_path):
    corrupt = damaged_copy(backups["full"], tmp_path, "flip")
    result = gm(loaded_url, "--format", "json", "db", "backup", "verify", str(corrupt))
    assert result.exit_code == 1
    checks = {row["check"]: row for row in json.loads(result.stdout)}
    assert checks["size"]["ok"] is True
    assert checks["sha256"]["ok"] is False and "the manifest says" in checks["sha256"]["detail"]
    assert "failed verification" in result.stderr
    assert read_manifest(corrupt).verification.state == FAILED


def test_a_truncated_file_with_a_matching_manifest_fails_the_table_of_contents(
    gm, loaded_url, backups, tmp_path
):
    truncated = damaged_copy(backups["full"], tmp_path, "truncate")
    manifest_file = truncated.with_name(truncated.name + ".manifest.json")
    manifest = json.loads(manifest_file.read_text())
    manifest["sha256"] = hashlib.sha256(truncated.read_bytes()).hexdigest()
    manifest["size"] = truncated.stat().st_size
    manifest_file.write_text(json.dumps(manifest))
    result = gm(loaded_url, "--format", "json", "db", "backup", "verify", "--restore", str(truncated))
    assert result.exit_code == 1
    failed = [row["check"] for row in json.loads(result.stdout) if not row["ok"]]
    assert failed == ["contents"]  # and no restore of a broken file was attempted


def test_verify_of_an_intact_file_records_verified(gm, loaded_url, backups):
    result = gm(loaded_url, "db", "backup", "verify", str(backups["schema"]))
    assert result.exit_code == 0, result.stderr
    assert read_manifest(backups["schema"]).verification.state == "verified"


def test_verify_of_a_file_without_manifest_is_not_found(gm, loaded_url, tmp_path):
    stray = tmp_path / "stray.backup"
    stray.write_bytes(b"PGDMP")
    result = gm(loaded_url, "db", "backup", "verify", str(stray))
    assert result.exit_code == 3 and "no manifest" in result.stderr


def test_restore_over_a_non_empty_database_needs_yes(gm, loaded_url, pg_server, new_database, backups):
    name = new_database()
    assert gm(loaded_url, "db", "restore", str(backups["full"]), "--create-db", name).exit_code == 0
    target = pg_server.url_for(name)
    with psycopg.connect(libpq_url(target)) as conn:
        conn.execute("DELETE FROM notifications")
    refused = gm(loaded_url, "db", "restore", str(backups["full"]), "--target-url", target)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    with psycopg.connect(libpq_url(target)) as conn:
        assert conn.execute("SELECT count(*) FROM notifications").fetchone()[0] == 0  # untouched
    replaced = gm(loaded_url, "--yes", "db", "restore", str(backups["full"]), "--target-url", target)
    assert replaced.exit_code == 0, replaced.stderr
    with psycopg.connect(libpq_url(target)) as conn:
        assert conn.execute("SELECT count(*) FROM notifications").fetchone()[0] == 1


def test_restore_refuses_a_damaged_file(gm, loaded_url, new_database, backups, tmp_path):
    corrupt = damaged_copy(backups["full"], tmp_path, "flip")
    result = gm(loaded_url, "db", "restore", str(corrupt), "--create-db", new_database())
    assert result.exit_code == 1 and "sha256" in result.stderr


def test_restore_needs_exactly_one_target(gm, loaded_url, backups):
    neither = gm(loaded_url, "db", "restore", str(backups["full"]))
    both = gm(
        loaded_url, "db", "restore", str(backups["full"]), "--create-db", "x", "--target-url", loaded_url
    )
    assert neither.exit_code == 2 and both.exit_code == 2
    assert "--target-url" in neither.stderr


def test_restore_into_an_existing_database_name_is_refused(gm, loaded_url, pg_server, backups):
    existing = make_url(loaded_url).database
    result = gm(loaded_url, "db", "restore", str(backups["full"]), "--create-db", existing)
    assert result.exit_code == 2 and "already exists" in result.stderr


def test_a_data_only_backup_cannot_create_a_database(gm, loaded_url, backups):
    result = gm(loaded_url, "db", "restore", str(backups["data"]), "--create-db", "gmctl_t_never")
    assert result.exit_code == 2 and "schema" in result.stderr


def test_a_data_only_backup_needs_the_schema_in_the_target(gm, loaded_url, empty_url, backups):
    result = gm(loaded_url, "db", "restore", str(backups["data"]), "--target-url", empty_url)
    assert result.exit_code == 2 and "needs the schema" in result.stderr
