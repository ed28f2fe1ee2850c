"""users update / deactivate / activate / unlock / reset-password and the guards around them."""

from __future__ import annotations

import json

from sqlalchemy import select

from gmctl.auth.passwords import verify_password
from gmctl.db.models import SystemLog
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user


def last_entry(session, action):
    return session.scalars(
        select(SystemLog).where(SystemLog.action == action).order_by(SystemLog.id.desc())
    ).first()


def test_update_shows_and_logs_old_and_new(cli, session, admin, customer):
    result = cli(
        "--format", "json", "users", "update", "kemi", "--phone", "+2348099990000", "--last-name", ""
    )
    assert result.exit_code == 0, result.stderr
    rows = {row["field"]: row for row in json.loads(result.stdout)}
    assert rows["phone"] == {"field": "phone", "old": "+2348031234567", "new": "+2348099990000"}
    assert rows["last_name"]["new"] is None
    session.refresh(customer)
    assert customer.phone == "+2348099990000" and customer.last_name is None
    entry = last_entry(session, "users.update")
    assert entry.changes["phone"] == {"old": "+2348031234567", "new": "+2348099990000"}


def test_update_validates_and_needs_something_to_change(cli, admin, customer):
    assert cli("users", "update", "kemi").exit_code == 2
    bad = cli("users", "update", "kemi", "--email", "not-an-email")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: email")
    same = cli("users", "update", "kemi", "--first-name", "Kemi")
    assert same.exit_code == 2 and "already has those values" in same.stderr


def test_superuser_status_only_from_a_superuser(cli, session, admin, customer):
    result = cli("users", "update", "kemi", "--superuser")
    assert result.exit_code == 4 and "only a superuser" in result.stderr


def test_a_superuser_account_is_out_of_an_admins_reach(cli, session, admin):
    make_user(session, "rooty", superuser=True)
    for args in (
        ("update", "rooty", "--first-name", "X"),
        ("deactivate", "rooty"),
        ("reset-password", "rooty"),
    ):
        result = cli("users", *args)
        assert result.exit_code == 4 and "only a superuser" in result.stderr, args


def test_deactivate_and_activate(cli, session, admin, customer):
    assert cli("users", "deactivate", "kemi").exit_code == 0
    session.refresh(customer)
    assert customer.is_active is False
    again = cli("users", "deactivate", "kemi")
    assert again.exit_code == 2 and "already inactive" in again.stderr
    assert cli("users", "activate", "kemi").exit_code == 0
    session.refresh(customer)
    assert customer.is_active is True
    assert last_entry(session, "users.activate").changes == {"is_active": {"old": False, "new": True}}


def test_you_cannot_deactivate_yourself(cli, admin):
    result = cli("users", "deactivate", "adaeze")
    assert result.exit_code == 2 and "your own account" in result.stderr


def test_a_superuser_can_deactivate_another_superuser(cli, session, root):
    other = make_user(session, "second_root", superuser=True)
    assert cli("users", "deactivate", "second_root").exit_code == 0
    session.refresh(other)
    assert other.is_active is False


def test_the_last_active_superuser_stays(session):
    import pytest

    from gmctl.accounts.lifecycle import deactivate
    from gmctl.auth.operator import Operator
    from gmctl.errors import InvalidInput

    lone = make_user(session, "lone_root", superuser=True)
    someone = Operator(user_id=-1, username="someone", is_superuser=True, permissions=frozenset())
    with pytest.raises(InvalidInput, match="last active superuser"):
        deactivate(session, someone, lone, FIXED_NOW)


def test_unlock_clears_the_lock_and_the_count(cli, session, admin):
    user = make_user(session, "locky", staff=True)
    user.locked_at, user.failed_login_attempts = FIXED_NOW, 5
    session.flush()
    assert cli("users", "unlock", "locky").exit_code == 0
    session.refresh(user)
    assert user.locked_at is None and user.failed_login_attempts == 0
    assert cli("users", "unlock", "locky").exit_code == 2


def test_reset_password_generated_or_from_stdin(cli, session, admin, customer):
    generated = cli("--format", "json", "users", "reset-password", "kemi")
    assert generated.exit_code == 0, generated.stderr
    password = json.loads(generated.stdout)["password"]
    session.refresh(customer)
    assert verify_password(password, customer.password_hash) and customer.password_changed_at == FIXED_NOW
    chosen = cli("users", "reset-password", "kemi", "--password-stdin", input="Brand-New-Secret-77\n")
    assert chosen.exit_code == 0 and chosen.stdout == ""
    session.refresh(customer)
    assert verify_password("Brand-New-Secret-77", customer.password_hash)
    entry = last_entry(session, "users.reset_password")
    assert "password_hash" not in entry.changes and "Brand-New" not in json.dumps(entry.changes)
