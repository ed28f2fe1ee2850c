"""`payments show ID|REFERENCE`: one payment with its gateway fields, request, refunds and the
customer's stored methods.

gateway_response is whatever the gateway sent, and may hold a card's first six digits, a full PAN
by accident, an expiry or a customer's email. Only the keys in GATEWAY_FIELDS are shown, and of a
card only its brand and last four digits (`Visa ****4081`): never the bin, never the expiry.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Mapping

from sqlalchemy import select

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Keys of gateway_response a person may see, with the label they are shown under.
GATEWAY_FIELDS = {
    "message": "message", "gateway_response": "message", "processor_response": "message",
    "status": "status", "channel": "channel", "payment_type": "channel",
    "paid_at": "paid_at", "fees": "fees", "app_fee": "fees",
    "ip_address": None,  # personal data: never shown
}  # fmt: skip
CARD_KEYS = ("authorization", "card")
_DIGITS = re.compile(r"\d")


def card_summary(response: Mapping[str, Any]) -> str | None:
    """`Visa ****4081` from a Paystack `authorization` or Flutterwave `card` object; None if neither.
    Only the brand (card_type / brand / type) and the last four digits (last4 / last_4digits) are read."""
    for key in CARD_KEYS:
        card = response.get(key)
        if not isinstance(card, Mapping):
            continue
        brand = next((str(card[k]) for k in ("brand", "card_type", "type") if card.get(k)), "card")
        last = next((str(card[k]) for k in ("last4", "last_4digits", "last_four") if card.get(k)), "")
        last = "".join(_DIGITS.findall(last))[-4:]
        return f"{brand.strip().title()} ****{last}" if last else brand.strip().title()
    return None


def gateway_summary(response: Mapping[str, Any] | None) -> dict[str, Any]:
    """The gateway fields a person may see (see GATEWAY_FIELDS), plus the card as brand + last four."""
    summary: dict[str, Any] = {}
    for key, value in (response or {}).items():
        label = GATEWAY_FIELDS.get(key)
        if label and label not in summary and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            summary[label] = value
    card = card_summary(response or {})
    if card:
        summary["card"] = card
    return summary


def mask_method(row: Any) -> str:
    """A stored method for display: `Visa ****4081 exp 09/2028`, `GTBank ****1234 (savings)`, `wallet`."""
    if row.type == "card":
        expiry = f" exp {row.card_exp_month:02d}/{row.card_exp_year}" if row.card_exp_month and row.card_exp_year else ""
        return f"{(row.card_brand or 'card').title()} ****{row.card_last_four or '????'}{expiry}"
    if row.type == "bank_account":
        kind = f" ({row.account_type})" if row.account_type else ""
        return f"{row.bank_name or 'bank'} ****{row.account_last_four or '????'}{kind}"
    return row.provider or row.type


def payment_document(session: "Session", key: str) -> dict[str, Any]:
    """The whole payment as one document (dict): fields, `gateway` (summary), `request`, `refunds`,
    `stored_methods`. Amounts are Naira (NGN); times UTC-aware. NotFound (exit 3) when there is none."""
    from gmctl.db.models import PaymentMethod, PaymentRefund, ServiceRequest, User
    from gmctl.money import Naira
    from gmctl.payments.lookup import find_payment
    from gmctl.payments.refunds import refunded_total

    payment = find_payment(session, key)
    customer = session.get(User, payment.user_id)
    request = session.get(ServiceRequest, payment.service_request_id) if payment.service_request_id else None
    refunds = session.execute(
        select(PaymentRefund, User.username).outerjoin(User, User.id == PaymentRefund.requested_by)
        .where(PaymentRefund.payment_id == payment.id).order_by(PaymentRefund.id)
    ).all()
    methods = session.execute(
        select(PaymentMethod).where(PaymentMethod.user_id == payment.user_id)
        .order_by(PaymentMethod.is_default.desc(), PaymentMethod.id)
    ).scalars().all()
    refunded = refunded_total(session, payment.id)
    gateway = gateway_summary(payment.gateway_response)
    return {
        "id": payment.id,
        "status": payment.status,
        "amount": Naira(payment.amount),
        "refunded": Naira(refunded),
        "refundable": Naira(payment.amount - refunded) if payment.status == "completed" else Naira(0),
        "currency": payment.currency,
        "method": payment.payment_method,
        "gateway": payment.gateway,
        "reference": payment.gateway_reference,
        "transaction_id": payment.gateway_transaction_id,
        "customer": customer.username if customer else None,
        "description": payment.description,
        "failure_reason": payment.failure_reason,
        "initiated_at": payment.initiated_at,
        "completed_at": payment.completed_at,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
        "gateway_fields": gateway,
        "request": None if request is None else {
            "id": request.id, "title": request.title, "status": request.status,
            "service_type": request.service_type,
        },
        "refunds": [{
            "id": r.id, "amount": Naira(r.amount), "status": r.status, "reason": r.reason,
            "idempotency_key": r.idempotency_key, "gateway_ref": r.gateway_refund_reference,
            "requested_by": username, "requested_at": r.requested_at,
            "processed_at": r.processed_at, "failed_at": r.failed_at, "failure_reason": r.failure_reason,
        } for r, username in refunds],
        "stored_methods": [{
            "id": m.id, "type": m.type, "method": mask_method(m), "provider": m.provider,
            "default": bool(m.is_default), "active": bool(m.is_active),
        } for m in methods],
    }


def flatten(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document for field/value output: nested gateway fields and the request become fields
    (`gateway.card`, `request`); refunds and stored methods stay lists of rows."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if key == "gateway_fields":
            for name, item in value.items():
                flat[f"gateway.{name}"] = item
        elif key == "request":
            flat["request"] = None if value is None else f"#{value['id']} {value['title']} ({value['status']})"
        elif isinstance(value, list) and not value:
            flat[key] = "none"  # a field line, rather than an empty heading
        else:
            flat[key] = value
    return flat
