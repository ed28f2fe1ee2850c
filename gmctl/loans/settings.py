"""The loan desk's settings: `[loans]` and `[loans.rates]` in $GMCTL_HOME/config.toml.

    [loans]
    max_dti = "1/3"                 # a fraction ("1/3"), a decimal (0.35) or a percent ("35%")
    income_basis = "gross"          # or "net": what monthly_income on the application means
    dual_control_above = 1000000    # NGN; an approval above it needs someone other than the reviewer
    complaint_channel = "..."       # the line printed on the Key Fact Statement
    cooling_off_days = 3            # business days (CBN Consumer Protection Regulations 2019)
    holidays = ["2026-12-25"]       # Lagos public holidays to skip besides weekends
    assumed_rate = 30               # percent p.a.: `show` checks an undecided application's DTI at it

    [loans.rates]                   # percent per annum, [lowest, highest] per loan type
    personal = [5, 60]

Every value is checked when it is read: a bad one is InvalidInput (exit 2) naming the key and the
file. Nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Mapping

from gmctl.errors import InvalidInput

LOAN_TYPES = ("personal", "business", "auto", "mortgage", "student", "payday")

# The CBN prudential guidelines: monthly repayments at or under one third of monthly income.
DEFAULT_MAX_DTI = Fraction(1, 3)
DEFAULT_DUAL_CONTROL_ABOVE = Decimal("1000000.00")
DEFAULT_COMPLAINT_CHANNEL = (
    "Complaints: GM Services customer care, loans@gmservices.ng or +234 1 700 0000 (08:00-20:00 WAT). "
    "Unresolved complaints may be taken to the CBN Consumer Protection Department or the FCCPC."
)
DEFAULT_COOLING_OFF_DAYS = 3
DEFAULT_ASSUMED_RATE = Decimal(30)
# Percent per annum, (lowest, highest). Every lower bound is above 2.4 and every upper bound below
# 240, so a rate typed as a fraction (0.24, 2.4) or with a digit too many (240) is always refused.
DEFAULT_RATE_BOUNDS: dict[str, tuple[Decimal, Decimal]] = {
    "personal": (Decimal(5), Decimal(60)),
    "business": (Decimal(5), Decimal(60)),
    "auto": (Decimal(5), Decimal(45)),
    "mortgage": (Decimal(5), Decimal(35)),
    "student": (Decimal(3), Decimal(35)),
    "payday": (Decimal(10), Decimal(120)),
}
MAX_STORABLE_PERCENT = Decimal("999.99")  # approved_rate is NUMERIC(5,4): 9.9999 as a fraction
INCOME_BASES = ("gross", "net")


@dataclass(frozen=True)
class LoanSettings:
    """The desk's rules as configured. Money in NGN (Decimal), rates in percent per annum."""

    max_dti: Fraction = DEFAULT_MAX_DTI
    income_basis: str = "gross"
    dual_control_above: Decimal = DEFAULT_DUAL_CONTROL_ABOVE
    complaint_channel: str = DEFAULT_COMPLAINT_CHANNEL
    cooling_off_days: int = DEFAULT_COOLING_OFF_DAYS
    holidays: frozenset[date] = frozenset()
    assumed_rate: Decimal = DEFAULT_ASSUMED_RATE
    rate_bounds: dict[str, tuple[Decimal, Decimal]] = field(default_factory=lambda: dict(DEFAULT_RATE_BOUNDS))

    def bounds_for(self, loan_type: str) -> tuple[Decimal, Decimal]:
        """(lowest, highest) percent per annum for a loan type."""
        return self.rate_bounds.get(loan_type, DEFAULT_RATE_BOUNDS["personal"])

    def assumed_rate_for(self, loan_type: str) -> Decimal:
        """The rate (percent per annum) an undecided application's DTI is checked at: assumed_rate
        clamped to the type's bounds."""
        low, high = self.bounds_for(loan_type)
        return min(max(self.assumed_rate, low), high)


def check_loan_type(value: str, *, what: str = "loan type") -> str:
    """A loan type as typed -> its name; InvalidInput (exit 2) naming `what` otherwise."""
    word = value.strip().lower()
    if word not in LOAN_TYPES:
        raise InvalidInput(f"{what} {value!r} is not a loan type", hint=f"loan types: {', '.join(LOAN_TYPES)}")
    return word


