"""gmctl login / whoami / logout: passwords, lockout, who may sign in, and the session token."""

from __future__ import annotations

import hashlib
import json
import stat

from sqlalchemy import select

from gmctl.db.models import OperatorSession, SystemLog, User
from tests.auth.conftest import PASSWORD, login
from tests.helpers.accounts import make_user


def entries(session, action: str) -> list[SystemLog]:
    return list(session.scalars(select(SystemLog).where(SystemLog.action == action).order_by(SystemLog.id)))


def test_login_writes_a_private_token_and_keeps_only_its_hash(cli, env, session, staff):
    result = login(cli, "stella")
    assert result.exit_code == 0, result.stderr
    assert "signed in as stella" in result.stderr and result.stdout == ""
    token_file = env.gmctl_home / "session.token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = token_file.read_text().strip()
    row = session.scalars(select(OperatorSession).where(OperatorSession.user_id == staff.id)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
    assert (row.expires_at - row.created_at).total_seconds() == 8 * 3600
    session.refresh(staff)
    assert staff.last_login == env.clock() and staff.failed_login_attempts == 0
    (entry,) = entries(session, "session.login")
    assert entry.actor_id == staff.id and entry.target_id == str(staff.id)


def test_whoami_shows_the_operator_and_permissions(cli, staff):
    assert login(cli, "stella").exit_code == 0
    result = cli("--format", "json", "whoami")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["username"] == "stella" and "triage_services" in shown["permissions"]
    assert "manage_users" not in shown["permissions"]


def test_whoami_without_a_session_exits_4(cli):
    result = cli("whoami")
    assert result.exit_code == 4 and "not signed in" in result.stderr and "gmctl login" in result.stderr


def test_the_password_never_comes_from_argv(cli, staff):
    result = cli("login", "--username", "stella", "--password", PASSWORD)
    assert result.exit_code == 2 and "No such option" in result.stderr


def test_off_a_terminal_the_password_must_come_from_stdin(cli, staff):
    result = cli("login", "--username", "stella")
    assert result.exit_code == 2 and "--password-stdin" in result.stderr


def test_a_wrong_password_is_counted_and_refused(cli, session, staff):
    result = login(cli, "stella", "wrong-password")
    assert result.exit_code == 4 and "sign-in failed" in result.stderr
    session.refresh(staff)
    assert staff.failed_login_attempts == 1 and staff.locked_at is None
    assert entries(session, "session.login_failed")[0].level == "WARNING"


def test_five_failures_lock_the_account_until_unlocked(cli, env, session, staff):
    for _ in range(5):
        assert login(cli, "stella", "wrong-password").exit_code == 4
    session.refresh(staff)
    assert staff.locked_at == env.clock() and staff.failed_login_attempts == 5
    # Locked: refused even with the right password, and the password is not even checked.
    refused = login(cli, "stella")
    assert (
        refused.exit_code == 4
        and "locked" in refused.stderr
        and "gmctl users unlock stella" in refused.stderr
    )
    session.refresh(staff)
    assert staff.failed_login_attempts == 5
    admin = make_user(session, "adaeze", staff=True, roles=("admin",), password="Admin-Pass-123")
    assert login(cli, "adaeze", "Admin-Pass-123").exit_code == 0
    assert cli("users", "unlock", "stella").exit_code == 0
    assert login(cli, "stella").exit_code == 0
    assert admin.id != staff.id


def test_the_lockout_limit_is_configurable(make_env, session, staff):
    from tests.conftest import invoke

    env = make_env(environ={"GMCTL_MAX_FAILED_LOGINS": "2"})
    for _ in range(2):
        invoke(env, "login", "--username", "stella", "--password-stdin", input="nope-nope-nope\n")
    session.refresh(staff)
    assert staff.locked_at is not None


def test_a_customer_cannot_sign_in(cli, session):
    make_user(session, "kemi_customer", password=PASSWORD)
    result = login(cli, "kemi_customer")
    assert result.exit_code == 4 and "customer account" in result.stderr


def test_an_inactive_account_cannot_sign_in(cli, session):
    make_user(session, "gone", staff=True, is_active=False, password=PASSWORD)
    result = login(cli, "gone")
    assert result.exit_code == 4 and "deactivated" in result.stderr


def test_an_unknown_username_gets_the_same_answer_as_a_wrong_password(cli, staff):
    unknown = login(cli, "nobody")
    wrong = login(cli, "stella", "wrong-password")
    assert unknown.exit_code == wrong.exit_code == 4
    assert unknown.stderr == wrong.stderr


def test_a_superuser_without_staff_flag_may_sign_in(cli, session):
    make_user(session, "rooty", superuser=True, password=PASSWORD)
    assert login(cli, "rooty").exit_code == 0


def test_logout_revokes_the_session_and_deletes_the_token(cli, env, session, staff):
    assert login(cli, "stella").exit_code == 0
    result = cli("logout")
    assert result.exit_code == 0 and "signed out stella" in result.stderr
    assert not (env.gmctl_home / "session.token").exists()
    row = session.scalars(select(OperatorSession).where(OperatorSession.user_id == staff.id)).one()
    session.refresh(row)
    assert row.revoked_at is not None
    assert cli("whoami").exit_code == 4
    again = cli("logout")
    assert again.exit_code == 0 and "not signed in" in again.stderr


def test_signing_in_again_revokes_the_previous_token(cli, session, staff):
    assert login(cli, "stella").exit_code == 0
    assert login(cli, "stella").exit_code == 0
    rows = session.scalars(
        select(OperatorSession).where(OperatorSession.user_id == staff.id).order_by(OperatorSession.id)
    ).all()
    for row in rows:
        session.refresh(row)
    assert [row.revoked_at is None for row in rows] == [False, True]


def test_old_platform_hashes_are_upgraded_to_argon2id_on_sign_in(cli, session):
    django_pbkdf2 = (
        "pbkdf2_sha256$1000000$d0oTYDq6PEwvdlweZFIx9D$"
        "AUWzJEajk4MW9HQ5troBWUlB/cAfkhgemHqtTZJUOm0="
    )  # Django 5.2, "Lagos-Harbour-2024!"
    user = make_user(session, "olu", staff=True)
    user.password_hash = django_pbkdf2
    session.flush()
    assert login(cli, "olu", "Lagos-Harbour-2024!").exit_code == 0
    session.refresh(user)
    assert user.password_hash.startswith("argon2$argon2id$")
    assert login(cli, "olu", "Lagos-Harbour-2024!").exit_code == 0


def test_rehashing_can_be_turned_off(make_env, session):
    from tests.conftest import invoke

    user = make_user(session, "olu", staff=True)
    user.password_hash = "bcrypt$$2b$12$EmTA3RBkQVeECU9w4H9ZOOsKrq8ru6TVa8InYI28Yrd0wGOqNpTOW"
    session.flush()
    env = make_env(environ={"GMCTL_REHASH_ON_LOGIN": "0"})
    result = invoke(env, "login", "--username", "olu", "--password-stdin", input="Lagos-Harbour-2024!\n")
    assert result.exit_code == 0, result.stderr
    session.refresh(user)
    assert user.password_hash.startswith("bcrypt$$2b$")


def test_last_login_and_counter_reset_after_success(cli, session, staff):
    login(cli, "stella", "wrong-password")
    assert login(cli, "stella").exit_code == 0
    session.expire_all()
    user = session.get(User, staff.id)
    assert user.failed_login_attempts == 0 and user.last_login is not None
