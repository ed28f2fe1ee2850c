"""The README's first line on a machine with no server, URL or environment variable."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow


def test_demo_seed_then_the_open_queue_on_the_embedded_server(run_gmctl, tmp_path):
    home = tmp_path / "fresh"
    try:
        seeded = run_gmctl("db", "seed", "--demo", home=home)
        assert seeded.returncode == 0, seeded.stderr
        queue = run_gmctl("requests", "list", home=home)
        assert queue.returncode == 0, queue.stderr
        lines = queue.stdout.splitlines()
        assert len(lines) > 5, queue.stdout
        header = lines[0].split("\t")
        assert "status" in header
        statuses = {line.split("\t")[header.index("status")] for line in lines[1:]}
        assert statuses <= {"pending", "confirmed", "in_progress", "on_hold"}
        as_json = json.loads(run_gmctl("--format", "json", "requests", "list", home=home).stdout)
        assert len(as_json) == len(lines) - 1
        again = run_gmctl("db", "seed", "--demo", home=home)
        assert again.returncode in (0, 2)
        assert "already" in again.stderr.lower()
    finally:
        run_gmctl("db", "server", "stop", home=home)
