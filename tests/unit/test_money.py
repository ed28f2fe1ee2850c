"""The one money parser and formatter: every accepted spelling, every refusal, exact kobo."""

from decimal import Decimal

import pytest

from gmctl.errors import USAGE, InvalidInput
from gmctl.money import format_naira, from_kobo, parse_amount, to_kobo


@pytest.mark.parametrize("text", ["1000000", "1,000,000", "1_000_000", "₦1,000,000", "NGN 1000000",
                                  "ngn1000000", "N1000000", " 1000000.00 "])
def test_every_documented_spelling_is_one_million(text):
    assert parse_amount(text) == Decimal("1000000.00")


@pytest.mark.parametrize("text, words", [
    ("0", "more than zero"), ("-5", "more than zero"), ("₦-5", "more than zero"),
    ("1,00", "not an amount"), ("abc", "not an amount"), ("1e5", "not an amount"), ("", "not an amount"),
    ("NaN", "not an amount"), ("Infinity", "not an amount"), ("１２", "not an amount"),
    ("1.234", "decimal places"), ("10000000000", "too large"),
])
def test_bad_amounts_are_usage_errors_naming_the_option(text, words):
    with pytest.raises(InvalidInput) as caught:
        parse_amount(text, what="--amount")
    assert caught.value.exit_code == USAGE
    assert "--amount" in caught.value.message and words in caught.value.message


def test_the_column_precision_bounds_the_amount():
    assert parse_amount("99,999,999.99", precision=10) == Decimal("99999999.99")
    with pytest.raises(InvalidInput, match="too large"):
        parse_amount("100,000,000", precision=10)


def test_naira_are_grouped_for_people_with_the_cldr_symbol():
    assert format_naira(Decimal("1234567.5")) == "₦1,234,567.50"
    assert format_naira(Decimal("1234567.5"), sign=False) == "1,234,567.50"
    assert format_naira(None) == "-"


def test_kobo_conversion_is_exact_where_float_is_not():
    # 1234.565 * 100 is 123456.49999... in binary floating point.
    assert to_kobo(Decimal("1234.56")) == 123456
    assert from_kobo(123456) == Decimal("1234.56")
    assert from_kobo("5000000") == Decimal("50000.00")
    with pytest.raises(ValueError):
        to_kobo(Decimal("1234.565"))


def test_naira_columns_are_grouped_on_a_terminal_and_exact_for_scripts():
    from gmctl.money import Naira
    from gmctl.output import as_text, human_cell, to_plain

    amount = Naira("1234567.50")
    assert human_cell(amount, now=None) == "₦1,234,567.50"
    assert as_text(amount) == "1234567.50" and to_plain(amount) == "1234567.50"
    assert human_cell(Decimal("0.2400"), now=None) == "0.2400"  # a rate is not money
