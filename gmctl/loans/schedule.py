"""The repayment schedule: declining-balance annuity or flat, to the kobo, with month-end due dates.

- Declining balance (the annuity): r = annual rate / 12. The instalment is P·r / (1 − (1 + r)^−n),
  rounded half-even to the kobo. Each month's interest is balance × r, rounded half-even to the
  kobo; principal = instalment − interest. The last instalment clears whatever balance is left
  (Apache Fineract and Mambu put the rounding drift there too). A 0% rate gives P/n a month.
- Flat: interest on the original principal for the whole term, P × annual rate × n/12 (rounded to
  the kobo), spread evenly: each instalment is P/n + I/n, each part rounded half-even to the kobo,
  and the last instalment takes what the rounding left of both.
- Due dates: the k-th is the start date plus k months (python-dateutil relativedelta), which clamps
  to the end of the month: a start on 31 Jan gives 28/29 Feb, then 31 Mar. Never chained from the
  previous due date, so it never drifts to the 28th.

Reference (tests/loans/test_schedule.py): ₦500,000 at 24% declining over 12 months is ₦47,279.80 a
month, the last ₦47,279.78, total interest ₦67,357.58; at 24% flat ₦51,666.67 a month.
All money is Decimal NGN with two places; rates are fractions per annum (0.24 = 24%).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import NamedTuple

from gmctl.errors import InvalidInput

METHODS = ("declining", "flat")
MAX_TERM_MONTHS = 360
KOBO = Decimal("0.01")
ZERO = Decimal("0.00")


class Instalment(NamedTuple):
    """One row of the schedule (NGN). `balance` is the principal still owed after this payment.
    A NamedTuple, not a dataclass: a 360-month schedule makes 360 of them (goal < 5 ms)."""

    number: int
    due_date: date
    instalment: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Schedule:
    """The whole schedule and its totals (NGN); `fee` is charged upfront, out of the amount lent."""

    principal: Decimal
    annual_rate: Decimal  # fraction per annum
    term_months: int
    method: str
    start: date
    fee: Decimal
    rows: tuple[Instalment, ...]

    @property
    def instalment(self) -> Decimal:
        """The regular instalment (the first one)."""
        return self.rows[0].instalment

    @property
    def last_instalment(self) -> Decimal:
        return self.rows[-1].instalment

    @property
    def total_interest(self) -> Decimal:
        return sum((row.interest for row in self.rows), ZERO)

    @property
    def total_repayable(self) -> Decimal:
        """Every instalment added up (principal plus interest; the fee is paid upfront, not here)."""
        return sum((row.instalment for row in self.rows), ZERO)

    @property
    def total_cost_of_credit(self) -> Decimal:
        """Interest plus every fee: what the credit costs the borrower."""
        return self.total_interest + self.fee

    @property
    def amount_received(self) -> Decimal:
        """What the borrower actually gets: the principal less the upfront fee."""
        return self.principal - self.fee


def check_method(method: str | None) -> str:
    word = (method or "declining").strip().lower()
    if word not in METHODS:
        raise InvalidInput(f"--method {method!r} is not a repayment method", hint="write declining or flat")
    return word


def check_term(term: int, *, what: str = "--term") -> int:
    if isinstance(term, bool) or not isinstance(term, int) or not 1 <= term <= MAX_TERM_MONTHS:
        raise InvalidInput(f"{what} {term} is out of range: the term is 1 to {MAX_TERM_MONTHS} months",
                           hint="a term is a whole number of months")
    return term


_STEPS: list = []  # relativedelta(months=k) for k = 1..360, made on first use (constants)


def due_dates(start: date, term_months: int) -> list[date]:
    """start + k months for k = 1..n (dateutil's relativedelta, which clamps to the end of the month),
    each from the start date, never chained from the previous due date."""
    if len(_STEPS) < term_months:
        from dateutil.relativedelta import relativedelta

        _STEPS.extend(relativedelta(months=k) for k in range(len(_STEPS) + 1, term_months + 1))
    try:
        return [start + _STEPS[k] for k in range(term_months)]
    except (ValueError, OverflowError):
        raise InvalidInput(f"a loan starting {start.isoformat()} over {term_months} months ends after the year 9999",
                           hint="check --start and --term") from None


def build_schedule(
    principal: Decimal,
    annual_rate: Decimal,
    term_months: int,
    *,
    method: str = "declining",
    start: date,
    fee: Decimal = ZERO,
) -> Schedule:
    """The schedule for `principal` NGN at `annual_rate` (fraction per annum) over `term_months`.

    Raises InvalidInput for a term outside 1-360, an unknown method, a non-positive principal, a
    negative rate or a fee that is not less than the principal.
    """
    method = check_method(method)
    check_term(term_months)
    principal, annual_rate, fee = Decimal(principal), Decimal(annual_rate), Decimal(fee)
    if principal <= 0:
        raise InvalidInput("the amount must be more than zero")
    if annual_rate < 0:
        raise InvalidInput("the rate may not be negative")
    if not 0 <= fee < principal:
        raise InvalidInput("--fee must be less than the amount lent", hint="the fee is taken out of the amount lent")
    dates = due_dates(start, term_months)
    with localcontext() as ctx:
        ctx.prec = 34
        parts = (_declining if method == "declining" else _flat)(principal, annual_rate, term_months)
    rows = tuple(map(Instalment, range(1, term_months + 1), dates, *zip(*parts)))
    return Schedule(principal, annual_rate, term_months, method, start, fee, rows)


def _kobo(value: Decimal) -> Decimal:
    return value.quantize(KOBO, rounding=ROUND_HALF_EVEN)


def annuity_instalment(principal: Decimal, annual_rate: Decimal, term_months: int) -> Decimal:
    """P·r / (1 − (1 + r)^−n) with r = annual/12, rounded half-even to the kobo; P/n at 0%."""
    rate = annual_rate / 12
    if rate == 0:
        return _kobo(principal / term_months)
    return _kobo(principal * rate / (1 - (1 + rate) ** -term_months))


def _declining(principal: Decimal, annual_rate: Decimal, n: int) -> list[tuple[Decimal, Decimal, Decimal, Decimal]]:
    rate = annual_rate / 12
    payment = annuity_instalment(principal, annual_rate, n)
    balance = principal
    rows = []
    for k in range(1, n + 1):
        interest = _kobo(balance * rate)
        if k == n or payment - interest >= balance:
            part = balance  # the last instalment clears whatever is left
        else:
            part = payment - interest
        balance -= part
        rows.append((interest + part, interest, part, balance))
        if balance == 0 and k < n:
            rows.extend((ZERO, ZERO, ZERO, ZERO) for _ in range(n - k))
            break
    return rows


def _flat(principal: Decimal, annual_rate: Decimal, n: int) -> list[tuple[Decimal, Decimal, Decimal, Decimal]]:
    total_interest = _kobo(principal * annual_rate * n / 12)
    part, interest = _kobo(principal / n), _kobo(total_interest / n)
    balance, charged = principal, ZERO
    rows = []
    for k in range(1, n + 1):
        if k == n:
            part, interest = balance, total_interest - charged
        balance -= part
        charged += interest
        rows.append((part + interest, interest, part, balance))
    return rows
