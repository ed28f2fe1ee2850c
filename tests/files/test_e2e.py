"""The README's tour of `gmctl files`, run with the installed gmctl on a fresh embedded demo."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.e2e.conftest import gmctl_executable

pytestmark = pytest.mark.slow


def test_demo_then_scan_verify_orphans_with_the_installed_gmctl(clamd, tmp_path):
    home = tmp_path / "demo"
    environ = {k: v for k, v in os.environ.items() if k not in ("GMCTL_DATABASE_URL", "DATABASE_URL", "GMCTL_DEBUG")}
    environ.update(GMCTL_HOME=str(home), GMCTL_CLAMD_SOCKET=str(clamd.socket), NO_COLOR="1")

    def gmctl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*gmctl_executable(), *args], env=environ, capture_output=True, text=True, timeout=180)

    try:
        assert gmctl("db", "seed", "--demo").returncode == 0
        scan = gmctl("files", "scan", "--pending")
        assert scan.returncode == 1, scan.stderr
        assert scan.stdout.count("\n") == 1  # piped: one summary line
        assert "1 infected, 1 failed" in scan.stdout and "error: 1 infected and 1 failed" in scan.stderr
        verify = gmctl("files", "verify")
        assert verify.returncode == 1
        assert sorted(line.split("\t")[1] for line in verify.stdout.splitlines()[1:]) == ["hash_mismatch", "missing"]
        orphans = gmctl("files", "orphans")
        assert orphans.returncode == 0 and "dry run, nothing changed" in orphans.stderr
        assert sorted(line.split("\t")[0] for line in orphans.stdout.splitlines()[1:]) == [
            "file_without_record", "record_without_file"]
        again = gmctl("files", "scan", "--pending")
        assert again.returncode == 0 and again.stdout.startswith("scanned 0 file(s)")
    finally:
        gmctl("db", "server", "stop")
