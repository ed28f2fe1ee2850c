"""The command line: formats, exit codes, stdout versus stderr, permissions."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

from tests.conftest import TtyStringIO, invoke
from tests.payments.conftest import DATA, add_payment

AT = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def test_list_json_and_csv(cli, finance, session, payer):
    add_payment(session, payer.id, amount="1234.50", reference="GMS-CLI-1")
    result = cli("payments", "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["amount"] == "1234.50" and row["customer"] == "ngozi" and "cursor" in row
    result = cli("-f", "csv", "payments", "list", "--reference", "GMS-CLI")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["reference"] == "GMS-CLI-1" and rows[0]["amount"] == "1234.50"
    assert result.stderr == ""


def test_list_bad_options_exit_2(cli, finance):
    result = cli("payments", "list", "--status", "paid")
    assert result.exit_code == 2 and "--status 'paid'" in result.stderr and result.stdout == ""
    result = cli("payments", "list", "--min-amount", "lots")
    assert result.exit_code == 2 and "--min-amount" in result.stderr
    assert "unexpected" not in result.stderr


def test_show_missing_is_exit_3(cli, finance):
    result = cli("payments", "show", "GMS-NOPE")
    assert result.exit_code == 3 and "no payment 'GMS-NOPE'" in result.stderr


def test_refund_needs_manage_payments(cli, viewer, session, payer):
    add_payment(session, payer.id, reference="GMS-CLI-2")
    result = cli("payments", "refund", "GMS-CLI-2", "--reason", "test")
    assert result.exit_code == 4 and "manage_payments" in result.stderr


def test_refund_then_replay_then_conflict(cli, finance, session, payer):
    add_payment(session, payer.id, amount="5000.00", reference="GMS-CLI-3")
    first = cli("-f", "json", "payments", "refund", "GMS-CLI-3", "--amount", "₦1,000", "--reason", "late",
                "--idempotency-key", "abc")
    assert first.exit_code == 0, first.stderr
    body = json.loads(first.stdout)
    assert body["amount"] == "1000.00" and body["replayed"] is False and "customer notified" in first.stderr
    again = cli("payments", "refund", "GMS-CLI-3", "--amount", "1000", "--reason", "late", "--idempotency-key", "abc")
    assert again.exit_code == 0 and "already recorded" in again.stderr
    clash = cli("payments", "refund", "GMS-CLI-3", "--amount", "2000", "--reason", "late", "--idempotency-key", "abc")
    assert clash.exit_code == 2 and "was used for refund" in clash.stderr
    done = cli("payments", "refund-done", str(body["id"]), "--gateway-ref", "RFND_9")
    assert done.exit_code == 0 and "processed" in done.stderr


def test_summary_plain_when_piped_and_bars_on_a_terminal(make_env, finance, session, payer):
    add_payment(session, payer.id, amount="2000.00", created_at=AT)
    env = make_env()
    env.operator = finance
    piped = invoke(env, "-f", "tsv", "payments", "summary", "--since", "2026-11-19", "--until", "2026-11-21")
    assert piped.exit_code == 0, piped.stderr
    lines = piped.stdout.splitlines()
    assert lines[0] == "period\tcount\tamount\tsuccess_rate\trefunds"
    assert "2026-11-20\t1\t2000.00\t100.0\t0.00" in lines and "█" not in piped.stdout
    tty = TtyStringIO()
    env = make_env(out=tty)
    env.operator = finance
    shown = invoke(env, "payments", "summary", "--since", "2026-11-19", "--until", "2026-11-21")
    assert shown.exit_code == 0
    assert "█" in tty.getvalue() and "₦2,000.00" in tty.getvalue()


def test_reconcile_exit_codes_and_streams(cli, finance, session, payer, tmp_path):
    add_payment(session, payer.id, amount="10000.00", reference="T-MATCHED", txn="PSTK-1", created_at=AT)
    good = tmp_path / "one.csv"
    lines = (DATA / "paystack_every_category.csv").read_text().splitlines()
    good.write_text("\n".join(lines[:2]) + "\n")
    result = cli("payments", "reconcile", str(good), "--gateway", "paystack")
    assert result.exit_code == 0, result.stderr
    assert "1 matched" in result.stderr and "Every line matched." in result.stderr
    result = cli("payments", "reconcile", str(DATA / "paystack_every_category.csv"), "--gateway", "paystack")
    assert result.exit_code == 1
    assert "missing_in_ledger" in result.stdout and "reconciled 9 paystack line(s)" in result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(lines[0] + "\n" + lines[1] + "\n\n")
    result = cli("payments", "reconcile", str(bad), "--gateway", "paystack", "--apply")
    assert result.exit_code == 2 and "line 3: blank line" in result.stderr and result.stdout == ""
    result = cli("payments", "reconcile", str(good), "--gateway", "stripe")
    assert result.exit_code == 2 and "--gateway 'stripe'" in result.stderr
    result = cli("payments", "reconcile", str(tmp_path / "none.csv"), "--gateway", "paystack")
    assert result.exit_code == 1 and "No such file" in result.stderr and "unexpected" not in result.stderr


def test_methods_and_set_default(cli, finance, session, payer):
    from tests.payments.test_ledger import add_card

    old = add_card(session, payer.id, 6, 2030, default=True)
    new = add_card(session, payer.id, 7, 2031)
    listed = cli("-f", "json", "payments", "methods", "--user", "ngozi")
    assert listed.exit_code == 0, listed.stderr
    assert [m["method"] for m in json.loads(listed.stdout)] == ["Visa ****1234 exp 06/2030", "Visa ****1234 exp 07/2031"]
    changed = cli("payments", "methods", "set-default", str(new.id))
    assert changed.exit_code == 0 and f"(was {old.id})" in changed.stderr
    missing = cli("payments", "methods", "set-default", "999999")
    assert missing.exit_code == 3
