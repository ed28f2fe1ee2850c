"""Errors reach people as one message and a documented exit code, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

from gmctl.errors import EXIT_CODES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_unreachable_database_exits_1_with_masked_url_and_hint(cli_nodb):
    result = cli_nodb("--database-url", "postgresql://ops:topsecret@127.0.0.1:1/gm", "db", "current")
    assert result.exit_code == 1
    assert "topsecret" not in result.stderr and "ops:***@127.0.0.1:1/gm" in result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_debug_shows_a_traceback_without_local_variables(cli_nodb):
    result = cli_nodb("--debug", "--database-url", "postgresql://ops:topsecret@127.0.0.1:1/gm", "db", "current")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert "topsecret" not in result.stderr.split("Traceback", 1)[0]


def test_usage_errors_exit_2(cli_nodb):
    result = cli_nodb("--format", "yaml", "db", "current")
    assert result.exit_code == 2


def test_destructive_downgrade_refuses_without_yes_off_a_terminal(cli_nodb):
    result = cli_nodb("--database-url", "postgresql://nobody@127.0.0.1:1/gm", "db", "downgrade", "base")
    assert result.exit_code == 2
    assert "--yes" in result.stderr


def test_readme_exit_code_table_matches_the_code():
    text = README.read_text()
    for code, meaning in EXIT_CODES.items():
        assert re.search(rf"^\| {code} \| {re.escape(meaning)} \|$", text, re.M), f"README lacks exit code {code}"
