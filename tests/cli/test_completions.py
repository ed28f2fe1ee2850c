"""The shipped completion scripts are what the CLI generates, and completion sees every command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "completions"))
import generate  # noqa: E402


@pytest.mark.parametrize("shell", sorted(generate.FILES))
def test_shipped_completion_script_is_current(shell):
    shipped = (ROOT / "completions" / generate.FILES[shell]).read_text()
    assert shipped == generate.generate(shell), "run `python completions/generate.py` and commit the result"


def test_bash_completion_offers_the_commands_of_a_group():
    env = {**os.environ, "_GMCTL_COMPLETE": "complete_bash", "COMP_WORDS": "gmctl db ", "COMP_CWORD": "2"}
    code = "from gmctl.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    offered = set(done.stdout.split())
    assert {"upgrade", "downgrade", "current", "history", "check", "init", "server"} <= offered
