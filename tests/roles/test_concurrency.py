"""Two sessions at once on a committed scratch database: the sweep and the last-super_admin rule."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gmctl.auth.permissions import load_operator
from gmctl.db.models import Role, RoleGrant, SystemLog, User
from gmctl.errors import InvalidInput
from gmctl.roles.grants import GrantPlan, grant_roles, sweep_expired
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user

pytestmark = pytest.mark.slow


def grant_of(session, username: str) -> RoleGrant:
    return session.scalar(select(RoleGrant).join(User, User.id == RoleGrant.user_id)
                          .where(User.username == username))


def test_a_sweep_skips_a_grant_being_renewed_and_two_sweeps_log_once(scratch_engine):
    with Session(scratch_engine) as setup:
        for name in ("old", "renewing", "other"):
            make_user(setup, name, roles=("staff",), role_expires_at=FIXED_NOW - timedelta(days=1))
        setup.commit()
    renewal, first, second = (Session(scratch_engine) for _ in range(3))
    with renewal, first, second:
        renewal.execute(select(RoleGrant.id).where(RoleGrant.id == grant_of(renewal, "renewing").id)
                        .with_for_update())
        swept = sweep_expired(first, None, FIXED_NOW)
        assert {g.username for g in swept} == {"old", "other"}
        assert sweep_expired(second, None, FIXED_NOW) == []  # the first sweep holds them: nothing twice
        first.commit()
        second.commit()
        renewal.rollback()
    with Session(scratch_engine) as check:
        assert check.scalar(select(func.count()).select_from(SystemLog)
                            .where(SystemLog.action == "roles.expire")) == 2
        assert grant_of(check, "renewing") is not None


def test_two_super_admins_revoking_each_other_at_once_leave_one(scratch_engine):
    with Session(scratch_engine) as setup:
        root = make_user(setup, "rooty", superuser=True, staff=True)
        make_user(setup, "ayo", roles=("super_admin",))
        make_user(setup, "bola", roles=("super_admin",))
        setup.commit()
        operator = load_operator(setup, root.id, FIXED_NOW)
    outcome: dict[str, object] = {}

    def revoke(username: str, session: Session) -> None:
        try:
            grant_roles(session, operator, GrantPlan(username, (), ("super_admin",)), FIXED_NOW)
            session.commit()
            outcome[username] = "revoked"
        except InvalidInput as exc:
            session.rollback()
            outcome[username] = exc.message

    with Session(scratch_engine) as first, Session(scratch_engine) as second:
        grant_roles(first, operator, GrantPlan("ayo", (), ("super_admin",)), FIXED_NOW)  # not committed yet
        other = threading.Thread(target=revoke, args=("bola", second))
        other.start()
        other.join(timeout=1)
        assert other.is_alive(), "the second revoke must wait for the first"
        first.commit()
        other.join(timeout=10)
    assert "last active super_admin" in str(outcome["bola"])
    with Session(scratch_engine) as check:
        holders = check.scalars(select(User.username).join(RoleGrant, RoleGrant.user_id == User.id)
                                .join(Role, Role.id == RoleGrant.role_id).where(Role.name == "super_admin"))
        assert list(holders) == ["bola"]
