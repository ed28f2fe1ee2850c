"""Grants: assigned_by, renewing the expiry, the super_admin rules, expiry at once, the sweep, the audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gmctl.auth.permissions import load_operator
from gmctl.db.models import Role, RoleGrant
from gmctl.errors import InvalidInput, NotFound, NotPermitted
from gmctl.roles import catalogue
from gmctl.roles.grants import GrantPlan, grant_roles, held_roles, list_expired, sweep_expired
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user
from tests.roles.conftest import audit_entries

LATER = FIXED_NOW + timedelta(days=30)


def grant_row(session, username: str, role: str) -> RoleGrant | None:
    from gmctl.db.models import User

    return session.scalar(select(RoleGrant).join(User, User.id == RoleGrant.user_id)
                          .join(Role, Role.id == RoleGrant.role_id)
                          .where(User.username == username, Role.name == role))


def test_grant_sets_assigned_by_and_writes_one_audit_entry(session, boss):
    kemi = make_user(session, "kemi", staff=True)
    plan = GrantPlan("kemi", ("staff", "customer"), (), LATER, "new hire")
    changes = grant_roles(session, boss, plan, FIXED_NOW)
    assert [(c.role, c.outcome) for c in changes] == [("staff", "granted"), ("customer", "granted")]
    row = grant_row(session, "kemi", "staff")
    assert (row.assigned_by, row.assigned_at, row.expires_at) == (boss.user_id, FIXED_NOW, LATER)
    [entry] = audit_entries(session)
    assert (entry.action, entry.target_type, entry.target_id, entry.actor_id) == \
        ("roles.grant", "user", str(kemi.id), boss.user_id)
    assert entry.changes["role:staff"] == {"old": None, "new": {"expires_at": LATER.isoformat()}}
    assert "new hire" in entry.message


def test_the_user_can_be_named_by_email_in_any_case_or_id(session, boss):
    kemi = make_user(session, "kemi", email="Kemi@Example.com")
    grant_roles(session, boss, GrantPlan("kemi@example.COM", ("staff",)), FIXED_NOW)
    grant_roles(session, boss, GrantPlan(str(kemi.id), ("customer",)), FIXED_NOW)
    assert {h.role for h in held_roles(session, kemi.id, FIXED_NOW)} == {"staff", "customer"}
    with pytest.raises(NotFound, match="no user"):
        grant_roles(session, boss, GrantPlan("nobody", ("staff",)), FIXED_NOW)
    with pytest.raises(NotFound, match="no role 'pilot'"):
        grant_roles(session, boss, GrantPlan("kemi", ("pilot",)), FIXED_NOW)


def test_granting_again_updates_the_expiry_and_says_so(session, boss):
    make_user(session, "kemi")
    grant_roles(session, boss, GrantPlan("kemi", ("staff",), (), LATER), FIXED_NOW)
    same = grant_roles(session, boss, GrantPlan("kemi", ("staff",), (), LATER), FIXED_NOW)
    assert same[0].outcome == "unchanged" and "nothing changed" in same[0].message
    [renewed] = grant_roles(session, boss, GrantPlan("kemi", ("staff",)), FIXED_NOW)
    assert renewed.outcome == "renewed"
    assert "already had staff" in renewed.message and "expiry updated: now no expiry" in renewed.message
    assert grant_row(session, "kemi", "staff").expires_at is None
    assert [e.action for e in audit_entries(session)] == ["roles.grant", "roles.grant"]
    assert audit_entries(session)[-1].changes["role:staff"] == {
        "old": {"expires_at": LATER.isoformat()}, "new": {"expires_at": None}}


def test_an_expired_grant_confers_nothing_before_any_sweep(session, boss):
    kemi = make_user(session, "kemi", staff=True, roles=("admin",),
                     role_expires_at=FIXED_NOW - timedelta(seconds=1))
    operator = load_operator(session, kemi.id, FIXED_NOW)
    assert not operator.can("manage_roles")
    assert [h.in_force for h in held_roles(session, kemi.id, FIXED_NOW)] == [False]
    assert catalogue.show_role(session, "admin", FIXED_NOW).members[0].state == "expired"
    with pytest.raises(NotPermitted):
        grant_roles(session, operator, GrantPlan("boss", ("customer",)), FIXED_NOW)
    # A lapsed super_admin grant makes nobody a super_admin either.
    lapsed = make_user(session, "former", staff=True, roles=("super_admin",),
                       role_expires_at=FIXED_NOW - timedelta(hours=1))
    former = load_operator(session, lapsed.id, FIXED_NOW)
    with pytest.raises(NotPermitted):
        grant_roles(session, former, GrantPlan("kemi", ("admin",)), FIXED_NOW)


def test_granting_an_expired_grant_again_renews_it(session, boss):
    make_user(session, "kemi", roles=("staff",), role_expires_at=FIXED_NOW - timedelta(days=1))
    [renewed] = grant_roles(session, boss, GrantPlan("kemi", ("staff",), (), LATER), FIXED_NOW)
    assert renewed.outcome == "renewed" and "had expired" in renewed.message
    assert grant_row(session, "kemi", "staff").expires_at == LATER


def test_only_a_super_admin_grants_or_revokes_admin_and_super_admin(session, admin, boss):
    make_user(session, "kemi", roles=("admin",))
    for plan in (GrantPlan("kemi", ("super_admin",)), GrantPlan("kemi", (), ("admin",)),
                 GrantPlan("boss", (), ("super_admin",))):
        with pytest.raises(NotPermitted, match="only a super_admin") as refused:
            grant_roles(session, admin, plan, FIXED_NOW)
        assert refused.value.exit_code == 4
    assert grant_roles(session, admin, GrantPlan("kemi", ("staff",)), FIXED_NOW)[0].outcome == "granted"
    assert grant_roles(session, boss, GrantPlan("kemi", (), ("admin",)), FIXED_NOW)[0].outcome == "revoked"
    assert [e.actor_id for e in audit_entries(session)] == [admin.user_id, boss.user_id]


def test_a_superuser_counts_as_a_super_admin(session):
    root = make_user(session, "rooty", superuser=True, staff=True)
    make_user(session, "kemi")
    operator = load_operator(session, root.id, FIXED_NOW)
    assert grant_roles(session, operator, GrantPlan("kemi", ("admin",)), FIXED_NOW)[0].outcome == "granted"


def test_nobody_else_grants_a_role_wider_than_their_own(session, boss, admin):
    catalogue.create_role(session, boss, "eraser", "Eraser", None, FIXED_NOW)
    catalogue.permit(session, boss, "eraser", "erase_users", FIXED_NOW)
    with pytest.raises(NotPermitted, match="carries permissions you don't hold: erase_users"):
        grant_roles(session, admin, GrantPlan("ada", ("eraser",)), FIXED_NOW)


def test_the_last_active_super_admin_cannot_lose_the_role(session, boss):
    with pytest.raises(InvalidInput, match="last active super_admin"):
        grant_roles(session, boss, GrantPlan("boss", (), ("super_admin",)), FIXED_NOW)
    with pytest.raises(InvalidInput, match="last active super_admin"):
        grant_roles(session, boss, GrantPlan("boss", ("super_admin",), (), LATER), FIXED_NOW)
    # A deactivated or lapsed holder does not count as another super_admin.
    make_user(session, "asleep", roles=("super_admin",), is_active=False)
    make_user(session, "lapsed", roles=("super_admin",), role_expires_at=FIXED_NOW)
    with pytest.raises(InvalidInput):
        grant_roles(session, boss, GrantPlan("boss", (), ("super_admin",)), FIXED_NOW)
    assert audit_entries(session) == []
    # Taking it from someone who is not an active super_admin is no loss to guard against.
    [asleep] = grant_roles(session, boss, GrantPlan("asleep", (), ("super_admin",)), FIXED_NOW)
    assert asleep.outcome == "revoked"
    make_user(session, "second", roles=("super_admin",))
    [revoked] = grant_roles(session, boss, GrantPlan("boss", (), ("super_admin",)), FIXED_NOW)
    assert revoked.outcome == "revoked"


def test_revoke_says_when_there_was_nothing_to_revoke(session, boss):
    make_user(session, "kemi", roles=("staff",), role_expires_at=FIXED_NOW - timedelta(days=1))
    changes = grant_roles(session, boss, GrantPlan("kemi", (), ("customer", "staff")), FIXED_NOW)
    assert [(c.role, c.outcome) for c in changes] == [("customer", "not held"), ("staff", "revoked")]
    assert "had already expired" in changes[1].message
    [entry] = audit_entries(session)
    assert entry.action == "roles.revoke" and list(entry.changes) == ["role:staff"]
    [again] = grant_roles(session, boss, GrantPlan("kemi", (), ("customer",)), FIXED_NOW)
    assert again.outcome == "not held"
    assert len(audit_entries(session)) == 1


def test_a_refusal_changes_nothing_at_all(session, admin):
    make_user(session, "kemi", roles=("customer",))
    with pytest.raises(NotPermitted):
        grant_roles(session, admin, GrantPlan("kemi", ("staff", "admin"), ("customer",)), FIXED_NOW)
    assert grant_row(session, "kemi", "staff") is None and grant_row(session, "kemi", "customer") is not None


def test_plans_that_make_no_sense_are_refused(session, boss):
    make_user(session, "kemi")
    with pytest.raises(InvalidInput, match="no role named"):
        grant_roles(session, boss, GrantPlan("kemi"), FIXED_NOW)
    with pytest.raises(InvalidInput, match="both granted and revoked"):
        grant_roles(session, boss, GrantPlan("kemi", ("staff",), ("staff",)), FIXED_NOW)
    with pytest.raises(InvalidInput, match="in the past"):
        grant_roles(session, boss, GrantPlan("kemi", ("staff",), (), FIXED_NOW), FIXED_NOW)
    make_user(session, "asleep", is_active=False)
    with pytest.raises(InvalidInput, match="deactivated"):
        grant_roles(session, boss, GrantPlan("asleep", ("staff",)), FIXED_NOW)


def test_mixed_grant_and_revoke_is_one_change_entry(session, boss):
    make_user(session, "kemi", roles=("customer",))
    grant_roles(session, boss, GrantPlan("kemi", ("staff",), ("customer",)), FIXED_NOW)
    [entry] = audit_entries(session)
    assert entry.action == "roles.change" and set(entry.changes) == {"role:staff", "role:customer"}


def test_sweep_removes_only_expired_grants_and_logs_each(session, boss):
    make_user(session, "old", roles=("staff", "customer"), role_expires_at=FIXED_NOW - timedelta(days=3))
    make_user(session, "edge", roles=("staff",), role_expires_at=FIXED_NOW)
    make_user(session, "fresh", roles=("staff",), role_expires_at=FIXED_NOW + timedelta(seconds=1))
    preview = list_expired(session, FIXED_NOW)
    assert {(g.username, g.role) for g in preview} == {("old", "staff"), ("old", "customer"),
                                                       ("edge", "staff")}
    assert audit_entries(session) == []
    swept = sweep_expired(session, None, FIXED_NOW)
    assert swept == preview
    assert list_expired(session, FIXED_NOW) == [] and grant_row(session, "fresh", "staff") is not None
    entries = audit_entries(session, "roles.expire")
    assert len(entries) == 3 and all(e.actor_id is None and e.target_type == "user" for e in entries)
    assert "removed old's staff" in " ".join(e.message for e in entries)
    assert sweep_expired(session, boss, FIXED_NOW) == []
