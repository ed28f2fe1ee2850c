"""The sign-in check on a Core Connection (read commands) follows the same rules as on a Session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from gmctl.auth.permissions import load_operator, require
from gmctl.auth.sessions import TOUCH_EVERY, active_session, start_session
from gmctl.errors import NotPermitted, NotSignedIn
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user


@pytest.fixture
def stella(env, session):
    user = make_user(session, "stella", staff=True, roles=("staff",))
    start_session(env, session, user)
    return user


def last_seen(session, user) -> object:
    return session.execute(
        text("SELECT last_seen_at FROM operator_sessions WHERE user_id = :id"), {"id": user.id}
    ).scalar_one()


def test_require_takes_a_connection_and_finds_the_operator_by_token(env, session, stella):
    connection = session.connection()
    assert require(env, connection, "view_services").username == "stella"
    with pytest.raises(NotPermitted) as refused:
        require(env, connection, "manage_users")
    assert "manage_users" in refused.value.message


@pytest.mark.parametrize(
    "change, reason",
    [
        ("UPDATE operator_sessions SET revoked_at = :now WHERE user_id = :id", "session was ended"),
        ("UPDATE users SET is_active = false WHERE id = :id", "may no longer sign in"),
        ("UPDATE users SET erased_at = :now WHERE id = :id", "may no longer sign in"),
        ("UPDATE users SET is_staff = false WHERE id = :id", "may no longer sign in"),
    ],
)
def test_the_connection_path_refuses_what_the_rules_refuse(env, session, stella, change, reason):
    session.execute(text(change), {"now": FIXED_NOW, "id": stella.id})
    with pytest.raises(NotSignedIn) as refused:
        require(env, session.connection(), "view_services")
    assert reason in refused.value.message and "view_services" in refused.value.message


def test_an_expired_session_is_refused_on_a_connection(env, session, stella):
    env.clock = lambda: FIXED_NOW + timedelta(hours=8)
    with pytest.raises(NotSignedIn) as refused:
        require(env, session.connection(), "view_services")
    assert "expired" in refused.value.message


def test_a_superuser_without_staff_status_still_signs_in_and_passes_every_check(env, session):
    root = make_user(session, "rooty", superuser=True)
    start_session(env, session, root)
    operator = require(env, session.connection(), "erase_users")
    assert operator.is_superuser and operator.permissions == frozenset()


def test_an_expired_grant_confers_nothing_through_the_token(env, session):
    temp = make_user(
        session, "temp", staff=True, roles=("staff",), role_expires_at=FIXED_NOW - timedelta(seconds=1)
    )
    start_session(env, session, temp)
    assert active_session(env, session.connection()).operator.permissions == frozenset()


def test_the_session_is_touched_at_most_once_a_minute(env, session, stella):
    assert last_seen(session, stella) == FIXED_NOW
    env.clock = lambda: FIXED_NOW + TOUCH_EVERY - timedelta(seconds=1)
    require(env, session.connection(), "view_services")
    assert last_seen(session, stella) == FIXED_NOW
    env.clock = lambda: FIXED_NOW + TOUCH_EVERY
    require(env, session, "view_services")
    assert last_seen(session, stella) == FIXED_NOW + TOUCH_EVERY


def test_a_read_command_records_the_session_as_seen_in_its_own_transaction(cli, env, session, stella):
    env.clock = lambda: FIXED_NOW + timedelta(minutes=5)
    result = cli("requests", "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert last_seen(session, stella) == FIXED_NOW + timedelta(minutes=5)


def test_load_operator_on_a_session_sees_changes_not_yet_flushed(session):
    user = make_user(session, "kemi", staff=True)
    user.is_superuser = True  # pending in the Session: the Core query must still see it
    assert load_operator(session, user.id, FIXED_NOW).is_superuser
