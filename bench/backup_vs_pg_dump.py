"""`gmctl db backup --kind full` against raw `pg_dump -Fc -Z9` of the same database, in the same run.

Both run alternately (interleaved rounds, medians) so machine noise hits them alike. gmctl does more
than pg_dump: it holds an exported snapshot, counts every table's rows exactly in it, renames the
finished file, hashes it and writes the manifest; the goal is that this costs at most 5%.

The database is loaded with `gmctl db seed --scale N` (benchmark data; a unit is ~66,000 rows).

Usage: python bench/backup_vs_pg_dump.py [--scale N] [--rounds R] [--server-url URL] [--keep]
  --server-url: a maintenance URL of the server to use (default: GMCTL_BENCH_SERVER_URL, else an
  embedded PostgreSQL 18 in a temporary GMCTL_HOME). A database gmctl_bench_backup is created there
  (kept with --keep, so a second run skips the load).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from gmctl.backup.conninfo import for_tools
from gmctl.db.tools import find_pg_tool

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import interleaved  # noqa: E402

DATABASE = "gmctl_bench_backup"
GOAL = 1.05


def server_url(args: argparse.Namespace, home: Path) -> str:
    url = args.server_url or os.environ.get("GMCTL_BENCH_SERVER_URL")
    if url:
        return url
    from gmctl.db import embedded

    return embedded.start(home).url("postgres")


def prepare(admin_url: str, scale: int, home: Path) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    url = make_url(admin_url).set(database=DATABASE).render_as_string(hide_password=False)
    environ = {**os.environ, "GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": url}
    print(f"loading: gmctl db seed --scale {scale} (resumable; units already there are kept)", flush=True)
    subprocess.run(
        [sys.executable, "-m", "gmctl", "--yes", "db", "seed", "--scale", str(scale)],
        env=environ,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url


def facts(url: str) -> tuple[int, str, int]:
    with psycopg.connect(url) as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000  # type: ignore[index]
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]  # type: ignore[index]
        rows = conn.execute("SELECT sum(n_live_tup) FROM pg_stat_user_tables").fetchone()[0]  # type: ignore[index]
    return major, str(size), int(rows or 0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--server-url")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database for the next run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gmctl-bench-backup-"))
    home = work / "home"
    admin = server_url(args, home)
    try:
        url = prepare(admin, args.scale, home)
        major, size, rows = facts(url)
        pg_dump = find_pg_tool("pg_dump", major)
        target = for_tools(url)
        environ = {**target.environ, "GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": url}
        times = interleaved(
            {
                "pg_dump -Fc -Z9": [
                    str(pg_dump.path),
                    "-Fc",
                    "-Z9",
                    "-f",
                    str(work / "raw.backup"),
                    target.conninfo,
                ],
                "gmctl db backup --kind full": [
                    sys.executable,
                    "-m",
                    "gmctl",
                    "db",
                    "backup",
                    "--kind",
                    "full",
                    "--dir",
                    str(work / "gmctl"),
                ],
            },
            rounds=args.rounds,
            env=environ,
        )
        raw, ours = times["pg_dump -Fc -Z9"], times["gmctl db backup --kind full"]
        dump_size = (work / "raw.backup").stat().st_size
        print(f"database: {size}, ~{rows:,} rows (scale {args.scale}); PostgreSQL {major}, {pg_dump.path}")
        print(f"dump file: {dump_size / 1048576:.1f} MiB; {args.rounds} interleaved rounds, medians:")
        for name, seconds in times.items():
            print(f"  {name:30s} {seconds:7.3f} s")
        ratio = ours / raw
        print(
            f"ratio gmctl/pg_dump {ratio:.3f}x (goal <= {GOAL:.2f}x): {'ok' if ratio <= GOAL else 'MISSED'}"
        )
    finally:
        if not args.keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if not (args.server_url or os.environ.get("GMCTL_BENCH_SERVER_URL")):
            from gmctl.db import embedded

            embedded.stop(home)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
