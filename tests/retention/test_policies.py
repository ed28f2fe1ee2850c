"""Each policy touches exactly its rows; the dry run counts exactly what the run then does."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from gmctl.errors import InvalidInput
from gmctl.retention.policies import (
    ARCHIVE,
    HISTORY,
    LAGOS,
    ORDER,
    TEMP_FILES,
    Period,
    Periods,
    chosen_policies,
    cutoffs,
    parse_runtime,
    periods_from,
)
from gmctl.retention.run import Retention, plan_retention
from tests.conftest import FIXED_NOW
from tests.retention.conftest import YEAR, count, rows_by_id


def run(engine, *policies: str, periods: Periods | None = None, **kwargs):
    return Retention(engine, policies or ORDER, periods or Periods(), lambda: FIXED_NOW, **kwargs).run()


# -- periods and cutoffs ----------------------------------------------------------------------
def test_defaults_are_the_seeds_and_cutoffs_are_lagos_midnights():
    limits = cutoffs(Periods(), FIXED_NOW)
    assert limits.history == datetime(2024, 11, 25, tzinfo=LAGOS)
    assert limits.archive == datetime(2021, 11, 25, tzinfo=LAGOS)
    assert limits.temp_files == datetime(2026, 11, 18, tzinfo=LAGOS)
    # 23:30 UTC is already the next day in Lagos.
    late = datetime.combine(FIXED_NOW.date(), time(23, 30), tzinfo=FIXED_NOW.tzinfo)
    assert cutoffs(Periods(), late).temp_files == datetime(2026, 11, 19, tzinfo=LAGOS)


def test_leap_day_minus_years_is_the_28th():
    assert Period(years=1).before(datetime(2024, 2, 29).date()) == datetime(2023, 2, 28).date()


def test_periods_come_from_flags_then_config_then_defaults():
    section = {"history_years": 3, "archive_after_years": 7, "temp_files_days": 2}
    periods = periods_from(section, temp_files_days=10)
    assert (periods.history, periods.archive, periods.temp_files) == (Period(years=3), Period(years=7),
                                                                      Period(days=10))
    assert periods_from({}, history_days=30).history == Period(days=30)
    assert periods_from({}) == Periods()


@pytest.mark.parametrize("section, message", [
    ({"history_days": 10, "history_years": 1}, "both"),
    ({"archive_after_years": 0}, "from 1 to 100"),
    ({"history_days": 10**20}, "from 1 to 36,600"),
    ({"temp_files_days": "7"}, "whole number"),
    ({"keep_forever": True}, "unknown setting"),
])
def test_bad_settings_are_refused_with_their_name(section, message):
    with pytest.raises(InvalidInput) as caught:
        periods_from(section)
    assert message in caught.value.message


def test_policies_always_run_archive_first():
    assert chosen_policies(["temp_files", "history", "archive"]) == (ARCHIVE, HISTORY, TEMP_FILES)
    assert chosen_policies(None) == ORDER
    with pytest.raises(InvalidInput):
        chosen_policies(["everything"])


def test_max_runtime_accepts_seconds_and_units():
    assert parse_runtime("90") == 90 and parse_runtime("30m") == 1800 and parse_runtime("2h") == 7200
    assert parse_runtime(None) is None and parse_runtime("0") is None
    with pytest.raises(InvalidInput):
        parse_runtime("soon")


# -- the policies on a database ---------------------------------------------------------------
def test_history_deletes_only_rows_older_than_two_years(world, scratch_engine):
    ada = world.person("ada")
    live = world.request(ada, status="in_progress", age=timedelta(days=1))
    cutoff = datetime(2024, 11, 25, tzinfo=LAGOS)
    old = [world.history(live, cutoff - timedelta(seconds=s)) for s in (1, 86400, 3 * 86400 * 365)]
    kept = [world.history(live, cutoff), world.history(live, FIXED_NOW)]
    world.commit()

    report = run(scratch_engine, HISTORY)

    assert report.policies[0].counts == {"status_history": 3}
    assert set(rows_by_id(scratch_engine, "service_status_history")) == {h.id for h in kept}
    assert {h.id for h in old}.isdisjoint(rows_by_id(scratch_engine, "service_status_history_archive"))
    assert count(scratch_engine, "SELECT count(*) FROM service_requests") == 1


def test_temp_files_deletes_only_old_temporary_records(world, scratch_engine):
    ada = world.person("ada")
    old_temp = world.file(ada, temporary=True, age=timedelta(days=8))
    new_temp = world.file(ada, temporary=True, age=timedelta(days=6))
    old_kept = world.file(ada, temporary=False, age=timedelta(days=400))
    world.commit()

    report = run(scratch_engine, TEMP_FILES)

    assert report.policies[0].counts == {"file_uploads": 1}
    assert set(rows_by_id(scratch_engine, "file_uploads")) == {new_temp.id, old_kept.id}
    assert old_temp.id not in rows_by_id(scratch_engine, "file_uploads")


def test_a_full_run_archives_history_before_the_history_policy_can_delete_it(world, scratch_engine):
    ada = world.person("ada")
    old = world.full_request(ada)
    world.commit()

    run(scratch_engine)

    assert count(scratch_engine, "SELECT count(*) FROM service_status_history_archive"
                 " WHERE service_request_id = :id", id=old.id) == 4


def test_a_dry_run_counts_exactly_what_the_run_then_does(world, scratch_engine):
    ada, bola = world.person("ada"), world.person("bola")
    for _ in range(3):
        world.full_request(ada)
    old = world.request(bola)
    live = world.request(bola, status="in_progress", age=3 * YEAR)
    world.history(live, FIXED_NOW - 3 * YEAR)
    world.history(live, FIXED_NOW - timedelta(days=3))
    world.message(bola, live, reply_to=world.message(bola, old))
    world.file(bola, temporary=True, age=timedelta(days=30))
    world.file(bola, old, temporary=True, age=timedelta(days=30))
    world.commit()
    untouched = rows_by_id(scratch_engine, "service_requests")

    planned = plan_retention(scratch_engine, ORDER, Periods(), FIXED_NOW)
    assert rows_by_id(scratch_engine, "service_requests") == untouched, "a dry run changed something"
    done = run(scratch_engine, batch_size=1)

    assert [p.counts for p in planned.policies] == [p.counts for p in done.policies]
    archive_counts = planned.policies[0].counts
    assert archive_counts["requests"] == 4 and archive_counts["messages_detached"] == 1
    assert [p.policy for p in done.policies] == list(ORDER) and done.complete
