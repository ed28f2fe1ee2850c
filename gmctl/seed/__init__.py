"""Seed data: a small demo data set to look at, and scaled data to measure with.

- `gmctl.seed.demo`: `seed_demo(session, now)`, a consistent Nigerian data set (about 170 requests
  over all 11 service types and 7 statuses, with their history, payments, bookings, loans, vehicles,
  messages, notifications and files), deterministic for a given clock.
- `gmctl.seed.scale`: `seed_scale(engine, units, now)`, N base units of rows loaded with COPY.

Both mark their users by email domain (`DEMO_DOMAIN`, `SCALE_DOMAIN`: subdomains of the
business's own domain that no mailbox answers to, shared with gmctl.accounts.demo), which is how
a second run is recognised and how seed data is told apart from real accounts.
"""

DEMO_DOMAIN = "demo.gmservices.ng"
SCALE_DOMAIN = "scale.gmservices.ng"
SEED_DOMAINS = (DEMO_DOMAIN, SCALE_DOMAIN)


def users_outside_seed(connection: object) -> int:
    """How many users the seeds did not make: real accounts, which a seed should not mingle with unasked.

    `connection` is a SQLAlchemy Session or Connection.
    """
    from sqlalchemy import func, not_, or_, select

    from gmctl.db.models import User

    email = func.lower(User.email)
    seeded = or_(*(email.like(f"%@{domain}") for domain in SEED_DOMAINS))
    query = select(func.count()).select_from(User).where(not_(seeded))
    return int(connection.scalar(query))  # type: ignore[attr-defined]
