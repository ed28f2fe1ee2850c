"""--expires: durations from the clock, dates through the end of that day in Africa/Lagos."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from gmctl.errors import InvalidInput
from gmctl.roles.expiry import describe_expiry, parse_expiry
from tests.conftest import FIXED_NOW


def test_durations_count_from_the_clock():
    assert parse_expiry("30d", FIXED_NOW) == FIXED_NOW + timedelta(days=30)
    assert parse_expiry("12h", FIXED_NOW) == FIXED_NOW + timedelta(hours=12)
    assert parse_expiry(" 2W ", FIXED_NOW) == FIXED_NOW + timedelta(weeks=2)


def test_a_date_lasts_through_that_day_in_lagos():
    moment = parse_expiry("2026-12-31", FIXED_NOW)
    # Lagos is UTC+1 all year: the next Lagos midnight is 23:00 UTC.
    assert moment == datetime(2026, 12, 31, 23, 0, tzinfo=timezone.utc)
    assert describe_expiry(moment) == "until the end of 2026-12-31"


def test_today_in_lagos_is_still_allowed_and_yesterday_is_not():
    late = datetime(2026, 11, 25, 22, 30, tzinfo=timezone.utc)  # 23:30 in Lagos
    assert parse_expiry("2026-11-25", late) == datetime(2026, 11, 25, 23, 0, tzinfo=timezone.utc)
    after_midnight = datetime(2026, 11, 25, 23, 30, tzinfo=timezone.utc)  # 00:30 on the 26th in Lagos
    with pytest.raises(InvalidInput, match="already over"):
        parse_expiry("2026-11-25", after_midnight)


@pytest.mark.parametrize("text", [None, "", "never", "NONE"])
def test_no_expiry(text):
    assert parse_expiry(text, FIXED_NOW) is None
    assert describe_expiry(None) == "no expiry"


@pytest.mark.parametrize("text", ["30", "d30", "1y", "0d", "2026-13-01", "tomorrow", "-3d", "999999w"])
def test_nonsense_is_refused_with_a_hint(text):
    with pytest.raises(InvalidInput) as refused:
        parse_expiry(text, FIXED_NOW)
    assert refused.value.exit_code == 2 and refused.value.hint


def test_describe_shows_lagos_time_for_durations():
    assert describe_expiry(FIXED_NOW + timedelta(hours=12)) == "until 2026-11-25 22:00 WAT"
