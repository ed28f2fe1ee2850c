"""gmctl loans review | approve | reject | withdraw | expire: the moves of an application, one
transaction each; what changed is said on stderr (and with -f json printed on stdout as one document)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import typer

from gmctl.cli import params

from gmctl import output
from gmctl.cli.base import command, env_of
from gmctl.cli.loans.group import app
from gmctl.cli.loans.options import FEE, ID, METHOD, REASON, fee_amount

if TYPE_CHECKING:
    from gmctl.context import Env


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
    term: int = typer.Option(..., "--term", metavar="MONTHS", help="Term in months (1-360).", parser=params.count),
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
    terms = Terms(parse_amount(amount, what="--amount"), rate, term, method, fee_amount(fee))
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


@command(app, "expire")
def expire(
    ctx: typer.Context,
    older_than: str = typer.Option("30d", "--older-than", metavar="SPAN",
                                   help="Idle for longer than this (no change on it): 30d, 6w. Default 30d."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would expire; change nothing."),
    batch_size: int = typer.Option(500, "--batch-size", metavar="N", help="Applications per transaction (1-10000).", parser=params.bounded(1, 10_000)),
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
