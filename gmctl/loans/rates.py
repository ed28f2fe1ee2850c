"""Interest rates as staff type them: always percent per annum.

`parse_rate("24", "personal", settings)` and `parse_rate("24%", ...)` both give Decimal("0.2400"),
the fraction stored in loan_applications.approved_rate (NUMERIC(5,4)). A rate outside the loan
type's bounds (`[loans.rates]`) is refused with InvalidInput (exit 2), so a mistyped 2.4 (meant
24, or a fraction 0.24) or 240 is never stored silently. Source of the convention: the Lagos
Moneylenders Law (memoranda state the rate "per cent per annum"); CBN: advertised rates are annual.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from gmctl.errors import InvalidInput
from gmctl.loans.settings import LoanSettings

_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*(?:p\.?\s*a\.?)?\s*$", re.IGNORECASE)
FRACTION_PLACES = Decimal("0.0001")


def parse_rate(text: str, loan_type: str, settings: LoanSettings, *, what: str = "--rate") -> Decimal:
    """The annual rate as a fraction (Decimal with 4 places): "24" -> 0.2400, "24.5%" -> 0.2450.

    Raises InvalidInput naming `what` when the text is not a percentage, has more than two decimals
    of a percent (the column holds 4 decimals of the fraction) or is outside the loan type's bounds.
    """
    match = _RATE.match(str(text))
    if not match:
        raise InvalidInput(f"{what} {text!r} is not a rate",
                           hint="write the annual rate in percent: 24 or 24% means 24% per annum")
    try:
        percent = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise InvalidInput(f"{what} {text!r} is not a rate") from None
    fraction = percent / 100
    if fraction != fraction.quantize(FRACTION_PLACES):
        raise InvalidInput(f"{what} {text!r} has too many decimals",
                           hint="rates are kept to two decimals of a percent, e.g. 24.75")
    low, high = settings.bounds_for(loan_type)
    if not low <= percent <= high:
        hint = (f"{loan_type} loans take {percent_text(low)} to {percent_text(high)} per annum ([loans.rates]);"
                " the rate is always in percent per annum")
        for guess in (percent * 10, percent * 100, percent / 10):
            if low <= guess <= high:
                hint += f": did you mean {percent_text(guess)}?"
                break
        raise InvalidInput(f"{what} {percent_text(percent)} per annum is out of bounds for a {loan_type} loan",
                           hint=hint)
    return fraction.quantize(FRACTION_PLACES)


def percent_text(value: Decimal) -> str:
    """Decimal percent -> '24%' or '24.5%' (no trailing zeros)."""
    text = f"{value.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return f"{text}%"


def rate_percent(fraction: Decimal) -> str:
    """A stored fraction (0.2400) as people read it: '24%'."""
    return percent_text(Decimal(fraction) * 100)
