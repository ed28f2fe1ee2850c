"""The shared parameter parsers (gmctl/cli/params.py) and the id rule (gmctl/ids.py), without a database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import typer

from gmctl.cli.params import bounded, check_arguments, count, parse_id, user_ref
from gmctl.errors import InvalidInput, shown
from gmctl.ids import INT4_MAX, row_id
from gmctl.when import LONGEST, parse_duration, parse_moment

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text,expected", [("1", 1), (" 42 ", 42), (str(2**31 - 1), 2147483647)])
def test_ids_in_range(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize("text", ["0", "-1", "2147483648", "9" * 40, "1.5", "", "١٢٣", "1_0", "12\n3"])
def test_ids_out_of_range_or_not_digits(text):
    with pytest.raises(typer.BadParameter):
        parse_id(text)


def test_row_id_names_no_row_past_int4():
    assert row_id("7") == 7 and row_id(str(INT4_MAX + 1)) is None and row_id("9" * 100) is None
    assert row_id("²") is None and row_id("12\n") is None


def test_user_refs():
    assert user_ref(" kemi ") == "kemi" and user_ref("me") == "me" and user_ref("12") == "12"
    for bad in ("", "   ", "9" * 20, "x" * 255):
        with pytest.raises(typer.BadParameter):
            user_ref(bad)


def test_bounded_and_count():
    assert bounded(1, 5)("5") == 5 and count("0") == 0
    for bad in ("6", "0", "1e3", "٣", "1_0", " "):
        with pytest.raises(typer.BadParameter):
            bounded(1, 5)(bad)
    with pytest.raises(typer.BadParameter):
        count(str(INT4_MAX + 1))


def test_check_arguments_names_the_parameter():
    bad = b"\xff\xfeabc".decode("utf-8", "surrogateescape")
    with pytest.raises(InvalidInput) as caught:
        check_arguments({"search": bad, "limit": 5}, {"search": "--search"})
    assert caught.value.message == "--search '\\xff\\xfeabc' is not valid UTF-8"
    with pytest.raises(InvalidInput, match="NUL"):
        check_arguments({"words": ["ok", "a\x00b"]}, {"words": "TEXT"})
    check_arguments({"note": "e\u0301 😀 مرحبا \x1b[31m"}, {})  # odd but storable text is the command's call


def test_shown_shortens_and_never_holds_surrogates():
    assert shown("x" * 100).endswith("…'") and len(shown("x" * 100)) < 50
    assert "\udcff" not in shown(b"\xff".decode("utf-8", "surrogateescape"))


def test_spans_and_moments_past_the_calendar():
    assert parse_duration("520w") == timedelta(weeks=520)
    assert parse_duration("365250d") == LONGEST
    for bad in ("365251d", "99999999999d", "9" * 30 + "m"):
        with pytest.raises(InvalidInput):
            parse_duration(bad, what="--before")
    assert parse_moment("2026-11-01", NOW).year == 2026
    for bad in ("999999d", "0001-01-01", "9999-12-31", "1899-12-31", "2026-02-30"):
        with pytest.raises(InvalidInput, match="--before"):
            parse_moment(bad, NOW, what="--before")
