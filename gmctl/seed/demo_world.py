"""What the demo seed's steps share: the random source, the clock, and who and what exists so far.

Each step (people, requests, money, lines, contact) reads the world built by the steps before it
and adds its own rows, so foreign keys always point at rows that exist.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Sequence
from zoneinfo import ZoneInfo

from gmctl.seed.vocabulary import CITIES, MOBILE_PREFIXES, City

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

LAGOS = ZoneInfo("Africa/Lagos")


@dataclass(frozen=True)
class Customer:
    id: int
    username: str
    first_name: str
    last_name: str
    city: City
    area: str
    address: str
    since: datetime


@dataclass
class SeededRequest:
    id: int
    customer: Customer
    service_type: str
    title: str
    status: str
    path: tuple[str, ...]
    moments: list[datetime]  # when each step of `path` happened
    assigned_to: int | None
    estimated_cost: Decimal
    final_cost: Decimal | None
    service_data: dict[str, Any]

    @property
    def created_at(self) -> datetime:
        return self.moments[0]

    @property
    def last_change(self) -> datetime:
        return self.moments[-1]

    def reached(self, status: str) -> datetime | None:
        """When the request first entered `status`, or None if it never did."""
        for step, moment in zip(self.path, self.moments):
            if step == status:
                return moment
        return None


@dataclass
class DemoWorld:
    session: "Session"
    now: datetime
    rng: random.Random
    staff_ids: list[int]
    admin_id: int | None
    customers: list[Customer] = field(default_factory=list)
    requests: list[SeededRequest] = field(default_factory=list)
    vehicles: dict[int, int] = field(default_factory=dict)  # customer id -> vehicle id
    counts: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    # -- inserting --------------------------------------------------------------------------
    def insert(self, model: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert rows in one round trip per batch; their new ids, in the order of `rows`."""
        from sqlalchemy import insert

        if not rows:
            return []
        table = model.__table__
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = list(self.session.execute(statement, list(rows)).scalars())
        self.counts[table.name] += len(ids)
        return ids

    # -- values -----------------------------------------------------------------------------
    def naira(self, low: int, high: int, step: int = 500) -> Decimal:
        """An amount in NGN between low and high, rounded to `step` naira, as people quote prices."""
        value = self.rng.randrange(low, high + 1)
        return Decimal(max(step, value // step * step)).quantize(Decimal("0.01"))

    def scaled(self, amount: Decimal, low: float, high: float, step: int = 100) -> Decimal:
        factor = Decimal(str(round(self.rng.uniform(low, high), 3)))
        value = (amount * factor / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step
        return max(Decimal(step), value).quantize(Decimal("0.01"))

    def phone(self) -> str:
        return "+234" + self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**7):07d}"

    def city(self) -> City:
        # Most of the business is in Lagos and Abuja.
        weights = [6 if c.name == "Lagos" else 3 if c.name == "Abuja" else 1 for c in CITIES]
        return self.rng.choices(CITIES, weights=weights)[0]

    def address(self, city: City, area: str) -> str:
        return f"{self.rng.randrange(1, 120)} {self.rng.choice(city.streets)}, {area}, {city.name}"

    def ago(self, low: timedelta, high: timedelta) -> datetime:
        """A moment between `high` and `low` before now, to the second."""
        span = (high - low).total_seconds()
        return (self.now - low - timedelta(seconds=self.rng.uniform(0, span))).replace(microsecond=0)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(LAGOS).date()

    def at_lagos(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), LAGOS)

    def token(self, size: int = 12) -> str:
        return "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(size))

    def staff(self) -> int:
        return self.rng.choice(self.staff_ids)
