"""gmctl loans: the loan desk. Typer only: options are parsed here, the rules live in gmctl.loans,
rows and documents go out through gmctl.output. Nothing heavy is imported at module level, so
`gmctl loans --help` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional

import typer

from gmctl import output
from gmctl.cli.base import command, env_of, new_group

if TYPE_CHECKING:
    from gmctl.context import Env

app = new_group("The loan desk: the review queue, affordability, decisions with terms, schedules, key facts.")

ID = typer.Argument(..., metavar="ID", help="The loan application id.")
REASON = typer.Option(None, "--reason", "-r", metavar="TEXT", help="Why (kept in the decision trail). Required.")
METHOD = typer.Option("declining", "--method", metavar="declining|flat",
                      help="declining balance (equal instalments, the default) or flat.")
FEE = typer.Option(None, "--fee", metavar="AMOUNT", help="Upfront fee in NGN, taken from the amount lent.")
START = typer.Option(None, "--start", metavar="DATE",
                     help="The date the loan starts (Lagos); instalment k is due k months later. Default: today.")

LIST_COLUMNS = ["id", "status", "loan_type", "amount", "term", "customer", "reviewer", "risk_score",
                "credit_score", "monthly_income", "documents_verified", "created_at", "service_request_id"]
TERMINAL_COLUMNS = ["id", "status", "loan_type", "amount", "term", "customer", "created_at"]
SCHEDULE_COLUMNS = ["number", "due_date", "instalment", "interest", "principal", "balance"]


@command(app, "list")
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
    risk_at_least: Optional[int] = typer.Option(None, "--risk-at-least", metavar="N", help="Risk score at least N."),
    limit: int = typer.Option(50, "--limit", "-n", help="Rows per page (1-1000)."),
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
        output.note(env, f"more: add --after {page.next_cursor}")


@command(app, "show")
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


@command(app, "review")
def review(ctx: typer.Context, application_id: int = ID) -> None:
    """Take a submitted application into review (submitted -> under_review); you become its reviewer."""
    from gmctl.auth.permissions import require
    from gmctl.loans.decisions import review as take

    env = env_of(ctx)
    with env.transaction() as session:
        operator = require(env, session, "review_loans")
        decision = take(session, operator, application_id, now=env.clock())
    _report(env, decision, f"#{application_id}: submitted -> under_review; reviewer {decision.decided_by}"
                           + _request_words(decision))


@command(app, "approve")
def approve(
    ctx: typer.Context,
    application_id: int = ID,
    amount: str = typer.Option(..., "--amount", metavar="AMOUNT", help="Amount approved (NGN), e.g. 500,000."),
    rate: str = typer.Option(..., "--rate", metavar="PERCENT",
                             help="Annual rate in percent per annum: 24 or 24% (stored as 0.2400)."),
    term: int = typer.Option(..., "--term", metavar="MONTHS", help="Term in months (1-360)."),
    method: str = METHOD,
    fee: Optional[str] = FEE,
    reason: Optional[str] = REASON,
    over_requested: bool = typer.Option(False, "--over-requested",
                                        help="Allow an amount above the amount requested."),
    override_dti: bool = typer.Option(False, "--override-dti",
                                      help="Approve although the DTI is over [loans] max_dti (say why in --reason)."),
) -> None:
    """Approve an application under review at the given terms (checks rate, amount, term, DTI, two people)."""
    from gmctl.auth.permissions import require
    from gmctl.loans.decisions import Terms
    from gmctl.loans.decisions import approve as decide
    from gmctl.loans.settings import settings_of
    from gmctl.money import format_naira, parse_amount

    env = env_of(ctx)
    settings = settings_of(env)
    terms = Terms(parse_amount(amount, what="--amount"), rate, term, method, _fee(fee))
    with env.transaction() as session:
        operator = require(env, session, "decide_loans")
        decision = decide(session, operator, application_id, terms, settings=settings, now=env.clock(),
                          reason=reason or "", over_requested=over_requested, override_dti=override_dti)
    from gmctl.loans.rates import rate_percent

    message = (f"#{application_id}: approved {format_naira(decision.approved_amount)} at "
               f"{rate_percent(decision.approved_rate)} per annum over {decision.approved_term_months} months "
               f"({decision.method}), {format_naira(decision.instalment)} a month; DTI {decision.dti_percent}%"
               + (" (over the limit: overridden)" if decision.dti_overridden else "")
               + _request_words(decision) + "; customer notified")
    _report(env, decision, message)


@command(app, "reject")
def reject(ctx: typer.Context, application_id: int = ID, reason: Optional[str] = REASON) -> None:
    """Reject an application under review, with the reason."""
    _decide(ctx, application_id, "reject", reason)


@command(app, "withdraw")
def withdraw(ctx: typer.Context, application_id: int = ID, reason: Optional[str] = REASON) -> None:
    """The customer withdrew: submitted or under_review -> withdrawn, with the reason."""
    _decide(ctx, application_id, "withdraw", reason)


def _decide(ctx: typer.Context, application_id: int, verb: str, reason: Optional[str]) -> None:
    from gmctl.auth.permissions import require
    from gmctl.loans import decisions

    env = env_of(ctx)
    with env.transaction() as session:
        operator = require(env, session, "decide_loans")
        decision = getattr(decisions, verb)(session, operator, application_id, now=env.clock(), reason=reason or "")
    _report(env, decision, f"#{application_id}: {decision.previous_status} -> {decision.new_status}"
                           + _request_words(decision) + "; customer notified")


@command(app, "quote")
def quote(
    ctx: typer.Context,
    amount: str = typer.Option(..., "--amount", metavar="AMOUNT", help="Amount lent (NGN)."),
    rate: str = typer.Option(..., "--rate", metavar="PERCENT", help="Annual rate in percent per annum: 24 or 24%."),
    term: int = typer.Option(..., "--term", metavar="MONTHS", help="Term in months (1-360)."),
    method: str = METHOD,
    fee: Optional[str] = FEE,
    start: Optional[str] = START,
    loan_type: str = typer.Option("personal", "--type", "-t", metavar="TYPE",
                                  help="Loan type whose rate bounds apply ([loans.rates]). Default: personal."),
) -> None:
    """A repayment schedule for any terms, with total interest, total repayable and APR. No database."""
    from gmctl.loans.rates import parse_rate
    from gmctl.loans.schedule import build_schedule
    from gmctl.loans.settings import check_loan_type, settings_of
    from gmctl.money import parse_amount

    env = env_of(ctx)
    settings = settings_of(env)
    principal = parse_amount(amount, what="--amount")
    fraction = parse_rate(rate, check_loan_type(loan_type, what="--type"), settings)
    schedule = build_schedule(principal, fraction, term, method=method, start=_start(env, start), fee=_fee(fee))
    _print_schedule(env, schedule)


@command(app, "schedule")
def schedule(ctx: typer.Context, application_id: int = ID, start: Optional[str] = START) -> None:
    """The repayment schedule of an approved application (from its decision date unless --start)."""
    from gmctl.auth.permissions import require
    from gmctl.loans.detail import load_application

    env = env_of(ctx)
    with env.read_transaction() as connection:
        require(env, connection, "view_loans")
        row = load_application(connection, application_id)
        terms = _approved(connection, row)
    _print_schedule(env, _schedule_of(env, terms, start))


@command(app, "key-facts")
def key_facts(
    ctx: typer.Context,
    application_id: int = ID,
    markdown: bool = typer.Option(False, "--markdown", help="Print the statement as markdown."),
    signed: Optional[str] = typer.Option(None, "--signed", metavar="DATE",
                                         help="The day the borrower signs (Lagos). Default: today."),
    start: Optional[str] = START,
) -> None:
    """The Key Fact Statement of an approved application: text, --markdown, or -f json."""
    from gmctl.auth.permissions import require
    from gmctl.loans import keyfacts
    from gmctl.loans.detail import load_application
    from gmctl.loans.settings import settings_of

    env = env_of(ctx)
    settings = settings_of(env)
    with env.read_transaction() as connection:
        require(env, connection, "view_loans")
        row = load_application(connection, application_id)
        terms = _approved(connection, row)
    borrower = " ".join(p for p in (row.first_name, row.last_name) if p) or row.customer
    facts = keyfacts.key_facts(_schedule_of(env, terms, start), settings, signed=_start(env, signed, "--signed"),
                               issued_at=env.clock(), application_id=row.id, borrower=borrower,
                               loan_type=row.loan_type)
    if env.format == "json":
        output.emit_json(env, facts)
    elif env.format in ("csv", "tsv"):
        output.render_document(env, facts)
    else:
        env.stdout.write(keyfacts.as_text(facts, markdown=markdown))


@command(app, "expire")
def expire(
    ctx: typer.Context,
    older_than: str = typer.Option("30d", "--older-than", metavar="SPAN",
                                   help="Idle for longer than this (no change on it): 30d, 6w. Default 30d."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would expire; change nothing."),
    batch_size: int = typer.Option(500, "--batch-size", metavar="N", help="Applications per transaction (1-10000)."),
) -> None:
    """For cron: idle submitted and under_review applications expire, in batches, under a lock (exit 75).

    From cron set GMCTL_UNATTENDED=1 (no person is signed in); piped, it prints one summary line.
    """
    from gmctl.auth.permissions import require_or_unattended
    from gmctl.loans.expire import check_batch, expire_idle
    from gmctl.retention.lock import exclusive_run
    from gmctl.when import parse_duration

    env = env_of(ctx)
    span = parse_duration(older_than, what="--older-than")
    check_batch(batch_size)
    with env.read_transaction() as connection:
        require_or_unattended(env, connection, "view_loans" if dry_run else "decide_loans")
    engine = env.get_engine()
    with exclusive_run(engine, "loans-expire"):
        result = expire_idle(engine, span, env.clock(), batch=batch_size, dry_run=dry_run)
    if env.output_format == "json":
        output.emit_json(env, result)
    elif env.stdout_is_tty:
        output.success(env, result.summary()) if not dry_run else output.note(env, result.summary())
    else:
        env.stdout.write(result.summary() + "\n")


@command(app, "stats")
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


# -- helpers ------------------------------------------------------------------------------------
def _report(env: "Env", decision: Any, message: str) -> None:
    if env.output_format == "json":
        output.emit_json(env, decision)
    output.success(env, message)


def _request_words(decision: Any) -> str:
    if decision.service_request_id is None:
        return ""
    if decision.request_new_status is None:
        return f"; request #{decision.service_request_id} stays {decision.request_previous_status}"
    return (f"; request #{decision.service_request_id} {decision.request_previous_status} -> "
            f"{decision.request_new_status}")


def _fee(text: Optional[str]) -> Any:
    from decimal import Decimal

    from gmctl.money import parse_amount

    return parse_amount(text, what="--fee", allow_zero=True) if text is not None else Decimal("0.00")


def _start(env: "Env", text: Optional[str], what: str = "--start") -> Any:
    from datetime import date

    from gmctl.errors import InvalidInput
    from gmctl.when import LAGOS

    if text is None:
        return env.clock().astimezone(LAGOS).date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-01-31") from None


def _approved(connection: Any, row: Any) -> Any:
    from gmctl.errors import InvalidInput
    from gmctl.loans.detail import approved_terms

    terms = approved_terms(connection, row)
    if terms is None:
        raise InvalidInput(
            f"application {row.id} is {row.application_status}, not approved: it has no agreed terms",
            hint=f"`gmctl loans quote --amount {row.loan_amount} --rate R --term {row.requested_term_months or 12}` "
                 "shows a schedule for any terms")
    return terms


def _schedule_of(env: "Env", terms: Any, start: Optional[str]) -> Any:
    from gmctl.loans.schedule import build_schedule

    begin = _start(env, start) if start is not None else (terms.decision_date or _start(env, None))
    return build_schedule(terms.amount, terms.rate, terms.term_months, method=terms.method, start=begin,
                          fee=terms.fee)


def _print_schedule(env: "Env", schedule: Any) -> None:
    from gmctl.loans.apr import schedule_apr
    from gmctl.loans.rates import rate_percent
    from gmctl.money import Naira, format_naira

    apr = schedule_apr(schedule)
    if env.output_format == "json":
        output.emit_json(env, {
            "principal": Naira(schedule.principal), "annual_rate_percent": rate_percent(schedule.annual_rate),
            "term_months": schedule.term_months, "method": schedule.method, "start": schedule.start,
            "fee": Naira(schedule.fee), "instalment": Naira(schedule.instalment),
            "last_instalment": Naira(schedule.last_instalment), "total_interest": Naira(schedule.total_interest),
            "total_repayable": Naira(schedule.total_repayable),
            "total_cost_of_credit": Naira(schedule.total_cost_of_credit),
            "apr_nominal_percent": apr.nominal, "apr_effective_percent": apr.effective,
            "rows": [_schedule_row(r) for r in schedule.rows],
        })
        return
    output.render_rows(env, [_schedule_row(r) for r in schedule.rows], SCHEDULE_COLUMNS)
    machine = env.output_format in ("csv", "tsv")
    money = str if machine else format_naira  # exact plain strings in csv/tsv, grouped ₦ for a person
    totals = (f"total interest {money(schedule.total_interest)}; total repayable {money(schedule.total_repayable)}"
              + (f"; fee {money(schedule.fee)}, received {money(schedule.amount_received)}" if schedule.fee else "")
              + f"; APR {apr.nominal}% nominal, {apr.effective}% effective")
    if machine:
        output.note(env, totals)  # on stderr: the rows stay a clean table for scripts
    else:
        env.stdout.write(totals + "\n")


def _schedule_row(row: Any) -> dict[str, Any]:
    from gmctl.money import Naira

    return {"number": row.number, "due_date": row.due_date, "instalment": Naira(row.instalment),
            "interest": Naira(row.interest), "principal": Naira(row.principal), "balance": Naira(row.balance)}
