"""Every users command, refused without its permission and allowed with it; every change audited once.

"Without" means an operator holding every other permission there is, so only the one named is missing.
"""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import func, select

from gmctl.db.models import Permission, Role, RolePermission, SystemLog
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user, sign_in

# name, permission, argv, audit action (None: a read, no entry)
COMMANDS = [
    ("list", "view_users", ("users", "list"), None),
    ("show", "view_users", ("users", "show", "kemi"), None),
    (
        "create",
        "manage_users",
        ("users", "create", "--username", "newbie", "--email", "newbie@example.com"),
        "users.create",
    ),
    ("update", "manage_users", ("users", "update", "kemi", "--first-name", "Kem"), "users.update"),
    ("deactivate", "manage_users", ("users", "deactivate", "kemi"), "users.deactivate"),
    ("activate", "manage_users", ("users", "activate", "sleepy"), "users.activate"),
    ("unlock", "manage_users", ("users", "unlock", "locky"), "users.unlock"),
    ("reset-password", "manage_users", ("users", "reset-password", "kemi"), "users.reset_password"),
    (
        "mfa disable (another)",
        "manage_users",
        ("--yes", "users", "mfa", "disable", "twofa"),
        "users.mfa_disable",
    ),
    ("export", "manage_users", ("users", "export", "kemi"), "users.export"),
    ("erase", "erase_users", ("--yes", "users", "erase", "kemi"), "users.erase"),
]
IDS = [c[0] for c in COMMANDS]


@pytest.fixture
def targets(session):
    make_user(session, "kemi", first_name="Kemi")
    make_user(session, "sleepy", is_active=False)
    locky = make_user(session, "locky", staff=True)
    locky.locked_at, locky.failed_login_attempts = FIXED_NOW, 5
    twofa = make_user(session, "twofa", staff=True)
    twofa.mfa_enabled, twofa.mfa_secret = True, pyotp.random_base32()
    session.flush()


def role_with(session, name: str, permissions: set[str]) -> str:
    role = Role(name=name, display_name=name, is_system_role=False)
    session.add(role)
    session.flush()
    for permission_id in session.scalars(select(Permission.id).where(Permission.name.in_(permissions))):
        session.add(RolePermission(role_id=role.id, permission_id=permission_id))
    session.flush()
    return name


def all_permissions(session) -> set[str]:
    return set(session.scalars(select(Permission.name)))


def log_count(session) -> int:
    return session.scalar(select(func.count()).select_from(SystemLog))


@pytest.mark.parametrize("name, permission, argv, action", COMMANDS, ids=IDS)
def test_refused_when_not_signed_in(name, permission, argv, action, cli, session, targets):
    before = log_count(session)
    result = cli(*argv)
    assert result.exit_code == 4, result.stderr
    assert "not signed in" in result.stderr
    if not name.startswith("mfa"):
        assert permission in result.stderr
    assert log_count(session) == before


@pytest.mark.parametrize("name, permission, argv, action", COMMANDS, ids=IDS)
def test_refused_without_the_permission(name, permission, argv, action, cli, env, session, targets):
    everything_else = role_with(session, "all_but_one", all_permissions(session) - {permission})
    sign_in(env, session, make_user(session, "almost", staff=True, roles=(everything_else,)))
    before = log_count(session)
    result = cli(*argv)
    assert result.exit_code == 4, result.stderr
    assert permission in result.stderr and result.stdout == ""
    assert log_count(session) == before


@pytest.mark.parametrize("name, permission, argv, action", COMMANDS, ids=IDS)
def test_allowed_with_the_permission_and_audited_once(
    name, permission, argv, action, cli, env, session, targets
):
    operator = make_user(
        session, "holder", staff=True, roles=(role_with(session, "only_this", {permission}),)
    )
    sign_in(env, session, operator)
    before = log_count(session)
    result = cli(*argv)
    assert result.exit_code == 0, result.stderr
    added = session.scalars(select(SystemLog).order_by(SystemLog.id).offset(before)).all()
    if action is None:
        assert added == []
        return
    assert [entry.action for entry in added] == [action]
    assert added[0].actor_id == operator.id and added[0].target_type == "user"


def test_a_superuser_passes_every_check(cli, env, session, targets):
    sign_in(env, session, make_user(session, "rooty", superuser=True))
    for _name, _permission, argv, _action in COMMANDS:
        if "erase" in argv or "deactivate" in argv:
            continue  # both end kemi's record for the rest of the loop; covered above
        result = cli(*argv)
        assert result.exit_code == 0, (argv, result.stderr)


def test_an_expired_grant_confers_nothing(cli, env, session, targets):
    from datetime import timedelta

    expired = make_user(
        session, "was_admin", staff=True, roles=("admin",), role_expires_at=FIXED_NOW - timedelta(minutes=1)
    )
    sign_in(env, session, expired)
    result = cli("users", "list")
    assert result.exit_code == 4 and "view_users" in result.stderr
