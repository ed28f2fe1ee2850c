"""Regenerate the shell completion scripts from the CLI: python completions/generate.py

tests/cli/test_completions.py fails when the shipped scripts differ from what this writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = {"bash": "gmctl.bash", "zsh": "_gmctl", "fish": "gmctl.fish"}


def generate(shell: str) -> str:
    env = {**os.environ, "_GMCTL_COMPLETE": f"source_{shell}"}
    code = "import sys; sys.argv[0] = 'gmctl'; from gmctl.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if not done.stdout.strip():
        raise SystemExit(f"no {shell} completion script produced: {done.stderr}")
    return done.stdout


def main() -> None:
    for shell, name in FILES.items():
        (HERE / name).write_text(generate(shell))
        print(f"wrote completions/{name}")


if __name__ == "__main__":
    main()
