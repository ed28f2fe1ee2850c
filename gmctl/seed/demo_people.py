"""Demo customers: users with profiles and the customer role, and their stored payment methods."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gmctl.seed import DEMO_DOMAIN
from gmctl.seed.demo_world import Customer, DemoWorld
from gmctl.seed.vocabulary import BANKS, CARD_BRANDS, FIRST_NAMES, LAST_NAMES

CUSTOMERS = 40
INDUSTRIES = ("Retail", "Logistics", "Hospitality", "Education", "Healthcare", "Fintech", "Agriculture")
INSUFFICIENT_PRIVILEGE = "42501"
JOB_TITLES = ("Owner", "Operations Manager", "Accountant", "Teacher", "Software Engineer", "Pharmacist")


def seed_customers(world: DemoWorld) -> None:
    """Forty customers across Nigeria; about one in five is a business, one account is deactivated."""
    from gmctl.auth.passwords import UNUSABLE_PREFIX
    from gmctl.db.models import User

    rng, taken = world.rng, set()
    people, rows = [], []
    for number in range(CUSTOMERS):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = f"{first}.{last}".lower()
        while username in taken:
            username = f"{first}.{last}{rng.randrange(2, 99)}".lower()
        taken.add(username)
        city = world.city()
        area = rng.choice(city.areas)
        since = world.ago(timedelta(days=100), timedelta(days=6 * 365 + 200))
        people.append((username, first, last, city, area, since))
        rows.append({
            "username": username, "email": f"{username}@{DEMO_DOMAIN}", "email_verified": number % 7 != 3,
            # Customers sign in on the platform's website, never with gmctl: no usable password.
            "password_hash": UNUSABLE_PREFIX + world.token(40), "first_name": first, "last_name": last,
            "phone": world.phone(),
            "date_of_birth": (since - timedelta(days=rng.randrange(20, 60) * 365)).date(),
            "is_active": number != 17, "is_staff": False, "is_superuser": False,
            "last_login": world.ago(timedelta(hours=2), timedelta(days=60)), "created_at": since,
            "updated_at": since, "password_changed_at": since,
        })
    ids = world.insert(User, rows)
    for user_id, (username, first, last, city, area, since) in zip(ids, people):
        world.customers.append(Customer(user_id, username, first, last, city, area,
                                        world.address(city, area), since))
    _profiles(world)
    _customer_role(world)
    seed_payment_methods(world)


def _profiles(world: DemoWorld) -> None:
    from gmctl.db.models import UserProfile

    rng, rows = world.rng, []
    for customer in world.customers:
        business = rng.random() < 0.2
        rows.append({
            "user_id": customer.id, "street_address": customer.address.rsplit(",", 2)[0],
            "city": customer.city.name, "state": customer.city.state, "postal_code": None,
            "country": "Nigeria",
            "company_name": f"{customer.last_name} & Sons Ventures" if business else None,
            "job_title": rng.choice(JOB_TITLES), "industry": rng.choice(INDUSTRIES) if business else None,
            "language": "en", "timezone": "Africa/Lagos", "currency": "NGN",
            "notification_preferences": {"email": True, "sms": rng.random() < 0.7,
                                         "push": rng.random() < 0.5},
            "created_at": customer.since, "updated_at": customer.since,
        })
    world.insert(UserProfile, rows)


def _customer_role(world: DemoWorld) -> None:
    from sqlalchemy import select

    from gmctl.db.models import Role, RoleGrant

    role_id = world.session.scalar(select(Role.id).where(Role.name == "customer"))
    if role_id is None:  # a database whose default roles were removed by hand: customers stay role-less
        world.notes.append("no 'customer' role: demo customers were given no role")
        return
    world.insert(RoleGrant, [
        {"user_id": c.id, "role_id": role_id, "assigned_by": world.admin_id, "assigned_at": c.since,
         "expires_at": None}
        for c in world.customers
    ])


def seed_payment_methods(world: DemoWorld) -> None:
    """Cards and bank accounts for most customers: one default each, and one card that has expired."""
    from gmctl.db.models import PaymentMethod

    rng, rows = world.rng, []
    year = world.now.year
    for customer in world.customers[:30]:
        card = rng.random() < 0.65
        rows.append(_method(world, customer, card, default=True, exp_year=year + rng.randrange(1, 5)))
        if rng.random() < 0.3:
            second_year = year + rng.randrange(1, 4)
            rows.append(_method(world, customer, not card, default=False, exp_year=second_year))
    world.insert(PaymentMethod, rows)
    _expired_card(world, world.customers[3])


def _method(world: DemoWorld, customer: Customer, card: bool, *, default: bool,
            exp_year: int) -> dict[str, Any]:
    rng = world.rng
    stored = world.ago(timedelta(days=1), world.now - customer.since)
    row: dict[str, Any] = {
        "user_id": customer.id, "is_default": default, "is_active": True, "created_at": stored,
        "updated_at": stored, "card_last_four": None, "card_brand": None, "card_exp_month": None,
        "card_exp_year": None, "bank_name": None, "account_last_four": None, "account_type": None,
        "gateway_customer_id": f"CUS_{world.token(14).lower()}", "gateway_payment_method_id": None,
        "nickname": None,
    }
    if card:
        brand = rng.choice(CARD_BRANDS)
        row.update(type="card", provider="paystack", card_brand=brand,
                   card_last_four=f"{rng.randrange(10**4):04d}",
                   card_exp_month=rng.randrange(1, 13), card_exp_year=exp_year,
                   gateway_payment_method_id=f"AUTH_{world.token(10).lower()}", nickname=f"My {brand} card")
    else:
        bank = rng.choice(BANKS)
        row.update(type="bank_account", provider="flutterwave", bank_name=bank,
                   account_last_four=f"{rng.randrange(10**4):04d}",
                   account_type=rng.choice(("savings", "current")),
                   nickname=f"{bank} account")
    return row


def _expired_card(world: DemoWorld, customer: Customer) -> None:
    """A card stored two years ago that expired last year: what a real customer table always holds.

    fix10 made "card not expired" a trigger that checks a row when its expiry is written, so a card
    may expire while stored, but cannot be inserted already expired. A seed inserts today what was
    stored back then; it does so the way pg_restore loads rows, without that one trigger, inside
    this transaction (ALTER TABLE is transactional: no other session ever sees it disabled). That
    needs ownership of the table; without it the card is left out and the summary says so.
    """
    from sqlalchemy import text

    from gmctl.db.models import PaymentMethod

    trigger = "trigger_payment_methods_card_not_expired"
    row = _method(world, customer, True, default=False, exp_year=world.now.year - 1)
    row.update(nickname="Old salary card", created_at=world.now - timedelta(days=730),
               updated_at=world.now - timedelta(days=730))
    from sqlalchemy.exc import DBAPIError

    counted = world.counts["payment_methods"]
    savepoint = world.session.begin_nested()
    try:
        world.session.execute(text(f"ALTER TABLE payment_methods DISABLE TRIGGER {trigger}"))
        world.insert(PaymentMethod, [row])
        world.session.execute(text(f"ALTER TABLE payment_methods ENABLE TRIGGER {trigger}"))
        savepoint.commit()
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        savepoint.rollback()
        world.counts["payment_methods"] = counted
        world.notes.append("the expired demo card was left out: "
                           "only the owner of payment_methods may load it")
