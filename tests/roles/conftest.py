"""Fixtures of the roles tests: operators of each rank, and a look at the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gmctl.auth.permissions import load_operator
from gmctl.db.models import SystemLog
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user, sign_in


@pytest.fixture
def boss(session):
    """The operator: a super_admin, as an Operator (not signed in anywhere)."""
    user = make_user(session, "boss", staff=True, roles=("super_admin",), first_name="Bisi",
                     last_name="Adeyemi")
    return load_operator(session, user.id, FIXED_NOW)


@pytest.fixture
def admin(session):
    user = make_user(session, "ada", staff=True, roles=("admin",), first_name="Ada", last_name="Obi")
    return load_operator(session, user.id, FIXED_NOW)


@pytest.fixture
def signed_in_boss(env, session):
    """A super_admin signed in on the test's env (for CliRunner tests)."""
    user = make_user(session, "boss", staff=True, roles=("super_admin",), first_name="Bisi",
                     last_name="Adeyemi")
    return sign_in(env, session, user)


@pytest.fixture
def signed_in_admin(env, session):
    user = make_user(session, "ada", staff=True, roles=("admin",), first_name="Ada", last_name="Obi")
    return sign_in(env, session, user)


def audit_entries(session, action: str | None = None) -> list[SystemLog]:
    query = select(SystemLog).order_by(SystemLog.id)
    if action is not None:
        query = query.where(SystemLog.action == action)
    return list(session.scalars(query))
