"""gmctl requests list | show | search | stats | export: reading the queue.

All but `show` (which reads through the models) run on env.read_transaction(), a Core Connection:
no sqlalchemy.orm and no models at start-up.
"""

from __future__ import annotations

from typing import List, Optional

import typer

from gmctl import output
from gmctl.cli.base import command, env_of
from gmctl.cli import params
from gmctl.cli.requests import options

LIST_COLUMNS = [
    "id",
    "status",
    "priority",
    "urgency",
    "service_type",
    "title",
    "customer",
    "assignee",
    "created_at",
]
SEARCH_COLUMNS = ["id", "rank", "status", "service_type", "title", "customer", "created_at", "snippet"]
# What a person reads on a terminal, most important first (--wide shows every column).
TERMINAL_COLUMNS = ["id", "status", "priority", "service_type", "title", "customer", "assignee", "created_at"]
SEARCH_TERMINAL_COLUMNS = ["id", "status", "service_type", "title", "snippet", "created_at"]


def register(app: typer.Typer) -> None:
    @command(app, "list", replica=True)
    def list_(
        ctx: typer.Context,
        status: Optional[List[str]] = options.STATUS,
        service_type: Optional[List[str]] = options.TYPE,
        priority: Optional[List[str]] = options.PRIORITY,
        urgency: Optional[int] = options.URGENCY,
        assigned_to: Optional[str] = options.ASSIGNED,
        customer: Optional[str] = options.CUSTOMER,
        since: Optional[str] = options.SINCE,
        before: Optional[str] = options.BEFORE,
        sort: Optional[str] = typer.Option(
            None,
            "--sort",
            metavar="ORDER",
            help="queue (priority, urgency, age), newest or oldest. "
            "Default: queue for open statuses, newest otherwise.",
        ),
        limit: int = typer.Option(
            50, "--limit", "-n", help="Rows per page (1-1000).", parser=params.bounded(1, 1000)
        ),
        after: Optional[str] = typer.Option(
            None,
            "--after",
            metavar="CURSOR",
            help="Continue after this cursor (printed by the previous page).",
        ),
    ) -> None:
        """The request queue: by default the open requests, most pressing first, a page at a time."""
        from gmctl.auth.permissions import require
        from gmctl.requests.queue import list_requests

        env = env_of(ctx)
        flt = options.queue_filter(
            env, status, service_type, priority, urgency, assigned_to, customer, since, before
        )
        with env.read_transaction() as connection:
            operator = require(env, connection, "view_services")
            page = list_requests(
                connection, flt, operator_id=operator.user_id, sort=sort, limit=limit, after=after
            )
        columns = (
            [*LIST_COLUMNS, "estimated_cost", "currency", "cursor"]
            if env.output_format == "json"
            else LIST_COLUMNS
        )
        output.render_rows(env, page.rows, columns, empty="No requests match.",
                           terminal_columns=TERMINAL_COLUMNS)
        if page.next_cursor:
            output.more(env, page.next_cursor)

    @command(app, "show", replica=True)
    def show(
        ctx: typer.Context,
        request_id: int = params.id_argument("The request id."),
        archived: bool = typer.Option(
            False, "--archived", help="Read the archive (requests retention moved)."
        ),
    ) -> None:
        """Everything about one request on one screen; --format json gives it as one document."""
        from gmctl.auth.permissions import require
        from gmctl.requests.detail import request_document

        env = env_of(ctx)
        with env.transaction() as session:
            require(env, session, "view_services")
            document = request_document(session, request_id, archived=archived)
        if env.output_format == "json":
            output.emit_json(env, document)
        elif env.stdout_is_tty and env.output_format == "table":
            from gmctl.cli.requests.screen import print_request

            print_request(env, document)
        else:
            from gmctl.cli.requests.screen import flatten

            output.render_document(env, flatten(document))

    @command(app, "search", replica=True)
    def search(
        ctx: typer.Context,
        words: str = typer.Argument(
            ..., metavar="TEXT", help='Words to find; "quoted phrase", or, -word work.'
        ),
        status: Optional[List[str]] = options.STATUS,
        limit: int = typer.Option(
            20, "--limit", "-n", help="Best matches to show (1-200).", parser=params.bounded(1, 200)
        ),
        everything: bool = typer.Option(
            False, "--all", help="Rank every match, not the newest requests first (slow for common words)."
        ),
    ) -> None:
        """Full-text search of titles, descriptions and types, best match first, words marked «so»."""
        from gmctl.auth.permissions import require
        from gmctl.requests.queue import make_filter
        from gmctl.requests.search import (
            PROBE,
            WINDOW,
            has_search_words,
            search_budget,
            search_requests,
        )

        env = env_of(ctx)
        statuses = make_filter(env.clock(), statuses=status).statuses if status else ()
        budget_ms = search_budget(env.config.section("requests"))
        with env.read_transaction() as connection:
            require(env, connection, "view_services")
            found = search_requests(
                connection,
                words,
                limit=limit,
                statuses=statuses,
                everything=everything,
                budget_ms=budget_ms,
            )
            searchable = bool(found.hits) or has_search_words(connection, words)
        if not searchable:
            empty = "Nothing searchable in that text (only stop words or symbols)."
        elif found.scope == "time-limited":
            empty = f"No match among the newest {WINDOW:,} requests."
        else:
            empty = "No requests match."
        output.render_rows(env, found.hits, SEARCH_COLUMNS, empty=empty,
                           terminal_columns=SEARCH_TERMINAL_COLUMNS)
        if found.scope == "recent":
            output.note(
                env,
                f"searched the newest {WINDOW:,} requests, which hold enough matches; "
                "--all ranks every request (slower for common words)",
            )
        elif found.scope == "partial":
            output.note(
                env,
                f"more than {PROBE:,} older requests match and {PROBE:,} of them were ranked; "
                "add words to narrow the search, or --all to rank every match (slow)",
            )
        elif found.scope == "time-limited":
            output.note(
                env,
                f"searched the newest {WINDOW:,} requests only: looking through all of them took "
                f"longer than {budget_ms} ms (common words); add rarer words, or --all to wait for "
                "every match",
            )

    @command(app, "stats", replica=True)
    def stats(
        ctx: typer.Context,
        sla: Optional[List[str]] = typer.Option(
            None,
            "--sla",
            metavar="STATUS=SPAN",
            help="SLA limit, e.g. pending=48h (repeatable; overrides [requests.sla] in config.toml).",
        ),
        days: int = typer.Option(
            30, "--days", help="Days of created/completed counts (1-366).", parser=params.bounded(1, 366)
        ),
    ) -> None:
        """Counts by status and type, open requests by age with SLA breaches, workload, and a daily chart."""
        from gmctl.auth.permissions import require
        from gmctl.requests.stats import queue_stats, sla_limits

        env = env_of(ctx)
        limits = sla_limits(env.config.section("requests"), sla or [])
        with env.read_transaction() as connection:
            require(env, connection, "view_reports")
            report = queue_stats(connection, env.clock(), limits, days=days)
        from gmctl.cli.requests.screen import print_stats

        print_stats(env, report)

    @command(app, "export", replica=True)
    def export(
        ctx: typer.Context,
        status: Optional[List[str]] = options.STATUS,
        service_type: Optional[List[str]] = options.TYPE,
        priority: Optional[List[str]] = options.PRIORITY,
        urgency: Optional[int] = options.URGENCY,
        assigned_to: Optional[str] = options.ASSIGNED,
        customer: Optional[str] = options.CUSTOMER,
        since: Optional[str] = options.SINCE,
        before: Optional[str] = options.BEFORE,
    ) -> None:
        """Stream every matching request (default: all statuses) as csv, tsv or json, in id order."""
        from gmctl.auth.permissions import require
        from gmctl.cli.requests.stream import stream_rows
        from gmctl.requests.export import COLUMNS, export_requests

        env = env_of(ctx)
        fmt = env.format or "csv"
        if fmt == "table":
            from gmctl.errors import InvalidInput

            raise InvalidInput("export writes csv, tsv or json", hint="pass --format csv, tsv or json")
        flt = options.queue_filter(
            env,
            status,
            service_type,
            priority,
            urgency,
            assigned_to,
            customer,
            since,
            before,
            default_status=("all",),
        )
        with env.read_transaction() as connection:
            operator = require(env, connection, "view_services")
            count = stream_rows(
                env, export_requests(connection, flt, operator_id=operator.user_id), COLUMNS, fmt
            )
        output.note(env, f"exported {count:,} request(s)")
