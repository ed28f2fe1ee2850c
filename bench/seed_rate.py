"""`gmctl db seed --scale N` rows/s, against baselines measured in the same run on the same server.

    python bench/seed_rate.py [--units 5] [--jobs 2] [--rounds 1] [--server URL]

Each measurement gets a fresh clone of a database at head (indexes and triggers in place):
- gmctl: seed_scale(engine, N, jobs=J): row generation, id reservation, COPY, commits, ANALYZE;
- bare COPY: the same rows, generated beforehand (not timed), sent by one psycopg connection with
  cursor.copy() in one transaction: what plain COPY achieves on this table set;
- executemany: one unit of the same rows with cursor.executemany(INSERT ...): the naive way.
Goal (issue 2): gmctl >= 60,000 rows/s.

--server is the URL of a maintenance database on a PostgreSQL server where scratch databases may
be created (default: GMCTL_TEST_DATABASE_URL, else an embedded server in a temporary directory).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from gmctl import schema  # noqa: E402
from gmctl.db.engine import make_engine  # noqa: E402
from gmctl.db.url import libpq_url  # noqa: E402
from gmctl.seed.scale import reserve_ids, seed_scale  # noqa: E402
from gmctl.seed.scale_rows import (  # noqa: E402
    COLUMNS,
    REQUESTS,
    SEQUENCES,
    TABLES,
    USERS,
    UnitIds,
    UnitRows,
    expected_messages,  # noqa: E402
)

GOAL = 60_000


class Server:
    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def url_for(self, name: str) -> str:
        return str(make_url(self.admin_url).set(database=name).render_as_string(hide_password=False))

    def execute(self, sql: str) -> None:
        with psycopg.connect(libpq_url(self.admin_url), autocommit=True) as conn:
            conn.execute(sql)

    @contextmanager
    def clone(self, template: str) -> Iterator[str]:
        name = f"gmctl_bench_{uuid.uuid4().hex[:8]}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            yield self.url_for(name)
        finally:
            self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server_from(url: str | None) -> Iterator[Server]:
    if url:
        yield Server(url)
        return
    from gmctl.db import embedded

    with tempfile.TemporaryDirectory(prefix="gmctl-bench-") as home:
        state = embedded.start(Path(home))
        try:
            yield Server(state.url("postgres"))
        finally:
            embedded.stop(Path(home))


def measure_gmctl(url: str, units: int, jobs: int, now: datetime) -> tuple[int, float]:
    engine = make_engine(url)
    try:
        start = time.perf_counter()
        result = seed_scale(engine, units, now, jobs=jobs)
        return result.rows, time.perf_counter() - start
    finally:
        engine.dispose()


def unit_rows(pg: psycopg.Connection, units: int, now: datetime) -> list[dict[str, list[tuple]]]:
    """The rows gmctl would load, built ahead so that only the loading is timed."""
    built = []
    for unit in range(1, units + 1):
        ids = UnitIds(reserve_ids(pg, SEQUENCES["users"], USERS),
                      reserve_ids(pg, SEQUENCES["service_requests"], REQUESTS),
                      reserve_ids(pg, SEQUENCES["messages"], expected_messages()))
        builder = UnitRows(unit, units, now, ids)
        built.append({table: list(builder.rows(table)) for table in TABLES})
    pg.commit()
    return built


def load_by_copy(pg: psycopg.Connection, unit: dict[str, list[tuple]]) -> None:
    with pg.cursor() as cursor:
        for table in TABLES:
            with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                for row in unit[table]:
                    copy.write_row(row)


def load_by_executemany(pg: psycopg.Connection, unit: dict[str, list[tuple]]) -> None:
    with pg.cursor() as cursor:
        for table in TABLES:
            columns = COLUMNS[table]
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
            cursor.executemany(sql, unit[table])


def measure_bare(url: str, units: int, now: datetime, load: Callable[..., None]) -> tuple[int, float]:
    with psycopg.connect(libpq_url(url)) as pg:
        built = unit_rows(pg, units, now)
        start = time.perf_counter()
        for unit in built:
            load(pg, unit)
        pg.commit()
        seconds = time.perf_counter() - start
    return sum(len(rows) for unit in built for rows in unit.values()), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=5, help="scale units per measurement (default 5)")
    parser.add_argument("--jobs", type=int, default=2, help="gmctl's --jobs (default 2)")
    parser.add_argument("--rounds", type=int, default=1, help="measurements of each method; medians shown")
    parser.add_argument("--server", default=os.environ.get("GMCTL_TEST_DATABASE_URL"))
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    with server_from(args.server) as server:
        template = f"gmctl_bench_template_{os.getpid()}"
        server.execute(f'CREATE DATABASE "{template}"')
        try:
            engine = make_engine(server.url_for(template))
            schema.initialise(engine)
            engine.dispose()
            methods: dict[str, Callable[[str], tuple[int, float]]] = {
                "bare COPY, 1 connection": lambda url: measure_bare(url, args.units, now, load_by_copy),
                f"gmctl seed --scale {args.units} -j {args.jobs}":
                    lambda url: measure_gmctl(url, args.units, args.jobs, now),
                "executemany, 1 unit": lambda url: measure_bare(url, 1, now, load_by_executemany),
            }
            samples: dict[str, list[tuple[int, float]]] = {name: [] for name in methods}
            for _ in range(args.rounds):  # alternately, so that machine noise hits every method alike
                for name, measure in methods.items():
                    with server.clone(template) as url:
                        samples[name].append(measure(url))
        finally:
            server.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    results = {name: (runs[0][0], statistics.median(seconds for _, seconds in runs))
               for name, runs in samples.items()}
    report(results, args.jobs)


def report(results: dict[str, tuple[int, float]], jobs: int) -> None:
    print(f"{'method':34s} {'rows':>10s} {'seconds':>8s} {'rows/s':>9s}")
    rates = {}
    for name, (rows, seconds) in results.items():
        rates[name] = rows / seconds
        print(f"{name:34s} {rows:>10,} {seconds:>8.2f} {rates[name]:>9,.0f}")
    ours = next(rate for name, rate in rates.items() if name.startswith("gmctl"))
    bare = rates["bare COPY, 1 connection"]
    naive = rates["executemany, 1 unit"]
    print(f"gmctl / bare COPY: {ours / bare:.2f}x; gmctl / executemany: {ours / naive:.2f}x")
    verdict = "ok" if ours >= GOAL else "MISSED"
    print(f"goal >= {GOAL:,} rows/s: {verdict} ({ours:,.0f} rows/s with {jobs} job(s))")


if __name__ == "__main__":
    main()
