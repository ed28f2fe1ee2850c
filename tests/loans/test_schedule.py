"""Schedules, due dates and APR against figures computed independently (by hand and the issue's reference)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from gmctl.errors import InvalidInput
from gmctl.loans.apr import apr_of, schedule_apr
from gmctl.loans.schedule import build_schedule, due_dates


def test_reference_declining_loan_from_the_issue():
    s = build_schedule(D("500000"), D("0.24"), 12, start=date(2026, 1, 15))
    assert s.instalment == D("47279.80")
    assert s.last_instalment == D("47279.78")
    assert s.total_interest == D("67357.58")
    assert s.rows[-1].balance == D("0.00")
    # month 1 by hand: 500,000 x 2% = 10,000.00 interest, 37,279.80 principal
    assert (s.rows[0].interest, s.rows[0].principal, s.rows[0].balance) == (D("10000.00"), D("37279.80"),
                                                                            D("462720.20"))
    # month 2: 462,720.20 x 2% = 9,254.404 -> 9,254.40 (half-even to the kobo)
    assert s.rows[1].interest == D("9254.40")


def test_reference_flat_loan_and_its_apr():
    s = build_schedule(D("500000"), D("0.24"), 12, method="flat", start=date(2026, 1, 15))
    assert s.instalment == D("51666.67")
    assert s.total_interest == D("120000.00")  # 500,000 x 24% x 1 year on the original principal
    assert s.total_repayable == D("620000.00")
    assert s.last_instalment == D("51666.63")  # 620,000 - 11 x 51,666.67
    assert schedule_apr(s).nominal == D("41.7")


def test_every_row_adds_up_and_the_balance_runs_down_to_zero():
    s = build_schedule(D("1234567.89"), D("0.315"), 37, start=date(2026, 3, 31))
    balance = D("1234567.89")
    for row in s.rows:
        assert row.instalment == row.interest + row.principal
        balance -= row.principal
        assert row.balance == balance
    assert balance == 0 and sum(r.principal for r in s.rows) == D("1234567.89")


def test_half_even_rounding_of_interest():
    # 100,000.25 at 12%: r = 1%, interest 1,000.0025 -> 1,000.00; 100,000.75 -> 1,000.0075 -> 1,000.01
    assert build_schedule(D("100000.25"), D("0.12"), 2, start=date(2026, 1, 1)).rows[0].interest == D("1000.00")
    assert build_schedule(D("100000.75"), D("0.12"), 2, start=date(2026, 1, 1)).rows[0].interest == D("1000.01")
    # half-even at exactly half a kobo: 50.50 x 1% = 0.505 -> 0.50 (to even); 50.70 x 1% = 0.507 -> 0.51
    assert build_schedule(D("50.50"), D("0.12"), 2, start=date(2026, 1, 1)).rows[0].interest == D("0.50")
    assert build_schedule(D("51.50"), D("0.12"), 2, start=date(2026, 1, 1)).rows[0].interest == D("0.52")


def test_zero_rate_splits_the_principal():
    s = build_schedule(D("100000"), D("0"), 3, start=date(2026, 1, 1))
    assert [r.instalment for r in s.rows] == [D("33333.33"), D("33333.33"), D("33333.34")]
    assert s.total_interest == 0


def test_due_dates_clamp_to_month_end_and_never_drift():
    assert due_dates(date(2026, 1, 31), 4) == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
                                               date(2026, 5, 31)]
    assert due_dates(date(2028, 1, 31), 2) == [date(2028, 2, 29), date(2028, 3, 31)]  # leap year
    assert due_dates(date(2026, 8, 31), 7)[-1] == date(2027, 3, 31)


def test_360_month_schedule_clears_its_balance():
    s = build_schedule(D("25000000"), D("0.18"), 360, start=date(2026, 1, 31))
    assert len(s.rows) == 360 and s.rows[-1].balance == 0 and s.rows[-1].due_date == date(2056, 1, 31)
    # P*r/(1-(1+r)^-n) at r = 1.5%, n = 360: 376,766.29... computed with Python floats independently
    r = 0.015
    expected = 25_000_000 * r / (1 - (1 + r) ** -360)
    assert abs(float(s.instalment) - expected) < 0.006


@pytest.mark.parametrize("term", [0, 361, -1])
def test_term_out_of_range_is_refused(term):
    with pytest.raises(InvalidInput, match="1 to 360"):
        build_schedule(D("1000"), D("0.2"), term, start=date(2026, 1, 1))


def test_unknown_method_and_fee_not_below_principal_are_refused():
    with pytest.raises(InvalidInput, match="not a repayment method"):
        build_schedule(D("1000"), D("0.2"), 3, method="balloon", start=date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="--fee"):
        build_schedule(D("1000"), D("0.2"), 3, fee=D("1000"), start=date(2026, 1, 1))


def test_apr_without_a_fee_equals_the_rate_for_an_annuity():
    s = build_schedule(D("500000"), D("0.24"), 12, start=date(2026, 1, 1))
    apr = schedule_apr(s)
    assert apr.nominal == D("24.0")
    assert apr.effective == D("26.8")  # 1.02^12 - 1 = 26.824...%


def test_apr_with_a_fee_is_the_irr_of_what_is_received():
    # Received 490,000 (2% fee) against 12 x 47,279.80 (last 47,279.78). The IRR, found independently
    # by bisection on floats below, is about 2.3113% a month: 27.7% nominal.
    s = build_schedule(D("500000"), D("0.24"), 12, start=date(2026, 1, 1), fee=D("10000"))
    apr = schedule_apr(s)
    flows = [47279.80] * 11 + [47279.78]

    def pv(i):
        return sum(c / (1 + i) ** k for k, c in enumerate(flows, 1))

    low, high = 0.0, 1.0
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if pv(mid) > 490000 else (low, mid)
    assert apr.nominal == D(f"{low * 1200:.1f}")
    assert apr.effective == D(f"{((1 + low) ** 12 - 1) * 100:.1f}")
    assert apr.nominal > D("24.0")


def test_apr_of_a_loan_repaid_with_no_interest_is_zero():
    assert apr_of(D("1000"), [D("500"), D("500")]).nominal == 0


def test_a_fee_that_leaves_almost_nothing_received_has_no_meaningful_apr():
    from decimal import Decimal

    import pytest

    from gmctl.errors import InvalidInput
    from gmctl.loans.apr import schedule_apr
    from gmctl.loans.schedule import build_schedule
    from datetime import date

    schedule = build_schedule(Decimal("500000"), Decimal("0.24"), 12, start=date(2026, 1, 31), fee=Decimal("499999.99"))
    with pytest.raises(InvalidInput, match="APR"):
        schedule_apr(schedule)


def test_due_dates_past_the_calendar_are_invalid_input():
    from datetime import date

    import pytest

    from gmctl.errors import InvalidInput
    from gmctl.loans.schedule import due_dates

    with pytest.raises(InvalidInput, match="ends after the year 9999"):
        due_dates(date(9998, 12, 31), 360)
