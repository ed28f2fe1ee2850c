"""Keyset paging, one mechanism for every list: an opaque `--after` cursor naming the last row shown.

A cursor is url-safe base64 of the JSON list `[kind, *position]`, where `kind` names the list and its
sort (so a cursor of one list is refused by another) and `position` is the sort key of the last row.
Positions hold ints (ids, bounded to PostgreSQL's bigint), aware datetimes (ISO-8601), exact
Decimals (as strings) and text. A damaged, foreign or out-of-range cursor is InvalidInput (exit 2).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Sequence

from gmctl.errors import InvalidInput

BIGINT_MAX = 2**63 - 1


def encode_cursor(kind: str, position: Sequence[Any]) -> str:
    """The `--after` token for the row whose sort key is `position`."""
    plain = [v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, Decimal) else v for v in position]
    raw = json.dumps([kind, *plain], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str, shape: Sequence[type], *, option: str = "--after") -> list[Any]:
    """The sort key a cursor points after, typed by `shape` (int, datetime, Decimal or str per place).

    Raises InvalidInput when the cursor is damaged, belongs to another list or sort, or holds a value
    the database could not compare (an id past bigint, a time that is not ISO-8601).
    """
    bad = InvalidInput(
        f"{option} {cursor[:40]!r} is not a cursor of this list",
        hint="use the cursor printed by the previous page, with the same filters and sort",
    )
    try:
        text = cursor.strip()
        value = json.loads(base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode()))
    except (ValueError, UnicodeError):
        raise bad from None
    if not isinstance(value, list) or len(value) != len(shape) + 1 or value[0] != kind:
        raise bad
    try:
        return [_typed(raw, wanted) for raw, wanted in zip(value[1:], shape)]
    except (TypeError, ValueError, InvalidOperation, OverflowError):
        raise bad from None


def _typed(raw: Any, wanted: type) -> Any:
    if wanted is int:
        if not isinstance(raw, int) or isinstance(raw, bool) or abs(raw) > BIGINT_MAX:
            raise ValueError(raw)
        return raw
    if wanted is datetime:
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError(raw)
        return moment
    if wanted is Decimal:
        if not isinstance(raw, str):
            raise ValueError(raw)
        amount = Decimal(raw)
        if not amount.is_finite():
            raise ValueError(raw)
        return amount
    if not isinstance(raw, str):
        raise ValueError(raw)
    return raw
