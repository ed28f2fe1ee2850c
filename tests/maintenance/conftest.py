"""Maintenance fixtures: commands run against a committed scratch database (VACUUM needs autocommit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from gmctl.context import Env
from tests.conftest import FIXED_NOW, invoke


@pytest.fixture
def run_cli(scratch_engine: Engine, tmp_path: Path):
    """gmctl against the scratch database, with a fresh Env per call."""
    home = tmp_path / "home"
    home.mkdir()

    def run(*args: str, **overrides: Any):
        env = Env(environ={"GMCTL_HOME": str(home), "NO_COLOR": "1"}, home=home, clock=lambda: FIXED_NOW,
                  engine=scratch_engine, **overrides)
        return invoke(env, *args)

    return run


def autocommit(engine: Engine, *statements: str) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.execute(text(statement))


def bloat_system_logs(engine: Engine, rows: int = 100_000) -> None:
    """Leave system_logs' indexes mostly empty pages: many rows in, nearly all deleted, vacuumed."""
    autocommit(engine,
               f"INSERT INTO system_logs (message) SELECT 'bulk ' || g FROM generate_series(1, {rows}) g",
               "DELETE FROM system_logs WHERE id % 20 <> 0",
               "VACUUM (ANALYZE) system_logs")


def make_invalid_index(engine: Engine, name: str) -> None:
    """A unique index built CONCURRENTLY over duplicates fails and stays behind, invalid."""
    autocommit(engine, "CREATE TABLE test_items (code text)", "INSERT INTO test_items VALUES ('a'), ('a')")
    try:
        autocommit(engine, f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON test_items (code)")
    except Exception:
        pass
    autocommit(engine, "DELETE FROM test_items WHERE ctid = (SELECT max(ctid) FROM test_items)")
