"""`gmctl db retention` against the seed's single-statement retention SQL, on identical copies, in one run.

Goals (issue 7): retention rows/s >= 0.8x the seed's statements; the longest batch transaction < 1 s;
the longest wait of a concurrent `requests status`-like change of a live request < 1 s.

  python bench/retention_vs_seed_sql.py --admin-url 'postgresql://postgres@/postgres?host=/tmp/gmdev/pgdata'
      [--units 30] [--history-factor 2] [--rounds 3] [--reuse]

1. A source database: `gmctl db seed --scale UNITS` (10,000 requests and ~31,000 history rows a unit,
   over the last two years), then aged with UPDATEs: the oldest 80% of requests, and everything
   hanging off them, move 4.5 years back, so about a third of all requests are completed more than
   five years ago and all their history is older than two years. HISTORY_FACTOR copies the aged
   history (a request with more status changes), and 20,000 temporary file records a month old are
   added. VACUUM FULL, then two copies: CREATE DATABASE ... TEMPLATE.
2. A copy for the seed's SQL, each statement on its own as the document has it, extended only where
   its archive step fails (messages reference the requests, so they are archived first, and the
   history of archived requests is archived rather than lost) so that both copies end in the same
   state; a copy for `gmctl db retention` (the Retention domain object, as the CLI runs it). Rounds
   alternate the order (seed, gmctl, gmctl, seed, ...) so a busy machine weighs on both alike.
3. Meanwhile a second connection keeps changing the status of random live requests (UPDATE the
   request + INSERT a history row, one transaction each, as `requests status` does) and records
   the longest one.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from gmctl.db.url import libpq_url  # noqa: E402

SOURCE, OURS, SEEDS = "ret_bench_src", "ret_bench_gmctl", "ret_bench_seed"
AGE = "interval '4 years 6 months'"

AGING = [
    "CREATE TEMP TABLE aged AS SELECT id FROM service_requests"
    " WHERE id <= (SELECT percentile_disc(0.8) WITHIN GROUP (ORDER BY id) FROM service_requests)",
    "ALTER TABLE aged ADD PRIMARY KEY (id)",
    f"UPDATE service_requests r SET created_at = created_at - {AGE}, updated_at = updated_at - {AGE},"
    f" completed_at = completed_at - {AGE}, assigned_at = assigned_at - {AGE} FROM aged a WHERE a.id = r.id",
    f"UPDATE service_status_history h SET created_at = created_at - {AGE} FROM aged a"
    " WHERE a.id = h.service_request_id",
    f"UPDATE messages m SET created_at = created_at - {AGE} FROM aged a WHERE a.id = m.service_request_id",
    f"UPDATE payments p SET created_at = created_at - {AGE}, initiated_at = initiated_at - {AGE},"
    f" completed_at = completed_at - {AGE}, updated_at = updated_at - {AGE} FROM aged a"
    " WHERE a.id = p.service_request_id",
]
MORE_HISTORY = (
    "INSERT INTO service_status_history (service_request_id, previous_status, new_status, changed_by, reason,"
    " metadata, created_at) SELECT service_request_id, previous_status, new_status, changed_by, reason,"
    " metadata, created_at - interval '1 hour' FROM service_status_history"
    " WHERE created_at < now() - interval '2 years'"
)
TEMP_FILES = (
    "INSERT INTO file_uploads (user_id, original_filename, stored_filename, file_path, file_size, mime_type,"
    " is_temporary, created_at) SELECT (SELECT min(id) FROM users), 'upload.jpg', 'tmp' || g, '/tmp/' || g,"
    " 1000 + g, 'image/jpeg', true, now() - interval '30 days' FROM generate_series(1, 20000) g"
)

CANDIDATES = ("SELECT id FROM service_requests WHERE status = 'completed'"
              " AND completed_at < CURRENT_DATE - INTERVAL '5 years'")


def seed_statements() -> list[str]:
    """The seed's retention SQL, one statement at a time; children first where its archive step fails."""
    from gmctl.retention.archive import CHILD_MOVES, REQUEST_MOVE, column_list

    statements = []
    for move in CHILD_MOVES:  # not in the seed: without these its DELETE fails (messages) or loses history
        cols = column_list(move.live)
        statements.append(f"INSERT INTO {move.archive.name} ({cols}) SELECT {cols} FROM {move.live.name}"
                          f" WHERE service_request_id IN ({CANDIDATES})")
        statements.append(f"DELETE FROM {move.live.name} WHERE service_request_id IN ({CANDIDATES})")
    cols = column_list(REQUEST_MOVE.live)
    statements += [
        f"INSERT INTO service_requests_archive ({cols}) SELECT {cols} FROM service_requests"
        " WHERE status = 'completed' AND completed_at < CURRENT_DATE - INTERVAL '5 years'",
        "DELETE FROM service_requests"
        " WHERE status = 'completed' AND completed_at < CURRENT_DATE - INTERVAL '5 years'",
        "DELETE FROM service_status_history WHERE created_at < CURRENT_DATE - INTERVAL '2 years'",
        "DELETE FROM file_uploads"
        " WHERE is_temporary = TRUE AND created_at < CURRENT_DATE - INTERVAL '7 days'",
    ]
    return statements


