"""The APR: the rate that equates what the borrower actually receives with what they repay.

With the amount received A = principal − upfront fees and instalments c_1..c_n due monthly, the
monthly rate i solves  A = Σ c_k / (1 + i)^k  (an internal rate of return; EU Consumer Credit
Directive, Annex I, and the CBN/FCCPC disclosure rules). Shown two ways, to one decimal place:
nominal = 12·i (how Nigerian lenders quote a rate), effective = (1 + i)^12 − 1 (with compounding).
Month periods are used, not the directive's 365-day year: every instalment falls a calendar month
apart, so the two differ only in the second decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Sequence

from gmctl.errors import InvalidInput

IRR_CEILING = Decimal(10)  # the bisections' upper end: 1,000% a month

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Apr:
    """monthly: the periodic rate (fraction); nominal and effective: percent per annum, 1 decimal."""

    monthly: Decimal
    nominal: Decimal
    effective: Decimal


def monthly_irr(received: Decimal, instalments: Sequence[Decimal]) -> Decimal:
    """The monthly rate i with received = Σ instalments[k-1] / (1+i)^k, to 1e-12 (bisection on [0, 10]
    after Newton steps; the present value falls as i grows, so the root is unique). 0 when the
    instalments add up to no more than what was received."""
    with localcontext() as ctx:
        ctx.prec = 28
        flows = [Decimal(c) for c in instalments]
        received = Decimal(received)
        if sum(flows) <= received:
            return Decimal(0)

        def gap(i: Decimal) -> tuple[Decimal, Decimal]:
            v = 1 / (1 + i)
            factor, pv, slope = Decimal(1), Decimal(0), Decimal(0)
            for k, c in enumerate(flows, start=1):
                factor *= v
                pv += c * factor
                slope -= k * c * factor * v
            return pv - received, slope

        level = flows[0]
        if len(flows) > 2 and all(c == level for c in flows[:-1]):
            return _level_irr(received, level, flows[-1], len(flows))
        # Start from the flat-rate guess and take Newton steps; they converge in a handful for loans.
        i = (sum(flows) / received - 1) / len(flows) * 2
        tolerance = Decimal("1e-12")
        for _ in range(50):
            value, slope = gap(i)
            if slope == 0:
                break
            step = value / slope
            i -= step
            if i <= -1:
                break
            if abs(step) < tolerance:
                return i
        low, high = Decimal(0), IRR_CEILING
        while high - low > tolerance:
            middle = (low + high) / 2
            if gap(middle)[0] > 0:
                low = middle
            else:
                high = middle
        return (low + high) / 2


def _level_irr(received: Decimal, level: Decimal, last: Decimal, n: int) -> Decimal:
    """The IRR when every instalment but the last is `level` (annuity and flat schedules): the present
    value in closed form, level·(1 − v^(n−1))/i + last·v^n with v = 1/(1+i), so each step costs a
    few operations whatever the term; bisection on (0, 10] to 1e-12 (the value falls as i grows)."""
    low, high, tolerance = Decimal(0), IRR_CEILING, Decimal("1e-12")
    while high - low > tolerance:
        i = (low + high) / 2
        v = 1 / (1 + i)
        vn1 = v ** (n - 1)
        if level * (1 - vn1) / i + last * vn1 * v > received:
            low = i
        else:
            high = i
    return (low + high) / 2


def apr_of(received: Decimal, instalments: Sequence[Decimal]) -> Apr:
    """The APR of a loan that pays out `received` NGN and is repaid by monthly `instalments`."""
    i = monthly_irr(received, instalments)
    if i >= IRR_CEILING - Decimal("1e-6"):
        # The search stops at 1,000% a month: past it the figure would be the ceiling, not the APR.
        raise InvalidInput(f"the amount received (NGN {received:,}) is too small beside the instalments for a "
                           "meaningful APR (over 12,000% a year)", hint="check --fee: it is taken from the amount lent")
    with localcontext() as ctx:
        ctx.prec = 28
        nominal = (i * 12 * 100).quantize(ONE_DECIMAL, rounding=ROUND_HALF_EVEN)
        effective = (((1 + i) ** 12 - 1) * 100).quantize(ONE_DECIMAL, rounding=ROUND_HALF_EVEN)
    return Apr(i, nominal, effective)


def schedule_apr(schedule) -> Apr:  # schedule: gmctl.loans.schedule.Schedule
    """The APR of a schedule: what is received after the fee against its instalments."""
    return apr_of(schedule.amount_received, [row.instalment for row in schedule.rows])
