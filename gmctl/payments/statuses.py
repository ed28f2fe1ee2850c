"""Payment statuses in the ledger, and the gateways' status words mapped onto them.

Ledger statuses (payments.chk_payment_status): pending, processing, completed, failed, cancelled,
refunded. "pending" and "processing" are both *in flight*: reconcile treats them as one.

Gateway words, from the gateways' own documentation (docs/payments.md cites the sources):
- Paystack transaction statuses: success, failed, abandoned, reversed, pending, ongoing
  (also `queued` and `processing` on some channels, treated as in flight);
- Flutterwave v3 transaction statuses: successful, failed, pending (and `cancelled` on
  payment links, treated as cancelled).
A word outside the table is refused (exit 2) with the line of the file it is on.
"""

from __future__ import annotations

LEDGER_STATUSES = ("pending", "processing", "completed", "failed", "cancelled", "refunded")
IN_FLIGHT = ("pending", "processing")

STATUS_MAP: dict[str, dict[str, str]] = {
    "paystack": {
        "success": "completed",
        "failed": "failed",
        "abandoned": "cancelled",
        "reversed": "refunded",
        "pending": "processing",
        "ongoing": "processing",
        "queued": "processing",
        "processing": "processing",
    },
    "flutterwave": {
        "successful": "completed",
        "success": "completed",
        "failed": "failed",
        "pending": "processing",
        "cancelled": "cancelled",
    },
}
# --columns files (any other CSV) may carry either gateway's words or the ledger's own.
GENERIC_MAP: dict[str, str] = {
    **STATUS_MAP["flutterwave"],
    **STATUS_MAP["paystack"],
    **{status: status for status in LEDGER_STATUSES},
}


def map_status(gateway: str, word: str, *, generic: bool = False) -> str | None:
    """The ledger status a gateway's status word means, or None when the word is not in the table.

    Case and surrounding spaces are ignored: `SUCCESS` and ` success ` are `success`."""
    table = GENERIC_MAP if generic else STATUS_MAP[gateway]
    return table.get(word.strip().lower())


def same_status(ledger: str, gateway_mapped: str, gateway: str = "paystack") -> bool:
    """Whether the ledger agrees with the gateway: equal, or both in flight (pending ~ processing),
    or (Flutterwave only) a refunded payment whose charge Flutterwave still reports successful:
    Flutterwave reports refunds as records of their own. reconcile's SQL applies the same rule."""
    if ledger in IN_FLIGHT and gateway_mapped in IN_FLIGHT:
        return True
    if gateway == "flutterwave" and ledger == "refunded" and gateway_mapped == "completed":
        return True
    return ledger == gateway_mapped


def mapping_rows() -> list[dict[str, str]]:
    """The documented table as rows (gateway, gateway_status, ledger_status)."""
    return [{"gateway": g, "gateway_status": word, "ledger_status": status}
            for g, table in STATUS_MAP.items() for word, status in table.items()]
