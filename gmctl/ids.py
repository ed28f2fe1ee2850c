"""Row ids as people type them: the one rule for "is this text an id the database could hold".

Every id column in the schema document is a PostgreSQL integer (serial): 1 to INT4_MAX. Text that
is all ASCII digits but past that range names no row; comparing it anyway would make PostgreSQL
raise `integer out of range`. Unicode digits (`²`, `١٢٣`) are not ids either.
"""

from __future__ import annotations

import re

INT4_MAX = 2**31 - 1  # PostgreSQL integer
INT8_MAX = 2**63 - 1  # PostgreSQL bigint
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def looks_like_id(text: str) -> bool:
    """True when `text` is ASCII digits only (whatever their size)."""
    return bool(_DIGITS.fullmatch(text))


def row_id(text: str) -> int | None:
    """The id `text` names (1 to INT4_MAX), or None when it is not digits or no row could have it."""
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text) if len(text) <= 12 else 0
    return number if 1 <= number <= INT4_MAX else None
