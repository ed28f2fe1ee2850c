"""Light Core views of loan_applications (and the users it names) for the read paths.

`loans list` builds its SQL from these, not from the ORM models, so it needs neither
sqlalchemy.orm nor gmctl.db.models at start-up (as `requests list`). tests/loans/test_columns.py
checks every column named here against the model.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String, Text, column, table

from gmctl.requests.columns import users

loan_applications = table(
    "loan_applications",
    column("id", Integer),
    column("service_request_id", Integer),
    column("user_id", Integer),
    column("loan_type", String),
    column("loan_amount", Numeric),
    column("currency", String),
    column("loan_purpose", Text),
    column("requested_term_months", Integer),
    column("employment_status", String),
    column("monthly_income", Numeric),
    column("existing_debts", Numeric),
    column("credit_score", Integer),
    column("application_status", String),
    column("approved_amount", Numeric),
    column("approved_rate", Numeric),
    column("approved_term_months", Integer),
    column("decision_date", Date),
    column("decision_reason", Text),
    column("reviewed_by", Integer),
    column("risk_score", Integer),
    column("documents_verified", Boolean),
    column("created_at", DateTime(timezone=True)),
    column("updated_at", DateTime(timezone=True)),
)

__all__ = ["loan_applications", "users"]
