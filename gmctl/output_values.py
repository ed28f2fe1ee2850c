"""Values as text: exact for scripts (to_plain, as_text), readable for a person (human_cell, lagos_time).

Re-exported by gmctl.output, which is what commands import.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Mapping

from gmctl.output_cells import for_terminal


def to_plain(value: Any) -> Any:
    """A JSON-safe value: exact decimals as strings, times in ISO-8601.

    A time PostgreSQL holds but Python cannot (year 294276, `infinity`; gmctl.db.loaders) is the
    server's own text of it.
    """
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        beyond = getattr(value, "pg_text", None)
        return beyond if beyond is not None else value.isoformat()
    if isinstance(value, timedelta):
        beyond = getattr(value, "pg_text", None)
        return beyond if beyond is not None else value.total_seconds()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: to_plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_plain(v) for v in value]
    return value


def as_text(value: Any) -> str:
    """A cell for csv/tsv/plain tables: exact and complete."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(to_plain(value), ensure_ascii=False, sort_keys=True)
    plain = to_plain(value)
    return str(plain)


def is_number(value: Any) -> bool:
    """Numbers stay numbers in every format: ints, Decimals (amounts) and floats, never booleans."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def relative_time(moment: datetime, now: datetime) -> str:
    beyond = getattr(moment, "pg_text", None)
    if beyond is not None:
        return beyond
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = (now - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for limit, unit, size in ((60, "s", 1), (3600, "m", 60), (86400, "h", 3600), (86400 * 45, "d", 86400)):
        if seconds < limit:
            amount = f"{int(seconds // size)}{unit}"
            break
    else:
        return moment.astimezone(timezone.utc).date().isoformat()
    return f"in {amount}" if future else f"{amount} ago"


def lagos_time(value: datetime, now: datetime, *, relative: bool = True) -> str:
    """`2026-11-25 10:00` in Africa/Lagos, with "(3h ago)" when recent; the server's text when the
    time is beyond Python's range."""
    beyond = getattr(value, "pg_text", None)
    if beyond is not None:
        return beyond
    from gmctl.when import LAGOS

    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    shown = f"{value.astimezone(LAGOS):%Y-%m-%d %H:%M}"
    if not relative:
        return shown
    ago = relative_time(value, now)
    return shown + (f" ({ago})" if ago.endswith(" ago") or ago.startswith("in ") else "")


def human_cell(value: Any, now: datetime) -> str:
    """A cell for a person at a terminal, control characters escaped (one line, always)."""
    if isinstance(value, datetime):
        return relative_time(value, now)
    if isinstance(value, Decimal):
        from gmctl.money import Naira, format_naira

        return format_naira(value) if isinstance(value, Naira) else f"{value:,}"
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return for_terminal(", ".join(value))
    return for_terminal(as_text(value))


def terminal_text(text: str) -> str:
    """Free text (a description, a message) for a terminal: line breaks kept, other controls escaped."""
    return for_terminal(text, keep_newlines=True)
