"""users mfa enable / disable / backup-codes, driven as a person at a terminal would."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pyotp
from sqlalchemy import select

from gmctl.db.models import SystemLog
from tests.conftest import FIXED_NOW, TtyStringIO, invoke
from tests.helpers.accounts import make_user, sign_in


class AuthenticatorApp(TtyStringIO):
    """A terminal's keyboard whose person reads the URI off the screen and types the app's code."""

    def __init__(self, screen: TtyStringIO, wrong_first: int = 0):
        super().__init__()
        self.screen, self.wrong_left = screen, wrong_first

    def readline(self, *args) -> str:
        if self.wrong_left:
            self.wrong_left -= 1
            return "000000\n"
        uri = re.search(r"otpauth://\S+", self.screen.getvalue()).group(0)
        secret = parse_qs(urlparse(uri).query)["secret"][0]
        return pyotp.TOTP(secret).at(FIXED_NOW) + "\n"


def terminal_env(make_env, session, wrong_first=0):
    screen = TtyStringIO()
    env = make_env(out=screen, err=TtyStringIO())
    env.inp = AuthenticatorApp(screen, wrong_first)
    user = make_user(session, "stella", staff=True, roles=("staff",))
    sign_in(env, session, user)
    return env, user, screen


def test_enable_shows_a_qr_code_and_confirms_with_a_first_code(make_env, session):
    env, user, screen = terminal_env(make_env, session, wrong_first=1)
    result = invoke(env, "users", "mfa", "enable")
    assert result.exit_code == 0, env.err.getvalue()
    shown = screen.getvalue()
    assert "otpauth://totp/GM%20Services:stella?secret=" in shown and "▀" in shown  # the QR code
    assert "does not match" in env.err.getvalue()
    session.refresh(user)
    assert user.mfa_enabled and len(user.backup_codes) == 10
    codes = re.findall(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b", shown)
    assert len(codes) == 10
    (entry,) = session.scalars(select(SystemLog).where(SystemLog.action == "users.mfa_enable"))
    assert entry.changes == {"mfa_enabled": {"old": False, "new": True}}


def test_enable_stays_off_after_three_wrong_codes(make_env, session):
    env, user, _ = terminal_env(make_env, session, wrong_first=3)
    result = invoke(env, "users", "mfa", "enable")
    assert result.exit_code == 2 and "MFA stays off" in env.err.getvalue()
    session.refresh(user)
    assert not user.mfa_enabled and user.mfa_secret is None


def test_enable_refuses_off_a_terminal(cli, env, session):
    sign_in(env, session, make_user(session, "stella", staff=True))
    result = cli("users", "mfa", "enable")
    assert result.exit_code == 2 and "needs a terminal" in result.stderr


def test_enable_needs_a_sign_in(cli):
    assert cli("users", "mfa", "enable").exit_code == 4


def test_backup_codes_replace_the_old_ones(make_env, session):
    env, user, screen = terminal_env(make_env, session)
    assert invoke(env, "users", "mfa", "enable").exit_code == 0
    session.refresh(user)
    old = list(user.backup_codes)
    env.format = "json"
    assert invoke(env, "users", "mfa", "backup-codes").exit_code == 0
    session.refresh(user)
    assert len(user.backup_codes) == 10 and not set(old) & set(user.backup_codes)


def test_disable_own_and_others(make_env, session):
    env, user, _ = terminal_env(make_env, session)
    assert invoke(env, "users", "mfa", "enable").exit_code == 0
    assert invoke(env, "users", "mfa", "disable").exit_code == 0
    session.refresh(user)
    assert not user.mfa_enabled and user.mfa_secret is None and user.backup_codes is None


def test_disabling_another_persons_mfa_needs_manage_users(cli, env, session):
    target = make_user(session, "tunde", staff=True)
    target.mfa_enabled, target.mfa_secret = True, pyotp.random_base32()
    sign_in(env, session, make_user(session, "stella", staff=True, roles=("staff",)))
    refused = cli("--yes", "users", "mfa", "disable", "tunde")
    assert refused.exit_code == 4 and "manage_users" in refused.stderr
    sign_in(env, session, make_user(session, "adaeze", staff=True, roles=("admin",)))
    assert cli("--yes", "users", "mfa", "disable", "tunde").exit_code == 0
    session.refresh(target)
    assert not target.mfa_enabled


def test_backup_codes_are_for_your_own_account_only(cli, env, session):
    sign_in(env, session, make_user(session, "stella", staff=True))
    result = cli("users", "mfa", "backup-codes")
    assert result.exit_code == 2 and "not on" in result.stderr
