"""Values PostgreSQL holds beyond Python's types are read back and shown (gmctl.db.loaders)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from gmctl import output
from gmctl.db.loaders import BeyondDate, BeyondDatetime, BeyondInterval

CASES = [
    ("'294276-12-31 23:59:59+00'::timestamptz", BeyondDatetime, "294276-12-31 23:59:59+00"),
    ("'infinity'::timestamptz", BeyondDatetime, "infinity"),
    ("'-infinity'::timestamptz", BeyondDatetime, "-infinity"),
    ("'4713-01-01 00:00:00 BC'::timestamp", BeyondDatetime, "4713-01-01 00:00:00 BC"),
    ("'10000-01-01'::timestamp", BeyondDatetime, "10000-01-01 00:00:00"),
    ("'5874897-12-31'::date", BeyondDate, "5874897-12-31"),
    ("'infinity'::date", BeyondDate, "infinity"),
    ("'178000000 years'::interval", BeyondInterval, "178000000 years"),
]


@pytest.mark.parametrize("sql, kind, shown", CASES)
def test_a_value_beyond_pythons_range_reads_as_the_servers_text(connection, sql, kind, shown):
    value = connection.execute(text(f"SELECT {sql}")).scalar()
    assert isinstance(value, kind) and value.pg_text == shown
    assert output.to_plain(value) == shown and output.as_text(value) == shown
    assert output.human_cell(value, datetime(2026, 11, 25, tzinfo=timezone.utc)) == shown
    assert json.loads(json.dumps(output.to_plain({"v": value}))) == {"v": shown}


def test_ordinary_values_are_untouched_and_the_stand_ins_sort_at_the_edges(connection):
    row = connection.execute(text(
        "SELECT '2026-11-25 09:00+00'::timestamptz, '2026-11-25'::date, '1 day'::interval, "
        "'infinity'::timestamptz, '-infinity'::timestamptz")).one()
    assert type(row[0]) is datetime and row[0] == datetime(2026, 11, 25, 9, tzinfo=timezone.utc)
    assert type(row[1]) is date and type(row[2]) is timedelta
    assert sorted([row[3], row[0], row[4]]) == [row[4], row[0], row[3]]
    assert output.lagos_time(row[3], row[0]) == "infinity"
