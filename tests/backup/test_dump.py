"""Making backups: files, manifests, one snapshot, temporary names, output on and off a terminal."""

from __future__ import annotations

import json

import psycopg
import pytest

from gmctl import schema
from gmctl.backup import dump
from gmctl.backup.manifest import UNVERIFIED, file_sha256, list_manifests, manifest_path, read_manifest
from gmctl.db.tools import find_pg_tool
from gmctl.db.url import libpq_url
from gmctl.errors import GmctlError
from tests.conftest import FIXED_NOW, TtyStringIO


def exact_counts(url: str) -> dict[str, int]:
    with psycopg.connect(libpq_url(url)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
            )
        ]
        return {f"public.{t}": conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_full_backup_has_a_manifest_that_proves_it(loaded_url, tmp_path):
    [made] = dump.make_backups(loaded_url, ["full"], tmp_path, FIXED_NOW)
    manifest = made.manifest
    assert made.path.read_bytes()[:5] == b"PGDMP"  # custom format
    assert manifest_path(made.path).exists()
    assert manifest.kind == "full" and manifest.format == "custom"
    assert manifest.sha256 == file_sha256(made.path)
    assert manifest.size == made.path.stat().st_size
    assert manifest.alembic_revision == schema.head_revision()
    assert manifest.server_version_num >= 140000 and manifest.server_version.startswith(
        str(manifest.server_major)
    )
    assert manifest.tables == exact_counts(loaded_url)
    assert manifest.tables["public.payment_methods"] == 3
    assert manifest.created_at == FIXED_NOW.isoformat()
    assert manifest.verification.state == UNVERIFIED
    assert read_manifest(made.path) == manifest
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_kind_all_makes_the_seeds_three_from_one_snapshot(loaded_url, tmp_path):
    made = dump.make_backups(loaded_url, dump.expand_kinds("all"), tmp_path, FIXED_NOW)
    by_kind = {b.manifest.kind: b for b in made}
    assert set(by_kind) == {"full", "schema", "data"}
    assert by_kind["schema"].path.suffix == ".sql"
    schema_text = by_kind["schema"].path.read_text()
    assert "CREATE TABLE public.payment_methods" in schema_text and "COPY " not in schema_text
    assert by_kind["data"].path.read_bytes()[:5] == b"PGDMP"
    assert len({b.manifest.created_at for b in made}) == 1
    assert all(b.manifest.tables == by_kind["full"].manifest.tables for b in made)
    assert len(list_manifests(tmp_path)) == 3


def test_a_failed_pg_dump_leaves_nothing_behind(loaded_url, tmp_path, monkeypatch):
    monkeypatch.setitem(dump.SPECS, "full", dump.KindSpec("full", ".backup", "custom", ("--no-such-option",)))
    with pytest.raises(GmctlError, match="pg_dump failed"):
        dump.make_backups(loaded_url, ["full"], tmp_path, FIXED_NOW)
    assert list(tmp_path.iterdir()) == []


def test_a_pg_dump_older_than_the_server_is_refused_by_name():
    with pytest.raises(GmctlError, match=r"no pg_dump of PostgreSQL 99 or newer"):
        find_pg_tool("pg_dump", 99)
    finder = dump.prefetch_tool("pg_dump")
    with pytest.raises(GmctlError, match=r"no pg_dump of PostgreSQL 99 or newer"):
        finder(99)


def test_piped_backup_prints_one_summary_line_and_no_data(gm, loaded_url, tmp_path):
    result = gm(loaded_url, "db", "backup", "--dir", str(tmp_path / "b"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("backed up ") and "_full_" in lines[0]


def test_backup_with_json_format_lists_the_files(gm, loaded_url, tmp_path):
    result = gm(loaded_url, "--format", "json", "db", "backup", "--kind", "all", "--dir", str(tmp_path / "b"))
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert sorted(r["kind"] for r in rows) == ["data", "full", "schema"]
    assert all(r["verification"] == "unverified" and len(r["sha256"]) == 64 for r in rows)


def test_backup_on_a_terminal_shows_progress_on_stderr(gm, loaded_url, tmp_path, monkeypatch):
    seen = []
    original = dump._wait

    def wait_and_record(process, reader, spec, final, tables, on_progress):
        seen.append(on_progress)
        return original(process, reader, spec, final, tables, on_progress)

    monkeypatch.setattr(dump, "_wait", wait_and_record)
    err = TtyStringIO()
    result = gm(loaded_url, "db", "backup", "--dir", str(tmp_path / "b"), err=err)
    assert result.exit_code == 0, err.getvalue()
    assert seen and seen[0] is not None  # a progress display was wired in
    assert "backed up" in err.getvalue()


def test_default_directory_comes_from_config_then_home(gm, loaded_url, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('[backup]\ndir = "elsewhere"\n')
    result = gm(loaded_url, "db", "backup", "--kind", "schema")
    assert result.exit_code == 0, result.stderr
    assert len(list((home / "elsewhere").glob("*.sql"))) == 1
    (home / "config.toml").unlink()
    assert gm(loaded_url, "db", "backup", "--kind", "schema").exit_code == 0
    assert len(list((home / "backups").glob("*.sql"))) == 1


def test_a_backup_directory_that_cannot_be_made_is_a_clear_error(gm, loaded_url, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = gm(loaded_url, "db", "backup", "--kind", "schema", "--dir", str(blocker / "backups"))
    assert result.exit_code == 1
    assert f"Not a directory: {blocker / 'backups'}" in result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr


def test_debians_pg_wrapper_on_path_is_not_probed(tmp_path, monkeypatch):
    from gmctl.db.tools import _candidates

    wrapper = tmp_path / "share" / "pg_wrapper"
    wrapper.parent.mkdir()
    wrapper.write_text("#!/bin/sh\n")
    wrapper.chmod(0o755)
    wrapped, plain = tmp_path / "wrapped", tmp_path / "plain"
    wrapped.mkdir(), plain.mkdir()
    (wrapped / "pg_dump").symlink_to(wrapper)
    (plain / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 17.2'\n")
    (plain / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", str(wrapped))
    assert wrapped / "pg_dump" not in _candidates("pg_dump")
    monkeypatch.setenv("PATH", str(plain))
    assert plain / "pg_dump" in _candidates("pg_dump")
