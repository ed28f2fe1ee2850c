"""`users list` paging: keyset (what gmctl does) against OFFSET (the baseline), measured in the same run.

Creates a private database on the server given, fills it with --users accounts (generate_series,
a tenth of them staff, a few locked, every staff member holding a role), then times list_users
for the first page, a deep page reached by keyset (--after), and the same deep page by OFFSET.
Also times one password check per hash format, the cost a sign-in pays.

Usage: python bench/users_list.py --server-url postgresql://postgres@/postgres?host=/tmp/gmdev/pgdata
       [--users 100000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from datetime import datetime, timezone

import psycopg
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from gmctl import schema
from gmctl.accounts.listing import UserFilter, list_users
from gmctl.db.engine import make_engine
from gmctl.db.url import libpq_url

FILL = """
INSERT INTO users (username, email, password_hash, first_name, last_name, phone, is_staff, locked_at,
                   created_at)
SELECT 'user' || n, 'user' || n || '@example.ng', '!unusable', 'First' || n, 'Last' || (n % 977),
       '+23480' || lpad(n::text, 8, '0'), n % 10 = 0, CASE WHEN n % 1000 = 0 THEN now() END,
       now() - make_interval(mins => n)
FROM generate_series(1, :count) AS n
"""
GRANT = """
INSERT INTO user_roles (user_id, role_id)
SELECT u.id, r.id FROM users u JOIN roles r ON r.name = 'staff' WHERE u.is_staff
"""


def median_ms(run, repeat: int) -> float:
    run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def offset_page(session: Session, offset: int, limit: int) -> list:
    from gmctl.db.models import User

    return session.scalars(select(User).order_by(User.id).offset(offset).limit(limit)).all()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-url", required=True)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    name = f"gmctl_bench_users_{uuid.uuid4().hex[:8]}"
    admin = libpq_url(args.server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(args.server_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        schema.initialise(engine)
        with engine.begin() as conn:
            conn.execute(text(FILL), {"count": args.users})
            conn.execute(text(GRANT))
            conn.execute(text("ANALYZE"))
        now = datetime.now(timezone.utc)
        with Session(engine) as session:
            deep_id = session.scalar(
                text("SELECT id FROM users ORDER BY id OFFSET :n LIMIT 1"), {"n": args.users - 100}
            )
            cases = {
                "first page (50)": lambda: list_users(session, UserFilter(), now),
                "deep page by keyset (--after)": lambda: list_users(session, UserFilter(after=deep_id), now),
                "deep page by OFFSET (baseline)": lambda: offset_page(session, args.users - 100, 50),
                "--staff --role staff": lambda: list_users(
                    session, UserFilter(staff=True, role="staff"), now
                ),
                "--locked": lambda: list_users(session, UserFilter(locked=True), now),
                "--search 'last977'": lambda: list_users(session, UserFilter(search="last977"), now),
            }
            print(f"users: {args.users}, median of {args.repeat} runs (ms, wall time incl. Python)")
            for label, run in cases.items():
                print(f"  {label:34} {median_ms(run, args.repeat):8.1f}")
        print("password check per format (ms):")
        for label, stored, password in password_cases():
            from gmctl.auth.passwords import verify_password

            print(f"  {label:34} {median_ms(lambda: verify_password(password, stored), 3):8.1f}")
    finally:
        engine.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def password_cases() -> list[tuple[str, str, str]]:
    import json
    from pathlib import Path

    from gmctl.auth.passwords import hash_password

    data = json.loads((Path(__file__).parent.parent / "tests/auth/data/django_hashes.json").read_text())
    first = {}
    for vector in data["vectors"]:
        first.setdefault(vector["hasher"], vector)
    cases = [(f"django {h}", v["encoded"], v["password"]) for h, v in first.items()]
    return [("gmctl argon2id (new hashes)", hash_password("bench-Password-1"), "bench-Password-1"), *cases]


if __name__ == "__main__":
    main()
