"""The Key Fact Statement a borrower sees before signing (CBN Consumer Protection Regulations 2019;
FCCPC Digital, Electronic, Online or Non-Traditional Consumer Lending Regulations 2025).

It states: principal, tenor, instalment and number of instalments; the annual rate, the APR
(nominal and effective, gmctl.loans.apr), every fee, the total cost of credit and the total
repayable; the end of the cooling-off period (`[loans] cooling_off_days`, 3 Lagos business days
after signing, gmctl.loans.business_days); and the lender's complaint channel (`[loans]
complaint_channel`). Signing is taken to be the day the statement is issued unless given.
Money NGN (Naira), dates Lagos dates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from gmctl.loans.apr import schedule_apr
from gmctl.loans.business_days import add_business_days
from gmctl.money import Naira

if TYPE_CHECKING:
    from gmctl.loans.schedule import Schedule
    from gmctl.loans.settings import LoanSettings

LENDER = "GM Services"
METHOD_WORDS = {"declining": "declining balance (equal monthly instalments)",
                "flat": "flat (interest on the original amount for the whole term)"}


def key_facts(schedule: "Schedule", settings: "LoanSettings", *, signed: date, issued_at: datetime,
              application_id: int | None = None, borrower: str | None = None,
              loan_type: str | None = None) -> dict[str, Any]:
    """The statement as one JSON-ready mapping, in the order it is read."""
    from gmctl.loans.rates import rate_percent

    apr = schedule_apr(schedule)
    fees = [{"fee": "upfront fee, taken from the amount lent", "amount": Naira(schedule.fee)}] if schedule.fee else []
    cooling_off_end = add_business_days(signed, settings.cooling_off_days, settings.holidays)
    return {
        "lender": LENDER,
        "application_id": application_id,
        "borrower": borrower,
        "loan_type": loan_type,
        "principal": Naira(schedule.principal),
        "amount_received": Naira(schedule.amount_received),
        "tenor_months": schedule.term_months,
        "repayment_method": METHOD_WORDS[schedule.method],
        "instalment": Naira(schedule.instalment),
        "last_instalment": Naira(schedule.last_instalment),
        "number_of_instalments": len(schedule.rows),
        "first_due_date": schedule.rows[0].due_date,
        "last_due_date": schedule.rows[-1].due_date,
        "annual_rate": rate_percent(schedule.annual_rate) + " per annum",
        "apr_nominal_percent": apr.nominal,
        "apr_effective_percent": apr.effective,
        "fees": fees,
        "total_fees": Naira(schedule.fee),
        "total_interest": Naira(schedule.total_interest),
        "total_cost_of_credit": Naira(schedule.total_cost_of_credit),
        "total_repayable": Naira(schedule.total_repayable),
        "signed_on": signed,
        "cooling_off_ends": cooling_off_end,
        "cooling_off": (f"You may cancel this loan without penalty until the end of {cooling_off_end:%A %d %B %Y} "
                        f"(Lagos time): {settings.cooling_off_days} business days after signing, weekends and "
                        f"listed public holidays not counted. You repay only what you received and interest "
                        f"for the days you held it."),
        "complaints": settings.complaint_channel,
        "issued_at": issued_at,
    }


def as_text(facts: dict[str, Any], *, markdown: bool = False) -> str:
    """The statement laid out for reading: plain text (a terminal, a file) or markdown."""
    from gmctl.money import format_naira

    def money(key: str) -> str:
        return format_naira(facts[key])

    title = "Key Fact Statement" + (f": loan application #{facts['application_id']}" if facts["application_id"] else
                                    " (quote)")
    lines_ = [
        ("Lender", facts["lender"]),
        *([("Borrower", facts["borrower"])] if facts["borrower"] else []),
        *([("Loan type", facts["loan_type"])] if facts["loan_type"] else []),
        ("Principal", money("principal")),
        ("Amount you receive", money("amount_received")),
        ("Tenor", f"{facts['tenor_months']} months"),
        ("Repayment", facts["repayment_method"]),
        ("Instalment", f"{money('instalment')} a month, {facts['number_of_instalments']} instalments"
                       + (f" (the last {money('last_instalment')})"
                          if facts["last_instalment"] != facts["instalment"] else "")),
        ("Due dates", f"{facts['first_due_date']:%d %b %Y} to {facts['last_due_date']:%d %b %Y}"),
        ("Annual interest rate", facts["annual_rate"]),
        ("APR", f"{facts['apr_nominal_percent']}% nominal, {facts['apr_effective_percent']}% effective"),
        ("Fees", "; ".join(f"{f['fee']}: {format_naira(f['amount'])}" for f in facts["fees"]) or "none"),
        ("Total interest", money("total_interest")),
        ("Total cost of credit", money("total_cost_of_credit") + " (interest and fees)"),
        ("Total repayable", money("total_repayable")),
        ("Cooling-off ends", f"{facts['cooling_off_ends']:%A %d %B %Y}, end of day (Lagos)"),
        ("Complaints", facts["complaints"]),
    ]
    if markdown:
        body = [f"# {title}", "", "| | |", "|---|---|"]
        body += [f"| {label} | {str(value).replace('|', '/')} |" for label, value in lines_]
        body += ["", f"**Cooling-off.** {facts['cooling_off']}", "",
                 f"Issued {facts['issued_at']:%Y-%m-%d %H:%M} UTC."]
        return "\n".join(body) + "\n"
    width = max(len(label) for label, _ in lines_)
    body = [title, "=" * len(title)]
    body += [f"{label:<{width}}  {value}" for label, value in lines_]
    body += ["", _wrap(facts["cooling_off"]), "", f"Issued {facts['issued_at']:%Y-%m-%d %H:%M} UTC."]
    return "\n".join(body) + "\n"


def _wrap(text: str, width: int = 78) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
