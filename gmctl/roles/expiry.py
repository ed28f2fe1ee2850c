"""--expires: `30d`, `12h`, `2w`, a date (`2026-12-31`, the end of that day in Africa/Lagos), or `never`."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from gmctl.errors import InvalidInput
from gmctl.when import check_moment

LAGOS = ZoneInfo("Africa/Lagos")
EXPIRY_HINT = "use a duration like 30d, 12h or 2w, a date like 2026-12-31 (Africa/Lagos), or never"
_DURATION = re.compile(r"^(\d{1,6})\s*([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_LONGEST = timedelta(days=366 * 100)


def parse_expiry(text: str | None, now: datetime) -> datetime | None:
    """The moment a grant ends, or None for a grant without end. Relative to `now` (env.clock())."""
    if text is None:
        return None
    cleaned = text.strip().lower()
    if cleaned in ("", "never", "none"):
        return None
    match = _DURATION.match(cleaned)
    if match:
        amount = int(match.group(1))
        delta = amount * _UNITS[match.group(2)]
        if amount == 0 or delta > _LONGEST:
            raise InvalidInput(f"--expires {text!r} is out of range", hint=EXPIRY_HINT)
        return (now + delta).replace(microsecond=0)
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        raise InvalidInput(f"--expires {text!r} is neither a duration nor a date", hint=EXPIRY_HINT) from None
    # A date means "through that day" where the business is: the grant ends at the next Lagos midnight.
    try:
        moment = check_moment(datetime.combine(day + timedelta(days=1), time(0), tzinfo=LAGOS), text,
                              what="--expires")
    except OverflowError:  # 9999-12-31: the next day is past Python's calendar
        raise InvalidInput(f"--expires {text!r} is outside the years 1900 to 9998", hint=EXPIRY_HINT) from None
    if moment <= now:
        raise InvalidInput(f"--expires {text}: that day is already over in Africa/Lagos",
                           hint="give a date from today on, or a duration like 30d")
    return moment.astimezone(timezone.utc)


def describe_expiry(moment: datetime | None) -> str:
    """How a person reads an expiry in a message: Lagos time, and a date for end-of-day expiries."""
    if moment is None:
        return "no expiry"
    local = moment.astimezone(LAGOS)
    if local.time() == time(0):
        return f"until the end of {(local.date() - timedelta(days=1)).isoformat()}"
    return f"until {local:%Y-%m-%d %H:%M} WAT"
