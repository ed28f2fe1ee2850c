"""The installed `gmctl` as a separate process against a test database: review, approve, schedule, key facts.

Two officers sign in with their own GMCTL_HOME (their own sign-in token); the loan is above the
two-person threshold, so the reviewer cannot approve it and the second officer does.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from tests.e2e.conftest import run_gmctl  # noqa: F401 - the fixture
from tests.helpers.accounts import make_user
from tests.loans.conftest import add_loan


def test_review_approve_schedule_key_facts(scratch_engine, scratch_url, run_gmctl, tmp_path):  # noqa: F811
    with Session(scratch_engine, expire_on_commit=False) as setup:
        make_user(setup, "ada", staff=True, roles=("admin",), password="Reviewer-pass-2026")
        make_user(setup, "bisi", staff=True, roles=("admin",), password="Approver-pass-2026")
        customer = make_user(setup, "chinedu", first_name="Chinedu", last_name="Eze")
        loan = add_loan(setup, customer.id, amount="1500000", income="2500000", term=12)
        setup.commit()
    ada, bisi = tmp_path / "ada", tmp_path / "bisi"
    for home, name, secret in ((ada, "ada", "Reviewer-pass-2026"), (bisi, "bisi", "Approver-pass-2026")):
        signed = run_gmctl("login", "--username", name, "--password-stdin", home=home, url=scratch_url,
                           stdin=secret + "\n")
        assert signed.returncode == 0, signed.stderr

    reviewed = run_gmctl("loans", "review", str(loan.id), home=ada, url=scratch_url)
    assert reviewed.returncode == 0, reviewed.stderr
    assert "submitted -> under_review; reviewer ada" in reviewed.stderr

    approve = ("loans", "approve", str(loan.id), "--amount", "₦1,500,000", "--rate", "24%", "--term", "12",
               "--reason", "Salary account with us")
    own = run_gmctl(*approve, home=ada, url=scratch_url)
    assert own.returncode == 4 and "needs two people" in own.stderr and "Traceback" not in own.stderr
    approved = run_gmctl(*approve, home=bisi, url=scratch_url)
    assert approved.returncode == 0, approved.stderr
    assert "approved ₦1,500,000.00 at 24% per annum over 12 months" in approved.stderr

    schedule = run_gmctl("loans", "schedule", str(loan.id), "--start", "2026-01-31", home=bisi, url=scratch_url)
    assert schedule.returncode == 0, schedule.stderr
    rows = [line.split("\t") for line in schedule.stdout.splitlines()]
    assert rows[0] == ["number", "due_date", "instalment", "interest", "principal", "balance"]
    assert [r[1] for r in rows[1:4]] == ["2026-02-28", "2026-03-31", "2026-04-30"]
    assert rows[-1][-1] == "0.00" and len(rows) == 13
    assert "APR 24.0% nominal" in schedule.stderr

    facts = run_gmctl("loans", "key-facts", str(loan.id), "-f", "json", home=bisi, url=scratch_url)
    assert facts.returncode == 0, facts.stderr
    document = json.loads(facts.stdout)
    assert document["principal"] == "1500000.00" and document["number_of_instalments"] == 12
    assert document["apr_nominal_percent"] == "24.0" and document["borrower"] == "Chinedu Eze"
    text = run_gmctl("loans", "key-facts", str(loan.id), home=bisi, url=scratch_url)
    assert text.stdout.startswith("Key Fact Statement: loan application #") and "Cooling-off ends" in text.stdout
