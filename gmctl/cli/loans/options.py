"""Options and parsing several loans commands share, declared once so their spelling and help agree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import typer

from gmctl.cli import params

if TYPE_CHECKING:
    from gmctl.context import Env

ID = params.id_argument("The loan application id.")
REASON = typer.Option(None, "--reason", "-r", metavar="TEXT", help="Why (kept in the decision trail). Required.")
METHOD = typer.Option("declining", "--method", metavar="declining|flat",
                      help="declining balance (equal instalments, the default) or flat.")
FEE = typer.Option(None, "--fee", metavar="AMOUNT", help="Upfront fee in NGN, taken from the amount lent.")
START = typer.Option(None, "--start", metavar="DATE",
                     help="The date the loan starts (Lagos); instalment k is due k months later. Default: today.")


def fee_amount(text: Optional[str]) -> Any:
    """--fee as a Decimal NGN amount (zero allowed; none given is 0.00). InvalidInput (exit 2) otherwise."""
    from decimal import Decimal

    from gmctl.money import parse_amount

    return parse_amount(text, what="--fee", allow_zero=True) if text is not None else Decimal("0.00")


def lagos_date(env: "Env", text: Optional[str], what: str = "--start") -> Any:
    """A YYYY-MM-DD option as a date (a Lagos calendar day); today in Lagos when not given."""
    from datetime import date

    from gmctl.errors import InvalidInput
    from gmctl.when import LAGOS

    if text is None:
        return env.clock().astimezone(LAGOS).date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-01-31") from None
