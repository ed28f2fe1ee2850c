"""`gmctl requests list --limit 50 --format json`, end to end, against a bare SQLAlchemy+psycopg script.

Goal (issue 5): gmctl within 1.3x of a bare Python script that imports SQLAlchemy and psycopg and
runs the same query, measured in the same run (interleaved, medians).

Both run as fresh processes against the same database. The bare script runs the very SQL gmctl
sends for the page (captured from gmctl.requests.queue once, before timing) and prints the rows as
JSON. gmctl also parses its options, resolves the database, checks the sign-in token and the
operator's permissions (a bench operator is signed in to a private GMCTL_HOME first) and renders
through gmctl.output: that is the overhead measured.

Usage: python bench/requests_list_e2e.py [--database-url URL] [--rounds 15]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import interleaved

BARE_SCRIPT = """
import json, sys
import psycopg  # noqa: F401  (what SQLAlchemy's postgresql:// dialect drives)
import sqlalchemy

spec = json.load(open(sys.argv[1]))
engine = sqlalchemy.create_engine(spec["url"])
with engine.connect() as conn:
    rows = conn.exec_driver_sql(spec["sql"], spec["params"]).mappings().all()
print(json.dumps([dict(r) for r in rows], default=str, indent=2))
"""

OPERATOR = "bench_ops"


def sign_in_bench_operator(url: str, home: Path) -> None:
    """A staff account for the bench (made once) and a sign-in token in `home`."""
    from sqlalchemy import select

    from gmctl.auth.sessions import start_session
    from gmctl.context import Env
    from gmctl.db.models import Role, RoleGrant, User

    env = Env(environ={"GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": url}, home=home)
    with env.transaction() as session:
        user = session.scalar(select(User).where(User.username == OPERATOR))
        if user is None:
            user = User(
                username=OPERATOR,
                email=f"{OPERATOR}@bench.gmservices.example",
                password_hash="!bench",
                is_staff=True,
                is_active=True,
            )
            session.add(user)
            session.flush()
            session.add(
                RoleGrant(
                    user_id=user.id, role_id=session.scalar(select(Role.id).where(Role.name == "staff"))
                )
            )
            session.flush()
        start_session(env, session, user)
    env.close()


def captured_page_query(url: str) -> tuple[str, dict]:
    """The SQL and parameters of the page `requests list --limit 50` asks for."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from gmctl.db.engine import make_engine
    from gmctl.requests.queue import list_requests, make_filter

    engine = make_engine(url)
    sent: list[tuple[str, dict]] = []
    event.listen(
        engine,
        "before_cursor_execute",
        lambda c, cur, statement, params, *a: sent.append((statement, params)),
    )
    with Session(engine) as session:
        from datetime import datetime, timezone

        list_requests(session, make_filter(datetime.now(timezone.utc)), operator_id=None, limit=50)
    engine.dispose()
    return sent[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("GMCTL_DATABASE_URL"))
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set GMCTL_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        sign_in_bench_operator(args.database_url, home)
        statement, params = captured_page_query(args.database_url)
        spec = Path(tmp) / "query.json"
        spec.write_text(json.dumps({"url": args.database_url, "sql": statement, "params": params}))
        bare = Path(tmp) / "bare_list.py"
        bare.write_text(BARE_SCRIPT)
        # Like for like: the bare script with the same collector pause gmctl makes (gmctl/startup.py).
        paused = Path(tmp) / "bare_list_gc_paused.py"
        paused.write_text("import gc\ngc.disable()\n" + BARE_SCRIPT + "gc.freeze()\n")
        environ = {**os.environ, "GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": args.database_url}
        environ.pop("GMCTL_DEBUG", None)
        gmctl = [sys.executable, "-m", "gmctl", "requests", "list", "--limit", "50", "--format", "json"]
        check = __import__("subprocess").run(gmctl, env=environ, capture_output=True, text=True)
        if check.returncode != 0 or len(json.loads(check.stdout)) != 50:
            sys.exit(f"gmctl did not list 50 requests (exit {check.returncode}): {check.stderr.strip()}")
        times = interleaved(
            {
                "bare SQLAlchemy+psycopg": [sys.executable, str(bare), str(spec)],
                "bare, GC paused like gmctl": [sys.executable, str(paused), str(spec)],
                "gmctl requests list": gmctl,
                "python -c pass": [sys.executable, "-c", "pass"],
            },
            rounds=args.rounds,
            env=environ,
        )
        extra = import_costs(gmctl, environ)
    for name, seconds in times.items():
        print(f"{name:27s} {seconds * 1000:7.1f} ms")
    ratio = times["gmctl requests list"] / times["bare SQLAlchemy+psycopg"]
    print(f"ratio gmctl/bare           {ratio:7.2f}x  (goal <= 1.30x): {'ok' if ratio <= 1.3 else 'MISSED'}")
    alike = times["gmctl requests list"] / times["bare, GC paused like gmctl"]
    print(f"ratio, like for like       {alike:7.2f}x  (the bare script with gmctl's start-up GC pause)")
    print("imports gmctl pays and the bare script does not (cumulative, -X importtime, one run):")
    for module, ms in extra.items():
        print(f"  {module:62s} {ms:6.1f} ms")


# Top-level imports the bare script never makes, and who needs them.
EXTRA_IMPORTS = {
    "typer": "the CLI framework",
    "sqlalchemy.orm": "Env.session(); the sign-in check",
    "gmctl.db.models": "the sign-in check, gmctl.auth.sessions",
}


def import_costs(argv: list[str], environ: dict[str, str]) -> dict[str, float]:
    import re
    import subprocess

    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], env=environ, capture_output=True, text=True
    )
    costs = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|(\s*)(\S+)$", line)
        if match and match.group(3) in EXTRA_IMPORTS and match.group(3) not in costs:
            costs[match.group(3)] = int(match.group(1)) / 1000
    return {f"{name}: {EXTRA_IMPORTS[name]}": ms for name, ms in costs.items()}


if __name__ == "__main__":
    main()
