"""users create: the seed's rules checked and named, passwords generated once, the superuser bootstrap."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from gmctl.auth.passwords import verify_password
from gmctl.db.models import SystemLog, User
from tests.conftest import invoke
from tests.helpers.accounts import make_user


def create(cli, *args, input=None):
    return cli("users", "create", *args, input=input)


@pytest.mark.parametrize(
    "args, field",
    [
        (("--username", "ab", "--email", "ab@example.com"), "username"),
        (("--username", "has space", "--email", "hs@example.com"), "username"),
        (("--username", "x" * 51, "--email", "long@example.com"), "username"),
        (("--username", "bola", "--email", "bola@localhost"), "email"),
        (("--username", "bola", "--email", "bola@example.com", "--phone", "08031234567"), "phone"),
        (("--username", "bola", "--email", "bola@example.com", "--phone", "+234803123456789012"), "phone"),
        (("--username", "bola", "--email", "bola@example.com", "--first-name", "y" * 101), "first_name"),
    ],
)
def test_invalid_fields_are_named_before_the_database_sees_them(args, field, cli, admin):
    result = create(cli, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {field}") and "hint:" in result.stderr
    assert "database refused" not in result.stderr


def test_duplicates_are_named(cli, session, admin, customer):
    taken_username = create(cli, "--username", "kemi", "--email", "other@example.com")
    assert taken_username.exit_code == 2 and "username 'kemi' is already taken" in taken_username.stderr
    taken_email = create(cli, "--username", "kemi2", "--email", "KEMI.ADEYEMI@example.ng")
    assert taken_email.exit_code == 2 and "email" in taken_email.stderr


def test_a_generated_password_is_shown_once_and_works(cli, session, admin):
    result = cli(
        "--format",
        "json",
        "users",
        "create",
        "--username",
        "bola",
        "--email",
        "bola@example.com",
        "--phone",
        "+234 803 123 4567",
        "--staff",
    )
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert "shown once" in result.stderr and len(shown["password"]) == 20
    user = session.scalars(select(User).where(User.username == "bola")).one()
    assert (
        user.phone == "+2348031234567" and user.is_staff and user.password_hash.startswith("argon2$argon2id$")
    )
    assert verify_password(shown["password"], user.password_hash)
    (entry,) = session.scalars(select(SystemLog).where(SystemLog.action == "users.create"))
    assert entry.actor_id == admin.id and entry.changes["username"] == {"old": None, "new": "bola"}
    assert shown["password"] not in json.dumps(entry.changes) and "password" not in entry.changes


def test_a_password_from_stdin(cli, session, admin):
    result = create(
        cli,
        "--username",
        "bola",
        "--email",
        "bola@example.com",
        "--password-stdin",
        input="Quite-Long-Secret-9\n",
    )
    assert result.exit_code == 0 and result.stdout == ""
    user = session.scalars(select(User).where(User.username == "bola")).one()
    assert verify_password("Quite-Long-Secret-9", user.password_hash)


def test_a_weak_password_from_stdin_is_refused(cli, admin):
    result = create(
        cli, "--username", "bola", "--email", "bola@example.com", "--password-stdin", input="short\n"
    )
    assert result.exit_code == 2 and "password must be at least" in result.stderr


def test_roles_at_creation_need_manage_roles_and_only_what_you_hold(cli, session, env, admin):
    ok = create(cli, "--username", "bola", "--email", "bola@example.com", "--staff", "--role", "staff")
    assert ok.exit_code == 0, ok.stderr
    up = create(cli, "--username", "tayo", "--email", "tayo@example.com", "--role", "super_admin")
    assert up.exit_code == 4 and "erase_users" in up.stderr


def test_only_a_superuser_creates_a_superuser(cli, session, admin):
    make_user(session, "rooty", superuser=True)  # with none, the bootstrap rule would apply
    result = create(cli, "--username", "boss", "--email", "boss@example.com", "--superuser")
    assert result.exit_code == 4 and "only a superuser" in result.stderr


def test_the_first_superuser_needs_no_sign_in(make_env, session):
    session.execute(update(User).values(is_superuser=False))  # a database with no active superuser
    env = make_env()
    first = invoke(
        env, "users", "create", "--username", "founder", "--email", "founder@example.com", "--superuser"
    )
    assert first.exit_code == 0, first.stderr
    founder = session.scalars(select(User).where(User.username == "founder")).one()
    assert founder.is_superuser and founder.is_staff
    (entry,) = session.scalars(select(SystemLog).where(SystemLog.action == "users.create"))
    assert entry.actor_id is None
    second = invoke(
        env, "users", "create", "--username", "other", "--email", "other@example.com", "--superuser"
    )
    assert second.exit_code == 4 and "not signed in" in second.stderr and "manage_users" in second.stderr


def test_an_inactive_superuser_does_not_block_the_bootstrap(make_env, session):
    session.execute(update(User).values(is_superuser=False))
    make_user(session, "retired", superuser=True, is_active=False)
    result = invoke(
        make_env(), "users", "create", "--username", "founder", "--email", "f@example.com", "--superuser"
    )
    assert result.exit_code == 0, result.stderr
