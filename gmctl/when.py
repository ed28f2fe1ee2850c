"""Moments and durations as staff type them: 2026-11-01, 2026-11-01T14:00, 48h, 7d.

Dates and times without a zone are Lagos time, where the business runs; results are aware.
Every result lies in EARLIEST..LATEST (years 1900 to 9998): a span or date past the calendar
(`999999d`, `99999999999d`, year 10000) is InvalidInput (exit 2) naming the option,
never an OverflowError from the datetime arithmetic.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from gmctl.errors import InvalidInput, shown

LAGOS = ZoneInfo("Africa/Lagos")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# The moments gmctl accepts: wide enough for any business date, narrow enough that Lagos/UTC
# conversion and a day either side never leave Python's datetime range.
EARLIEST = datetime(1899, 12, 31, tzinfo=timezone.utc)  # so that 1900-01-01 in Lagos (UTC+1) is inside
LATEST = datetime(9999, 1, 1, tzinfo=timezone.utc)
LONGEST = timedelta(days=365_250)  # 1,000 years: now ± any span stays inside the calendar
_SPAN_HINT = "write it like 30m, 48h, 7d or 2w"


def parse_duration(text: str, *, what: str = "duration") -> timedelta:
    """A span like 30m, 48h, 7d or 2w; at most LONGEST (1,000 years). InvalidInput otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise InvalidInput(f"{what} {_quoted(text)} is not a duration", hint=_SPAN_HINT)
    digits, unit = match.group(1), match.group(2).lower()
    try:
        span = timedelta(**{_UNITS[unit]: int(digits)}) if len(digits) <= 12 else None
    except OverflowError:
        span = None
    if span is None or span > LONGEST:
        raise InvalidInput(f"{what} {_quoted(text)} is longer than the calendar gmctl handles",
                           hint="a span of at most 1,000 years, like 30d or 520w")
    return span


def check_moment(moment: datetime, text: str, *, what: str = "time") -> datetime:
    """`moment` if it lies in EARLIEST..LATEST (years 1900 to 9998), else InvalidInput naming `what`."""
    if not EARLIEST <= moment < LATEST:
        raise InvalidInput(f"{what} {_quoted(text)} is outside the years 1900 to 9998",
                           hint="check the year")
    return moment


def shift(moment: datetime, span: timedelta, text: str, *, what: str = "time") -> datetime:
    """moment + span (span may be negative), refused like check_moment when it leaves the calendar."""
    try:
        return check_moment(moment + span, text, what=what)
    except OverflowError:
        raise InvalidInput(f"{what} {_quoted(text)} is outside the years 1900 to 9998",
                           hint="use a shorter span") from None


def _quoted(text: str) -> str:
    return shown(text)


def parse_moment(text: str, now: datetime, *, what: str = "time") -> datetime:
    """An aware datetime: an ISO date or datetime (Lagos time unless it says otherwise) or a
    duration meaning that long before now (7d = seven days ago)."""
    value = text.strip()
    if _DURATION.match(value):
        return shift(now, -parse_duration(value, what=what), text, what=what)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=LAGOS)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{what} {_quoted(text)} is not a date or time",
            hint="write 2026-11-01, 2026-11-01T14:00, or a span before now like 7d",
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=LAGOS)
    try:
        return check_moment(moment, text, what=what)
    except OverflowError:  # an offset that pushes year 1 or 9999 over the edge
        raise InvalidInput(f"{what} {_quoted(text)} is outside the years 1900 to 9998",
                           hint="check the year") from None


def lagos_stamp(moment: datetime) -> str:
    """How a moment is written inside free text (notes): minutes, Lagos time, with the zone."""
    return moment.astimezone(LAGOS).strftime("%Y-%m-%d %H:%M WAT")
