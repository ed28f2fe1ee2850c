"""`loans expire`: idle open applications expire in batches, under the cron lock; dry run; one line piped."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gmctl.context import Env
from gmctl.db.models import LoanApplication, ServiceRequest, StatusChange, SystemLog
from gmctl.errors import BUSY
from gmctl.retention.lock import exclusive_run
from tests.conftest import FIXED_NOW, invoke
from tests.helpers.accounts import make_user
from tests.loans.conftest import add_loan


def _env(url: str, tmp_path, **environ) -> Env:
    return Env(environ={"GMCTL_HOME": str(tmp_path / "home"), "NO_COLOR": "1", **environ}, home=tmp_path / "home",
               clock=lambda: FIXED_NOW, database_url=url)


def _setup(engine):
    with Session(engine, expire_on_commit=False) as setup:
        customer = make_user(setup, "chinedu")
        old = FIXED_NOW - timedelta(days=45)
        idle = [add_loan(setup, customer.id, created_at=old).id for _ in range(5)]
        idle.append(add_loan(setup, customer.id, status="under_review", created_at=old).id)
        fresh = add_loan(setup, customer.id, created_at=FIXED_NOW - timedelta(days=3)).id
        decided = add_loan(setup, customer.id, status="approved", created_at=old).id
        setup.commit()
    return idle, fresh, decided


def test_expire_moves_idle_open_applications_in_batches(scratch_engine, scratch_url, tmp_path):
    idle, fresh, decided = _setup(scratch_engine)
    dry = invoke(_env(scratch_url, tmp_path, GMCTL_UNATTENDED="1"), "loans", "expire", "--older-than", "30d",
                 "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout == "loans expire dry run: 6 application(s) idle for over 30d would expire; nothing changed\n"
    result = invoke(_env(scratch_url, tmp_path, GMCTL_UNATTENDED="1"), "loans", "expire", "--older-than", "30d",
                    "--batch-size", "4")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and "6 application(s)" in lines[0] and "6 request(s) cancelled" in lines[0]
    assert "in 2 batch(es)" in lines[0]
    with Session(scratch_engine) as check:
        statuses = dict(check.execute(select(LoanApplication.id, LoanApplication.application_status)).all())
        assert all(statuses[i] == "expired" for i in idle)
        assert statuses[fresh] == "submitted" and statuses[decided] == "approved"
        loan = check.get(LoanApplication, idle[0])
        assert loan.decision_date.isoformat() == "2026-11-25" and "no activity" in loan.decision_reason
        assert check.get(ServiceRequest, loan.service_request_id).status == "cancelled"
        history = check.scalars(select(StatusChange).where(StatusChange.service_request_id == loan.service_request_id)
                                .order_by(StatusChange.id.desc())).first()
        assert history.new_status == "cancelled" and history.changed_by is None
        logs = check.scalars(select(SystemLog).where(SystemLog.action == "loans.expire")).all()
        assert len(logs) == 6
        assert logs[0].changes["application_status"] == {"old": "submitted", "new": "expired"}
    again = invoke(_env(scratch_url, tmp_path, GMCTL_UNATTENDED="1"), "loans", "expire")
    assert "0 application(s)" in again.stdout


def test_expire_without_a_person_or_unattended_is_exit_4(scratch_url, tmp_path):
    result = invoke(_env(scratch_url, tmp_path), "loans", "expire")
    assert result.exit_code == 4 and "GMCTL_UNATTENDED=1" in result.stderr


def test_a_second_run_while_one_holds_the_lock_exits_75(scratch_engine, scratch_url, tmp_path):
    _setup(scratch_engine)
    with exclusive_run(scratch_engine, "loans-expire", leftover_wait=0):
        result = invoke(_env(scratch_url, tmp_path, GMCTL_UNATTENDED="1"), "loans", "expire")
    assert result.exit_code == BUSY and "another loans-expire run is active" in result.stderr
    with scratch_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM loan_applications WHERE application_status = 'expired'")
                            ).scalar() == 0
