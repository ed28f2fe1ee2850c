"""The queue in numbers: counts by status and type, open requests by age with SLA breaches,
open workload per staff member, and requests created and completed per day.

SLA limits are per open status ("pending longer than 48h"), measured on the request's age since
it was created: the age is on the queue's own index, while time-in-status would need the latest
history row of every open request. Days are Lagos days. "Completed per day" counts completions
in the status history, so a request completed, reopened and completed again counts twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import text

from gmctl.errors import InvalidInput
from gmctl.requests.columns import OPEN_SQL
from gmctl.requests.states import OPEN_STATUSES, STATUSES
from gmctl.when import parse_duration

DEFAULT_SLA = {"pending": timedelta(hours=48)}
AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("< 1d", timedelta(days=1)),
    ("1-2d", timedelta(days=2)),
    ("2-7d", timedelta(days=7)),
    ("7-30d", timedelta(days=30)),
    ("> 30d", None),
)
BREACH_EXAMPLES = 5


@dataclass(frozen=True)
class SlaBreach:
    status: str
    limit: str
    count: int
    oldest: list[int]  # ids of the longest-waiting breaches


@dataclass(frozen=True)
class Stats:
    by_status_type: list[dict[str, Any]]
    open_by_age: list[dict[str, Any]]
    sla_breaches: list[SlaBreach]
    workload: list[dict[str, Any]]
    daily: list[dict[str, Any]]


def sla_limits(config_section: Mapping[str, Any], overrides: list[str]) -> dict[str, timedelta]:
    """DEFAULT_SLA, then config.toml's [requests.sla] (status = "48h"), then --sla status=48h."""
    limits = dict(DEFAULT_SLA)
    for status, value in (config_section.get("sla") or {}).items():
        limits[_open_status(status)] = parse_duration(str(value), what=f"[requests.sla] {status}")
    for item in overrides:
        status, sep, value = item.partition("=")
        if not sep:
            raise InvalidInput(f"--sla {item!r} is not STATUS=DURATION", hint="for example --sla pending=48h")
        limits[_open_status(status)] = parse_duration(value, what=f"--sla {status}")
    return limits


def _open_status(name: str) -> str:
    word = name.strip().lower()
    if word not in OPEN_STATUSES:
        raise InvalidInput(
            f"an SLA applies to an open status, not {name!r}", hint=f"open: {', '.join(OPEN_STATUSES)}"
        )
    return word


def queue_stats(session: Any, now: datetime, limits: Mapping[str, timedelta], *, days: int = 30) -> Stats:
    return Stats(
        status_by_type(session),
        open_by_age(session, now),
        sla_breaches(session, now, limits),
        workload(session),
        daily_flow(session, now, days),
    )


def status_by_type(session: Any) -> list[dict[str, Any]]:
    counts = session.execute(
        text("SELECT service_type, status, count(*) AS n FROM service_requests GROUP BY service_type, status")
    ).all()
    table: dict[str, dict[str, Any]] = {}
    for service_type, status, n in counts:
        row = table.setdefault(service_type, {"service_type": service_type, **{s: 0 for s in STATUSES}})
        row[status] = n
    rows = sorted(table.values(), key=lambda r: r["service_type"])
    for row in rows:
        row["total"] = sum(row[s] for s in STATUSES)
    return rows


def open_by_age(session: Any, now: datetime) -> list[dict[str, Any]]:
    edges = [now - limit for _, limit in AGE_BUCKETS if limit is not None]
    bucket_sql = " ".join(f"WHEN created_at > :e{i} THEN {i}" for i in range(len(edges)))
    counts = session.execute(
        text(
            f"SELECT CASE {bucket_sql} ELSE {len(edges)} END AS bucket, status, count(*) AS n"
            f" FROM service_requests WHERE {OPEN_SQL} GROUP BY 1, 2"
        ),
        {f"e{i}": edge for i, edge in enumerate(edges)},
    ).all()
    rows = [{"age": label, **{s: 0 for s in OPEN_STATUSES}, "total": 0} for label, _ in AGE_BUCKETS]
    for bucket, status, n in counts:
        rows[bucket][status] = n
        rows[bucket]["total"] += n
    return rows


def sla_breaches(session: Any, now: datetime, limits: Mapping[str, timedelta]) -> list[SlaBreach]:
    breaches = []
    for status, limit in sorted(limits.items()):
        params = {"status": status, "cutoff": now - limit}
        where = f"{OPEN_SQL} AND status = :status AND created_at < :cutoff"
        count = session.execute(text(f"SELECT count(*) FROM service_requests WHERE {where}"), params).scalar()
        oldest = (
            session.execute(
                text(
                    f"SELECT id FROM service_requests WHERE {where}"
                    f" ORDER BY created_at, id LIMIT {BREACH_EXAMPLES}"
                ),
                params,
            )
            .scalars()
            .all()
        )
        breaches.append(SlaBreach(status, _duration_text(limit), count, list(oldest)))
    return breaches


def workload(session: Any) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            "SELECT u.username AS assignee, s.status, s.n FROM ("
            f"  SELECT assigned_to, status, count(*) AS n FROM service_requests"
            f"  WHERE {OPEN_SQL} AND assigned_to IS NOT NULL GROUP BY assigned_to, status"
            ") s JOIN users u ON u.id = s.assigned_to"
        )
    ).all()
    people: dict[str, dict[str, Any]] = {}
    for assignee, status, n in rows:
        row = people.setdefault(assignee, {"assignee": assignee, **{s: 0 for s in OPEN_STATUSES}, "total": 0})
        row[status] = n
        row["total"] += n
    return sorted(people.values(), key=lambda r: (-r["total"], r["assignee"]))


def daily_flow(session: Any, now: datetime, days: int) -> list[dict[str, Any]]:
    """Created and completed per Lagos day, the last `days` days including today, oldest first."""
    if not 1 <= days <= 366:
        raise InvalidInput(f"--days {days} is out of range", hint="give 1 to 366")
    rows = session.execute(
        text(
            "WITH bounds AS (SELECT (CAST(:now AS timestamptz) AT TIME ZONE 'Africa/Lagos')::date AS today),"
            " span AS (SELECT generate_series(today - (:days - 1), today, interval '1 day')::date AS day"
            "   FROM bounds),"
            " since AS (SELECT (min(day)::timestamp AT TIME ZONE 'Africa/Lagos') AS t FROM span),"
            " made AS (SELECT (created_at AT TIME ZONE 'Africa/Lagos')::date AS day, count(*) AS n"
            "   FROM service_requests, since WHERE created_at >= since.t AND created_at <= :now GROUP BY 1),"
            " done AS (SELECT (h.created_at AT TIME ZONE 'Africa/Lagos')::date AS day, count(*) AS n"
            "   FROM service_status_history h, since"
            "   WHERE h.new_status = 'completed' AND h.created_at >= since.t AND h.created_at <= :now"
            "   GROUP BY 1)"
            " SELECT span.day, coalesce(made.n, 0) AS created, coalesce(done.n, 0) AS completed"
            " FROM span LEFT JOIN made USING (day) LEFT JOIN done USING (day) ORDER BY span.day"
        ),
        {"now": now, "days": days},
    ).all()
    return [{"day": r.day, "created": r.created, "completed": r.completed} for r in rows]


def _duration_text(limit: timedelta) -> str:
    """48h, 7d, 90m: days once a limit is three days or more and whole, else hours or minutes."""
    minutes = int(limit.total_seconds() // 60)
    if minutes % 1440 == 0 and minutes >= 3 * 1440:
        return f"{minutes // 1440}d"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"