def load_settings(section: Mapping[str, Any] | None, where: str = "config.toml") -> LoanSettings:
    """LoanSettings from the `[loans]` table (its `rates` sub-table included). Raises InvalidInput."""
    section = dict(section or {})
    rates = section.pop("rates", {}) or {}
    if not isinstance(rates, dict):
        raise _bad(where, "loans.rates", rates, "make it a table: [loans.rates] with personal = [5, 60]")
    known = {"max_dti", "income_basis", "dual_control_above", "complaint_channel", "cooling_off_days",
             "holidays", "assumed_rate"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise InvalidInput(f"{where}: unknown key(s) in [loans]: {', '.join(unknown)}",
                           hint=f"known keys: {', '.join(sorted(known))}, and the table [loans.rates]")
    settings = LoanSettings(
        max_dti=_dti(section["max_dti"], where) if "max_dti" in section else DEFAULT_MAX_DTI,
        income_basis=_basis(section.get("income_basis", "gross"), where),
        dual_control_above=_amount(section.get("dual_control_above", DEFAULT_DUAL_CONTROL_ABOVE), where),
        complaint_channel=_line(section.get("complaint_channel", DEFAULT_COMPLAINT_CHANNEL), where),
        cooling_off_days=_days(section.get("cooling_off_days", DEFAULT_COOLING_OFF_DAYS), where),
        holidays=_holidays(section.get("holidays", []), where),
        assumed_rate=_percent(section.get("assumed_rate", DEFAULT_ASSUMED_RATE), where),
        rate_bounds={**DEFAULT_RATE_BOUNDS, **{k: _bounds(k, v, where) for k, v in rates.items()}},
    )
    return settings


def settings_of(env: Any) -> LoanSettings:
    """The settings from the Env's config (`[loans]`)."""
    config = env.config
    return load_settings(config.section("loans"), str(config.path))


def _bad(where: str, key: str, value: Any, hint: str) -> InvalidInput:
    return InvalidInput(f"{where}: {key} = {value!r} is not valid", hint=hint)


_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def _dti(value: Any, where: str) -> Fraction:
    hint = 'write a fraction "1/3", a decimal 0.35 or a percent "35%", above 0 and at most 1'
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str) and (match := _FRACTION.match(value)):
            result = Fraction(int(match.group(1)), int(match.group(2)))
        elif isinstance(value, str) and value.strip().endswith("%"):
            result = Fraction(Decimal(value.strip()[:-1].strip())) / 100
        else:
            result = Fraction(Decimal(str(value)))
    except (ValueError, ZeroDivisionError, InvalidOperation):
        raise _bad(where, "loans.max_dti", value, hint) from None
    if not 0 < result <= 1:
        raise _bad(where, "loans.max_dti", value, hint)
    return result


def _basis(value: Any, where: str) -> str:
    if not isinstance(value, str) or value.strip().lower() not in INCOME_BASES:
        raise _bad(where, "loans.income_basis", value, 'write "gross" or "net"')
    return value.strip().lower()


def _amount(value: Any, where: str) -> Decimal:
    from gmctl.money import parse_amount

    try:
        return parse_amount(str(value), what="loans.dual_control_above")
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.message}", hint=exc.hint) from None


def _line(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or "\n" in value.strip():
        raise _bad(where, "loans.complaint_channel", value, "write one line of text")
    return value.strip()


def _days(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 30:
        raise _bad(where, "loans.cooling_off_days", value, "write a whole number of business days, 0 to 30")
    return value


def _holidays(value: Any, where: str) -> frozenset[date]:
    if not isinstance(value, list):
        raise _bad(where, "loans.holidays", value, 'write a list of dates: ["2026-12-25", "2026-12-26"]')
    days = set()
    for item in value:
        try:
            days.add(item if isinstance(item, date) else date.fromisoformat(str(item)))
        except ValueError:
            raise _bad(where, "loans.holidays", item, "write each date as YYYY-MM-DD") from None
    return frozenset(days)


def _percent(value: Any, where: str) -> Decimal:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        result = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        raise _bad(where, "loans.assumed_rate", value, "write a percent per annum, e.g. 30") from None
    if not 0 <= result <= MAX_STORABLE_PERCENT:
        raise _bad(where, "loans.assumed_rate", value, "write a percent per annum, e.g. 30")
    return result


def _bounds(loan_type: str, value: Any, where: str) -> tuple[Decimal, Decimal]:
    key = f"loans.rates.{loan_type}"
    if loan_type not in LOAN_TYPES:
        raise InvalidInput(f"{where}: {key}: unknown loan type", hint=f"loan types: {', '.join(LOAN_TYPES)}")
    hint = f"write {key} = [lowest, highest] in percent per annum, e.g. [5, 60]"
    if isinstance(value, dict):
        value = [value.get("min"), value.get("max")]
    if not isinstance(value, list) or len(value) != 2 or any(isinstance(v, bool) for v in value):
        raise _bad(where, key, value, hint)
    try:
        low, high = (Decimal(str(v)) for v in value)
    except InvalidOperation:
        raise _bad(where, key, value, hint) from None
    if not (0 <= low < high <= MAX_STORABLE_PERCENT):
        raise _bad(where, key, value, f"{hint}; 0 <= lowest < highest <= {MAX_STORABLE_PERCENT}")
    return low, high
