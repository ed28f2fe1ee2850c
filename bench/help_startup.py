"""`gmctl --help` against a bare one-command Typer app's --help, in the same run.

Goal (issue 2): gmctl within 1.2x of the bare app.   Usage: python bench/help_startup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import interleaved  # noqa: E402

BARE_APP = '''
import typer
app = typer.Typer()

@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    print(name)

app()
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_typer.py"
        bare.write_text(BARE_APP)
        times = interleaved({
            "bare typer --help": [sys.executable, str(bare), "--help"],
            "gmctl --help": [sys.executable, "-m", "gmctl", "--help"],
            "python -c pass": [sys.executable, "-c", "pass"],
        }, rounds=args.rounds)
    for name, seconds in times.items():
        print(f"{name:20s} {seconds * 1000:7.1f} ms")
    ratio = times["gmctl --help"] / times["bare typer --help"]
    print(f"ratio gmctl/bare     {ratio:7.2f}x  (goal <= 1.20x): {'ok' if ratio <= 1.2 else 'MISSED'}")


if __name__ == "__main__":
    main()
