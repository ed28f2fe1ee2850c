"""The audit entries of the sign-in commands and the self-service MFA commands, and that every
mutating command of the users group and the session commands has its audit test."""

from __future__ import annotations

import json

from sqlalchemy import select

from gmctl.db.models import SystemLog
from tests.accounts.test_mfa_commands import terminal_env
from tests.accounts.test_permission_matrix import COMMANDS
from tests.auth.conftest import login, turn_on_mfa
from tests.conftest import invoke

SESSION_ACTIONS = {"login": "session.login", "logout": "session.logout"}
SELF_SERVICE = {
    ("mfa", "enable"): "users.mfa_enable",
    ("mfa", "backup-codes"): "users.mfa_backup_codes",
    ("mfa", "disable"): "users.mfa_disable",
}
READ_ONLY = {("list",), ("show",), ("whoami",)}


def actions(session) -> list[tuple[str, str | None, int | None]]:
    return [
        (e.action, e.target_id, e.actor_id) for e in session.scalars(select(SystemLog).order_by(SystemLog.id))
    ]


def test_login_and_logout_each_write_one_entry(cli, session, staff):
    assert login(cli, "stella").exit_code == 0
    assert actions(session) == [("session.login", str(staff.id), staff.id)]
    assert cli("logout").exit_code == 0
    assert actions(session)[1:] == [("session.logout", str(staff.id), staff.id)]


def test_a_refused_login_writes_one_warning(cli, session, staff):
    login(cli, "stella", "wrong-password")
    (entry,) = session.scalars(select(SystemLog))
    assert (entry.action, entry.level, entry.actor_id) == ("session.login_failed", "WARNING", None)
    assert "wrong-password" not in json.dumps(entry.changes) + entry.message


def test_mfa_self_service_commands_each_write_one_entry(make_env, session):
    env, user, _screen = terminal_env(make_env, session)
    for argv, action in SELF_SERVICE.items():
        before = len(actions(session))
        result = invoke(env, "users", *argv)
        assert result.exit_code == 0, (argv, env.err.getvalue())
        assert [a[0] for a in actions(session)[before:]] == [action]


def test_an_mfa_login_with_a_backup_code_writes_one_entry(cli, env, session, staff):
    _secret, codes = turn_on_mfa(env, session, staff)
    assert login(cli, "stella", "Correct-Horse-42!", "--otp", codes[0]).exit_code == 0
    assert [a[0] for a in actions(session)] == ["session.login"]


def test_every_command_has_an_audit_test():
    import typer

    from gmctl.cli import build_app

    app = typer.main.get_command(build_app([], load_all=True))
    covered = {tuple(c[2][c[2].index("users") + 1 : c[2].index("users") + 2]) for c in COMMANDS}
    covered |= {("mfa", "disable")} | set(SELF_SERVICE) | READ_ONLY
    covered |= {(name,) for name in SESSION_ACTIONS}
    seen = set()
    for name, sub in app.commands["users"].commands.items():
        if hasattr(sub, "commands"):
            seen |= {(name, inner) for inner in sub.commands}
        else:
            seen.add((name,))
    seen |= {(name,) for name in ("login", "logout", "whoami")}
    assert seen <= covered, f"commands without an audit test: {sorted(seen - covered)}"
