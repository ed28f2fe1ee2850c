"""`gmctl db seed --demo`: a small, consistent data set so that every command has something to show.

Deterministic: the same clock gives the same rows (a seeded random.Random; every date is relative
to `now`). Runs in the caller's transaction and commits nothing. A database that already holds the
demo (a user with an address at DEMO_DOMAIN) is refused with DemoAlreadyLoaded (exit 2).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gmctl.errors import InvalidInput
from gmctl.seed import DEMO_DOMAIN

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.orm import Session

RANDOM_SEED = 20240101
# The order rows are reported in: people first, then requests and what hangs off them.
TABLES = (
    "users", "user_profiles", "user_roles", "payment_methods", "service_requests", "service_status_history",
    "payments", "payment_refunds", "loan_applications", "hotel_bookings", "vehicles", "vehicle_services", "messages",
    "notifications", "file_uploads",
)  # fmt: skip


class DemoAlreadyLoaded(InvalidInput):
    """The demo data is there already: loading it twice would duplicate every story in it."""


@dataclass(frozen=True)
class DemoResult:
    counts: dict[str, int]
    accounts: list[Any]  # gmctl.accounts.demo.DemoAccount: username, role, password (shown once)
    admin_user_id: int | None
    notes: list[str] = field(default_factory=list)
    files: dict[str, Any] = field(default_factory=dict)  # gmctl.seed.demo_files: what was written where
    exports: dict[str, str] = field(default_factory=dict)  # sample gateway exports: file name -> CSV

    def rows(self) -> list[dict[str, Any]]:
        return [{"table": name, "rows": self.counts.get(name, 0)} for name in TABLES]


def demo_loaded_at(session: "Session") -> datetime | None:
    """When the demo was loaded into this database, or None if it was not."""
    from sqlalchemy import func, select

    from gmctl.db.models import User

    customers = select(func.min(User.created_at)).where(demo_user_clause(), User.is_staff.is_(False))
    return session.scalar(customers)


def demo_user_clause() -> Any:
    from sqlalchemy import func

    from gmctl.db.models import User

    return func.lower(User.email).like(f"%@{DEMO_DOMAIN}")


def seed_demo(session: "Session", now: datetime, *, seed: int = RANDOM_SEED,
              files_root: "Path | None" = None) -> DemoResult:
    """Load the demo data set as of `now`. Refuses a database that has it already.

    With `files_root`, real files are written there for the file_uploads rows (gmctl.seed.demo_files)."""
    from gmctl import audit
    from gmctl.seed.demo_contact import seed_files, seed_messages, seed_notifications
    from gmctl.seed.demo_lines import seed_bookings, seed_vehicles
    from gmctl.seed.demo_loans import seed_loans
    from gmctl.seed.demo_money import seed_payments
    from gmctl.seed.demo_people import seed_customers
    from gmctl.seed.demo_requests import seed_requests
    from gmctl.seed.demo_world import DemoWorld

    refuse_second_demo(session)
    accounts, staff_ids, admin_id = _demo_accounts(session, now)
    world = DemoWorld(session=session, now=now, rng=random.Random(seed), staff_ids=staff_ids,
                      admin_id=admin_id)
    seed_customers(world)
    seed_requests(world)
    payments = seed_payments(world)
    from gmctl.seed.demo_payments import seed_refunds_and_exports

    exports = seed_refunds_and_exports(world, payments)
    seed_loans(world)
    seed_bookings(world)
    seed_vehicles(world)
    seed_messages(world)
    seed_notifications(world, payments)
    seed_files(world)
    files = {}
    if files_root is not None:
        from gmctl.seed.demo_files import EXTRA, write_demo_files

        files = write_demo_files(session, files_root, now, [c.id for c in world.customers])
        world.counts["file_uploads"] += len(EXTRA)
    counts = dict(world.counts)
    counts["users"] = counts.get("users", 0) + len(accounts)
    audit.record(session, None, "db.seed.demo", "database", None,
                 message=f"demo data loaded: {counts['service_requests']} requests, {counts['users']} users",
                 at=now)
    return DemoResult(counts, accounts, admin_id, world.notes, files=files, exports=exports)


def refuse_second_demo(session: "Session") -> None:
    loaded = demo_loaded_at(session)
    if loaded is not None:
        raise DemoAlreadyLoaded(
            f"the demo data is already in this database (its customers have addresses @{DEMO_DOMAIN})",
            hint="nothing was changed; to start again, seed a fresh database "
                 "(for the embedded one: `gmctl db server stop`, then remove $GMCTL_HOME/pgdata)",
        )


def _demo_accounts(session: "Session", now: datetime) -> tuple[list[Any], list[int], int | None]:
    """The demo admin and two staff members (gmctl.accounts.demo): accounts, staff ids, admin id."""
    from gmctl.accounts.demo import create_demo_accounts

    accounts = create_demo_accounts(session, now)
    staff = [a.user_id for a in accounts if a.role == "staff"]
    admin = next((a.user_id for a in accounts if a.role == "admin"), None)
    return accounts, staff or [a.user_id for a in accounts], admin
