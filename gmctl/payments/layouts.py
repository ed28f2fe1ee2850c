"""The gateways' transaction export layouts, and `--columns` for any other CSV.

A layout maps gmctl's fields to header names (matched ignoring case and surrounding spaces):

| field | Paystack | Flutterwave |
|---|---|---|
| reference (ours: payments.gateway_reference) | reference | tx_ref |
| transaction_id (theirs: payments.gateway_transaction_id) | id | flw_ref |
| amount | amount (kobo) | amount (naira) |
| currency | currency | currency |
| status | status | status |
| paid_at | paid_at | created_at |
| fees | fees (kobo) | app_fee (naira) |
| channel | channel | payment_type |
| message | gateway_response | processor_response |

Sources (docs/payments.md): Paystack's Transaction object (amount and fees in the lowest
denomination, kobo; status success/failed/abandoned/reversed/pending/ongoing; paid_at in GMT);
Flutterwave v3's transactions list/verify response (tx_ref, flw_ref, amount in the major unit,
app_fee, status successful/failed/pending, payment_type, created_at in UTC).
reference, amount and status are required; the others may be absent (currency then means NGN).
"""

from __future__ import annotations

from dataclasses import dataclass

from gmctl.errors import InvalidInput

FIELDS = ("reference", "transaction_id", "amount", "currency", "status", "paid_at", "fees", "channel", "message")
REQUIRED = ("reference", "amount", "status")
UNITS = ("kobo", "naira")


@dataclass(frozen=True)
class Layout:
    """Which header holds each field, the unit its amounts are in, and whose status words it uses."""

    name: str
    gateway: str
    headers: dict[str, str]  # field -> header (lower case)
    amount_unit: str
    generic_statuses: bool = False


LAYOUTS: dict[str, Layout] = {
    "paystack": Layout("paystack", "paystack", {
        "reference": "reference", "transaction_id": "id", "amount": "amount", "currency": "currency",
        "status": "status", "paid_at": "paid_at", "fees": "fees", "channel": "channel",
        "message": "gateway_response"}, "kobo"),
    "flutterwave": Layout("flutterwave", "flutterwave", {
        "reference": "tx_ref", "transaction_id": "flw_ref", "amount": "amount", "currency": "currency",
        "status": "status", "paid_at": "created_at", "fees": "app_fee", "channel": "payment_type",
        "message": "processor_response"}, "naira"),
}  # fmt: skip
COLUMNS_HINT = ("map the file's headers with --columns, e.g. --columns "
                "'reference=Ref,amount=Amount Paid,status=State,paid_at=Date' (fields: " + ", ".join(FIELDS) + ")")


def parse_columns(spec: str) -> dict[str, str]:
    """`reference=Ref,amount=Amount Paid` -> {"reference": "ref", "amount": "amount paid"}.
    InvalidInput (exit 2) for an unknown field, a pair without `=`, or a missing required field."""
    mapping: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        field, sep, header = part.partition("=")
        field = field.strip().lower()
        if not sep or not header.strip():
            raise InvalidInput(f"--columns part {part.strip()!r} is not FIELD=HEADER", hint=COLUMNS_HINT)
        if field not in FIELDS:
            raise InvalidInput(f"--columns field {field!r} is not one of {', '.join(FIELDS)}", hint=COLUMNS_HINT)
        mapping[field] = header.strip().lower()
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        raise InvalidInput(f"--columns does not say which header holds {', '.join(missing)}", hint=COLUMNS_HINT)
    return mapping


def choose_layout(gateway: str, columns: str | None, amount_unit: str | None) -> tuple[Layout, str]:
    """The layout and amount unit for a run: the gateway's built-in layout, or --columns (whose
    status words may be either gateway's or the ledger's own). --amount-unit overrides the
    layout's default unit (Paystack kobo, Flutterwave naira)."""
    gateway = gateway.strip().lower()
    if gateway not in LAYOUTS:
        raise InvalidInput(f"--gateway {gateway!r} is not paystack or flutterwave",
                           hint="reconcile knows the exports of paystack and flutterwave")
    if amount_unit is not None and amount_unit.strip().lower() not in UNITS:
        raise InvalidInput(f"--amount-unit {amount_unit!r} is not kobo or naira",
                           hint="Paystack's exports count kobo; Flutterwave's count naira")
    base = LAYOUTS[gateway]
    layout = base if columns is None else Layout("custom", gateway, parse_columns(columns), base.amount_unit,
                                                 generic_statuses=True)
    return layout, (amount_unit.strip().lower() if amount_unit else layout.amount_unit)
