"""gmctl loans list | show | stats: reading the desk."""

from __future__ import annotations

from typing import List, Optional

import typer

from gmctl.cli import params

from gmctl import output
from gmctl.cli.base import command, env_of
from gmctl.cli.loans.group import app
from gmctl.cli.loans.options import ID

LIST_COLUMNS = ["id", "status", "loan_type", "amount", "term", "customer", "reviewer", "risk_score",
                "credit_score", "monthly_income", "documents_verified", "created_at", "service_request_id"]
TERMINAL_COLUMNS = ["id", "status", "loan_type", "amount", "term", "customer", "created_at"]


@command(app, "list", replica=True)
def list_(
    ctx: typer.Context,
    status: Optional[List[str]] = typer.Option(
        None, "--status", "-s", metavar="STATUS",
        help="submitted, under_review, approved, rejected, withdrawn, expired, or open / closed / all. "
             "Repeat or comma-separate. Default: open (submitted and under_review)."),
    loan_type: Optional[List[str]] = typer.Option(
        None, "--type", "-t", metavar="TYPE", help="personal, business, auto, mortgage, student, payday (repeatable)."),
    min_amount: Optional[str] = typer.Option(None, "--min-amount", metavar="AMOUNT", help="Requested at least (NGN)."),
    max_amount: Optional[str] = typer.Option(None, "--max-amount", metavar="AMOUNT", help="Requested at most (NGN)."),
    customer: Optional[str] = typer.Option(None, "--customer", "-c", metavar="USER", help="One applicant's."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", metavar="USER|me|none",
                                           help="Reviewed by a user, by you, or by nobody yet."),
    since: Optional[str] = typer.Option(None, "--since", metavar="WHEN", help="Applied at or after: a date, or 7d."),
    before: Optional[str] = typer.Option(None, "--before", metavar="WHEN", help="Applied before: a date, or 30d."),
    risk_at_least: Optional[int] = typer.Option(None, "--risk-at-least", metavar="N", help="Risk score at least N (0-100).", parser=params.count),
    limit: int = typer.Option(50, "--limit", "-n", help="Rows per page (1-1000).", parser=params.bounded(1, 1000)),
    after: Optional[str] = typer.Option(None, "--after", metavar="CURSOR",
                                        help="Continue after this cursor (printed by the previous page)."),
    wide: bool = typer.Option(False, "--wide", "-w", help="On a terminal, show every column."),
) -> None:
    """The review queue: open applications, oldest first, a page at a time."""
    from gmctl.auth.permissions import require
    from gmctl.loans.queue import list_loans, make_filter

    env = env_of(ctx)
    env.wide = env.wide or wide
    flt = make_filter(env.clock(), statuses=status or (), loan_types=loan_type or (), min_amount=min_amount,
                      max_amount=max_amount, customer=customer, reviewer=reviewer, since=since, before=before,
                      risk_at_least=risk_at_least)
    with env.read_transaction() as connection:
        operator = require(env, connection, "view_loans")
        page = list_loans(connection, flt, operator_id=operator.user_id, limit=limit, after=after)
    columns = [*LIST_COLUMNS, "cursor"] if env.output_format == "json" else LIST_COLUMNS
    output.render_rows(env, page.rows, columns, empty="No loan applications match.",
                       terminal_columns=TERMINAL_COLUMNS)
    if page.next_cursor:
        output.more(env, page.next_cursor)


@command(app, "show", replica=True)
def show(
    ctx: typer.Context,
    application_id: int = ID,
    rate: Optional[str] = typer.Option(
        None, "--rate", metavar="PERCENT",
        help="Check affordability at this rate (percent per annum) instead of the approved or assumed one."),
) -> None:
    """One application: applicant, request, documents, risk, decision, affordability (DTI) and trail."""
    from gmctl.auth.permissions import require
    from gmctl.loans.detail import application_document, flat_document
    from gmctl.loans.settings import settings_of
    from gmctl.when import LAGOS

    env = env_of(ctx)
    settings = settings_of(env)
    with env.read_transaction() as connection:
        require(env, connection, "view_loans")
        document = application_document(connection, application_id, settings,
                                         today=env.clock().astimezone(LAGOS).date(), rate_text=rate)
    if env.output_format == "json":
        output.emit_json(env, document)
        return
    output.render_document(env, flat_document(document), title=f"Loan application #{application_id}")
    check = document["affordability"]
    if check["dti_percent"] is not None and not check["within_limit"] and env.stdout_is_tty:
        output.warn(env, f"DTI {check['dti_percent']}% is over the {check['limit_percent']}% limit")


@command(app, "stats", replica=True)
def stats(
    ctx: typer.Context,
    since: Optional[str] = typer.Option(None, "--since", metavar="WHEN",
                                        help="Applications made at or after: a date, or 90d. Default: all."),
) -> None:
    """Counts and amounts by type and status, approval rate, median days to a decision, DTI breaches."""
    from gmctl.auth.permissions import require
    from gmctl.loans.settings import settings_of
    from gmctl.loans.stats import loan_stats
    from gmctl.when import parse_moment

    env = env_of(ctx)
    settings = settings_of(env)
    moment = parse_moment(since, env.clock(), what="--since") if since else None
    with env.read_transaction() as connection:
        require(env, connection, "view_loans")
        report = loan_stats(connection, settings, since=moment)
    if env.output_format == "json":
        output.emit_json(env, report)
        return
    output.render_rows(env, report.by_type_status, empty="No loan applications.",
                       title="applications by type and status")
    env.stdout.write("\n")  # a blank line between the two tables (scripts: -f json gives one document)
    output.render_document(env, report.totals, title="totals")
