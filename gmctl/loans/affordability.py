"""Affordability: the debt-to-income ratio (DTI) at the proposed instalment, against the limit.

    DTI = (existing monthly debt repayments + the proposed instalment) / monthly income

`existing_debts` on the application is read as what the applicant already repays each month. The
limit is `[loans] max_dti`, by default one third: the CBN prudential guidelines keep monthly
consumer-loan repayments at or under 33⅓% of (net disposable) monthly income. Whether
monthly_income is gross or net is `[loans] income_basis` (default gross), and `show` says which.
A DTI exactly at the limit is within it ("at or under"). Exact arithmetic (Fraction), never float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Affordability:
    """NGN amounts a month; ratio and limit as Fractions; percent figures to 2 decimals for display."""

    monthly_income: Decimal | None
    existing_debts: Decimal
    instalment: Decimal
    ratio: Fraction | None  # None: no income stated
    limit: Fraction
    income_basis: str

    @property
    def within_limit(self) -> bool:
        return self.ratio is not None and self.ratio <= self.limit

    @property
    def ratio_percent(self) -> Decimal | None:
        return None if self.ratio is None else percent(self.ratio)

    @property
    def limit_percent(self) -> Decimal:
        return percent(self.limit)

    @property
    def headroom(self) -> Decimal | None:
        """How much more a month the applicant could repay within the limit (negative: over it)."""
        if self.monthly_income is None:
            return None
        allowed = Fraction(self.monthly_income) * self.limit
        return (Decimal(allowed.numerator) / Decimal(allowed.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_EVEN) - self.existing_debts - self.instalment


def percent(ratio: Fraction) -> Decimal:
    """A Fraction as a percent with 2 decimals, half-even: 1/3 -> 33.33."""
    value = Decimal(ratio.numerator * 100) / Decimal(ratio.denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def assess(
    monthly_income: Decimal | None,
    existing_debts: Decimal | None,
    instalment: Decimal,
    limit: Fraction,
    income_basis: str = "gross",
) -> Affordability:
    """The DTI with the proposed `instalment` (NGN a month). No or zero income: ratio None, not within."""
    debts = Decimal(existing_debts or 0)
    ratio = None
    if monthly_income is not None and monthly_income > 0:
        ratio = (Fraction(debts) + Fraction(Decimal(instalment))) / Fraction(Decimal(monthly_income))
    return Affordability(monthly_income, debts, Decimal(instalment), ratio, limit, income_basis)
