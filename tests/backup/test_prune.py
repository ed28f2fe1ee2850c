"""Pruning keeps the N newest of each kind and never the newest verified backup; --dry-run deletes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from gmctl.backup.manifest import Manifest, Verification, write_manifest
from gmctl.backup.prune import apply_prune, plan_prune
from gmctl.errors import InvalidInput
from tests.conftest import FIXED_NOW


def fake_backup(directory, kind: str, days_ago: int, state: str = "unverified"):
    when = FIXED_NOW - timedelta(days=days_ago)
    path = directory / f"gm_{kind}_{when:%Y%m%d_%H%M%S}.backup"
    path.write_bytes(b"PGDMP fake")
    write_manifest(
        path,
        Manifest(
            path.name,
            kind,
            "custom",
            "0" * 64,
            10,
            when.isoformat(),
            "gm",
            "18.4",
            180004,
            18,
            "head",
            {"public.users": 1},
            0.1,
            Verification(state, when.isoformat(), ""),
        ),
    )
    return path


@pytest.fixture
def directory(tmp_path):
    d = tmp_path / "backups"
    d.mkdir()
    return d


def test_keeps_the_newest_per_kind_and_the_newest_verified(directory):
    fulls = [fake_backup(directory, "full", days) for days in range(5)]  # fulls[0] is the newest
    verified = fake_backup(directory, "full", 10, state="restored")
    older_verified = fake_backup(directory, "full", 20, state="verified")
    schema = fake_backup(directory, "schema", 30)
    plan = plan_prune(directory, 2)
    kept = {e.path for e in plan.keep}
    assert kept == {fulls[0], fulls[1], verified, schema}
    assert {e.path for e in plan.delete} == {fulls[2], fulls[3], fulls[4], older_verified}
    apply_prune(plan)
    assert not fulls[4].exists() and not fulls[4].with_name(fulls[4].name + ".manifest.json").exists()
    assert verified.exists() and schema.exists()


def test_keep_must_be_at_least_one(directory):
    with pytest.raises(InvalidInput):
        plan_prune(directory, 0)


def test_dry_run_lists_and_deletes_nothing(cli_nodb, directory):
    paths = [fake_backup(directory, "full", days) for days in range(3)]
    result = cli_nodb(
        "--format", "json", "db", "backup", "prune", "--keep", "1", "--dry-run", "--dir", str(directory)
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert sorted(r["action"] for r in rows) == ["delete", "delete", "keep"]
    assert all(p.exists() for p in paths)
    assert "2 backup(s) would be deleted" in result.stderr


def test_prune_off_a_terminal_needs_yes(cli_nodb, directory):
    paths = [fake_backup(directory, "data", days) for days in range(3)]
    refused = cli_nodb("db", "backup", "prune", "--keep", "1", "--dir", str(directory))
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert all(p.exists() for p in paths)
    done = cli_nodb("--yes", "db", "backup", "prune", "--keep", "1", "--dir", str(directory))
    assert done.exit_code == 0, done.stderr
    assert [p.exists() for p in paths] == [True, False, False]


def test_list_of_an_empty_directory(cli_nodb, directory):
    as_json = cli_nodb("--format", "json", "db", "backup", "list", "--dir", str(directory))
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == []
    piped = cli_nodb("db", "backup", "list", "--dir", str(directory))
    assert piped.exit_code == 0 and piped.stdout == "" and "no backups in" in piped.stderr


def test_list_shows_verification_state_and_missing_files(cli_nodb, directory):
    kept = fake_backup(directory, "full", 1, state="restored")
    gone = fake_backup(directory, "full", 2)
    gone.unlink()
    rows = json.loads(cli_nodb("--format", "json", "db", "backup", "list", "--dir", str(directory)).stdout)
    assert [(r["file"], r["verification"], r["present"]) for r in rows] == [
        (str(kept), "restored", True),
        (str(gone), "unverified", False),
    ]
