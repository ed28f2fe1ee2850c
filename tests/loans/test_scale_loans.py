"""`db seed --scale` brings loans in proportion: one application per loans request, statuses agreeing."""

from __future__ import annotations

from sqlalchemy import text

from gmctl.seed.scale import seed_scale
from tests.conftest import FIXED_NOW


def test_a_scale_unit_has_an_application_for_each_loans_request(scratch_engine):
    result = seed_scale(scratch_engine, 1, FIXED_NOW, jobs=1)
    with scratch_engine.connect() as conn:
        loans_requests = conn.execute(text("SELECT count(*) FROM service_requests WHERE service_type = 'loans'")).scalar()
        pairs = dict(conn.execute(text(
            "SELECT r.status || '/' || l.application_status, count(*) FROM loan_applications l"
            " JOIN service_requests r ON r.id = l.service_request_id GROUP BY 1")).all())
        strays = conn.execute(text(
            "SELECT count(*) FROM loan_applications l JOIN service_requests r ON r.id = l.service_request_id"
            " WHERE r.service_type <> 'loans' OR r.user_id <> l.user_id")).scalar()
    assert result.counts["loan_applications"] == loans_requests == sum(pairs.values()) > 500
    assert strays == 0
    allowed = {"pending/submitted", "confirmed/under_review", "in_progress/under_review", "on_hold/under_review",
               "completed/approved", "failed/rejected", "cancelled/withdrawn", "cancelled/expired"}
    assert set(pairs) <= allowed and {"completed/approved", "cancelled/expired"} <= set(pairs)
