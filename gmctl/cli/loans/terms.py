"""gmctl loans quote | schedule | key-facts: repayment schedules and the Key Fact Statement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import typer

from gmctl.cli import params

from gmctl import output
from gmctl.cli.base import command, env_of
from gmctl.cli.loans.group import app
from gmctl.cli.loans.options import FEE, ID, METHOD, START, fee_amount, lagos_date

if TYPE_CHECKING:
    from gmctl.context import Env

SCHEDULE_COLUMNS = ["number", "due_date", "instalment", "interest", "principal", "balance"]


@command(app, "quote")
def quote(
    ctx: typer.Context,
    amount: str = typer.Option(..., "--amount", metavar="AMOUNT", help="Amount lent (NGN)."),
    rate: str = typer.Option(..., "--rate", metavar="PERCENT", help="Annual rate in percent per annum: 24 or 24%."),
    term: int = typer.Option(..., "--term", metavar="MONTHS", help="Term in months (1-360).", parser=params.count),
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
    schedule = build_schedule(principal, fraction, term, method=method, start=lagos_date(env, start), fee=fee_amount(fee))
    _print_schedule(env, schedule)


@command(app, "schedule", replica=True)
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


@command(app, "key-facts", replica=True)
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
    facts = keyfacts.key_facts(_schedule_of(env, terms, start), settings, signed=lagos_date(env, signed, "--signed"),
                               issued_at=env.clock(), application_id=row.id, borrower=borrower,
                               loan_type=row.loan_type)
    if env.format == "json":
        output.emit_json(env, facts)
    elif env.format in ("csv", "tsv"):
        output.render_document(env, facts)
    else:
        env.stdout.write(keyfacts.as_text(facts, markdown=markdown))


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

    begin = lagos_date(env, start) if start is not None else (terms.decision_date or lagos_date(env, None))
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
