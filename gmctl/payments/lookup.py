"""Finding a payment by id or reference, and locking it for a change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from gmctl.errors import NotFound
from gmctl.ids import row_id

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.db.models import Payment

NOT_FOUND_HINT = "`gmctl payments list --reference TEXT` finds payments by part of a reference"


def payment_conditions(key: str) -> list[Any]:
    """WHERE terms for `ID|REFERENCE`: an all-digit key is an id, and also a reference or a gateway
    transaction id (Paystack's ids are numbers); anything else is a reference or transaction id."""
    from gmctl.db.models import Payment

    text = key.strip()
    terms = [Payment.gateway_reference == text, Payment.gateway_transaction_id == text]
    number = row_id(text)
    if number is not None:
        terms.insert(0, Payment.id == number)
    return [or_(*terms)]


def find_payment(session: "Session", key: str, *, lock: bool = False) -> "Payment":
    """The payment with id or reference `key` (NotFound, exit 3, when none). An id wins over a
    reference that happens to be the same digits. With lock=True the row is locked FOR UPDATE
    in the caller's transaction and read fresh, so two changes of one payment run one after the other."""
    from gmctl.db.models import Payment

    if not key.strip():
        raise NotFound("no payment ''", hint="give a payment id or its gateway reference")
    text = key.strip()
    query = select(Payment).where(*payment_conditions(text))
    number = row_id(text)
    if number is not None:
        query = query.order_by((Payment.id == number).desc(), Payment.id)
    else:
        query = query.order_by(Payment.id)
    query = query.limit(1)
    if lock:
        query = query.with_for_update(of=Payment).execution_options(populate_existing=True)
    payment = session.execute(query).scalar_one_or_none()
    if payment is None:
        raise NotFound(f"no payment {key!r}", hint=NOT_FOUND_HINT)
    return payment
