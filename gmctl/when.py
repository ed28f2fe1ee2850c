"""Moments and durations as staff type them: 2026-11-01, 2026-11-01T14:00, 48h, 7d.

Dates and times without a zone are Lagos time, where the business runs; results are aware.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from gmctl.errors import InvalidInput

LAGOS = ZoneInfo("Africa/Lagos")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str, *, what: str = "duration") -> timedelta:
    match = _DURATION.match(text)
    if not match:
        raise InvalidInput(f"{what} {text!r} is not a duration", hint="write it like 30m, 48h, 7d or 2w")
    amount, unit = int(match.group(1)), match.group(2).lower()
    return timedelta(**{_UNITS[unit]: amount})


def parse_moment(text: str, now: datetime, *, what: str = "time") -> datetime:
    """An aware datetime: an ISO date or datetime (Lagos time unless it says otherwise) or a
    duration meaning that long before now (7d = seven days ago)."""
    value = text.strip()
    if _DURATION.match(value):
        return now - parse_duration(value, what=what)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=LAGOS)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{what} {text!r} is not a date or time",
            hint="write 2026-11-01, 2026-11-01T14:00, or a span before now like 7d",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LAGOS)


def lagos_stamp(moment: datetime) -> str:
    """How a moment is written inside free text (notes): minutes, Lagos time, with the zone."""
    return moment.astimezone(LAGOS).strftime("%Y-%m-%d %H:%M WAT")
