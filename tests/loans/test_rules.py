"""Rates, settings, DTI, the state machine and cooling-off: the desk's rules without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from fractions import Fraction

import pytest

from gmctl.errors import InvalidInput
from gmctl.loans.affordability import assess
from gmctl.loans.business_days import add_business_days
from gmctl.loans.rates import parse_rate
from gmctl.loans.settings import LoanSettings, load_settings
from gmctl.loans.states import InvalidTransition, check_transition

S = LoanSettings()


@pytest.mark.parametrize("typed,stored", [("24", D("0.2400")), ("24%", D("0.2400")), (" 24.5 % ", D("0.2450")),
                                          ("18.75", D("0.1875")), ("60", D("0.6000"))])
def test_rates_are_percent_per_annum(typed, stored):
    assert parse_rate(typed, "personal", S) == stored


@pytest.mark.parametrize("typed", ["2.4", "0.24", "240", "240%", "4.99", "60.01"])
def test_mistyped_rates_are_refused_never_stored(typed):
    with pytest.raises(InvalidInput, match="out of bounds"):
        parse_rate(typed, "personal", S)


def test_a_refused_rate_suggests_the_likely_meaning():
    with pytest.raises(InvalidInput) as caught:
        parse_rate("2.4", "personal", S)
    assert "did you mean 24%" in caught.value.hint


@pytest.mark.parametrize("typed", ["twenty", "24 %%", "-24", "", "24.123"])
def test_garbage_rates_are_refused(typed):
    with pytest.raises(InvalidInput):
        parse_rate(typed, "personal", S)


def test_every_default_bound_refuses_2_4_and_240():
    for loan_type in S.rate_bounds:
        for typed in ("2.4", "240"):
            with pytest.raises(InvalidInput):
                parse_rate(typed, loan_type, S)


def test_bounds_come_from_config_per_type():
    settings = load_settings({"rates": {"mortgage": [6, 9], "payday": {"min": 20, "max": 200}}})
    assert parse_rate("9", "mortgage", settings) == D("0.0900")
    with pytest.raises(InvalidInput, match="mortgage"):
        parse_rate("10", "mortgage", settings)
    assert settings.bounds_for("payday") == (D(20), D(200))
    assert settings.bounds_for("personal") == (D(5), D(60))  # the others keep their defaults


@pytest.mark.parametrize("section,words", [
    ({"max_dti": 1.5}, "max_dti"), ({"max_dti": "nope"}, "max_dti"), ({"income_basis": "take-home"}, "income_basis"),
    ({"rates": {"personal": [60, 5]}}, "personal"), ({"rates": {"gold": [1, 2]}}, "gold"),
    ({"dual_control_above": "-5"}, "dual_control_above"), ({"maxdti": 0.3}, "unknown key"),
    ({"holidays": ["25/12/2026"]}, "holidays"),
])  # fmt: skip
def test_bad_settings_are_refused_naming_the_key(section, words):
    with pytest.raises(InvalidInput, match=words):
        load_settings(section)


def test_dti_limit_forms():
    assert load_settings({}).max_dti == Fraction(1, 3)
    assert load_settings({"max_dti": "1/3"}).max_dti == Fraction(1, 3)
    assert load_settings({"max_dti": "40%"}).max_dti == Fraction(2, 5)
    assert load_settings({"max_dti": 0.35}).max_dti == Fraction(7, 20)


def test_dti_counts_existing_debts_and_the_instalment():
    # (100,000 + 100,000) / 600,000 = exactly one third: at the limit is within it (CBN: "at or under")
    check = assess(D("600000"), D("100000"), D("100000"), Fraction(1, 3))
    assert check.ratio == Fraction(1, 3) and check.within_limit and check.ratio_percent == D("33.33")
    over = assess(D("600000"), D("100000"), D("100000.01"), Fraction(1, 3))
    assert not over.within_limit and over.headroom == D("-0.01")


def test_no_income_is_never_within_the_limit():
    assert not assess(None, D("0"), D("1000"), Fraction(1, 3)).within_limit
    assert not assess(D("0"), D("0"), D("1000"), Fraction(1, 3)).within_limit


@pytest.mark.parametrize("current,new", [
    ("submitted", "under_review"), ("submitted", "withdrawn"), ("submitted", "expired"),
    ("under_review", "approved"), ("under_review", "rejected"), ("under_review", "withdrawn"),
    ("under_review", "expired"),
])  # fmt: skip
def test_allowed_moves(current, new):
    check_transition(1, current, new)


@pytest.mark.parametrize("current,new", [
    ("submitted", "approved"), ("submitted", "rejected"), ("under_review", "under_review"),
    ("approved", "rejected"), ("rejected", "approved"), ("withdrawn", "under_review"), ("expired", "approved"),
    ("approved", "withdrawn"),
])  # fmt: skip
def test_refused_moves(current, new):
    with pytest.raises(InvalidTransition) as caught:
        check_transition(1, current, new)
    assert caught.value.exit_code == 2


def test_cooling_off_skips_the_weekend():
    friday = date(2026, 11, 27)
    assert add_business_days(friday, 3) == date(2026, 12, 2)  # Mon, Tue, Wed
    assert add_business_days(date(2026, 11, 28), 3) == date(2026, 12, 2)  # signed on a Saturday
    assert add_business_days(date(2026, 11, 23), 3) == date(2026, 11, 26)  # Monday -> Thursday


def test_cooling_off_skips_listed_holidays():
    # Signed Wed 23 Dec 2026: Thu 24 (1), Fri 25 listed, weekend, Mon 28 listed, Tue 29 (2), Wed 30 (3)
    holidays = {date(2026, 12, 25), date(2026, 12, 28)}
    assert add_business_days(date(2026, 12, 23), 3, holidays) == date(2026, 12, 30)
