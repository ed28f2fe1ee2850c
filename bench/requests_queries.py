"""Server time of every `requests` read query, by EXPLAIN ANALYZE, on a `gmctl db seed --scale` database.

Goal (issue 5): each list / filter / queue / search / show query <= 20 ms of server time on about
5M requests and 15M history rows; paging by keyset, never OFFSET.

The SQL measured is exactly what gmctl sends: the domain functions run against the database and
every statement they execute is captured, then run again under EXPLAIN (ANALYZE, BUFFERS). Each
query is measured --repeat times after one warm-up run; the median "Execution Time" is reported,
with the index the plan starts from. `show` is the sum of all the statements one `requests show`
sends. Stats are printed for information (not under the 20 ms goal).

Usage: python bench/requests_queries.py [--database-url URL] [--repeat 5] [--only NAME...] [--plans]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from gmctl.db.engine import make_engine

GOAL_MS = 20.0
REPLAYED = ("SET LOCAL", "RESET", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@dataclass
class Captured:
    name: str
    statements: list[tuple[str, Any]]
    rows: int


def capture(engine: Any, name: str, run: Callable[[Session], Any]) -> Captured:
    sent: list[tuple[str, Any]] = []

    def listen(conn, cursor, statement, params, context, executemany):
        # SELECTs are measured; the rest (the search's planner switches, its time budget and the
        # savepoint around it) are replayed as they were sent.
        if statement.lstrip().upper().startswith(("SELECT", "WITH") + REPLAYED):
            sent.append((statement, params))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        with Session(engine) as session:
            result = run(session)
            session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    rows = len(getattr(result, "rows", None) or getattr(result, "hits", None) or [])
    if isinstance(result, dict):
        rows = 1
    return Captured(name, sent, rows)


def explain(cursor: Any, statement: str, params: Any, *, plans: bool) -> tuple[float, str, bool]:
    """Server time, first index, and whether the statement was cut short by its statement_timeout
    (the search's budget): then its time is the time it ran until cancelled."""
    import psycopg

    started = time.perf_counter()
    try:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
    except psycopg.errors.QueryCanceled:
        return (time.perf_counter() - started) * 1000, "(cut at its time budget)", True
    lines = [row[0] for row in cursor.fetchall()]
    total = next(
        float(m.group(1)) for line in lines if (m := re.search(r"Execution Time: ([\d.]+) ms", line))
    )
    index = next(
        (
            m.group(1)
            for line in lines
            if (
                m := re.search(r"Index (?:Only )?Scan(?: Backward)? using (\w+)", line)
                or re.search(r"Bitmap Index Scan on (\w+)", line)
            )
        ),
        "-",
    )
    if plans:
        print("\n".join(lines), file=sys.stderr)
    return total, index, False


def measure(engine: Any, captured: Captured, repeat: int, plans: bool) -> tuple[float, str]:
    """Median server time of the captured statements, replayed in one transaction per round."""
    totals, index, cut = [], "-", False
    for round_ in range(repeat + 1):
        spent = 0.0
        raw = engine.raw_connection()  # plain psycopg: a cancelled statement is an ordinary event
        try:
            cursor = raw.cursor()
            for statement, params in captured.statements:
                if statement.lstrip().upper().startswith(REPLAYED):
                    cursor.execute(statement, params or None)
                    continue
                ms, last_index, was_cut = explain(cursor, statement, params or None, plans=plans and not round_)
                spent += ms
                index, cut = (last_index, True) if was_cut else (index if cut else last_index, cut)
            raw.rollback()
        finally:
            raw.close()
        if round_:  # the first round warms the cache
            totals.append(spent)
    return statistics.median(totals), index


def pick(conn: Any, sql: str) -> Any:
    return conn.execute(text(sql)).scalar()


def scenarios(engine: Any) -> dict[str, Callable[[Session], Any]]:
    from gmctl.requests.detail import request_document
    from gmctl.requests.queue import list_requests, make_filter
    from gmctl.requests.search import search_requests

    with engine.connect() as conn:
        now = pick(conn, "SELECT max(created_at) FROM service_requests") or datetime.now(timezone.utc)
        busy_staff = pick(
            conn,
            "SELECT assigned_to FROM service_requests WHERE status = 'in_progress'"
            " AND assigned_to IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        )
        customer = pick(conn, "SELECT user_id FROM service_requests ORDER BY id DESC LIMIT 1")
        shown = pick(
            conn,
            "SELECT service_request_id FROM service_status_history"
            " WHERE new_status = 'completed' ORDER BY id DESC LIMIT 1",
        )
        vehicle = pick(conn, "SELECT service_request_id FROM vehicle_services ORDER BY id DESC LIMIT 1")
        # A mid-frequency word of the data itself: a title word of an old request.
        name_words = (
            pick(conn, "SELECT split_part(title, ' ', 1) FROM service_requests WHERE id = 1000") or "x"
        )
    staff = str(busy_staff)

    def page(**kw: Any) -> Callable[[Session], Any]:
        sort, after_pages = kw.pop("sort", None), kw.pop("after_pages", 0)

        def run(session: Session) -> Any:
            flt = make_filter(now, **kw)
            result = list_requests(session, flt, operator_id=busy_staff, sort=sort, limit=50)
            for _ in range(after_pages):  # walk forward; only the last page's query is kept (see below)
                result = list_requests(
                    session, flt, operator_id=busy_staff, sort=sort, limit=50, after=result.next_cursor
                )
            return result

        return run

    chosen: dict[str, Callable[[Session], Any]] = {
        "queue (default), page 1": page(),
        "queue, page 21 (keyset)": page(after_pages=20),
        "--priority urgent": page(priorities=["urgent"]),
        "--priority low": page(priorities=["low"]),
        "--type hotel": page(service_types=["hotel"]),
        "--type jewelry": page(service_types=["jewelry"]),
        "--urgency 5": page(min_urgency=5),
        "--assigned-to STAFF": page(assignee=staff),
        "--assigned-to none": page(assignee="none"),
        "--customer USER": page(customer=str(customer)),
        "--since 7d": page(since="7d"),
        "--before 365d": page(before="365d"),
        "--status on_hold": page(statuses=["on_hold"]),
        "--status completed (newest)": page(statuses=["completed"]),
        "--status closed (newest)": page(statuses=["closed"]),
        "--status failed --type jewelry (newest)": page(statuses=["failed"], service_types=["jewelry"]),
        "--status cancelled --sort oldest": page(statuses=["cancelled"], sort="oldest"),
        "--sort newest": page(sort="newest"),
        "--sort oldest": page(sort="oldest"),
        "--type hotel --priority high --urgency 3": page(
            service_types=["hotel"], priorities=["high"], min_urgency=3
        ),
        "search: one common word": lambda s: search_requests(s, "generator"),
        "search: two words, never together": lambda s: search_requests(s, "toyota brake"),
        "search: a phrase": lambda s: search_requests(s, '"brake pads"'),
        "search: the two commonest words, never together": lambda s: search_requests(s, "service two"),
        "search: a contradiction (service -service)": lambda s: search_requests(s, "service -service"),
        "search: a rare word": lambda s: search_requests(s, "zzyzx"),
        "search: common word, open only": lambda s: search_requests(
            s, "generator", statuses=("pending", "confirmed", "in_progress", "on_hold")
        ),
        "search: a title word of an old request": lambda s: search_requests(s, name_words),
        "search: common word --all (no goal)": lambda s: search_requests(s, "generator", everything=True),
        "show ID (all its queries)": lambda s: request_document(s, shown),
    }
    if vehicle:
        chosen["show ID, a vehicle request"] = lambda s: request_document(s, vehicle)
    return chosen


def stats_scenario(engine: Any) -> dict[str, Callable[[Session], Any]]:
    from gmctl.requests.stats import DEFAULT_SLA, queue_stats

    with engine.connect() as conn:
        now = pick(conn, "SELECT max(created_at) FROM service_requests") + timedelta(minutes=1)
    return {"stats (all its queries, not under the goal)": lambda s: queue_stats(s, now, DEFAULT_SLA)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("GMCTL_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="Run the scenarios whose name contains one of these words.")
    parser.add_argument("--plans", action="store_true", help="Print each plan (first round) on stderr.")
    parser.add_argument("--stats", action="store_true", help="Also time `requests stats`.")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set GMCTL_DATABASE_URL")
    engine = make_engine(args.database_url)
    with engine.connect() as conn:
        sizes = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM service_requests),"
                " (SELECT count(*) FROM service_status_history),"
                " (SELECT count(*) FROM service_requests WHERE status IN"
                " ('pending','confirmed','in_progress','on_hold')), version()"
            )
        ).one()
    print(
        f"{sizes[0]:,} requests ({sizes[2]:,} open), {sizes[1]:,} history rows; {sizes[3].split(' on ')[0]}"
    )
    chosen = scenarios(engine)
    if args.stats:
        chosen.update(stats_scenario(engine))
    missed = 0
    print(f"{'query':46s} {'server ms':>10s} {'rows':>5s}  first index")
    for name, run in chosen.items():
        if args.only and not any(word in name for word in args.only):
            continue
        captured = capture(engine, name, run)
        if name.startswith("queue, page"):  # the walk's earlier pages are not this query
            captured.statements = captured.statements[-1:]
        ms, index = measure(engine, captured, args.repeat, args.plans)
        over = ms > GOAL_MS and not name.startswith("stats") and "no goal" not in name
        missed += over
        print(f"{name:46s} {ms:10.2f} {captured.rows:5d}  {index}{'   MISSED' if over else ''}")
    print(f"goal <= {GOAL_MS:.0f} ms server time per query: {'ok' if not missed else f'{missed} MISSED'}")
    engine.dispose()


if __name__ == "__main__":
    main()
