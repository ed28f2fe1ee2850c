"""Demo accounts for `db seed --demo`: an admin and two staff members with strong generated passwords."""

from __future__ import annotations

import json

from sqlalchemy import select

from gmctl.accounts.demo import create_demo_accounts
from gmctl.auth.passwords import verify_password
from gmctl.auth.sessions import start_session
from gmctl.db.models import User
from tests.conftest import FIXED_NOW


def test_demo_accounts_are_an_admin_and_two_staff(session):
    accounts = create_demo_accounts(session, FIXED_NOW)
    assert sorted(a.role for a in accounts) == ["admin", "staff", "staff"]
    for account in accounts:
        user = session.get(User, account.user_id)
        assert user.username == account.username and user.is_staff and not user.is_superuser
        assert len(account.password) == 20 and verify_password(account.password, user.password_hash)


def test_running_the_demo_again_keeps_the_accounts_and_renews_the_passwords(session):
    first = create_demo_accounts(session, FIXED_NOW)
    second = create_demo_accounts(session, FIXED_NOW)
    assert [a.user_id for a in first] == [a.user_id for a in second]
    assert all(a.password != b.password for a, b in zip(first, second))
    assert len(session.scalars(select(User).where(User.username.like("demo_%"))).all()) == 3


def test_start_session_signs_the_demo_admin_in(cli, env, session):
    admin = next(a for a in create_demo_accounts(session, FIXED_NOW) if a.role == "admin")
    started = start_session(env, session, session.get(User, admin.user_id))
    assert started.operator.can("manage_users") and env.operator is None
    result = cli("--format", "json", "whoami")
    assert result.exit_code == 0 and json.loads(result.stdout)["username"] == admin.username
