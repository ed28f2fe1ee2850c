"""Session lifetime: expiry (8 h by default, configurable); revocation by deactivation and password reset."""

from __future__ import annotations

from datetime import timedelta

from tests.auth.conftest import PASSWORD, another_terminal, login
from tests.conftest import FIXED_NOW, invoke
from tests.helpers.accounts import make_user


def test_a_session_expires_after_eight_hours(cli, env, staff):
    assert login(cli, "stella").exit_code == 0
    env.clock = lambda: FIXED_NOW + timedelta(hours=7, minutes=59)
    assert cli("whoami").exit_code == 0
    env.clock = lambda: FIXED_NOW + timedelta(hours=8)
    result = cli("users", "list")
    assert result.exit_code == 4 and "expired" in result.stderr and "view_users" in result.stderr


def test_the_session_length_is_configurable(make_env, staff):
    env = make_env(environ={"GMCTL_SESSION_HOURS": "1"})
    assert (
        invoke(env, "login", "--username", "stella", "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    )
    env.clock = lambda: FIXED_NOW + timedelta(minutes=61)
    assert invoke(env, "whoami").exit_code == 4


def test_the_session_length_can_come_from_config_toml(make_env, staff):
    env = make_env()
    env.gmctl_home.mkdir(parents=True, exist_ok=True)
    (env.gmctl_home / "config.toml").write_text("[auth]\nsession_hours = 2\n")
    _stella_signed_in(env)
    env.clock = lambda: FIXED_NOW + timedelta(hours=2, seconds=1)
    assert invoke(env, "whoami").exit_code == 4


def test_deactivating_an_account_ends_its_sessions(make_env, session, staff):
    staff_env = _stella_signed_in(make_env())
    admin_env = _admin_env(make_env, session)
    result = invoke(admin_env, "users", "deactivate", "stella")
    assert result.exit_code == 0 and "1 session(s) ended" in result.stderr
    refused = invoke(staff_env, "whoami")
    assert refused.exit_code == 4 and "session was ended" in refused.stderr


def test_a_password_reset_ends_the_sessions(make_env, session, staff):
    staff_env = _stella_signed_in(make_env())
    admin_env = _admin_env(make_env, session)
    assert invoke(admin_env, "users", "reset-password", "stella").exit_code == 0
    assert invoke(staff_env, "whoami").exit_code == 4


def test_removing_staff_status_ends_the_sessions(make_env, session, staff):
    staff_env = _stella_signed_in(make_env())
    admin_env = _admin_env(make_env, session)
    assert invoke(admin_env, "users", "update", "stella", "--no-staff").exit_code == 0
    assert invoke(staff_env, "whoami").exit_code == 4


def test_a_token_from_another_database_is_not_a_session(env, cli):
    env.gmctl_home.mkdir(parents=True, exist_ok=True)
    (env.gmctl_home / "session.token").write_text("made-up-token\n")
    result = cli("whoami")
    assert result.exit_code == 4 and "not signed in to this database" in result.stderr


def _stella_signed_in(env):
    result = invoke(env, "login", "--username", "stella", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.stderr
    return env


def _admin_env(make_env, session):
    make_user(session, "adaeze", staff=True, roles=("admin",), password="Admin-Pass-123")
    admin_env = another_terminal(make_env, "admin-home")
    result = invoke(admin_env, "login", "--username", "adaeze", "--password-stdin", input="Admin-Pass-123\n")
    assert result.exit_code == 0, result.stderr
    return admin_env
