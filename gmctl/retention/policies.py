"""The three retention policies, their periods, and the moment before which each one applies.

The seed's rules (seed-notes 9), kept as its defaults:
- archive: completed requests whose completed_at is older than 5 years move to the archive tables;
- history: service_status_history rows older than 2 years are deleted;
- temp-files: temporary file_uploads rows older than 7 days are deleted.

A full run archives first, so the history of a request that is due for the archive moves with it
instead of being deleted by the history policy a moment earlier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from gmctl.errors import InvalidInput

# "Today" is where the business runs: the seed's CURRENT_DATE - INTERVAL, taken in Lagos.
LAGOS = ZoneInfo("Africa/Lagos")

ARCHIVE = "archive"
HISTORY = "history"
TEMP_FILES = "temp-files"
ORDER = (ARCHIVE, HISTORY, TEMP_FILES)
DESCRIPTIONS = {
    ARCHIVE: "completed requests moved to the archive",
    HISTORY: "status history deleted",
    TEMP_FILES: "temporary file records deleted",
}
CONFIG_KEYS = ("history_days", "history_years", "archive_after_years", "temp_files_days",
               "batch_size", "max_runtime")
CONFIG_HINT = "see `[retention]` in docs: history_days or history_years, archive_after_years, temp_files_days"


@dataclass(frozen=True)
class Period:
    """A calendar period: whole years (the seed's INTERVAL 'N years') or days."""

    years: int = 0
    days: int = 0

    def before(self, day: date) -> date:
        shifted = day - timedelta(days=self.days)
        if not self.years:
            return shifted
        try:
            return shifted.replace(year=shifted.year - self.years)
        except ValueError:  # 29 February minus a year is 28 February, as in PostgreSQL's interval arithmetic
            return shifted.replace(year=shifted.year - self.years, day=28)

    def __str__(self) -> str:
        if self.years:
            return f"{self.years} year{'s' if self.years != 1 else ''}"
        return f"{self.days} day{'s' if self.days != 1 else ''}"


@dataclass(frozen=True)
class Periods:
    history: Period = field(default_factory=lambda: Period(years=2))
    archive: Period = field(default_factory=lambda: Period(years=5))
    temp_files: Period = field(default_factory=lambda: Period(days=7))

    def of(self, policy: str) -> Period:
        return {ARCHIVE: self.archive, HISTORY: self.history, TEMP_FILES: self.temp_files}[policy]


@dataclass(frozen=True)
class Cutoffs:
    """Rows older than these moments are what each policy works on."""

    archive: datetime
    history: datetime
    temp_files: datetime

    def of(self, policy: str) -> datetime:
        return {ARCHIVE: self.archive, HISTORY: self.history, TEMP_FILES: self.temp_files}[policy]


def cutoffs(periods: Periods, now: datetime) -> Cutoffs:
    """Lagos midnight of today minus each period, like the seed's CURRENT_DATE - INTERVAL."""
    today = now.astimezone(LAGOS).date()

    def midnight(period: Period) -> datetime:
        return datetime.combine(period.before(today), time(0), tzinfo=LAGOS)

    return Cutoffs(archive=midnight(periods.archive), history=midnight(periods.history),
                   temp_files=midnight(periods.temp_files))


# The longest period a policy may name: beyond it the cutoff leaves the calendar (and keeps everything).
MAX_DAYS, MAX_YEARS = 36_600, 100


def _positive(name: str, value: Any, source: str) -> int:
    """A period's count from a flag or config.toml: a whole number from 1 to 100 years (36,600 days)."""
    largest = MAX_YEARS if "year" in name else MAX_DAYS
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= largest:
        raise InvalidInput(f"{source} {name} must be a whole number from 1 to {largest:,}, not {value!r}",
                           hint=CONFIG_HINT)
    return value


def periods_from(section: Mapping[str, Any], *, history_days: int | None = None,
                 archive_after_years: int | None = None, temp_files_days: int | None = None,
                 source: str = "config.toml [retention]") -> Periods:
    """The periods: flags first, then the config file's [retention] section, then the seed's defaults."""
    unknown = sorted(set(section) - set(CONFIG_KEYS))
    if unknown:
        raise InvalidInput(f"{source} has unknown setting(s): {', '.join(unknown)}", hint=CONFIG_HINT)
    if "history_days" in section and "history_years" in section:
        raise InvalidInput(f"{source} sets both history_days and history_years", hint="keep one of them")
    defaults = Periods()
    history = defaults.history
    if history_days is not None:
        history = Period(days=_positive("--history-days", history_days, "flag"))
    elif "history_days" in section:
        history = Period(days=_positive("history_days", section["history_days"], source))
    elif "history_years" in section:
        history = Period(years=_positive("history_years", section["history_years"], source))
    archive = defaults.archive
    if archive_after_years is not None:
        archive = Period(years=_positive("--archive-after-years", archive_after_years, "flag"))
    elif "archive_after_years" in section:
        archive = Period(years=_positive("archive_after_years", section["archive_after_years"], source))
    temp = defaults.temp_files
    if temp_files_days is not None:
        temp = Period(days=_positive("--temp-files-days", temp_files_days, "flag"))
    elif "temp_files_days" in section:
        temp = Period(days=_positive("temp_files_days", section["temp_files_days"], source))
    return Periods(history=history, archive=archive, temp_files=temp)


def chosen_policies(names: list[str] | None) -> tuple[str, ...]:
    """The policies to run, always in the safe order (archive before history)."""
    if not names:
        return ORDER
    wanted = {name.strip().lower().replace("_", "-") for name in names}
    unknown = sorted(wanted - set(ORDER))
    if unknown:
        raise InvalidInput(f"unknown retention policy: {', '.join(unknown)}",
                           hint=f"choose from {', '.join(ORDER)}")
    return tuple(p for p in ORDER if p in wanted)


MAX_RUNTIME_SECONDS = 7 * 24 * 3600
MAX_BATCH_SIZE = 100_000


def check_batch_size(value: Any, source: str) -> int:
    """Rows in the first batch, from the flag or config.toml: a whole number from 1 to MAX_BATCH_SIZE."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_BATCH_SIZE:
        raise InvalidInput(f"{source} must be a whole number from 1 to {MAX_BATCH_SIZE:,}, not {value!r}",
                           hint=CONFIG_HINT)
    return value


def parse_runtime(value: Any, source: str = "--max-runtime") -> float | None:
    """Seconds, or a duration like 90s, 30m, 2h. None or 0: no limit."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        text = str(value).strip().lower()
        units = {"s": 1, "m": 60, "h": 3600}
        try:
            seconds = float(text[:-1]) * units[text[-1]] if text and text[-1] in units else float(text)
        except ValueError:
            raise InvalidInput(f"{source} {value!r} is not a duration",
                               hint="use seconds or 90s, 30m, 2h") from None
    if seconds < 0:
        raise InvalidInput(f"{source} must not be negative", hint="use seconds or 90s, 30m, 2h")
    if seconds != seconds or seconds > MAX_RUNTIME_SECONDS:  # NaN, inf, 1e400
        raise InvalidInput(f"{source} {value!r} is not a duration of at most 7 days",
                           hint="use seconds or 90s, 30m, 2h")
    return seconds or None
