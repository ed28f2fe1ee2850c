"""The one keyset cursor: round trips, and refuses damaged, foreign and out-of-range cursors."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from gmctl.errors import InvalidInput
from gmctl.paging import decode_cursor, encode_cursor

MOMENT = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)


def test_a_cursor_round_trips_its_typed_position():
    token = encode_cursor("loans:oldest", [MOMENT, Decimal("1500.50"), 42])
    assert decode_cursor(token, "loans:oldest", (datetime, Decimal, int)) == [MOMENT, Decimal("1500.50"), 42]


@pytest.mark.parametrize(
    "token",
    [
        "not-base64!!",
        encode_cursor("payments", [MOMENT, 1]),  # another list
        encode_cursor("loans", [MOMENT]),  # too short
        encode_cursor("loans", [MOMENT, 2**63]),  # past bigint
        encode_cursor("loans", ["yesterday", 1]),  # not a time
        encode_cursor("loans", [MOMENT.replace(tzinfo=None), 1]),  # no zone
        encode_cursor("loans", [MOMENT, True]),  # a bool is not an id
    ],
)
def test_bad_cursors_are_refused_naming_the_option(token):
    with pytest.raises(InvalidInput, match="--after"):
        decode_cursor(token, "loans", (datetime, int))
