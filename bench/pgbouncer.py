"""`gmctl requests list` through PgBouncer (pool_mode = transaction) against direct, side by side.

Issue 14: how much slower is a requests list through the pooler? Measured in the same run, interleaved
(medians), against the same database:

1. end to end: `gmctl --database-url URL requests list --limit 50 --format json` as fresh processes,
   direct vs `...?gmctl_pooler=transaction` through pgbouncer; what a person at a terminal waits for.
2. in process, warm: the same page (sign-in check and list query, as the command runs them) on one open
   connection, many times: what the pooler and the per-transaction SET LOCAL cost each command.

pgbouncer is Debian's, started here in front of the server (tests/production/servers.py), with the
default startup-parameter rules. With no --database-url, an embedded server in a temporary GMCTL_HOME
with the demo data is started and stopped again.

Usage: python bench/pgbouncer.py [--database-url URL] [--rounds 15] [--pages 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _timing import interleaved  # noqa: E402
from requests_list_e2e import sign_in_bench_operator  # noqa: E402


def demo_database(home: Path) -> str:
    from gmctl.db import embedded

    state = embedded.start(home)
    url = state.url()
    done = subprocess.run([sys.executable, "-m", "gmctl", "--database-url", url, "db", "seed", "--demo"],
                          capture_output=True, text=True, env={**os.environ, "GMCTL_HOME": str(home)})
    if done.returncode != 0:
        sys.exit(f"demo seed failed: {done.stderr.strip()}")
    return url


def warm_pages(urls: dict[str, str], home: Path, pages: int) -> dict[str, float]:
    """Median seconds per page: the sign-in check then the list query, one transaction, on a warm connection."""
    from gmctl.auth.permissions import require
    from gmctl.context import Env
    from gmctl.requests.queue import list_requests, make_filter

    envs = {}
    for name, url in urls.items():
        env = Env(environ={"GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": url}, home=home)
        envs[name] = env
    samples: dict[str, list[float]] = {name: [] for name in urls}
    for round_ in range(pages + 5):
        for name, env in envs.items():
            start = time.perf_counter()
            with env.read_transaction() as conn:
                operator = require(env, conn, "view_services")
                list_requests(conn, make_filter(env.clock()), operator_id=operator.user_id, limit=50)
            if round_ >= 5:  # the first few warm the connection and the caches
                samples[name].append(time.perf_counter() - start)
    for env in envs.values():
        env.close()
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("GMCTL_DATABASE_URL"))
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    from tests.production.servers import start_pgbouncer

    with tempfile.TemporaryDirectory(prefix="gmctl-bench-") as tmp:
        tmpdir = Path(tmp)
        tmpdir.chmod(0o755)
        home = tmpdir / "home"
        own_server = not args.database_url
        direct = args.database_url or demo_database(tmpdir / "server")
        from tests.production.servers import database_of, server_address

        bouncer = start_pgbouncer(tmpdir / "pgbouncer", direct)
        try:
            pooled = bouncer.url(database_of(direct), server_address(direct)["user"], gmctl_pooler="transaction")
            sign_in_bench_operator(direct, home)
            environ = {**os.environ, "GMCTL_HOME": str(home)}
            for name in ("GMCTL_DEBUG", "GMCTL_DATABASE_URL", "GMCTL_READ_DATABASE_URL"):
                environ.pop(name, None)
            argv = [sys.executable, "-m", "gmctl", "--database-url", "{url}", "requests", "list",
                    "--limit", "50", "--format", "json"]
            commands = {label: [a.replace("{url}", url) for a in argv]
                        for label, url in (("direct", direct), ("through pgbouncer", pooled))}
            for label, command in commands.items():
                check = subprocess.run(command, env=environ, capture_output=True, text=True)
                if check.returncode != 0:
                    sys.exit(f"gmctl requests list {label} failed (exit {check.returncode}): {check.stderr.strip()}")
            e2e = interleaved(commands, rounds=args.rounds, env=environ)
            warm = warm_pages({"direct": direct, "through pgbouncer": pooled}, home, args.pages)
        finally:
            bouncer.stop()
            if own_server:
                from gmctl.db import embedded

                embedded.stop(tmpdir / "server")
    print(f"gmctl requests list --limit 50 --format json, {args.rounds} interleaved rounds (median):")
    for label, seconds in e2e.items():
        print(f"  end to end, {label:18s} {seconds * 1000:8.1f} ms")
    slower = e2e["through pgbouncer"] - e2e["direct"]
    print(f"  pgbouncer costs         {slower * 1000:+8.1f} ms  ({e2e['through pgbouncer'] / e2e['direct']:.2f}x)")
    print(f"the same page on a warm connection, {args.pages} pages each (median):")
    for label, seconds in warm.items():
        print(f"  in process, {label:18s} {seconds * 1000:8.2f} ms")
    print(f"  pgbouncer costs         {(warm['through pgbouncer'] - warm['direct']) * 1000:+8.2f} ms a page "
          f"({warm['through pgbouncer'] / warm['direct']:.2f}x)")


if __name__ == "__main__":
    main()
