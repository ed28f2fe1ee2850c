"""`requests stats` numbers and chart, and the streaming export."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event

from gmctl.cli.requests.screen import bar
from gmctl.errors import InvalidInput
from gmctl.requests.export import export_requests
from gmctl.requests.lifecycle import change_status
from gmctl.requests.queue import make_filter
from gmctl.requests.stats import queue_stats, sla_limits
from tests.conftest import FIXED_NOW, TtyStringIO, invoke
from tests.helpers.accounts import sign_in


@pytest.fixture
def busy(session, env, ada, bola, make_request):
    hours = lambda n: FIXED_NOW - timedelta(hours=n)  # noqa: E731
    old = make_request(status="pending", created_at=hours(72))
    make_request(status="pending", created_at=hours(3), service_type="hotel")
    make_request(status="in_progress", created_at=hours(30), assigned_to=bola.id)
    make_request(status="confirmed", created_at=hours(200), assigned_to=bola.id)
    done = make_request(status="in_progress", created_at=hours(10), assigned_to=ada.id)
    change_status(session, env.operator, done.id, "completed", now=FIXED_NOW - timedelta(hours=1))
    return {"old": old.id}


def test_the_numbers(session, busy):
    stats = queue_stats(session, FIXED_NOW, sla_limits({}, []))
    automotive = next(r for r in stats.by_status_type if r["service_type"] == "automotive")
    assert (automotive["pending"], automotive["completed"], automotive["total"]) == (1, 1, 4)
    ages = {r["age"]: r["total"] for r in stats.open_by_age}
    assert ages == {"< 1d": 1, "1-2d": 1, "2-7d": 1, "7-30d": 1, "> 30d": 0}
    [breach] = stats.sla_breaches
    assert (breach.status, breach.limit, breach.count, breach.oldest) == ("pending", "48h", 1, [busy["old"]])
    assert [(w["assignee"], w["total"]) for w in stats.workload] == [("bola", 2)]
    assert len(stats.daily) == 30 and stats.daily[-1]["day"].isoformat() == "2026-11-25"
    assert stats.daily[-1]["completed"] == 1 and sum(d["created"] for d in stats.daily) == 5


def test_sla_from_config_then_options(session, busy):
    limits = sla_limits({"sla": {"confirmed": "3d"}}, ["pending=1h"])
    assert {k: v.total_seconds() / 3600 for k, v in limits.items()} == {"pending": 1, "confirmed": 72}
    counts = {b.status: b.count for b in queue_stats(session, FIXED_NOW, limits).sla_breaches}
    assert counts == {"pending": 2, "confirmed": 1}
    for bad in (["completed=1h"], ["pending"], ["pending=soon"]):
        with pytest.raises(InvalidInput):
            sla_limits({}, bad)


def test_stats_json_table_and_chart(cli, make_env, session, ada, busy):
    report = json.loads(cli("requests", "stats", "-f", "json").stdout)
    assert set(report) == {"by_status_type", "open_by_age", "sla_breaches", "workload", "daily"}
    env = make_env(out=TtyStringIO())
    sign_in(env, session, ada)
    result = invoke(env, "requests", "stats")
    assert result.exit_code == 0, result.stderr
    assert "SLA: 1 request(s) pending for more than 48h" in result.stderr
    assert "█" in env.out.getvalue() and "per day" in env.out.getvalue()


def test_bars_scale_in_eighths():
    assert bar(0, 10, 4) == "" and bar(10, 10, 4) == "████" and bar(5, 10, 4) == "██"
    assert bar(1, 1000, 4) == "▏"  # any count shows


def test_export_uses_a_server_side_cursor_and_streams_everything(session, ada, make_request, connection):
    made = [make_request(status=s).id for s in ("pending", "completed", "failed", "on_hold", "cancelled")]
    cursors = []
    listener = lambda conn, cursor, *a: cursors.append(type(cursor).__name__)  # noqa: E731
    event.listen(connection, "before_cursor_execute", listener)
    try:
        rows = list(
            export_requests(session, make_filter(FIXED_NOW, statuses=["all"]), operator_id=ada.id, batch=2)
        )
    finally:
        event.remove(connection, "before_cursor_execute", listener)
    assert [r["id"] for r in rows][-5:] == made
    assert "ServerCursor" in cursors
