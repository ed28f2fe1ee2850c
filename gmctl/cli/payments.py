"""gmctl payments: the ledger, refunds, gateway reconciliation, the expiry sweep, stored methods.

Typer only: options are parsed here, the rules and queries live in gmctl.payments, and rows go out
through gmctl.output. Nothing heavy is imported at module level, so `gmctl payments --help` stays
light. Reads need view_payments; refunds, --apply, expiry and set-default need manage_payments.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from gmctl import output
from gmctl.cli import params
from gmctl.cli.base import command, env_of, guarded, new_group
from gmctl.context import Env

app = new_group("The payments ledger: refunds, reconciliation, sweeps, stored methods.")

LIST_COLUMNS = ["id", "status", "amount", "currency", "gateway", "method", "reference", "transaction_id",
                "customer", "request_id", "description", "created_at", "completed_at"]
LIST_TERMINAL = ["id", "status", "amount", "reference", "customer", "created_at"]  # fits 80 columns
REFUND_COLUMNS = ["id", "payment_id", "amount", "status", "reason", "idempotency_key", "gateway_ref",
                  "failure_reason", "requested_at", "processed_at", "failed_at"]
SHOW_REFUNDS = ["id", "amount", "status", "gateway_ref", "requested_by", "requested_at"]
SHOW_METHODS = ["id", "method", "provider", "default", "active"]
METHOD_COLUMNS = ["id", "user", "type", "method", "provider", "nickname", "default", "active", "expires", "expiry"]
METHOD_TERMINAL = ["id", "user", "method", "default", "expiry"]


def _amount(value: Optional[str], what: str):  # -> Decimal | None
    if value is None:
        return None
    from gmctl.money import parse_amount

    return parse_amount(value, what=what, precision=10)


def _report(env: Env, document: dict, message: str, changed: bool = True) -> None:
    """What a change did: the result as JSON on stdout with --format json; the sentence on stderr."""
    if env.output_format == "json":
        output.emit_json(env, document)
    (output.success if changed else output.note)(env, message)


@command(app, "list", replica=True)
def list_(
    ctx: typer.Context,
    status: Optional[List[str]] = typer.Option(None, "--status", "-s", metavar="STATUS",
                                               help="pending, processing, completed, failed, cancelled, refunded (repeat or comma-separate)."),
    gateway: Optional[List[str]] = typer.Option(None, "--gateway", "-g", metavar="GATEWAY",
                                                help="paystack, flutterwave, stripe, paypal, razorpay."),
    method: Optional[List[str]] = typer.Option(None, "--method", "-m", metavar="METHOD",
                                               help="card, bank_transfer, wallet, cash, crypto."),
    customer: Optional[str] = typer.Option(None, "--customer", "-c", metavar="USER", help="The payer: username, email or id."),
    request: Optional[int] = params.id_option("--request", "-r", help="Payments of one service request."),
    since: Optional[str] = typer.Option(None, "--since", metavar="WHEN", help="Created on or after: a Lagos day (2026-11-01), a time, or 7d."),
    before: Optional[str] = typer.Option(None, "--before", metavar="WHEN", help="Created up to: a Lagos day, inclusive (2026-11-30), or a time."),
    min_amount: Optional[str] = typer.Option(None, "--min-amount", metavar="NGN", help="At least this amount (1,000 or ₦1,000 or NGN 1000)."),
    max_amount: Optional[str] = typer.Option(None, "--max-amount", metavar="NGN", help="At most this amount."),
    reference: Optional[str] = typer.Option(None, "--reference", metavar="TEXT", help="Our reference or its beginning (GMS-2026-8W), or the gateway's transaction id."),
    limit: int = typer.Option(50, "--limit", "-n", help="Rows per page (1-1000).", parser=params.bounded(1, 1000)),
    after: Optional[str] = typer.Option(None, "--after", metavar="CURSOR", help="Continue after this cursor (printed by the previous page)."),
) -> None:
    """The payments ledger, newest first, a page at a time."""
    from gmctl.auth.permissions import require
    from gmctl.payments.listing import list_payments, make_filter

    env = env_of(ctx)
    with env.read_transaction() as connection:
        require(env, connection, "view_payments")
        flt = make_filter(connection, env.clock(), statuses=status, gateways=gateway, methods=method,
                          customer=customer, request=request, since=since, before=before,
                          min_amount=min_amount, max_amount=max_amount, reference=reference)
        page = list_payments(connection, flt, limit=limit, after=after)
    columns = [*LIST_COLUMNS, "cursor"] if env.output_format == "json" else LIST_COLUMNS
    output.render_rows(env, page.rows, columns, empty="No payments match.", terminal_columns=LIST_TERMINAL)
    if page.next_cursor:
        output.more(env, page.next_cursor)


@command(app, "show", replica=True)
def show(ctx: typer.Context, key: str = typer.Argument(..., metavar="ID|REFERENCE",
                                                       help="Payment id, gateway reference or transaction id.")) -> None:
    """One payment: gateway fields (a card as brand and last four), its request, refunds, stored methods."""
    from gmctl.auth.permissions import require
    from gmctl.payments.detail import flatten, payment_document

    env = env_of(ctx)
    with env.transaction() as session:
        require(env, session, "view_payments")
        document = payment_document(session, key)
    if env.output_format == "json":
        output.emit_json(env, document)
        return
    flat = flatten(document)
    if not (env.stdout_is_tty and env.output_format == "table"):
        output.render_document(env, flat)
        return
    # A person: the fields, then each list as its own table with the columns that fit a terminal.
    output.render_document(env, {k: v for k, v in flat.items() if not isinstance(v, list)},
                           title=f"Payment {document['id']}")
    for key, shown in (("refunds", SHOW_REFUNDS), ("stored_methods", SHOW_METHODS)):
        if isinstance(flat.get(key), list):
            env.stdout.write("\n")
            output.render_rows(env, flat[key], terminal_columns=shown, title=key.replace("_", " "))


@command(app, "summary", replica=True)
def summary(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", metavar="DAY", help="First Lagos day (default: 29 days before --until)."),
    until: Optional[str] = typer.Option(None, "--until", metavar="DAY", help="Last Lagos day, inclusive (default: today)."),
    by: str = typer.Option("day", "--by", help="day, week (Monday first) or month."),
    group: Optional[str] = typer.Option(None, "--group", help="Split each period by gateway, method or status."),
) -> None:
    """Totals per Lagos day, week or month: count, amount, success rate, refunds (a bar chart on a terminal)."""
    from datetime import timedelta

    from gmctl.auth.permissions import require
    from gmctl.payments.listing import day_bound
    from gmctl.payments.summary import summarise
    from gmctl.when import LAGOS

    env = env_of(ctx)
    now = env.clock()
    today = now.astimezone(LAGOS).date().isoformat()
    stop = day_bound(until or today, now, end=True, what="--until")
    start = day_bound(since, now, end=False, what="--since") if since else stop - timedelta(days=30)  # type: ignore[operator]
    with env.read_transaction() as connection:
        require(env, connection, "view_payments")
        rows = summarise(connection, since=start, until=stop, by=by, group=group)  # type: ignore[arg-type]
    columns = ["period", *([group] if group else []), "count", "amount", "success_rate", "refunds"]
    output.render_rows_with_bars(env, rows, columns, bar_column="amount", empty="No payments in that span.")


@command(app, "refund")
def refund(
    ctx: typer.Context,
    key: str = typer.Argument(..., metavar="ID|REFERENCE", help="The payment to refund."),
    amount: Optional[str] = typer.Option(None, "--amount", metavar="NGN", help="Part of it (default: all that is left)."),
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Why the money goes back (kept with the refund)."),
    idempotency_key: Optional[str] = typer.Option(None, "--idempotency-key", metavar="KEY",
                                                  help="Retry-safe key: the same key and amount return the first refund."),
) -> None:
    """Record a refund (full or partial) of a completed payment; the gateway executes it."""
    from gmctl.auth.permissions import require
    from gmctl.money import format_naira
    from gmctl.payments.refunds import request_refund

    env = env_of(ctx)
    value = _amount(amount, "--amount")
    with env.transaction() as session:
        operator = require(env, session, "manage_payments")
        result = request_refund(session, operator, key, amount=value, reason=reason, now=env.clock(),
                                idempotency_key=idempotency_key)
    r = result.refund
    if result.replayed:
        message = f"refund {r['id']} of payment {r['payment_id']} already recorded with this key ({format_naira(r['amount'])}, {r['status']}); nothing changed"
    else:
        message = (f"refund {r['id']}: {format_naira(r['amount'])} of payment {r['payment_id']} requested; "
                   f"payment is {result.payment_status}; customer notified")
    _report(env, {**r, "payment_status": result.payment_status, "replayed": result.replayed}, message,
            not result.replayed)


@command(app, "refund-done")
def refund_done(
    ctx: typer.Context,
    refund_id: int = params.id_argument("The refund's id (payments show lists them).", metavar="REFUND_ID"),
    gateway_ref: str = typer.Option(..., "--gateway-ref", metavar="REF", help="The gateway's reference for the refund."),
) -> None:
    """Mark a requested refund processed: the gateway has paid it out."""
    from gmctl.auth.permissions import require
    from gmctl.payments.refunds import mark_processed

    env = env_of(ctx)
    with env.transaction() as session:
        operator = require(env, session, "manage_payments")
        result = mark_processed(session, operator, refund_id, gateway_ref=gateway_ref, now=env.clock())
    message = (f"refund {refund_id} is already processed ({gateway_ref})" if result.replayed
               else f"refund {refund_id} processed ({gateway_ref}); customer notified")
    _report(env, result.refund, message, not result.replayed)


@command(app, "refund-failed")
def refund_failed(
    ctx: typer.Context,
    refund_id: int = params.id_argument("The refund's id (payments show lists them).", metavar="REFUND_ID"),
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="What the gateway answered."),
) -> None:
    """Mark a requested refund failed at the gateway; its amount is refundable again."""
    from gmctl.auth.permissions import require
    from gmctl.payments.refunds import mark_failed

    env = env_of(ctx)
    with env.transaction() as session:
        operator = require(env, session, "manage_payments")
        result = mark_failed(session, operator, refund_id, reason=reason, now=env.clock())
    _report(env, result.refund, f"refund {refund_id} failed; payment {result.refund['payment_id']} is "
                                f"{result.payment_status}; customer notified")


@command(app, "reconcile")
def reconcile(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="The gateway's transaction export (CSV)."),
    gateway: str = typer.Option(..., "--gateway", metavar="paystack|flutterwave", help="Whose export it is."),
    columns: Optional[str] = typer.Option(None, "--columns", metavar="FIELD=HEADER,...",
                                          help="Headers of any other CSV: reference=,amount=,status= (required), transaction_id=, currency=, paid_at=, fees=, channel=, message=."),
    amount_unit: Optional[str] = typer.Option(None, "--amount-unit", metavar="kobo|naira",
                                              help="Unit of the amounts (default: kobo for paystack, naira for flutterwave)."),
    since: Optional[str] = typer.Option(None, "--since", metavar="DAY", help="First Lagos day for missing_in_gateway (default: the file's first)."),
    until: Optional[str] = typer.Option(None, "--until", metavar="DAY", help="Last Lagos day, inclusive (default: the file's last)."),
    apply: bool = typer.Option(False, "--apply", help="Move the statuses the export proves and mark refunds processed (never an amount)."),
    all_rows: bool = typer.Option(False, "--all", help="Show matched lines too, not only the problems."),
) -> None:
    """Match a gateway export against the ledger; exit 1 when anything does not match (for cron)."""
    from gmctl.payments.listing import day_bound
    from gmctl.payments.reconcile import COLUMNS, TERMINAL_COLUMNS
    from gmctl.payments.reconcile import reconcile as run
    from gmctl.auth.permissions import require_or_unattended

    env = env_of(ctx)
    now = env.clock()
    start = day_bound(since, now, end=False, what="--since")
    stop = day_bound(until, now, end=True, what="--until")
    with env.transaction() as session:
        operator = require_or_unattended(env, session, "manage_payments" if apply else "view_payments")
        report = run(session, file, gateway=gateway, now=now, columns=columns, amount_unit=amount_unit,
                     since=start, until=stop, apply=apply, operator=operator, show_matched=all_rows)
    if env.output_format == "json":
        output.emit_json(env, {"summary": report.summary_line(), "counts": report.counts,
                               "applied": report.applied, "lines": report.lines, "rows": report.rows})
    elif env.stdout_is_tty and env.output_format == "table" and not env.wide:
        for category, columns_shown in TERMINAL_COLUMNS.items():  # grouped, each with its telling columns
            rows = [r for r in report.rows if r["category"] == category]
            if rows:
                output.render_rows(env, rows, columns_shown, title=f"{category} ({len(rows):,})")
        if not report.rows:
            output.note(env, "Every line matched.")
    else:
        output.render_rows(env, report.rows, COLUMNS, empty="Every line matched.")
    output.note(env, report.summary_line())
    if report.unmatched > 0:
        raise typer.Exit(1)


@command(app, "expire-pending")
def expire_pending(
    ctx: typer.Context,
    older_than: str = typer.Option("24h", "--older-than", metavar="SPAN", help="Pending/processing longer than this (e.g. 24h, 2d)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be cancelled; change nothing."),
    batch_size: int = typer.Option(500, "--batch-size", help="Payments per transaction (1-10000).", parser=params.bounded(1, 10_000)),
) -> None:
    """Cron: cancel payments stuck pending or processing, in batches, under a lock (exit 75 if held)."""
    from gmctl.payments.expire import expire_pending as run
    from gmctl.when import parse_duration
    from gmctl.auth.permissions import require_or_unattended

    env = env_of(ctx)
    span = parse_duration(older_than, what="--older-than")
    with env.transaction() as session:
        operator = require_or_unattended(env, session, "manage_payments")
    report = run(env.get_engine(), operator, older_than=span, now=env.clock(), dry_run=dry_run,
                 batch_size=batch_size)
    if env.output_format == "json":
        output.emit_json(env, report)
    elif env.stdout_is_tty:
        output.success(env, report.summary_line())
    else:
        env.stdout.write(report.summary_line() + "\n")


methods_app = typer.Typer(help="Stored payment methods, masked; cards about to expire; set-default.",
                          invoke_without_command=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                          add_completion=False)
app.add_typer(methods_app, name="methods")


@methods_app.callback()
@guarded
def methods(
    ctx: typer.Context,
    user: Optional[str] = typer.Option(None, "--user", "-u", metavar="USER", help="One customer: username, email or id."),
    expiring: Optional[str] = typer.Option(None, "--expiring", metavar="SPAN", help="Only active cards expiring within SPAN (e.g. 60d), or expired."),
) -> None:
    """Stored payment methods, masked (card brand, last four, expiry month; bank and last four)."""
    if ctx.invoked_subcommand is not None:
        return
    from gmctl.auth.permissions import require
    from gmctl.payments.methods import list_methods
    from gmctl.requests.people import find_person
    from gmctl.when import parse_duration

    env = env_of(ctx)
    span = parse_duration(expiring, what="--expiring") if expiring else None
    with env.read_transaction() as connection:
        require(env, connection, "view_payments")
        user_id = find_person(connection, user, role="user").id if user else None
        rows = list_methods(connection, env.clock(), user_id=user_id, expiring=span)
    output.render_rows(env, rows, METHOD_COLUMNS, empty="No stored payment methods match.",
                       terminal_columns=METHOD_TERMINAL)


@command(methods_app, "set-default")
def set_default(ctx: typer.Context, method_id: int = params.id_argument("The stored method's id (payments methods lists them).")) -> None:
    """Make a stored method its customer's one default (the old default is cleared)."""
    from gmctl.auth.permissions import require
    from gmctl.payments.methods import set_default as run

    env = env_of(ctx)
    with env.transaction() as session:
        operator = require(env, session, "manage_payments")
        result = run(session, operator, method_id, now=env.clock())
    was = f" (was {result['previous_default']})" if result["previous_default"] else ""
    message = (f"method {method_id} is now the default of user {result['user_id']}{was}"
               if result["changed"] else f"method {method_id} is already the default")
    _report(env, result, message, result["changed"])
