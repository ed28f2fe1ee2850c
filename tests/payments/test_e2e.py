"""The installed `gmctl` on the demo data: reconcile the sample Paystack export, then --apply."""

from __future__ import annotations

import csv
import io

import pytest

from tests.e2e.conftest import run_gmctl  # noqa: F401  (the fixture)


@pytest.fixture
def demo_home(run_gmctl, tmp_path):  # noqa: F811
    home = tmp_path / "home"
    seeded = run_gmctl("db", "seed", "--demo", home=home, timeout=300)
    assert seeded.returncode == 0, seeded.stderr
    yield home
    run_gmctl("db", "server", "stop", home=home)


def test_reconcile_the_demo_export_then_apply(run_gmctl, demo_home):  # noqa: F811
    export = demo_home / "demo" / "paystack_export.csv"
    first = run_gmctl("payments", "reconcile", str(export), "--gateway", "paystack", home=demo_home)
    assert first.returncode == 1, first.stderr
    rows = list(csv.DictReader(io.StringIO(first.stdout), delimiter="\t"))
    categories = sorted(r["category"] for r in rows)
    assert categories == ["amount_mismatch", "status_mismatch", "status_mismatch"]
    assert "1 amount_mismatch" in first.stderr and "2 status_mismatch" in first.stderr
    planted = next(r for r in rows if r["category"] == "amount_mismatch")
    assert planted["ledger_amount"] != planted["gateway_amount"]

    applied = run_gmctl("payments", "reconcile", str(export), "--gateway", "paystack", "--apply", home=demo_home)
    assert applied.returncode == 1, applied.stderr  # the amount mismatch is still there
    assert "applied 2 status change(s), 1 refund(s) processed" in applied.stderr
    done = {r["reference"]: r["applied"] for r in csv.DictReader(io.StringIO(applied.stdout), delimiter="\t")}
    assert sorted(v for v in done.values() if v) == ["→ completed", "→ failed"]

    again = run_gmctl("payments", "reconcile", str(export), "--gateway", "paystack", home=demo_home)
    assert again.returncode == 1
    left = list(csv.DictReader(io.StringIO(again.stdout), delimiter="\t"))
    assert [r["category"] for r in left] == ["amount_mismatch"]
    shown = run_gmctl("-f", "json", "payments", "show", planted["reference"], home=demo_home)
    assert f'"amount": "{planted["ledger_amount"]}"' in shown.stdout  # the ledger's amount was left alone
