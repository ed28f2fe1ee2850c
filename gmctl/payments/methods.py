"""`payments methods`: customers' stored payment methods, masked; cards about to expire; set-default.

Masking: a card is its brand, last four digits and expiry month; a bank account its bank, last four
and type. Nothing else of either is ever shown (gateway ids stay in the database).
Expiry follows the seed's rule (trigger payment_methods_card_not_expired, fix10): a card is good
through the last day of its expiry month, judged on the Lagos calendar. `--expiring 60d` lists
the active cards whose expiry month ends within 60 days from today (those already expired too).
One default per user (uq_payment_methods_default): set-default clears the old default and sets the
new one in one transaction, under a lock on the user's methods.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from gmctl.errors import InvalidInput, NotFound
from gmctl.payments.detail import mask_method
from gmctl.when import LAGOS

LIST = """
SELECT m.id, u.username AS user, m.type, m.provider, m.card_brand, m.card_last_four, m.card_exp_month,
       m.card_exp_year, m.bank_name, m.account_last_four, m.account_type, m.nickname,
       coalesce(m.is_default, false) AS is_default, coalesce(m.is_active, true) AS is_active, m.created_at
FROM payment_methods m JOIN users u ON u.id = m.user_id
"""


def card_valid_through(month: int | None, year: int | None) -> date | None:
    """The last day a card is good: the end of its expiry month (None for a card without one)."""
    if not month or not year:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def list_methods(connection: Any, now: datetime, *, user_id: int | None = None,
                 expiring: timedelta | None = None) -> list[dict[str, Any]]:
    """Stored methods as masked rows (id, user, type, method, provider, default, active, expires,
    expiry). `expiry` is expired / expiring / ok / '' (not a card), counted from the Lagos today."""
    today = now.astimezone(LAGOS).date()
    terms, params = [], {}
    if user_id is not None:
        terms.append("m.user_id = :user_id")
        params["user_id"] = user_id
    if expiring is not None:
        terms.append("m.type = 'card' AND coalesce(m.is_active, true)")
    where = f"WHERE {' AND '.join(terms)}" if terms else ""
    horizon = today + (timedelta(days=60) if expiring is None else expiring)
    rows = []
    for r in connection.execute(text(f"{LIST} {where} ORDER BY u.username, m.is_default DESC, m.id"), params):
        through = card_valid_through(r.card_exp_month, r.card_exp_year) if r.type == "card" else None
        state = "" if r.type != "card" else ("expired" if through and through < today else
                                              "expiring" if through and through <= horizon else "ok")
        if expiring is not None and state not in ("expired", "expiring"):
            continue
        rows.append({"id": r.id, "user": r.user, "type": r.type, "method": mask_method(r),
                     "provider": r.provider, "nickname": r.nickname, "default": bool(r.is_default),
                     "active": bool(r.is_active), "expires": through, "expiry": state})
    return rows


def set_default(session: Any, operator: Any, method_id: int, *, now: datetime) -> dict[str, Any]:
    """Make method `method_id` its user's one default. NotFound (exit 3); InvalidInput (exit 2) for
    an inactive method or an expired card. Returns {"id", "user_id", "previous_default"}; audited."""
    from sqlalchemy import select

    from gmctl import audit
    from gmctl.db.models import PaymentMethod

    method = session.get(PaymentMethod, method_id)
    if method is None:
        raise NotFound(f"no stored payment method {method_id}", hint="`gmctl payments methods` lists them")
    mine = session.execute(select(PaymentMethod).where(PaymentMethod.user_id == method.user_id)
                           .order_by(PaymentMethod.id).with_for_update()
                           .execution_options(populate_existing=True)).scalars().all()
    method = next(m for m in mine if m.id == method_id)
    if method.is_active is False:
        raise InvalidInput(f"payment method {method_id} is not active", hint="choose an active method")
    through = card_valid_through(method.card_exp_month, method.card_exp_year) if method.type == "card" else None
    if through is not None and through < now.astimezone(LAGOS).date():
        raise InvalidInput(f"card {method_id} expired at the end of {method.card_exp_month:02d}/{method.card_exp_year}",
                           hint="an expired card cannot be the default; the customer must add a new card")
    previous = next((m.id for m in mine if m.is_default), None)
    if previous == method_id:
        return {"id": method_id, "user_id": method.user_id, "previous_default": previous, "changed": False}
    for m in mine:
        if m.is_default:
            m.is_default, m.updated_at = False, now
    session.flush()  # the unique index allows one default: clear the old one first
    method.is_default, method.updated_at = True, now
    session.flush()
    audit.record(session, operator, "payments.methods.set-default", "payment_method", method_id,
                 {"default_method": (previous, method_id)}, at=now)
    return {"id": method_id, "user_id": method.user_id, "previous_default": previous, "changed": True}
