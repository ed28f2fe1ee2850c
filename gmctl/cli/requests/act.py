"""gmctl requests assign | unassign | status | priority | urgency | cost | note | reply.

Each is one transaction that locks the request row first (gmctl.requests.locking), so two staff
acting at once never lose an update. What changed is said on stderr; with --format json the
result is also printed on stdout as one document, for scripts.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import typer

from gmctl import output
from gmctl.cli.base import command, env_of
from gmctl.cli import params
from gmctl.cli.requests import options
from gmctl.context import Env

ID = params.id_argument("The request id.")


def _report(env: Env, result: Any, message: str, changed: bool = True) -> None:
    if env.output_format == "json":
        output.emit_json(env, result)
    (output.success if changed else output.note)(env, message)


def _change_field(
    ctx: typer.Context,
    request_id: int,
    label: str,
    setter: Callable[..., Any],
    value: Any,
    expect_status: Optional[str],
) -> None:
    """priority and urgency: one triage field set in one transaction, then reported."""
    from gmctl.auth.permissions import require

    env = env_of(ctx)
    with env.transaction() as session:
        operator = require(env, session, "triage_services")
        result = setter(session, operator, request_id, value, now=env.clock(), expect_status=expect_status)
    message = (
        f"#{request_id}: {label} {result.old} -> {result.new}"
        if result.changed
        else f"#{request_id}: {label} is already {result.new}"
    )
    _report(env, result, message, result.changed)


def register(app: typer.Typer) -> None:
    @command(app, "assign")
    def assign(
        ctx: typer.Context,
        request_id: int = ID,
        to: Optional[str] = typer.Option(
            None,
            "--to",
            metavar="USER|me",
            parser=params.user_ref,
            help="Active staff: username, email, id, or me. "
            "Omitted at a terminal: pick from staff, least loaded first.",
        ),
        expect_status: Optional[str] = options.EXPECT,
    ) -> None:
        """Assign a request to active staff."""
        from gmctl.auth.permissions import require
        from gmctl.requests.assignment import assign as assign_request

        env = env_of(ctx)
        if to is None:
            from gmctl.cli.requests.interactive import pick_staff

            to = pick_staff(env)
        with env.transaction() as session:
            operator = require(env, session, "triage_services")
            result = assign_request(
                session, operator, request_id, to, now=env.clock(), expect_status=expect_status
            )
        message = (
            f"#{request_id} assigned to {result.assignee}"
            + (f" (was {result.previous_assignee})" if result.previous_assignee else "")
            if result.changed
            else f"#{request_id} is already assigned to {result.assignee}"
        )
        _report(env, result, message, result.changed)

    @command(app, "unassign")
    def unassign(
        ctx: typer.Context,
        request_id: int = ID,
        expect_status: Optional[str] = options.EXPECT,
    ) -> None:
        """Take a request back from whoever has it."""
        from gmctl.auth.permissions import require
        from gmctl.requests.assignment import unassign as unassign_request

        env = env_of(ctx)
        with env.transaction() as session:
            operator = require(env, session, "triage_services")
            result = unassign_request(
                session, operator, request_id, now=env.clock(), expect_status=expect_status
            )
        message = (
            f"#{request_id} unassigned (was {result.previous_assignee})"
            if result.changed
            else f"#{request_id} was not assigned"
        )
        _report(env, result, message, result.changed)

    @command(app, "status")
    def status(
        ctx: typer.Context,
        request_id: int = ID,
        new_status: str = typer.Argument(
            ...,
            metavar="NEW_STATUS",
            help="confirmed, in_progress, on_hold, completed, cancelled, failed, pending.",
        ),
        reason: Optional[str] = typer.Option(
            None, "--reason", "-r", help="Why (kept in the status history)."
        ),
        expect_status: Optional[str] = options.EXPECT,
        reopen: bool = typer.Option(
            False,
            "--reopen",
            help="Move a completed, cancelled or failed request back to pending, confirmed or "
            "in_progress (needs reopen_services).",
        ),
        schedule: Optional[str] = typer.Option(
            None,
            "--schedule",
            metavar="WHEN",
            help="Set the scheduled date and time (Lagos time), e.g. 2026-12-01T10:00.",
        ),
    ) -> None:
        """Move a request along its lifecycle; an invalid move exits 2 and lists the allowed ones."""
        from gmctl.auth.permissions import require
        from gmctl.requests.lifecycle import change_status
        from gmctl.when import parse_moment

        env = env_of(ctx)
        when = parse_moment(schedule, env.clock(), what="--schedule") if schedule else None
        with env.transaction() as session:
            operator = require(env, session, "triage_services")
            if reopen:
                require(env, session, "reopen_services")
            result = change_status(
                session,
                operator,
                request_id,
                new_status,
                now=env.clock(),
                reason=reason,
                expect_status=expect_status,
                reopen=reopen,
                schedule=when,
            )
        _report(
            env, result, f"#{request_id}: {result.previous_status} -> {result.new_status}; customer notified"
        )

    @command(app, "priority")
    def priority(
        ctx: typer.Context,
        request_id: int = ID,
        level: str = typer.Argument(..., metavar="LEVEL", help="low, normal, high or urgent."),
        expect_status: Optional[str] = options.EXPECT,
    ) -> None:
        """Set a request's priority."""
        from gmctl.requests.pricing import set_priority

        _change_field(ctx, request_id, "priority", set_priority, level, expect_status)

    @command(app, "urgency")
    def urgency(
        ctx: typer.Context,
        request_id: int = ID,
        level: int = typer.Argument(
            ..., metavar="N", help="1 (low) to 5 (high).", parser=params.bounded(1, 5)
        ),
        expect_status: Optional[str] = options.EXPECT,
    ) -> None:
        """Set a request's urgency, 1 to 5."""
        from gmctl.requests.pricing import set_urgency

        _change_field(ctx, request_id, "urgency", set_urgency, level, expect_status)

    @command(app, "cost")
    def cost(
        ctx: typer.Context,
        request_id: int = ID,
        estimate: Optional[str] = typer.Option(
            None, "--estimate", metavar="AMOUNT", help="Estimated cost, e.g. 15000.50."
        ),
        final: Optional[str] = typer.Option(None, "--final", metavar="AMOUNT", help="Final cost."),
        currency: Optional[str] = typer.Option(
            None, "--currency", metavar="CODE", help="Currency of the amounts (default NGN)."
        ),
        expect_status: Optional[str] = options.EXPECT,
    ) -> None:
        """Set the estimated and/or final cost, exactly (NGN unless --currency)."""
        from gmctl.auth.permissions import require
        from gmctl.requests.pricing import set_cost

        env = env_of(ctx)
        with env.transaction() as session:
            operator = require(env, session, "triage_services")
            result = set_cost(
                session,
                operator,
                request_id,
                now=env.clock(),
                estimate=estimate,
                final=final,
                currency=currency,
                expect_status=expect_status,
            )
        shown = " · ".join(
            f"{label} {result.currency} {value:,}"
            for label, value in (("estimate", result.estimated_cost), ("final", result.final_cost))
            if value is not None
        )
        _report(
            env,
            result,
            f"#{request_id}: {shown}" if result.changed else f"#{request_id}: unchanged ({shown})",
            result.changed,
        )

    @command(app, "note")
    def note(
        ctx: typer.Context,
        request_id: int = ID,
        text: str = typer.Argument(
            ..., metavar="TEXT", help="The note (staff only; never shown to the customer)."
        ),
        expect_status: Optional[str] = options.EXPECT,
    ) -> None:
        """Add an internal note, stamped with your name and the time; earlier notes are kept."""
        from gmctl.auth.permissions import require
        from gmctl.requests.conversation import add_note

        env = env_of(ctx)
        with env.transaction() as session:
            operator = require(env, session, "triage_services")
            result = add_note(
                session, operator, request_id, text, now=env.clock(), expect_status=expect_status
            )
        _report(env, result, f"#{request_id}: note added")

    @command(app, "reply")
    def reply(
        ctx: typer.Context,
        request_id: int = ID,
        text: str = typer.Argument(..., metavar="TEXT", help="The message to the customer."),
        expect_status: Optional[str] = options.EXPECT,
    ) -> None:
        """Send the customer a message, threaded on the request."""
        from gmctl.auth.permissions import require
        from gmctl.requests.conversation import reply as send_reply

        env = env_of(ctx)
        with env.transaction() as session:
            operator = require(env, session, "triage_services")
            result = send_reply(
                session, operator, request_id, text, now=env.clock(), expect_status=expect_status
            )
        _report(env, result, f"#{request_id}: reply sent to the customer (message {result.message_id})")
