"""The permission check: role grants, expiry, superusers, and the exit-4 errors naming the permission."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gmctl.auth.permissions import load_operator, require
from gmctl.db.models import Permission, Role, RolePermission
from gmctl.db.reference_data import DEFAULT_GRANTS, DEFAULT_PERMISSIONS
from gmctl.errors import NotPermitted, NotSignedIn
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user, sign_in

NEW_PERMISSIONS = {
    "triage_services",
    "reopen_services",
    "view_users",
    "manage_roles",
    "view_roles",
    "erase_users",
    "release_files",
}


def granted(session, role: str) -> set[str]:
    query = (
        select(Permission.name)
        .join(RolePermission, RolePermission.permission_id == Permission.id)
        .join(Role, Role.id == RolePermission.role_id)
        .where(Role.name == role)
    )
    return set(session.scalars(query))


def test_the_migration_adds_the_permissions_and_default_grants(session):
    names = set(session.scalars(select(Permission.name)))
    assert NEW_PERMISSIONS <= names
    assert granted(session, "customer") == set()
    assert granted(session, "staff") == {
        "view_services",
        "create_services",
        "triage_services",
        "view_reports",
        "view_users",
        "view_loans",
        "review_loans",
        "view_payments",
        "view_files",
    }
    assert granted(session, "admin") == granted(session, "staff") | {
        "decide_loans",
        "manage_files",
        "manage_users",
        "manage_roles",
        "view_roles",
        "manage_payments",
        "reopen_services",
    }
    assert granted(session, "super_admin") == names


def test_reference_data_matches_the_migration(session):
    assert {p["name"] for p in DEFAULT_PERMISSIONS} == set(session.scalars(select(Permission.name)))
    for role, permissions in DEFAULT_GRANTS.items():
        assert set(permissions) == granted(session, role), role


def test_role_grants_give_permissions(session):
    user = make_user(session, "stella", staff=True, roles=("staff",))
    operator = load_operator(session, user.id, FIXED_NOW)
    assert operator.can("triage_services") and operator.can("view_users")
    assert not operator.can("manage_users")


def test_an_expired_grant_confers_nothing(session):
    user = make_user(
        session, "temp", staff=True, roles=("admin",), role_expires_at=FIXED_NOW - timedelta(seconds=1)
    )
    assert load_operator(session, user.id, FIXED_NOW).permissions == frozenset()
    assert load_operator(session, user.id, FIXED_NOW - timedelta(hours=1)).can("manage_users")


def test_superusers_pass_every_check(session):
    root = make_user(session, "rooty", superuser=True)
    operator = load_operator(session, root.id, FIXED_NOW)
    assert operator.permissions == frozenset() and operator.can("erase_users") and operator.can("anything")


def test_require_names_the_missing_permission(env, session):
    with pytest.raises(NotSignedIn) as not_signed:
        require(env, session, "view_users")
    assert "view_users" in not_signed.value.message and not_signed.value.exit_code == 4
    sign_in(env, session, make_user(session, "stella", staff=True, roles=("staff",)))
    assert require(env, session, "view_users").username == "stella"
    with pytest.raises(NotPermitted) as refused:
        require(env, session, "erase_users")
    assert "erase_users" in refused.value.message and refused.value.exit_code == 4
