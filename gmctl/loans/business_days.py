"""Lagos business days, for the cooling-off period on the Key Fact Statement.

A business day is Monday to Friday, Lagos calendar, not in `[loans] holidays`. Nigerian public
holidays are declared by the Federal Government each year (the Islamic ones a few days ahead, on
the moon), so gmctl ships no holiday table: list the declared days in config; weekends are always
skipped. Source of the period: CBN Consumer Protection Regulations 2019 (3 business days).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Collection


def is_business_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_business_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """The `days`-th business day after `start` (start itself does not count): Friday + 3 = Wednesday."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            counted += 1
    return day
