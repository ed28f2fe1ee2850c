"""Helpers to run the installed `gmctl` as a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def gmctl_executable() -> list[str]:
    beside = Path(sys.executable).with_name("gmctl")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "gmctl"]


@pytest.fixture
def run_gmctl(tmp_path):
    """Run the installed gmctl with a clean environment: no database URL unless given."""

    def run(*args: str, home: Path | None = None, url: str | None = None, stdin: str | None = None,
            timeout: int = 120) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items()
               if k not in ("GMCTL_DATABASE_URL", "DATABASE_URL", "GMCTL_PROFILE", "GMCTL_DEBUG")}
        env["GMCTL_HOME"] = str(home or tmp_path / "home")
        if url:
            env["GMCTL_DATABASE_URL"] = url
        return subprocess.run([*gmctl_executable(), *args], env=env, input=stdin, capture_output=True,
                              text=True, timeout=timeout)

    return run
