"""The rows of one scale unit, as plain tuples in COPY column order.

One unit is 1,000 users (20 of them staff) with their profiles, 10,000 service requests with about
33,000 status-history rows (fewer in the latest units, whose requests are still open), a payment
for each request that got confirmed (about 6,600), a two-message thread on three requests in
ten and a loan application for each loans request (about 900, their status agreeing with the
request's: gmctl.seed.demo_loans pairs them the same way): about 58,000 rows. Every foreign key points inside the unit, so a unit
is complete on its own and can be committed alone. Ids of rows that others point at (users,
requests, messages) are reserved from their sequences by the caller and passed in.

Unit u of n covers the u-th slice of the last two years, so ids roughly follow time as on the live
platform; requests younger than a month are mostly open, older ones mostly closed.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterator

from gmctl.seed import SCALE_DOMAIN
from gmctl.seed.chains import PATHS, transitions
from gmctl.when import LAGOS
from gmctl.seed.vocabulary import CITIES, FIRST_NAMES, LAST_NAMES, MOBILE_PREFIXES, REASONS, SERVICE_LINES

USERS = 1_000
STAFF = 20
REQUESTS = 10_000
THREAD_SHARE = 0.3
SPAN = timedelta(days=730)
RECENT = timedelta(days=30)
UNUSABLE_PASSWORD = "!scale-seed-account"

COLUMNS = {
    "users": ("id", "username", "email", "email_verified", "password_hash", "first_name", "last_name",
              "phone", "is_active", "is_staff", "is_superuser", "created_at", "updated_at"),
    "user_profiles": ("user_id", "city", "state", "country", "created_at", "updated_at"),
    "service_requests": ("id", "user_id", "service_type", "title", "description", "status", "priority",
                         "urgency_level", "estimated_cost", "final_cost", "currency", "assigned_to",
                         "assigned_at", "completed_at", "location_type", "location_address", "service_data",
                         "created_at", "updated_at"),
    "service_status_history": ("service_request_id", "previous_status", "new_status", "changed_by", "reason",
                               "created_at"),
    "payments": ("user_id", "service_request_id", "amount", "currency", "payment_method", "gateway",
                 "gateway_reference", "status", "description", "initiated_at", "completed_at", "created_at",
                 "updated_at"),
    "messages": ("id", "sender_id", "recipient_id", "service_request_id", "subject", "content",
                 "message_type", "is_read", "thread_id", "created_at"),
    "loan_applications": ("service_request_id", "user_id", "loan_type", "loan_amount", "currency", "loan_purpose",
                          "requested_term_months", "employment_status", "monthly_income", "existing_debts",
                          "credit_score", "application_status", "approved_amount", "approved_rate",
                          "approved_term_months", "decision_date", "decision_reason", "reviewed_by", "risk_score",
                          "documents_verified", "created_at", "updated_at"),
}  # fmt: skip
TABLES = tuple(COLUMNS)
# Which table's ids the caller reserves, and from which sequence.
SEQUENCES = {"users": "users_id_seq", "service_requests": "service_requests_id_seq",
             "messages": "messages_id_seq"}

# status weights (pending, confirmed, in_progress, completed, cancelled, on_hold, failed)
STATUSES = ("pending", "confirmed", "in_progress", "completed", "cancelled", "on_hold", "failed")
RECENT_WEIGHTS = (30, 20, 20, 15, 8, 5, 2)
OLD_WEIGHTS = (1, 1, 1, 52, 35, 3, 7)
DETOURS = 0.15  # share of requests that take a longer path (a hold, a cancellation after confirming)
_RECENT_POOL = tuple(s for s, w in zip(STATUSES, RECENT_WEIGHTS) for _ in range(w))
_OLD_POOL = tuple(s for s, w in zip(STATUSES, OLD_WEIGHTS) for _ in range(w))
SETTLE = timedelta(days=21)  # how long a request takes to reach its status, at most
PRIORITIES = (("low", 1), ("normal", 2), ("normal", 1), ("normal", 3), ("high", 4), ("urgent", 5))
PAYMENT_STATUS = {"completed": "completed", "failed": "failed", "cancelled": "refunded",
                  "in_progress": "completed", "on_hold": "processing", "confirmed": "pending"}  # fmt: skip


@dataclass(frozen=True)
class UnitIds:
    users: list[int]
    requests: list[int]
    messages: list[int]


def expected_messages(requests: int = REQUESTS) -> int:
    """Messages in a unit: a two-message thread on THREAD_SHARE of the requests."""
    return 2 * int(requests * THREAD_SHARE)


class UnitRows:
    """Builds one unit's rows; `rows(table)` yields tuples in COLUMNS[table] order.

    Ask for the tables in TABLES order: the requests decide the rows of the tables after them.
    """

    def __init__(self, unit: int, of: int, now: datetime, ids: UnitIds) -> None:
        self.unit, self.now, self.ids = unit, now, ids
        self.rng = random.Random(unit)
        self.end = now - SPAN * ((of - unit) / of)
        self.start = now - SPAN * ((of - unit + 1) / of)
        self.staff = ids.users[:STAFF]
        self.customers = ids.users[STAFF:]
        self._requests: list[tuple] = []  # (id, user, status, path, moments, assignee, cost)
        self._loans: list[tuple] = []  # the loans requests: (id, user, status, moments, assignee, title)

    def rows(self, table: str) -> Iterator[tuple]:
        return getattr(self, f"_{table}")()

    # -- people ---------------------------------------------------------------------------
    def _users(self) -> Iterator[tuple]:
        rng, joined = self.rng, self.start - timedelta(days=200)
        for k, user_id in enumerate(self.ids.users):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            handle = f"s{self.unit:05d}u{k:04d}"
            phone = f"+234{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
            yield (user_id, f"{first.lower()}.{last.lower()}.{handle}", f"{handle}@{SCALE_DOMAIN}", True,
                   UNUSABLE_PASSWORD, first, last, phone, True, k < STAFF, False, joined, joined)

    def _user_profiles(self) -> Iterator[tuple]:
        joined = self.start - timedelta(days=200)
        for user_id in self.ids.users:
            city = self.rng.choice(CITIES)
            yield (user_id, city.name, city.state, "Nigeria", joined, joined)

    # -- requests -------------------------------------------------------------------------
    def _service_requests(self) -> Iterator[tuple]:
        rng, now, staff = self.rng, self.now, self.staff
        span = (self.end - self.start).total_seconds()
        created = sorted(self.start + timedelta(seconds=int(rng.random() * span)) for _ in self.ids.requests)
        recent_from = now - RECENT
        for request_id, moment in zip(self.ids.requests, created):
            status = rng.choice(_RECENT_POOL if moment > recent_from else _OLD_POOL)
            paths = PATHS[status]
            path = rng.choice(paths) if rng.random() < DETOURS else paths[0]
            settle = min(now - moment, SETTLE)
            moments = [moment, *sorted(moment + settle * rng.random() for _ in path[1:])]
            line = rng.choice(SERVICE_LINES)
            title, description = rng.choice(line.requests)
            low, high = line.cost_range
            cost = rng.randrange(low, high) // 500 * 500 + 500
            # Started work has somebody on it; a confirmed request may still wait for one.
            assigned = "in_progress" in path or ("confirmed" in path and rng.random() < 0.6)
            assignee = rng.choice(staff) if assigned else None
            priority, urgency = rng.choice(PRIORITIES)
            user = rng.choice(self.customers)
            self._requests.append((request_id, user, status, path, moments, assignee, cost))
            if line.service_type == "loans":
                self._loans.append((request_id, user, status, moments, assignee, title))
            done = status == "completed"
            yield (request_id, user, line.service_type, title, description, status, priority, urgency,
                   f"{cost}.00", f"{cost + cost // 10}.00" if done else None, "NGN", assignee,
                   moments[1] if assignee else None,  # path[1] is "confirmed" whenever somebody is assigned
                   moments[-1] if done else None, line.location_type,
                   _ADDRESSES[request_id % len(_ADDRESSES)] if line.location_type else None,
                   _SERVICE_DATA, moment, moments[-1])

    def _service_status_history(self) -> Iterator[tuple]:
        rng = self.rng
        for request_id, user, status, path, moments, assignee, _cost in self._requests:
            by_staff = assignee or self.staff[0]
            for (previous, new), moment in zip(transitions(path), moments):
                if previous is None:
                    yield (request_id, None, "pending", user, "Request created", moment)
                else:
                    yield (request_id, previous, new, by_staff, rng.choice(REASONS[new]), moment)

    def _payments(self) -> Iterator[tuple]:
        rng = self.rng
        for request_id, user, status, path, moments, _assignee, cost in self._requests:
            if "confirmed" not in path:
                continue
            state = PAYMENT_STATUS.get(status, "pending")
            finished = state in ("completed", "refunded")
            amount = cost + cost // 10 if status == "completed" else cost // 2
            paid = moments[1]
            yield (user, request_id, f"{amount}.00", "NGN", rng.choice(("card", "card", "bank_transfer")),
                   rng.choice(("paystack", "flutterwave")), f"GMS-S{request_id}", state, "Service payment",
                   paid, paid if finished else None, paid, moments[-1] if finished else paid)

    def _messages(self) -> Iterator[tuple]:
        rng, message_ids = self.rng, iter(self.ids.messages)
        threads = int(len(self._requests) * THREAD_SHARE)
        for request_id, user, _status, _path, moments, assignee, _cost in rng.sample(self._requests, threads):
            staff = assignee or self.staff[0]
            root, reply = next(message_ids), next(message_ids)
            asked = min(moments[0] + timedelta(minutes=30), self.now)
            yield (root, user, staff, request_id, "Question about my request",
                   "Please when will someone come?", "user", True, None, asked)
            yield (reply, staff, user, request_id, "Re: Question about my request",
                   "We have scheduled you for tomorrow morning.", "user", False, root,
                   min(asked + timedelta(hours=2), self.now))


    def _loan_applications(self) -> Iterator[tuple]:
        rng = random.Random(self.unit * 7919 + 11)  # its own source: the tables before it stay as they were
        for k, (request_id, user, status, moments, assignee, title) in enumerate(self._loans):
            loan_status = LOAN_STATUS.get(status) or ("withdrawn" if k % 2 else "expired")
            amount = rng.randrange(15, 500) * 10_000
            term = rng.choice((3, 6, 9, 12, 18, 24, 36))
            income = max(50_000, int(amount / term / rng.uniform(0.12, 0.4)) // 5_000 * 5_000)
            debts = int(income * rng.uniform(0.2, 0.35)) // 1_000 * 1_000 if rng.random() < 0.3 else 0
            approved = loan_status == "approved"
            decided = loan_status in ("approved", "rejected", "withdrawn", "expired")
            reviewer = (assignee or self.staff[0]) if loan_status in ("under_review", "approved", "rejected") else None
            yield (request_id, user, rng.choice(LOAN_TYPES), f"{amount}.00", "NGN", title, term,
                   rng.choice(EMPLOYMENT), f"{income}.00", f"{debts}.00", rng.randrange(450, 830), loan_status,
                   f"{amount * rng.randrange(7, 11) // 10}.00" if approved else None,
                   rng.choice(("0.2200", "0.2600", "0.3000")) if approved else None, term if approved else None,
                   moments[-1].astimezone(LAGOS).date() if decided else None, LOAN_REASONS.get(loan_status), reviewer,
                   rng.randrange(5, 96), status in ("in_progress", "completed"), moments[0], moments[-1])


LOAN_STATUS = {"pending": "submitted", "confirmed": "under_review", "in_progress": "under_review",
               "on_hold": "under_review", "completed": "approved", "failed": "rejected"}  # cancelled: see above
LOAN_TYPES = ("personal", "business", "auto", "mortgage", "student", "payday")
EMPLOYMENT = ("employed_full_time", "employed_part_time", "self_employed")
LOAN_REASONS = {"approved": "Stable income and good repayment history", "rejected": "Debt-to-income ratio too high",
                "withdrawn": "The customer withdrew the application",
                "expired": "expired: no activity for over 30 days"}


def _addresses() -> tuple[str, ...]:
    rng = random.Random(0)
    result = []
    for _ in range(500):
        city = rng.choice(CITIES)
        street, area = rng.choice(city.streets), rng.choice(city.areas)
        result.append(f"{rng.randrange(1, 120)} {street}, {area}, {city.name}")
    return tuple(result)


_ADDRESSES = _addresses()
_SERVICE_DATA = json.dumps({"source": "scale_seed"})
