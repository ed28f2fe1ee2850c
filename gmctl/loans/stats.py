"""`loans stats`: the desk's figures since a moment (default: all time).

- counts and amounts (requested, approved) by loan type and status;
- the approval rate: approved / (approved + rejected), decided applications only;
- the median days from application to decision (decision_date, a Lagos date, minus the Lagos
  date of created_at), over approved and rejected applications;
- DTI breaches: applications whose debt-to-income ratio is over `[loans] max_dti`, at the approved
  terms when approved (declining balance; flat approvals are counted at their annuity instalment,
  which is lower, so the count errs on the side of fewer breaches), else at the amount and term
  requested at the assumed rate. Applications with no income stated are counted apart.
Amounts are NGN (Naira); one aggregate query each, so the figures cost one scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from gmctl.money import Naira

ZERO = Decimal("0.00")

if TYPE_CHECKING:
    from gmctl.loans.settings import LoanSettings


@dataclass(frozen=True)
class LoanStats:
    by_type_status: list[dict[str, Any]]
    totals: dict[str, Any]


SINCE = "(CAST(:since AS timestamptz) IS NULL OR created_at >= CAST(:since AS timestamptz))"

GROUPED = text(f"""
SELECT loan_type, application_status AS status, count(*) AS applications,
       sum(loan_amount) AS amount_requested, sum(approved_amount) AS amount_approved
FROM loan_applications WHERE {SINCE}
GROUP BY loan_type, application_status ORDER BY loan_type, application_status
""")

# The annuity instalment in SQL: P·r / (1 − (1 + r)^−n), r = annual/12 (0% -> P/n).
_INSTALMENT = """
CASE WHEN {rate} = 0 THEN {amount} / {term}
     ELSE {amount} * ({rate} / 12) / (1 - power(1 + {rate} / 12, -{term})) END
"""

TOTALS = text(f"""
WITH scoped AS (
    SELECT l.*,
           CASE WHEN application_status = 'approved' AND approved_amount IS NOT NULL AND approved_rate IS NOT NULL
                THEN {_INSTALMENT.format(rate="approved_rate", amount="approved_amount",
                                         term="COALESCE(approved_term_months, requested_term_months, 12)")}
                ELSE {_INSTALMENT.format(rate="CAST(:assumed AS numeric)", amount="loan_amount",
                                         term="COALESCE(requested_term_months, 12)")}
           END AS instalment
    FROM loan_applications l WHERE {SINCE}
)
SELECT count(*) AS applications,
       count(*) FILTER (WHERE application_status = 'approved') AS approved,
       count(*) FILTER (WHERE application_status = 'rejected') AS rejected,
       count(*) FILTER (WHERE application_status IN ('submitted', 'under_review')) AS open,
       sum(approved_amount) AS amount_approved,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY decision_date - (created_at AT TIME ZONE 'Africa/Lagos')::date)
           FILTER (WHERE application_status IN ('approved', 'rejected') AND decision_date IS NOT NULL)
           AS median_days_to_decision,
       count(*) FILTER (WHERE monthly_income > 0
                        AND (COALESCE(existing_debts, 0) + instalment) * :den > monthly_income * :num) AS dti_breaches,
       count(*) FILTER (WHERE application_status = 'approved' AND monthly_income > 0
                        AND (COALESCE(existing_debts, 0) + instalment) * :den > monthly_income * :num)
           AS dti_breaches_approved,
       count(*) FILTER (WHERE monthly_income IS NULL OR monthly_income = 0) AS no_income_stated
FROM scoped
""")


def loan_stats(connection: Any, settings: "LoanSettings", *, since: datetime | None = None) -> LoanStats:
    """The figures for applications created at or after `since` (all when None)."""
    params = {"since": since}
    grouped = [
        {"loan_type": r.loan_type, "status": r.status, "applications": r.applications,
         "amount_requested": Naira(r.amount_requested or ZERO), "amount_approved": Naira(r.amount_approved or ZERO)}
        for r in connection.execute(GROUPED, params)
    ]
    assumed = settings.assumed_rate / 100
    row = connection.execute(TOTALS, {**params, "assumed": assumed, "num": settings.max_dti.numerator,
                                      "den": settings.max_dti.denominator}).one()
    decided = row.approved + row.rejected
    rate = (Decimal(row.approved * 100) / decided).quantize(Decimal("0.1")) if decided else None
    median = row.median_days_to_decision
    totals = {
        "since": since,
        "applications": row.applications,
        "open": row.open,
        "approved": row.approved,
        "rejected": row.rejected,
        "approval_rate_percent": rate,
        "amount_approved": Naira(row.amount_approved or ZERO),
        "median_days_to_decision": None if median is None else Decimal(str(median)).quantize(Decimal("0.1")),
        "dti_limit_percent": _percent(settings),
        "dti_breaches": row.dti_breaches,
        "dti_breaches_approved": row.dti_breaches_approved,
        "no_income_stated": row.no_income_stated,
    }
    return LoanStats(grouped, totals)


def _percent(settings: "LoanSettings") -> Decimal:
    from gmctl.loans.affordability import percent

    return percent(settings.max_dti)
