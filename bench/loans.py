"""The loan desk's speed goals (issue 11), each against its baseline, in one run.

1. Server time (EXPLAIN ANALYZE, median of --repeat after a warm-up) of every `loans list` filter
   and of all the statements one `loans show` sends, on a database with >= 1M loan applications:
   goal <= 20 ms each. The SQL is exactly gmctl's (captured from gmctl.loans, as
   bench/requests_queries.py does for requests, whose capture/measure it reuses).
2. A 360-month schedule (declining, with its APR) computed in-process: goal < 5 ms (median).
3. `gmctl loans quote` end to end against bench/loans_quote_baseline.py, a bare Python script doing
   the same arithmetic and printing the same rows, both fresh processes, interleaved: goal <= 1.3x.

Seeding: when the database holds fewer than --applications loan applications, the rest are loaded
with COPY (2,000 bench customers and 20 staff, marked @bench-loans.invalid; statuses by age as on
a live desk: the last month mostly open, older ones mostly decided), then ANALYZE. 1M rows take
about a minute here. Give a database at head (`gmctl db init`), not the live one.

Usage: python bench/loans.py --database-url URL [--applications 1000000] [--repeat 5] [--plans]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _timing import interleaved  # noqa: E402
from requests_queries import capture, measure  # noqa: E402

GOAL_MS = 20.0
SCHEDULE_GOAL_MS = 5.0
QUOTE_GOAL = 1.3
DOMAIN = "bench-loans.invalid"
TYPES = ("personal", "business", "auto", "mortgage", "student", "payday")
CLOSED = ("approved", "rejected", "withdrawn", "expired")
COLUMNS = ("user_id", "loan_type", "loan_amount", "currency", "loan_purpose", "requested_term_months",
           "employment_status", "monthly_income", "existing_debts", "credit_score", "application_status",
           "approved_amount", "approved_rate", "approved_term_months", "decision_date", "decision_reason",
           "reviewed_by", "risk_score", "documents_verified", "created_at", "updated_at")


def seed(engine: Any, wanted: int, now: datetime) -> None:
    raw = engine.raw_connection()
    pg = raw.driver_connection
    try:
        have = pg.execute("SELECT count(*) FROM loan_applications").fetchone()[0]
        if have >= wanted:
            return
        started = time.perf_counter()
        users = [r[0] for r in pg.execute("SELECT id FROM users WHERE email LIKE %s ORDER BY id",
                                          (f"%@{DOMAIN}",)).fetchall()]
        if not users:
            with pg.cursor().copy("COPY users (username, email, password_hash, first_name, last_name, is_active,"
                                  " is_staff, is_superuser, created_at, updated_at) FROM STDIN") as copy:
                for k in range(2020):
                    copy.write_row((f"bench{k:04d}", f"b{k:04d}@{DOMAIN}", "!bench", "Bench", f"User{k}", True,
                                    k < 20, False, now - timedelta(days=1200), now - timedelta(days=1200)))
            users = [r[0] for r in pg.execute("SELECT id FROM users WHERE email LIKE %s ORDER BY id",
                                              (f"%@{DOMAIN}",)).fetchall()]
        staff, customers = users[:20], users[20:]
        rng = random.Random(11)
        span = timedelta(days=1095).total_seconds()
        count = wanted - have
        moments = sorted(now - timedelta(seconds=rng.random() * span) for _ in range(count))
        with pg.cursor().copy(f"COPY loan_applications ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for moment in moments:
                age = (now - moment).days
                if age < 30:
                    status = rng.choices(("submitted", "under_review", *CLOSED), (40, 35, 12, 8, 3, 2))[0]
                else:
                    status = rng.choices(("submitted", "under_review", *CLOSED), (1, 1, 50, 30, 10, 8))[0]
                amount = rng.randrange(50, 5000) * 1000
                term = rng.choice((3, 6, 9, 12, 18, 24, 36, 60))
                approved = status == "approved"
                decided = status in CLOSED
                reviewer = rng.choice(staff) if status != "submitted" else None
                decided_on = (moment + timedelta(days=rng.randrange(1, 30))).date() if decided else None
                copy.write_row((
                    rng.choice(customers), rng.choice(TYPES), f"{amount}.00", "NGN", "Bench loan", term,
                    "employed_full_time", f"{rng.randrange(100, 3000) * 1000}.00",
                    f"{rng.randrange(0, 300) * 1000}.00", rng.randrange(450, 830), status,
                    f"{amount}.00" if approved else None, "0.2400" if approved else None,
                    term if approved else None, decided_on,
                    "bench decision" if decided else None, reviewer, rng.randrange(0, 101), approved,
                    moment, moment + timedelta(hours=rng.randrange(0, 500)) if decided else moment,
                ))
        pg.commit()
        pg.execute("ANALYZE loan_applications")
        pg.execute("ANALYZE users")
        pg.commit()
        print(f"seeded {count:,} loan applications by COPY in {time.perf_counter() - started:.1f} s")
    finally:
        raw.close()


def scenarios(engine: Any, now: datetime) -> dict[str, Callable[[Any], Any]]:
    from sqlalchemy import text

    from gmctl.loans.detail import application_document
    from gmctl.loans.queue import list_loans, make_filter
    from gmctl.loans.settings import LoanSettings

    with engine.connect() as conn:
        staff = conn.execute(text("SELECT reviewed_by FROM loan_applications WHERE application_status ="
                                  " 'under_review' AND reviewed_by IS NOT NULL LIMIT 1")).scalar()
        customer = conn.execute(text("SELECT user_id FROM loan_applications ORDER BY id DESC LIMIT 1")).scalar()
        approved = conn.execute(text("SELECT id FROM loan_applications WHERE application_status = 'approved'"
                                     " ORDER BY id DESC LIMIT 1")).scalar()
        open_one = conn.execute(text("SELECT id FROM loan_applications WHERE application_status = 'submitted'"
                                     " ORDER BY id LIMIT 1")).scalar()

    def page(after_pages: int = 0, **kw: Any) -> Callable[[Any], Any]:
        def run(session: Any) -> Any:
            flt = make_filter(now, **kw)
            result = list_loans(session, flt, operator_id=staff, limit=50)
            for _ in range(after_pages):
                result = list_loans(session, flt, operator_id=staff, limit=50, after=result.next_cursor)
            return result

        return run

    settings = LoanSettings()
    today = now.date()
    return {
        "list: queue (default), page 1": page(),
        "list: queue, page 21 (keyset)": page(after_pages=20),
        "list: --type mortgage": page(loan_types=["mortgage"]),
        "list: --min-amount 4,000,000": page(min_amount="4,000,000"),
        "list: --max-amount 100,000": page(max_amount="100000"),
        "list: --reviewer STAFF": page(reviewer=str(staff)),
        "list: --reviewer none": page(reviewer="none"),
        "list: --customer USER": page(customer=str(customer)),
        "list: --since 7d": page(since="7d"),
        "list: --before 365d --status all": page(before="365d", statuses=["all"]),
        "list: --risk-at-least 90": page(risk_at_least=90),
        "list: --status approved": page(statuses=["approved"]),
        "list: --status all": page(statuses=["all"]),
        "list: --status all, page 21": page(statuses=["all"], after_pages=20),
        "list: --status expired --type payday": page(statuses=["expired"], loan_types=["payday"]),
        "show ID, approved (all its queries)": lambda s: application_document(s, approved, settings, today=today),
        "show ID, submitted (all its queries)": lambda s: application_document(s, open_one, settings, today=today),
    }


def loan_index(engine: Any, captured: Any) -> str | None:
    """The loan_applications index the page's plan reads (measure() names the plan's first index,
    which for a list is the users join)."""
    import re

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, params in captured.statements:
            if "loan_applications" not in statement or "system_logs" in statement:
                continue
            cursor.execute("EXPLAIN " + statement, params or None)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            found = re.search(r"(idx_loan_applications\w*|loan_applications_pkey)", plan) or re.search(
                r"(Seq Scan on loan_applications)", plan)
            if found:
                return found.group(1)
        return None
    finally:
        raw.rollback()
        raw.close()


def schedule_times() -> tuple[float, float]:
    """Medians (ms) over 200 rounds of building a 360-month schedule, and of building it with its APR,
    both timed in the same rounds (the machine is shared: separate batches would see different load)."""
    from gmctl.loans.apr import schedule_apr
    from gmctl.loans.schedule import build_schedule

    built, total = [], []
    for round_ in range(201):
        started = time.perf_counter()
        s = build_schedule(Decimal("25000000"), Decimal("0.18"), 360, start=date(2026, 1, 31))
        middle = time.perf_counter()
        schedule_apr(s)
        if round_:  # the first round warms up (imports, the due-date steps)
            built.append((middle - started) * 1000)
            total.append((time.perf_counter() - started) * 1000)
    return statistics.median(built), statistics.median(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("GMCTL_DATABASE_URL"))
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=15, help="Rounds of the quote comparison.")
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set GMCTL_DATABASE_URL")
    from sqlalchemy import text

    from gmctl.db.engine import make_engine

    engine = make_engine(args.database_url)
    now = datetime.now(timezone.utc)
    seed(engine, args.applications, now)
    with engine.connect() as conn:
        total, open_ = conn.execute(text(
            "SELECT count(*), count(*) FILTER (WHERE application_status IN ('submitted', 'under_review'))"
            " FROM loan_applications")).one()
        version = conn.execute(text("SELECT version()")).scalar().split(" on ")[0]
    print(f"{total:,} loan applications ({open_:,} open); {version}")
    print(f"{'query':44s} {'server ms':>10s} {'rows':>5s}  first index")
    missed = 0
    for name, run in scenarios(engine, now).items():
        captured = capture(engine, name, run)
        if "page 21" in name:
            captured.statements = captured.statements[-1:]
        ms, index = measure(engine, captured, args.repeat, args.plans)
        index = loan_index(engine, captured) or index
        over = ms > GOAL_MS
        missed += over
        print(f"{name:44s} {ms:10.2f} {captured.rows:5d}  {index}{'   MISSED' if over else ''}")
    print(f"goal <= {GOAL_MS:.0f} ms server time per list/show: {'ok' if not missed else f'{missed} MISSED'}")
    engine.dispose()

    bare, with_apr = schedule_times()
    print(f"360-month schedule: {bare:.2f} ms; with its APR {with_apr:.2f} ms (median of 200; goal < "
          f"{SCHEDULE_GOAL_MS:.0f} ms): {'ok' if with_apr < SCHEDULE_GOAL_MS else 'MISSED'}")

    gmctl = str(Path(sys.executable).with_name("gmctl"))
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "GMCTL_HOME": home}
        env.pop("GMCTL_DATABASE_URL", None)
        quote = ["loans", "quote", "--amount", "500000", "--rate", "24", "--term", "12"]
        times = interleaved({
            "gmctl loans quote (tsv)": [gmctl, *quote],
            "gmctl loans quote -f json": [gmctl, *quote, "-f", "json"],
            "bare script": [sys.executable, str(HERE / "loans_quote_baseline.py"), "500000", "24", "12"],
            "python -c pass": [sys.executable, "-c", "pass"],
        }, rounds=args.rounds, env=env)
    for name, seconds in times.items():
        print(f"{name:28s} {seconds * 1000:8.1f} ms")
    ratio = times["gmctl loans quote (tsv)"] / times["bare script"]
    print(f"ratio gmctl/bare             {ratio:7.2f}x  (goal <= {QUOTE_GOAL}x): "
          f"{'ok' if ratio <= QUOTE_GOAL else 'MISSED'}")


if __name__ == "__main__":
    main()
