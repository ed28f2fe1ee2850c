"""The loans commands as people and scripts meet them: formats, streams, exit codes, messages."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from gmctl.db.models import SystemLog
from gmctl.errors import NOT_FOUND, NOT_PERMITTED, USAGE
from tests.conftest import TtyStringIO, invoke
from tests.helpers.accounts import sign_in


def test_list_is_the_open_queue_oldest_first_with_exact_money(cli, signed_in_boss, make_loan):
    from datetime import timedelta

    from tests.conftest import FIXED_NOW

    newer = make_loan(amount="1500000.50")
    older = make_loan(status="under_review", created_at=FIXED_NOW - timedelta(days=9))
    make_loan(status="approved")
    result = cli("loans", "list", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [older.id, newer.id]
    assert rows[1]["amount"] == "1500000.50" and rows[0]["cursor"] and result.stderr == ""


def test_list_filters(cli, signed_in_boss, make_loan, boss):
    small = make_loan(amount="100000", loan_type="auto")
    big = make_loan(amount="3000000", status="under_review", reviewed_by=boss.id)
    closed = make_loan(status="rejected")

    def ids(*args):
        result = cli("loans", "list", "-f", "json", *args)
        assert result.exit_code == 0, result.stderr
        return {r["id"] for r in json.loads(result.stdout)}

    assert ids("--min-amount", "₦1,000,000") == {big.id}
    assert ids("--max-amount", "NGN 200000") == {small.id}
    assert ids("--type", "auto") == {small.id}
    assert ids("--reviewer", "me") == {big.id} and ids("--reviewer", "none") == {small.id}
    assert ids("--status", "closed") == {closed.id}
    assert ids("--status", "all") == {small.id, big.id, closed.id}
    assert ids("--risk-at-least", "41") == set()


def test_list_pages_with_a_cursor_on_stderr(cli, signed_in_boss, make_loan):
    for _ in range(3):
        make_loan()
    first = cli("loans", "list", "--limit", "2", "-f", "json")
    cursor = first.stderr.split("--after ")[1].strip()
    second = cli("loans", "list", "--limit", "2", "-f", "json", "--after", cursor)
    assert len(json.loads(first.stdout)) == 2 and len(json.loads(second.stdout)) == 1


def test_list_tsv_when_piped_and_csv_on_request(cli, signed_in_boss, make_loan):
    loan = make_loan(amount="1234567.50")
    tsv = cli("loans", "list")
    assert tsv.stdout.splitlines()[0].split("\t")[:4] == ["id", "status", "loan_type", "amount"]
    assert "1234567.50" in tsv.stdout and "₦" not in tsv.stdout
    rows = list(csv.DictReader(io.StringIO(cli("loans", "list", "-f", "csv").stdout)))
    assert rows[0]["id"] == str(loan.id) and rows[0]["amount"] == "1234567.50"


def test_list_on_a_terminal_groups_naira(make_env, session, boss, make_loan, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    make_loan(amount="1234567.50")
    env = make_env(out=TtyStringIO())
    sign_in(env, session, boss)
    result = invoke(env, "loans", "list")
    assert result.exit_code == 0, result.stderr
    assert "₦1,234,567.50" in env.out.getvalue()


def test_show_json_has_affordability_and_says_gross_or_net(cli, signed_in_boss, make_loan):
    loan = make_loan(income="400000", debts="100000")
    result = cli("loans", "show", str(loan.id), "-f", "json", "--rate", "24")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    check = doc["affordability"]
    assert check["proposed_instalment"] == "47279.80" and check["dti_percent"] == "36.82"
    assert check["within_limit"] is False and check["limit_percent"] == "33.33"
    assert "gross" in check["income"] and doc["applicant"]["income_basis"] == "gross"
    assert doc["documents"]["verified"] is True and doc["risk"]["factors"] == ["short_credit_history"]


def test_show_says_net_when_configured(cli, signed_in_boss, make_loan, env):
    env.gmctl_home.mkdir(parents=True, exist_ok=True)
    (env.gmctl_home / "config.toml").write_text('[loans]\nincome_basis = "net"\nmax_dti = "40%"\n')
    loan = make_loan(income="400000", debts="100000")
    doc = json.loads(cli("loans", "show", str(loan.id), "-f", "json", "--rate", "24").stdout)
    assert "net" in doc["affordability"]["income"] and doc["affordability"]["limit_percent"] == "40.00"
    assert doc["affordability"]["within_limit"] is True


def test_review_approve_schedule_key_facts_and_the_trail(cli, make_env, session, staff_officer, checker, make_loan):
    loan = make_loan(amount="1500000", income="2000000")
    officer_env = make_env()
    sign_in(officer_env, session, staff_officer)
    reviewed = invoke(officer_env, "loans", "review", str(loan.id))
    assert reviewed.exit_code == 0, reviewed.stderr
    assert "submitted -> under_review" in reviewed.stderr and reviewed.stdout == ""
    denied = invoke(officer_env, "loans", "approve", str(loan.id), "--amount", "1500000", "--rate", "24",
                    "--term", "12", "--reason", "ok")
    assert denied.exit_code == NOT_PERMITTED and "decide_loans" in denied.stderr

    def as_checker(*args):  # a fresh Env per command, as each gmctl run has
        checker_env = make_env()
        sign_in(checker_env, session, checker)
        return invoke(checker_env, *args)

    approved = as_checker("loans", "approve", str(loan.id), "--amount", "1,500,000", "--rate", "24%",
                      "--term", "12", "--fee", "15000", "--reason", "Salary account with us")
    assert approved.exit_code == 0, approved.stderr
    # 3 x the reference loan: 3 x 47,279.798... = 141,839.39
    assert "₦141,839.39 a month" in approved.stderr and "customer notified" in approved.stderr
    schedule = as_checker("loans", "schedule", str(loan.id), "-f", "json")
    doc = json.loads(schedule.stdout)
    assert doc["instalment"] == "141839.39" and len(doc["rows"]) == 12 and doc["fee"] == "15000.00"
    facts = json.loads(as_checker("loans", "key-facts", str(loan.id), "-f", "json").stdout)
    assert facts["principal"] == "1500000.00" and facts["amount_received"] == "1485000.00"
    assert facts["cooling_off_ends"] == "2026-11-30"  # signed Wed 25 Nov: Thu, Fri, (weekend), Mon
    assert facts["complaints"].startswith("Complaints:")
    text = as_checker("loans", "key-facts", str(loan.id))
    assert "Key Fact Statement" in text.stdout and "₦15,000.00" in text.stdout
    markdown = as_checker("loans", "key-facts", str(loan.id), "--markdown")
    assert markdown.stdout.startswith("# Key Fact Statement") and "| APR |" in markdown.stdout
    trail = json.loads(as_checker("loans", "show", str(loan.id), "-f", "json").stdout)["trail"]
    assert [t["action"] for t in trail] == ["loans.review", "loans.approve"]
    assert [t["by"] for t in trail] == ["ada", "checker"]


def test_dual_control_refusal_says_why(cli, signed_in_boss, boss, make_loan):
    loan = make_loan(status="under_review", reviewed_by=boss.id, amount="2000000", income="9000000")
    result = cli("loans", "approve", str(loan.id), "--amount", "2000000", "--rate", "24", "--term", "12",
                 "--reason", "x")
    assert result.exit_code == NOT_PERMITTED
    assert "needs two people" in result.stderr and "you are the reviewer" in result.stderr


def test_quote_prints_rows_and_totals(cli_nodb):
    result = cli_nodb("loans", "quote", "--amount", "500000", "--rate", "24", "--term", "12", "--start", "2026-01-31")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == ["number", "due_date", "instalment", "interest", "principal", "balance"]
    assert lines[1].split("\t")[:3] == ["1", "2026-02-28", "47279.80"] and lines[12].split("\t")[2] == "47279.78"
    assert "total interest 67357.58;" in result.stderr and "APR 24.0% nominal" in result.stderr
    flat = cli_nodb("loans", "quote", "--amount", "500000", "--rate", "24", "--term", "12", "--method", "flat",
                    "-f", "json")
    assert json.loads(flat.stdout)["apr_nominal_percent"] == "41.7"


@pytest.mark.parametrize("args,code,words", [
    (("--amount", "0"), USAGE, "--amount must be more than zero"),
    (("--amount", "-5"), USAGE, "--amount"),
    (("--amount", "12x"), USAGE, "--amount '12x' is not an amount"),
    (("--amount", "99999999999"), USAGE, "too large"),
    (("--rate", "2.4"), USAGE, "out of bounds"),
    (("--rate", "240"), USAGE, "out of bounds"),
    (("--term", "361"), USAGE, "1 to 360"),
    (("--method", "balloon"), USAGE, "not a repayment method"),
    (("--fee", "600000"), USAGE, "--fee"),
    (("--start", "31/01/2026"), USAGE, "--start"),
])  # fmt: skip
def test_quote_refuses_bad_input_with_exit_2_and_no_traceback(cli_nodb, args, code, words):
    base = {"--amount": "500000", "--rate": "24", "--term": "12"}
    base.update(dict(zip(args[::2], args[1::2])))
    argv = [x for kv in base.items() for x in kv]
    result = cli_nodb("loans", "quote", *argv)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert words in result.stderr and "Traceback" not in result.stderr and "unexpected" not in result.stderr


@pytest.mark.parametrize("args,code,words", [
    (("loans", "show", "999999"), NOT_FOUND, "no loan application 999999"),
    (("loans", "review", "999999"), NOT_FOUND, "no loan application"),
    (("loans", "list", "--status", "done"), USAGE, "unknown loan status"),
    (("loans", "list", "--type", "gold"), USAGE, "not a loan type"),
    (("loans", "list", "--after", "nonsense"), USAGE, "not a cursor"),
    (("loans", "list", "--min-amount", "abc"), USAGE, "--min-amount"),
    (("loans", "expire", "--older-than", "soon"), USAGE, "--older-than"),
])  # fmt: skip
def test_errors_have_their_exit_codes(cli, signed_in_boss, args, code, words):
    result = cli(*args)
    assert result.exit_code == code, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr


def test_refused_move_exits_2_and_writes_nothing(cli, signed_in_boss, make_loan, session):
    loan = make_loan(status="approved")
    before = session.scalar(select(func.count()).select_from(SystemLog))
    result = cli("loans", "reject", str(loan.id), "--reason", "changed my mind")
    assert result.exit_code == USAGE and "it is approved" in result.stderr
    assert session.scalar(select(func.count()).select_from(SystemLog)) == before


def test_schedule_of_an_undecided_application_points_to_quote(cli, signed_in_boss, make_loan):
    loan = make_loan()
    result = cli("loans", "schedule", str(loan.id))
    assert result.exit_code == USAGE and "not approved" in result.stderr and "loans quote" in result.stderr


def test_not_signed_in_is_exit_4(cli, make_loan):
    result = cli("loans", "list")
    assert result.exit_code == NOT_PERMITTED and "view_loans" in result.stderr


def test_stats_json(cli, signed_in_boss, make_loan, staff_officer):
    make_loan(status="approved", approved_amount=__import__("decimal").Decimal("400000"),
              approved_rate=__import__("decimal").Decimal("0.24"), approved_term_months=12,
              decision_date=__import__("datetime").date(2026, 11, 25))
    make_loan(status="rejected", decision_date=__import__("datetime").date(2026, 11, 24))
    make_loan(income="100000", debts="50000")  # breaches at any rate
    result = cli("loans", "stats", "-f", "json")
    assert result.exit_code == 0, result.stderr
    totals = json.loads(result.stdout)["totals"]
    assert totals["approved"] == 1 and totals["rejected"] == 1 and totals["approval_rate_percent"] == "50.0"
    assert totals["dti_breaches"] >= 1 and totals["amount_approved"] == "400000.00"
    # created 23 Nov (Lagos); decided 25 and 24 Nov: 2 and 1 days, median 1.5
    assert totals["median_days_to_decision"] == "1.5"
