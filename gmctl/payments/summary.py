"""`payments summary`: totals per Lagos day, ISO week (Monday first) or calendar month.

A payment belongs to the Lagos calendar day of its created_at: 23:30 UTC on 31 May is 00:30 WAT
on 1 June, so it counts on 1 June (WAT is UTC+1 all year). A line (a period, and a group value
with --group gateway|method|status) carries:
- count: payments created in it; amount: NGN received (completed + refunded payments);
- success_rate: percent of the settled ones (completed + refunded) among those with an outcome
  (completed, refunded, failed, cancelled); in-flight payments are left out; None when none settled;
- refunds: NGN of non-failed refunds *requested* in the period (of payments in the group).
With no --group every day (week, month) of the range has a line, empty ones as zeros.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from gmctl.errors import InvalidInput

BY = ("day", "week", "month")
GROUPS = {"gateway": "p.gateway", "method": "p.payment_method", "status": "p.status"}

PAYMENTS = """
SELECT date_trunc(:unit, p.created_at AT TIME ZONE 'Africa/Lagos')::date AS period, {group} AS grp,
       count(*) AS count,
       coalesce(sum(p.amount) FILTER (WHERE p.status IN ('completed', 'refunded')), 0) AS amount,
       count(*) FILTER (WHERE p.status IN ('completed', 'refunded')) AS settled,
       count(*) FILTER (WHERE p.status IN ('completed', 'refunded', 'failed', 'cancelled')) AS decided
FROM payments p
WHERE p.created_at >= :since AND p.created_at < :until
GROUP BY 1, 2"""
REFUNDS = """
SELECT date_trunc(:unit, r.requested_at AT TIME ZONE 'Africa/Lagos')::date AS period, {group} AS grp,
       sum(r.amount) AS refunds
FROM payment_refunds r JOIN payments p ON p.id = r.payment_id
WHERE r.status <> 'failed' AND r.requested_at >= :since AND r.requested_at < :until
GROUP BY 1, 2"""
PERIODS = """
SELECT generate_series(date_trunc(:unit, CAST(:first AS date)), CAST(:last AS date), CAST(:step AS interval))::date"""


def summarise(connection: Any, *, since: datetime, until: datetime, by: str = "day",
              group: str | None = None) -> list[dict[str, Any]]:
    """Summary rows (period (a date: the first day of the period), [group], count, amount (NGN),
    success_rate (percent, 1 decimal), refunds (NGN)), in period order. `since`/`until` are aware
    moments (until exclusive: the start of the Lagos day after --until)."""
    from gmctl.money import Naira
    from gmctl.when import LAGOS

    if by not in BY:
        raise InvalidInput(f"--by {by!r} is not one of {', '.join(BY)}", hint="--by day, week or month")
    if group is not None and group not in GROUPS:
        raise InvalidInput(f"--group {group!r} is not one of {', '.join(GROUPS)}", hint="--group gateway, method or status")
    if since >= until:
        raise InvalidInput("--since is not before --until", hint="give --since the earlier day")
    column = GROUPS[group] if group else "NULL::text"
    params = {"unit": by, "since": since, "until": until}
    lines: dict[tuple[Any, Any], dict[str, Any]] = {}
    for r in connection.execute(text(PAYMENTS.format(group=column)), params):
        rate = (Decimal(r.settled * 100) / r.decided).quantize(Decimal("0.1")) if r.decided else None
        lines[(r.period, r.grp)] = {"period": r.period, "group": r.grp, "count": r.count,
                                    "amount": Naira(r.amount), "success_rate": rate, "refunds": Naira("0.00")}
    for r in connection.execute(text(REFUNDS.format(group=column)), params):
        line = lines.setdefault((r.period, r.grp), {"period": r.period, "group": r.grp, "count": 0,
                                                    "amount": Naira("0.00"), "success_rate": None,
                                                    "refunds": Naira("0.00")})
        line["refunds"] = Naira(r.refunds)
    if group is None:
        first = since.astimezone(LAGOS).date()
        last = (until.astimezone(LAGOS)).date()
        if until.astimezone(LAGOS).time() == datetime.min.time():
            from datetime import timedelta

            last = last - timedelta(days=1)
        for (period,) in connection.execute(text(PERIODS), {"unit": by, "first": first, "last": last,
                                                            "step": f"1 {by}"}):
            lines.setdefault((period, None), {"period": period, "group": None, "count": 0, "amount": Naira("0.00"),
                                              "success_rate": None, "refunds": Naira("0.00")})
    rows = [lines[k] for k in sorted(lines, key=lambda k: (k[0], k[1] or ""))]
    if group:
        for row in rows:
            row[group] = row.pop("group")
    else:
        for row in rows:
            row.pop("group")
    return rows
