"""Money as staff type it and as people read it: NGN, Decimal end to end, never float.

One parser and one formatter for every group (loans, payments, requests' costs):

- `parse_amount("₦1,000,000.50", what="--amount")` -> Decimal("1000000.50"). Accepted: `1000000`,
  `1,000,000`, `1_000_000`, `₦1,000,000`, `NGN 1000000`, `N1000` (the ASCII stand-in for ₦), with up
  to `places` decimals. Zero, negative, too many digits for the column (NUMERIC(precision, places)),
  misplaced separators or anything else is InvalidInput (exit 2) naming the option.
- `format_naira(Decimal)` -> "₦1,234,567.50" with babel's en_NG currency format (CLDR), for people.
  Machine formats (csv, tsv, json) carry the plain exact string instead: output.as_text does that.
- `to_kobo` / `from_kobo`: exact conversion to and from the minor unit (Paystack counts kobo).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from gmctl.errors import InvalidInput

KOBO_PER_NAIRA = 100


class Naira(Decimal):
    """A Decimal that is an NGN amount: the output layer shows it as ₦1,234,567.50 on a terminal and as
    the plain exact string (1234567.50) in csv, tsv and json. Wrap a column's values in it to say so:
    `Naira(row.amount)`. Arithmetic on it gives plain Decimals, so wrap results again to display them."""

    __slots__ = ()

_CURRENCY_PREFIX = re.compile(r"^\s*(?:₦|NGN|N(?=\s*\d))\s*", re.IGNORECASE)
# 1,234,567.89 (groups of three) or 1_234_567 or plain digits; an optional fraction.
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$", re.ASCII)
_UNDERSCORED = re.compile(r"^\d+(?:_\d+)*(?:\.\d+)?$", re.ASCII)
HINT = "write an amount in naira like 250000, 250,000, ₦250,000.50 or NGN 250000"


def parse_amount(
    text: str,
    *,
    what: str = "amount",
    precision: int = 12,
    places: int = 2,
    allow_zero: bool = False,
) -> Decimal:
    """A positive NGN amount as Decimal, quantised to `places` decimals.

    `precision`/`places` are those of the column it is stored in (NUMERIC(12,2) for loan amounts,
    NUMERIC(10,2) for payments): a value that would not fit is refused here, not by the database.
    Raises InvalidInput (exit 2) naming `what`.
    """
    raw = text if isinstance(text, str) else str(text)
    body = _CURRENCY_PREFIX.sub("", raw.strip(), count=1).strip()
    if body.startswith("-"):
        raise InvalidInput(f"{what} must be more than zero (got {raw!r})", hint=HINT)
    if not body or not (_GROUPED.match(body) or _UNDERSCORED.match(body)):
        raise InvalidInput(f"{what} {raw!r} is not an amount", hint=HINT)
    try:
        value = Decimal(body.replace(",", "").replace("_", ""))
    except InvalidOperation:  # pragma: no cover - the patterns above admit only digits
        raise InvalidInput(f"{what} {raw!r} is not an amount", hint=HINT) from None
    if value == value.to_integral_value() and "." not in body:
        value = value.quantize(Decimal(1).scaleb(-places))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise InvalidInput(f"{what} {raw!r} has more than {places} decimal places",
                           hint=f"amounts are in naira to the kobo: at most {places} decimals")
    if value == 0 and not allow_zero:
        raise InvalidInput(f"{what} must be more than zero (got {raw!r})", hint=HINT)
    largest = Decimal(10) ** (precision - places) - Decimal(1).scaleb(-places)
    if value > largest:
        raise InvalidInput(f"{what} {raw!r} is too large: at most {format_naira(largest)}",
                           hint="check the number of digits")
    return value.quantize(Decimal(1).scaleb(-places))


def format_naira(amount: Decimal | int | None, *, sign: bool = True) -> str:
    """₦1,234,567.50 for a person (babel's CLDR format for en_NG); "-" for None.

    With sign=False the symbol is left out (1,234,567.50), for columns headed "(NGN)".
    """
    if amount is None:
        return "-"
    from babel.numbers import format_currency, format_decimal  # loaded only when money is shown

    value = Decimal(amount)
    if sign:
        return format_currency(value, "NGN", locale="en_NG")
    return format_decimal(value, format="#,##0.00", locale="en_NG")


def to_kobo(amount: Decimal) -> int:
    """Naira -> kobo, exactly; an amount with a fraction of a kobo is refused (ValueError)."""
    kobo = Decimal(amount) * KOBO_PER_NAIRA
    if kobo != kobo.to_integral_value():
        raise ValueError(f"{amount} naira is not a whole number of kobo")
    return int(kobo)


def from_kobo(kobo: int | Decimal | str) -> Decimal:
    """Kobo -> naira as an exact Decimal with two places: 123456 -> Decimal('1234.56')."""
    return (Decimal(kobo) / KOBO_PER_NAIRA).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
