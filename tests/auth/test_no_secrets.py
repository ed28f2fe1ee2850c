"""No password, hash, TOTP secret, backup code or session token in any command's output: in every
format, on stdout and stderr, with --debug, on success and on failure."""

from __future__ import annotations

import hashlib

import pyotp
import pytest
from sqlalchemy.exc import IntegrityError

from gmctl.auth.sessions import read_token
from gmctl.db.models import User
from tests.auth.conftest import PASSWORD, turn_on_mfa
from tests.conftest import FIXED_NOW, TtyStringIO, invoke
from tests.helpers.accounts import make_user

ADMIN_PASSWORD = "Admin-Pass-123"
NEW_PASSWORD = "Fresh-Secret-Value-9"


def runs(code: str) -> list[tuple[tuple[str, ...], str | None]]:
    """Every users/session command (argv, stdin), reads first, the erase last."""
    return [
        (("whoami",), None),
        (("users", "list"), None),
        (("users", "list", "--search", "stella"), None),
        (("users", "show", "stella"), None),
        (("users", "export", "stella"), None),
        (("users", "update", "stella", "--first-name", "Stella"), None),
        (("users", "unlock", "stella"), None),
        (("users", "deactivate", "stella"), None),
        (("users", "activate", "stella"), None),
        (
            ("users", "create", "--username", "newbie", "--email", "newbie@example.com", "--password-stdin"),
            NEW_PASSWORD + "\n",
        ),
        (("users", "reset-password", "stella", "--password-stdin"), NEW_PASSWORD + "\n"),
        (
            ("users", "create", "--username", "stella", "--email", "x@example.com", "--password-stdin"),
            PASSWORD + "\n",
        ),
        (("--yes", "users", "erase", "newbie"), None),
        # Last: a successful login replaces the administrator's session on this terminal.
        (
            ("login", "--username", "stella", "--password-stdin", "--otp", "999999"),
            "Wrong-" + PASSWORD + "\n",
        ),
        (("login", "--username", "stella", "--password-stdin", "--otp", code), NEW_PASSWORD + "\n"),
        (("whoami",), None),
        (("users", "mfa", "disable"), None),
    ]


@pytest.mark.parametrize("fmt", ["json", "table", "tsv", "csv", "debug"])
def test_no_secret_reaches_any_output(fmt, make_env, session):
    make_user(session, "adaeze", staff=True, roles=("super_admin",), password=ADMIN_PASSWORD)
    stella = make_user(session, "stella", staff=True, roles=("staff",), password=PASSWORD)
    setup_env = make_env()
    secret, codes = turn_on_mfa(setup_env, session, stella)
    code = pyotp.TOTP(secret).at(FIXED_NOW)
    tty = fmt == "table"
    env = make_env(out=TtyStringIO(), err=TtyStringIO()) if tty else make_env()
    env.environ = {**env.environ, "GMCTL_SECRET_KEY": ""}  # the key file the setup made is used
    signed = invoke(env, "login", "--username", "adaeze", "--password-stdin", input=ADMIN_PASSWORD + "\n")
    assert signed.exit_code == 0, signed.stderr
    token = read_token(env)
    secrets = {
        PASSWORD,
        NEW_PASSWORD,
        ADMIN_PASSWORD,
        stella.password_hash,
        secret,
        stella.mfa_secret,
        token,
        hashlib.sha256(token.encode()).hexdigest(),
        code,
        *codes,
        *(c.replace("-", "") for c in codes),
        *stella.backup_codes,
    }
    prefix = ("--debug",) if fmt == "debug" else () if tty else ("--format", fmt)
    seen = []
    for argv, stdin in runs(code):
        result = invoke(env, *prefix, *argv, input=stdin)
        seen.append((argv, result.exit_code, result.stdout + result.stderr))
    if tty:
        seen.append(("tty", 0, env.out.getvalue() + env.err.getvalue()))
    codes_seen = [exit_code for _argv, exit_code, _text in seen[: len(runs(code))]]
    # The commands really ran: the two refusals are the not-locked unlock and the taken username.
    assert codes_seen == [0] * 6 + [2] + [0] * 4 + [2, 0, 4, 0, 0, 0], seen
    for argv, _exit_code, text in seen:
        for value in secrets:
            assert value not in text, (argv, value)


def test_database_errors_do_not_carry_statement_parameters(session):
    hash_value = make_user(session, "dup", password=PASSWORD).password_hash
    with pytest.raises(IntegrityError) as caught:
        with session.begin_nested():
            session.add(User(username="dup", email="dup2@example.com", password_hash=hash_value))
            session.flush()
    assert hash_value not in str(caught.value)
