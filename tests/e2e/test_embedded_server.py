"""The embedded PostgreSQL: started by the first command, reused, stopped on request."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow


def test_first_command_starts_the_server_and_installs_the_schema(run_gmctl, tmp_path):
    home = tmp_path / "gm"
    status = run_gmctl("--format", "json", "db", "server", "status", home=home)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["running"] is False
    try:
        current = run_gmctl("--format", "json", "db", "current", home=home)
        assert current.returncode == 0, current.stderr
        facts = json.loads(current.stdout)
        assert facts["at_head"] is True
        status = json.loads(run_gmctl("--format", "json", "db", "server", "status", home=home).stdout)
        assert status["running"] is True and status["in_use"] is True
        assert (home / "pgdata" / "PG_VERSION").read_text().strip() == "18"
        # Reused, not restarted: the same postmaster answers the next command.
        again = json.loads(run_gmctl("--format", "json", "db", "server", "status", home=home).stdout)
        assert again["pid"] == status["pid"]
    finally:
        stopped = run_gmctl("db", "server", "stop", home=home)
    assert stopped.returncode == 0 and "stopped" in stopped.stderr
    assert json.loads(run_gmctl("--format", "json", "db", "server", "status", home=home).stdout)["running"] is False


def test_a_server_that_cannot_start_says_why_and_where_the_log_is(run_gmctl, tmp_path):
    home = tmp_path / "broken"
    (home / "pgdata").mkdir(parents=True)
    (home / "pgdata" / "PG_VERSION").write_text("18\n")  # looks initialised but is not: startup must fail
    result = run_gmctl("db", "current", home=home)
    assert result.returncode == 1
    assert "embedded PostgreSQL" in result.stderr
    assert "log" in result.stderr
    assert "Traceback" not in result.stderr



def test_a_closed_pipe_ends_quietly():
    """`gmctl requests export | head`: when the reader stops early, gmctl stops quietly with exit 0."""
    import subprocess
    import sys

    script = ("import sys, typer\nfrom gmctl.cli.base import guarded\n"
              "@guarded\ndef flood(ctx=None):\n    for _ in range(200000):\n        print('x' * 80)\n"
              "try:\n    flood()\nexcept typer.Exit as e:\n    sys.exit(e.exit_code)\n")
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    writer.stdout.read(100)
    writer.stdout.close()
    _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0
    assert b"BrokenPipe" not in err and b"error" not in err.lower()
