"""gmctl db upgrade|downgrade|current|history|check|init through the command line."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from gmctl import schema
from gmctl.db.engine import make_engine


def db(cli_nodb, url, *args):
    return cli_nodb("--database-url", url, *args)


@pytest.mark.slow
def test_init_is_idempotent_and_current_reports_head(cli_nodb, empty_url):
    first = db(cli_nodb, empty_url, "db", "init")
    assert first.exit_code == 0, first.stderr
    assert "migrated empty ->" in first.stderr
    second = db(cli_nodb, empty_url, "db", "init")
    assert second.exit_code == 0
    assert "already at head; 0 default row(s) added" in second.stderr
    current = json.loads(db(cli_nodb, empty_url, "--format", "json", "db", "current").stdout)
    assert current == {"revision": schema.head_revision(), "head": schema.head_revision(), "at_head": True}


def test_history_lists_every_revision_with_applied_state(cli_nodb, scratch_url):
    result = db(cli_nodb, scratch_url, "--format", "json", "db", "history")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["revision"] == "20240101000001" and rows[0]["down_revision"] is None
    assert all(row["applied"] for row in rows)
    assert [r["revision"] for r in rows][-1] == schema.head_revision()


def test_history_tsv_when_piped(cli_nodb, scratch_url):
    result = db(cli_nodb, scratch_url, "db", "history")
    assert result.stdout.splitlines()[0] == "revision\tapplied\tdescription\tdown_revision"


def test_check_is_clean_at_head_and_fails_on_drift(cli_nodb, scratch_url):
    clean = db(cli_nodb, scratch_url, "db", "check")
    assert clean.exit_code == 0, clean.stdout + clean.stderr
    assert "matches the models" in clean.stderr
    engine = make_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE users ADD COLUMN nickname text"))
    engine.dispose()
    drifted = db(cli_nodb, scratch_url, "--format", "json", "db", "check")
    assert drifted.exit_code == 1
    assert any("nickname" in row["difference"] for row in json.loads(drifted.stdout))
    assert "difference(s)" in drifted.stderr


def test_downgrade_with_yes_then_upgrade_to_a_prefix(cli_nodb, scratch_url):
    down = db(cli_nodb, scratch_url, "--yes", "db", "downgrade", "20240101000005")
    assert down.exit_code == 0, down.stderr
    current = json.loads(db(cli_nodb, scratch_url, "--format", "json", "db", "current").stdout)
    assert current["revision"] == "20240101000005" and current["at_head"] is False
    up = db(cli_nodb, scratch_url, "db", "upgrade", "fix01")
    assert up.exit_code == 0, up.stderr
    assert "fix01_vehicle_services_costs" in up.stderr


def test_unknown_revision_is_not_found(cli_nodb, scratch_url):
    result = db(cli_nodb, scratch_url, "db", "upgrade", "nonexistent")
    assert result.exit_code == 3
    assert "db history" in result.stderr
