"""The payments desk at scale: list/show server times at 5M payments, and reconcile of a 1M-row export.

Goals (issue 12):
- every `payments list` / `payments show` query <= 20 ms of server time (EXPLAIN ANALYZE, median
  of --repeat runs) with 5M payments;
- `payments reconcile` of a 1M-row Paystack export against them <= 60 s, peak RSS of the gmctl
  process <= 200 MB (os.wait4's ru_maxrss of that very child).

Baselines measured in the same run: the keyset deep page against the same page by OFFSET (what
keyset paging saves), and reconcile against a bare COPY of the same file into a scratch table
(the floor: reading and loading the file, without any matching).

Data: 20,000 customers and N payments, loaded with COPY (payments' indexes dropped for the load and
built afterwards), ids in time order over three years; 60% Paystack. The export is every Paystack
payment of the last whole Lagos days that fit in --export-rows, in Paystack's layout (kobo, GMT),
with one amount in 50,000 off by ₦1 and 10 lines of references the ledger has never seen.

Usage: python bench/payments.py [--database-url URL] [--payments 5000000] [--export-rows 1000000]
       [--repeat 5] [--keep]
Without --database-url a private embedded server is started in a temporary GMCTL_HOME and stopped
at the end. About 8-10 minutes on 2 cores at the default sizes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import event, text
from sqlalchemy.orm import Session

GOAL_MS = 20.0
GOAL_SECONDS = 60.0
GOAL_RSS_MB = 200.0
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
SPAN = timedelta(days=3 * 365)
CUSTOMERS = 20_000
STATUSES = ["completed"] * 80 + ["failed"] * 8 + ["pending"] * 4 + ["processing"] * 3 + ["cancelled"] * 3 + ["refunded"] * 2


def gmctl_executable() -> list[str]:
    beside = Path(sys.executable).with_name("gmctl")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "gmctl"]


# -- data -----------------------------------------------------------------------------------------
def load(engine: Any, payments: int) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        started = time.perf_counter()
        with cur.copy("COPY users (id, username, email, password_hash, is_active, is_staff, created_at)"
                      " FROM STDIN") as copy:
            for i in range(1, CUSTOMERS + 1):
                copy.write_row((1000 + i, f"bench{i}", f"bench{i}@bench.example", "!", True, False, NOW - SPAN))
        cur.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), 100000)")
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'payments'"
                    " AND indexname <> 'payments_pkey'")
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
        step = SPAN.total_seconds() / payments
        start = NOW - SPAN
        with cur.copy("COPY payments (id, user_id, amount, currency, payment_method, gateway,"
                      " gateway_transaction_id, gateway_reference, gateway_response, status, created_at,"
                      " updated_at, initiated_at, completed_at) FROM STDIN") as copy:
            block: list[str] = []
            for i in range(1, payments + 1):
                status = STATUSES[(i * 7919) % 100]
                paystack = (i * 31) % 10 < 6
                created = start + timedelta(seconds=i * step)
                stamp = created.isoformat()
                done = (created + timedelta(minutes=2)).isoformat() if status in ("completed", "refunded") else "\\N"
                txn = "\\N" if status == "pending" else (f"PSTK-{i:010d}" if paystack else f"FLW-{i:010d}")
                amount = f"{500 + (i * 104729) % 500_000}.{(i * 13) % 100:02d}"
                block.append(f"{i}\t{1001 + i % CUSTOMERS}\t{amount}\tNGN\t{'card' if i % 3 else 'bank_transfer'}\t"
                             f"{'paystack' if paystack else 'flutterwave'}\t{txn}\tGMS-{i:010d}\t"
                             f'{{"channel": "card", "message": "Approved"}}\t{status}\t{stamp}\t{stamp}\t{stamp}\t{done}\n')
                if len(block) == 20_000:
                    copy.write("".join(block))
                    block.clear()
            copy.write("".join(block))
        cur.execute("SELECT setval(pg_get_serial_sequence('payments', 'id'), %s)", (payments,))
        raw.commit()
        loaded = time.perf_counter() - started
        for _, definition in indexes:
            cur.execute(definition)
        raw.commit()
        raw.driver_connection.autocommit = True
        cur.execute("VACUUM (ANALYZE) payments")
        cur.execute("ANALYZE users")
        print(f"loaded {CUSTOMERS:,} customers and {payments:,} payments by COPY in {loaded:.1f} s; "
              f"indexes and ANALYZE in {time.perf_counter() - started - loaded:.1f} s", flush=True)
    finally:
        raw.close()


EXPORT = """
COPY (
  WITH chosen AS (
    SELECT p.*, row_number() OVER (ORDER BY p.id) AS n FROM payments p
    WHERE p.gateway = 'paystack' AND NOT (p.status = 'pending' AND p.gateway_transaction_id IS NULL)
      AND p.created_at >= %(since)s AND p.created_at < %(until)s)
  SELECT gateway_transaction_id AS id, gateway_reference AS reference,
         (amount * 100)::bigint + CASE WHEN n %% 50000 = 0 THEN 100 ELSE 0 END AS amount, currency,
         CASE status WHEN 'completed' THEN 'success' WHEN 'refunded' THEN 'reversed' WHEN 'cancelled' THEN 'abandoned'
                     WHEN 'processing' THEN 'ongoing' ELSE status END AS status,
         CASE WHEN payment_method = 'card' THEN 'card' ELSE 'bank' END AS channel,
         CASE WHEN status = 'completed' THEN least((amount * 1.5)::bigint + 10000, 200000) ELSE 0 END AS fees,
         to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"') AS paid_at,
         to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"') AS created_at,
         'Approved' AS gateway_response
  FROM chosen ORDER BY n
) TO STDOUT WITH (FORMAT csv, HEADER true)"""


def write_export(engine: Any, rows: int, path: Path) -> tuple[int, datetime, datetime]:
    """The last whole Lagos days of Paystack payments that fit in `rows` lines; returns lines, window."""
    from gmctl.when import LAGOS

    with engine.connect() as conn:
        per_day = conn.execute(text(
            "SELECT count(*) / 30.0 FROM payments WHERE gateway = 'paystack' AND created_at >= :t"),
            {"t": NOW - timedelta(days=30)}).scalar_one()
    days = max(1, int(rows / float(per_day)))
    today = NOW.astimezone(LAGOS).date()
    until = datetime(today.year, today.month, today.day, tzinfo=LAGOS)
    since = until - timedelta(days=days)
    raw = engine.raw_connection()
    lines = 0
    try:
        with path.open("wb") as out, raw.cursor().copy(EXPORT, {"since": since, "until": until}) as copy:
            for chunk in copy:
                out.write(chunk)
                lines += bytes(chunk).count(b"\n")
    finally:
        raw.close()
    with path.open("ab") as out:  # ten strangers: missing_in_ledger
        for k in range(10):
            out.write(f"PSTK-X{k},GMS-UNKNOWN-{k},100000,NGN,success,card,0,{until.isoformat()},,Approved\n".encode())
    return lines - 1 + 10, since, until


# -- list / show server times -------------------------------------------------------------------------
def captured(engine: Any, run: Callable[[Session], Any]) -> list[tuple[str, Any]]:
    sent: list[tuple[str, Any]] = []

    def listen(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, params))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        with Session(engine) as session:
            run(session)
            session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return sent


def server_ms(engine: Any, statements: list[tuple[str, Any]], repeat: int) -> tuple[float, str]:
    totals: list[float] = []
    index = "-"
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for round_ in range(repeat + 1):
            spent = 0.0
            for statement, params in statements:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                lines = [r[0] for r in cur.fetchall()]
                spent += next(float(m.group(1)) for line in lines
                              if (m := re.search(r"Execution Time: ([\d.]+) ms", line)))
                if index == "-":
                    index = next((m.group(1) for line in lines if (m := re.search(
                        r"Index (?:Only )?Scan(?: Backward)? using (\w+)|Bitmap Index Scan on (\w+)", line))
                        and (m := re.search(r"(idx_\w+|\w+_pkey)", line))), "-")
            raw.rollback()
            if round_:
                totals.append(spent)
    finally:
        raw.close()
    return statistics.median(totals), index


def queries(engine: Any, payments: int, repeat: int) -> list[dict[str, Any]]:
    from gmctl.payments.detail import payment_document
    from gmctl.payments.listing import list_payments, make_filter

    def page(**kw: Any) -> Callable[[Session], Any]:
        after = kw.pop("after", None)
        return lambda s: list_payments(s.connection(), make_filter(s.connection(), NOW, **kw), after=after)

    with Session(engine) as s:
        deep_cursor = None
        flt = make_filter(s.connection(), NOW)
        for _ in range(20):  # 20 pages down (1,000 rows), by keyset
            deep_cursor = list_payments(s.connection(), flt, after=deep_cursor).next_cursor
    middle = payments // 2
    cases: dict[str, Callable[[Session], Any]] = {
        "list (first page)": page(),
        "list --status completed --gateway paystack": page(statuses=["completed"], gateways=["paystack"]),
        "list --status refunded": page(statuses=["refunded"]),
        "list --customer bench77": page(customer="bench77"),
        "list --since/--before one Lagos day": page(since="2025-06-01", before="2025-06-01"),
        "list --min-amount 400,000": page(min_amount="400,000"),
        f"list --reference GMS-{middle:010d}"[:44]: page(reference=f"GMS-{middle:010d}"),
        "list --reference GMS-00012345 (prefix)": page(reference="GMS-00012345"),
        "list 21st page (--after, keyset)": page(after=deep_cursor),
        "show ID": lambda s: payment_document(s, str(middle)),
        "show REFERENCE": lambda s: payment_document(s, f"GMS-{middle + 1:010d}"),
    }
    rows = []
    for name, run in cases.items():
        ms, index = server_ms(engine, captured(engine, run), repeat)
        rows.append({"query": name, "ms": ms, "index": index, "ok": ms <= GOAL_MS})
    # Baseline: the same 21st page by OFFSET, as a list without keyset paging would fetch it.
    offset_sql = ("SELECT p.id FROM payments p JOIN users u ON u.id = p.user_id"
                  " ORDER BY p.created_at DESC, p.id DESC LIMIT 51 OFFSET 1000")
    ms, index = server_ms(engine, [(offset_sql, None)], repeat)
    rows.append({"query": "baseline: 21st page by OFFSET", "ms": ms, "index": index, "ok": None})
    return rows


# -- reconcile -------------------------------------------------------------------------------------------
def run_measured(argv: list[str], env: dict[str, str]) -> tuple[int, float, float, str, str]:
    """Exit code, wall seconds, peak RSS (MB) of that one child process, stdout, stderr."""
    started = time.perf_counter()
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    child = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    out.seek(0)
    err.seek(0)
    return (child.returncode, seconds, usage.ru_maxrss / 1024.0, out.read().decode(), err.read().decode())


def copy_floor(engine: Any, path: Path) -> float:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        started = time.perf_counter()
        cur.execute("CREATE TEMP TABLE floor (id text, reference text, amount bigint, currency text, status text,"
                    " channel text, fees bigint, paid_at text, created_at text, gateway_response text)")
        with path.open("rb") as source, cur.copy("COPY floor FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        raw.rollback()
        return seconds
    finally:
        raw.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--payments", type=int, default=5_000_000)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary server and files")
    args = parser.parse_args()

    from gmctl import schema
    from gmctl.db.engine import make_engine

    home = Path(tempfile.mkdtemp(prefix="gmctl-bench-payments-"))
    embedded = args.database_url is None
    try:
        if embedded:
            from gmctl.db import embedded as server

            state = server.start(home)
            admin = make_engine(state.url("postgres"))
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("CREATE DATABASE gmctl_bench_payments"))
            admin.dispose()
            url = state.url("gmctl_bench_payments")
        else:
            url = args.database_url
        engine = make_engine(url)
        schema.initialise(engine)
        load(engine, args.payments)
        export = home / "paystack_export.csv"
        started = time.perf_counter()
        lines, since, until = write_export(engine, args.export_rows, export)
        print(f"export: {lines:,} lines, {export.stat().st_size / 1e6:.0f} MB, Lagos days {since:%Y-%m-%d} to "
              f"{until - timedelta(days=1):%Y-%m-%d}, written in {time.perf_counter() - started:.1f} s", flush=True)

        print(f"\nserver time per command (median of {args.repeat}, goal <= {GOAL_MS:.0f} ms) at {args.payments:,} payments")
        for row in queries(engine, args.payments, args.repeat):
            mark = "" if row["ok"] is None else ("  ok" if row["ok"] else "  OVER")
            print(f"  {row['query']:<46} {row['ms']:8.2f} ms  {row['index']}{mark}")

        floor = copy_floor(engine, export)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GMCTL_PROFILE")}
        env.update(GMCTL_DATABASE_URL=url, GMCTL_HOME=str(home / "client"), GMCTL_UNATTENDED="1")
        code, seconds, rss, out, err = run_measured(
            [*gmctl_executable(), "-f", "tsv", "payments", "reconcile", str(export), "--gateway", "paystack",
             "--since", f"{since:%Y-%m-%d}", "--until", f"{until - timedelta(days=1):%Y-%m-%d}"], env)
        summary = err.strip().splitlines()[-1] if err.strip() else "(no summary)"
        print(f"\nreconcile of {lines:,} lines against {args.payments:,} payments (installed gmctl, exit {code}):")
        print(f"  {summary}")
        print(f"  wall {seconds:.1f} s (goal <= {GOAL_SECONDS:.0f} s){'  ok' if seconds <= GOAL_SECONDS else '  OVER'};"
              f" peak RSS of the gmctl process {rss:.0f} MB (goal <= {GOAL_RSS_MB:.0f} MB)"
              f"{'  ok' if rss <= GOAL_RSS_MB else '  OVER'}")
        print(f"  baseline: a bare COPY of the same file into a scratch table {floor:.1f} s"
              f" (reconcile = {seconds / floor:.1f}x the floor)")
        engine.dispose()
        return 0 if code == 1 else 1  # exit 1 is expected: the planted mismatches
    finally:
        if embedded and not args.keep:
            from gmctl.db import embedded as server

            server.stop(home)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