def url_for(admin: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin).set(database=database).render_as_string(hide_password=False)


def admin_run(admin: str, *statements: str) -> None:
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def connect(url: str, autocommit: bool = True) -> psycopg.Connection:
    """CURRENT_DATE in the seed's SQL then means today in Lagos, as gmctl's cutoffs do."""
    return psycopg.connect(libpq_url(url), autocommit=autocommit, options="-c timezone=Africa/Lagos")


def scalar(url: str, sql: str):
    with connect(url) as conn:
        return conn.execute(sql).fetchone()[0]


def gmctl(url: str, *args: str) -> None:
    env = {**os.environ, "GMCTL_HOME": "/tmp/ret-bench-home", "NO_COLOR": "1"}
    subprocess.run([sys.executable, "-m", "gmctl", "--database-url", url, *args], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def build_source(admin: str, units: int, history_factor: int) -> None:
    admin_run(admin, f'DROP DATABASE IF EXISTS "{SOURCE}" WITH (FORCE)', f'CREATE DATABASE "{SOURCE}"')
    url = url_for(admin, SOURCE)
    started = time.monotonic()
    gmctl(url, "db", "init")
    gmctl(url, "db", "seed", "--scale", str(units))
    print(f"seeded {units} units in {time.monotonic() - started:.0f} s", flush=True)
    with connect(url, autocommit=False) as conn:
        for statement in AGING:
            conn.execute(statement)
        for _ in range(history_factor - 1):
            conn.execute(MORE_HISTORY)
        conn.execute(TEMP_FILES)
        conn.commit()
    with connect(url) as conn:
        conn.execute("VACUUM (FULL, ANALYZE)")
    print(f"aged and vacuumed in {time.monotonic() - started:.0f} s", flush=True)


def describe(url: str) -> dict[str, int]:
    return {
        "requests": scalar(url, "SELECT count(*) FROM service_requests"),
        "old completed requests": scalar(url, f"SELECT count(*) FROM ({CANDIDATES}) c"),
        "history": scalar(url, "SELECT count(*) FROM service_status_history"),
        "history older than 2 years": scalar(url, "SELECT count(*) FROM service_status_history"
                                                  " WHERE created_at < CURRENT_DATE - INTERVAL '2 years'"),
        "messages": scalar(url, "SELECT count(*) FROM messages"),
        "temporary files": scalar(url, "SELECT count(*) FROM file_uploads WHERE is_temporary"),
    }


def end_state(url: str) -> dict[str, int]:
    """Row counts; the history rows the staff traffic added are left out (their number varies)."""
    tables = ("service_requests", "messages", "file_uploads", "payments", "service_requests_archive",
              "service_status_history_archive", "messages_archive")
    state = {t: scalar(url, f"SELECT count(*) FROM {t}") for t in tables}
    state["service_status_history"] = scalar(url, "SELECT count(*) FROM service_status_history"
                                                  " WHERE reason IS DISTINCT FROM 'bench'")
    return state


class StaffTraffic(threading.Thread):
    """Status changes of random live requests, one short transaction each, timed."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.waits = url, threading.Event(), []

    def run(self) -> None:
        with connect(self.url, autocommit=False) as conn:
            live = conn.execute("SELECT id FROM service_requests"
                                " WHERE status IN ('pending', 'confirmed', 'in_progress', 'on_hold')")
            ids = [r[0] for r in live.fetchall()]
            conn.commit()
            rng = random.Random(7)
            while not self.stop.is_set():
                request_id = rng.choice(ids)
                started = time.monotonic()
                conn.execute("UPDATE service_requests SET priority = CASE priority WHEN 'high' THEN 'normal'"
                             " ELSE 'high' END, updated_at = now() WHERE id = %s", (request_id,))
                conn.execute("INSERT INTO service_status_history (service_request_id, previous_status,"
                             " new_status, reason) SELECT id, status, status, 'bench' FROM service_requests"
                             " WHERE id = %s", (request_id,))
                conn.commit()
                self.waits.append(time.monotonic() - started)
                time.sleep(0.02)


def timed_with_traffic(url: str, work) -> tuple[float, StaffTraffic, object]:
    admin_run(url, "CHECKPOINT")
    traffic = StaffTraffic(url)
    traffic.start()
    time.sleep(0.5)
    started = time.monotonic()
    result = work()
    seconds = time.monotonic() - started
    traffic.stop.set()
    traffic.join()
    return seconds, traffic, result


def run_seed_sql(url: str) -> list[float]:
    durations = []
    with connect(url) as conn:
        for statement in seed_statements():
            started = time.monotonic()
            conn.execute(statement)
            durations.append(time.monotonic() - started)
    return durations


def run_gmctl(url: str, batch_size: int):
    from gmctl.db.engine import make_engine
    from gmctl.retention.policies import ORDER, Periods
    from gmctl.retention.run import Retention

    engine = make_engine(url)
    try:
        from datetime import datetime, timezone

        clock = lambda: datetime.now(timezone.utc)  # noqa: E731
        return Retention(engine, ORDER, Periods(), clock, batch_size=batch_size).run()
    finally:
        engine.dispose()


def one_run(admin: str, kind: str, batch_size: int) -> dict:
    """A fresh copy of the source, one retention by `kind` (seed or gmctl) under staff traffic."""
    name = OURS if kind == "gmctl" else SEEDS
    admin_run(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
              f'CREATE DATABASE "{name}" TEMPLATE "{SOURCE}"')
    url = url_for(admin, name)
    try:
        work = (lambda: run_gmctl(url, batch_size)) if kind == "gmctl" else (lambda: run_seed_sql(url))
        seconds, traffic, result = timed_with_traffic(url, work)
        return {"kind": kind, "seconds": seconds, "waits": traffic.waits, "result": result,
                "end": end_state(url)}
    finally:
        admin_run(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default=os.environ.get("GMCTL_TEST_DATABASE_URL"),
                        help="a database on the server to benchmark on (default: GMCTL_TEST_DATABASE_URL)")
    parser.add_argument("--units", type=int, default=30, help="gmctl db seed --scale UNITS (default 30)")
    parser.add_argument("--history-factor", type=int, default=2,
                        help="copies of the aged history (default 2)")
    parser.add_argument("--batch-size", type=int, default=500, help="retention's first batch size")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of (seed, gmctl), alternating the order (seed gmctl gmctl seed...)")
    parser.add_argument("--reuse", action="store_true", help=f"reuse an existing {SOURCE}")
    args = parser.parse_args()
    if not args.admin_url:
        parser.error("--admin-url (or GMCTL_TEST_DATABASE_URL) is required")
    if not args.reuse:
        build_source(args.admin_url, args.units, args.history_factor)
    print("source:", ", ".join(f"{k} {v:,}" for k, v in describe(url_for(args.admin_url, SOURCE)).items()),
          flush=True)
    runs = []
    for number in range(args.rounds):
        for kind in (("seed", "gmctl") if number % 2 == 0 else ("gmctl", "seed")):
            run = one_run(args.admin_url, kind, args.batch_size)
            print(f"  {kind:5s} {run['seconds']:7.2f} s", flush=True)
            runs.append(run)
    report_figures(runs)


def report_figures(runs: list[dict]) -> None:
    ours = [r for r in runs if r["kind"] == "gmctl"]
    seeds = [r for r in runs if r["kind"] == "seed"]
    report = ours[0]["result"]
    rows = sum(o.rows for o in report.policies)
    print()
    print(f"rows moved or deleted per run: {rows:,}  ("
          + ", ".join(f"{o.policy} {o.rows:,}" for o in report.policies) + ")")
    ends = [r["end"] for r in runs]
    print(f"same end state in every copy: {all(e == ends[0] for e in ends)}  {ends[0]}")
    # The seed's statements do the same rows (the end states match), so both rates use the same count.
    # Medians: on a shared machine one run in a busy minute says little.
    seed_rate = rows / statistics.median(r["seconds"] for r in seeds)
    our_rate = rows / statistics.median(r["seconds"] for r in ours)
    batches = [d for r in ours for o in r["result"].policies for d in o.detail]
    statements = [d for r in seeds for d in r["result"]]
    print(f"seed SQL         {len(seeds)} runs, median {seed_rate:10,.0f} rows/s  "
          f"longest statement {max(statements):.2f} s")
    print(f"gmctl retention  {len(ours)} runs, median {our_rate:10,.0f} rows/s  {len(batches)} batches, "
          f"median {statistics.median(batches) * 1000:.0f} ms")
    ratio = our_rate / seed_rate
    print(f"rate ratio gmctl/seed {ratio:.2f}x (goal >= 0.80x): {'ok' if ratio >= 0.8 else 'MISSED'}")
    longest = max(batches)
    for policy in (o.policy for o in report.policies):
        durations = [d for r in ours for o in r["result"].policies if o.policy == policy for d in o.detail]
        if durations:
            median = statistics.median(durations) * 1000
            print(f"  {policy:10s} {len(durations):4d} batches, median {median:4.0f} ms,"
                  f" longest {max(durations) * 1000:4.0f} ms")
    print(f"longest batch transaction {longest * 1000:.0f} ms (goal < 1000 ms): "
          f"{'ok' if longest < 1 else 'MISSED'}")
    for name, group in (("seed SQL", seeds), ("gmctl retention", ours)):
        waits = [w for r in group for w in r["waits"]]
        print(f"status changes during {name}: {len(waits)}, median {statistics.median(waits) * 1000:.1f} ms,"
              f" longest {max(waits) * 1000:.0f} ms")
    worst = max(w for r in ours for w in r["waits"])
    print(f"longest status-change wait during retention {worst * 1000:.0f} ms (goal < 1000 ms): "
          f"{'ok' if worst < 1 else 'MISSED'}")


if __name__ == "__main__":
    main()
