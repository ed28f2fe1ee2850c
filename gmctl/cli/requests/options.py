"""Options several request commands share, declared once so their spelling and help agree."""

from __future__ import annotations

from typing import Any, List, Optional

import typer

from gmctl.cli import params
from gmctl.context import Env

STATUS = typer.Option(
    None,
    "--status",
    "-s",
    metavar="STATUS",
    help="pending, confirmed, in_progress, on_hold, completed, cancelled, failed, "
    "or open / closed / all. Repeat or comma-separate. Default: open.",
)
TYPE = typer.Option(
    None, "--type", "-t", metavar="TYPE", help="Service type (repeatable), e.g. hotel, automotive."
)
PRIORITY = typer.Option(
    None, "--priority", "-p", metavar="LEVEL", help="low, normal, high, urgent (repeatable)."
)
URGENCY = typer.Option(
    None, "--urgency", metavar="N", help="Urgency at least N (1-5).", parser=params.bounded(1, 5)
)
ASSIGNED = typer.Option(
    None,
    "--assigned-to",
    "-a",
    metavar="USER|me|none",
    parser=params.user_ref,
    help="Assigned to a user (username, email or id), to you, or to nobody.",
)
CUSTOMER = typer.Option(
    None, "--customer", "-c", metavar="USER", help="Requests of one customer.", parser=params.user_ref
)
SINCE = typer.Option(
    None, "--since", metavar="WHEN", help="Created at or after: 2026-11-01, 2026-11-01T14:00 or 7d."
)
BEFORE = typer.Option(
    None, "--before", metavar="WHEN", help="Created before: a date, a time, or a span like 30d."
)
EXPECT = typer.Option(
    None,
    "--expect-status",
    metavar="STATUS",
    help="Act only if the request is still in STATUS; otherwise exit 2 and change nothing.",
)


def queue_filter(
    env: Env,
    status: Optional[List[str]],
    service_type: Optional[List[str]],
    priority: Optional[List[str]],
    urgency: Optional[int],
    assigned_to: Optional[str],
    customer: Optional[str],
    since: Optional[str],
    before: Optional[str],
    default_status: tuple[str, ...] = (),
) -> Any:
    from gmctl.requests.queue import make_filter

    return make_filter(
        env.clock(),
        statuses=status or list(default_status),
        service_types=service_type or [],
        priorities=priority or [],
        min_urgency=urgency,
        assignee=assigned_to,
        customer=customer,
        since=since,
        before=before,
    )
