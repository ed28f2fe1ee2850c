"""The catalogue: reading roles and permissions, creating, renaming, deleting, permit and forbid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gmctl.db.models import Role, RoleGrant
from gmctl.errors import InvalidInput, NotFound, NotPermitted
from gmctl.roles import catalogue
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user
from tests.roles.conftest import audit_entries


def by_name(rows):
    return {row.name: row for row in rows}


def test_list_counts_members_in_force_and_marks_system_roles(session, boss):
    make_user(session, "stella", roles=("staff",))
    make_user(session, "temp", roles=("staff",), role_expires_at=FIXED_NOW - timedelta(minutes=1))
    roles = by_name(catalogue.list_roles(session, FIXED_NOW))
    assert list(roles)[:4] == ["customer", "staff", "admin", "super_admin"]
    assert roles["staff"].members == 1 and roles["staff"].expired == 1
    assert roles["super_admin"].members == 1
    assert all(role.system for role in roles.values())
    assert roles["staff"].permissions == 9  # gm03: 5, gm11-gm13: view/review loans, view payments, view files


def test_show_lists_permissions_and_members_with_when_by_whom_until_when(session, boss):
    stella = make_user(session, "stella", first_name="Stella", last_name="Eze")
    staff_id = session.scalar(select(Role.id).where(Role.name == "staff"))
    until = FIXED_NOW + timedelta(days=30)
    session.add(RoleGrant(user_id=stella.id, role_id=staff_id, assigned_by=boss.user_id,
                          assigned_at=FIXED_NOW - timedelta(days=2), expires_at=until))
    make_user(session, "gone", roles=("staff",), role_expires_at=FIXED_NOW - timedelta(days=1))
    detail = catalogue.show_role(session, "staff", FIXED_NOW)
    assert detail.system and "triage_services" in detail.permissions
    members = {m.username: m for m in detail.members}
    assert members["stella"].assigned_by == "boss" and members["stella"].expires_at == until
    assert members["stella"].name == "Stella Eze" and members["stella"].state == "active"
    assert members["gone"].state == "expired"
    with pytest.raises(NotFound):
        catalogue.show_role(session, "nobody_role", FIXED_NOW)


def test_permissions_and_the_matrix(session):
    permissions = {p.name: p for p in catalogue.list_permissions(session)}
    assert permissions["manage_roles"].roles == "admin, super_admin"
    assert permissions["erase_users"].roles == "super_admin"
    grid = catalogue.permission_matrix(session)
    assert grid.roles[:4] == ["customer", "staff", "admin", "super_admin"]
    rows = {row["permission"]: row for row in grid.rows}
    assert set(rows) == set(permissions)
    assert rows["view_roles"] == {"permission": "view_roles", "customer": False, "staff": False,
                                  "admin": True, "super_admin": True}


def test_create_checks_the_name_rule_before_the_database(session, boss):
    for bad in ("Field", "field-agent", "agent2", "", "x" * 51):
        with pytest.raises(InvalidInput) as refused:
            catalogue.create_role(session, boss, bad, "Whatever", None, FIXED_NOW)
        assert "lower-case letters and underscores" in refused.value.hint
    with pytest.raises(InvalidInput, match="already exists"):
        catalogue.create_role(session, boss, "staff", "Staff again", None, FIXED_NOW)
    with pytest.raises(InvalidInput, match="display-name"):
        catalogue.create_role(session, boss, "field_agent", "  ", None, FIXED_NOW)
    assert audit_entries(session) == []


def test_create_writes_the_role_and_one_audit_entry(session, boss):
    change = catalogue.create_role(session, boss, "field_agent", "Field Agent", "Visits sites", FIXED_NOW)
    role = session.scalar(select(Role).where(Role.name == "field_agent"))
    assert change.changed and role.is_system_role is False and role.description == "Visits sites"
    [entry] = audit_entries(session)
    assert (entry.action, entry.target_type, entry.target_id, entry.actor_id) == \
        ("roles.create", "role", str(role.id), boss.user_id)
    assert entry.changes["name"] == {"old": None, "new": "field_agent"}


def test_system_roles_cannot_be_renamed_or_deleted(session, boss):
    with pytest.raises(InvalidInput, match="system role: it can't be renamed"):
        catalogue.update_role(session, boss, "staff", new_name="workers", now=FIXED_NOW)
    with pytest.raises(InvalidInput, match="system role: it can't be deleted"):
        catalogue.delete_role(session, boss, "admin")
    change = catalogue.update_role(session, boss, "staff", display_name="Staff", now=FIXED_NOW)
    assert change.changed
    assert [e.changes for e in audit_entries(session, "roles.update")] == [
        {"display_name": {"old": "Staff Member", "new": "Staff"}}]


def test_rename_a_custom_role(session, boss):
    catalogue.create_role(session, boss, "field_agent", "Field Agent", None, FIXED_NOW)
    with pytest.raises(InvalidInput):
        catalogue.update_role(session, boss, "field_agent", new_name="Field", now=FIXED_NOW)
    with pytest.raises(InvalidInput, match="already exists"):
        catalogue.update_role(session, boss, "field_agent", new_name="staff", now=FIXED_NOW)
    catalogue.update_role(session, boss, "field_agent", new_name="site_agent", now=FIXED_NOW)
    assert catalogue.show_role(session, "site_agent", FIXED_NOW).display_name == "Field Agent"
    unchanged = catalogue.update_role(session, boss, "site_agent", display_name="Field Agent", now=FIXED_NOW)
    assert not unchanged.changed and len(audit_entries(session, "roles.update")) == 1


def test_delete_takes_the_role_from_its_holders_and_says_who(session, boss):
    catalogue.create_role(session, boss, "field_agent", "Field Agent", None, FIXED_NOW)
    make_user(session, "kemi", roles=("field_agent",))
    assert catalogue.plan_role_deletion(session, "field_agent").holders == ["kemi"]
    change = catalogue.delete_role(session, boss, "field_agent")
    assert "1 person lost it" in change.message
    assert session.scalar(select(func.count()).select_from(Role).where(Role.name == "field_agent")) == 0
    [entry] = audit_entries(session, "roles.delete")
    assert entry.changes["holders"] == {"old": ["kemi"], "new": None}
    with pytest.raises(NotFound):
        catalogue.delete_role(session, boss, "field_agent")


def test_permit_and_forbid_change_one_link_and_log_it(session, boss):
    catalogue.create_role(session, boss, "field_agent", "Field Agent", None, FIXED_NOW)
    assert catalogue.permit(session, boss, "field_agent", "view_services", FIXED_NOW).changed
    again = catalogue.permit(session, boss, "field_agent", "view_services", FIXED_NOW)
    assert not again.changed and "already permits" in again.message
    assert catalogue.show_role(session, "field_agent", FIXED_NOW).permissions == ["view_services"]
    assert catalogue.forbid(session, boss, "field_agent", "view_services", FIXED_NOW).changed
    assert not catalogue.forbid(session, boss, "field_agent", "view_services", FIXED_NOW).changed
    assert [e.changes["permissions"] for e in audit_entries(session) if e.action != "roles.create"] == [
        {"old": [], "new": ["view_services"]}, {"old": ["view_services"], "new": []}]
    with pytest.raises(NotFound, match="no permission"):
        catalogue.permit(session, boss, "field_agent", "fly_planes", FIXED_NOW)
    with pytest.raises(NotFound, match="no role"):
        catalogue.permit(session, boss, "pilots", "view_services", FIXED_NOW)


def test_forbidding_a_default_grant_says_db_init_restores_it(session, boss):
    change = catalogue.forbid(session, boss, "staff", "view_reports", FIXED_NOW)
    assert "db init" in change.message


def test_only_a_super_admin_changes_what_admin_roles_permit(session, admin, boss):
    with pytest.raises(NotPermitted, match="only a super_admin may change what admin permits"):
        catalogue.forbid(session, admin, "admin", "view_reports", FIXED_NOW)
    with pytest.raises(NotPermitted):
        catalogue.permit(session, admin, "super_admin", "view_reports", FIXED_NOW)
    assert catalogue.forbid(session, boss, "admin", "view_reports", FIXED_NOW).changed


def test_nobody_but_a_super_admin_permits_what_they_do_not_hold(session, admin):
    catalogue.create_role(session, admin, "field_agent", "Field Agent", None, FIXED_NOW)
    with pytest.raises(NotPermitted, match="you don't hold it yourself") as refused:
        catalogue.permit(session, admin, "field_agent", "erase_users", FIXED_NOW)
    assert refused.value.exit_code == 4
    assert catalogue.permit(session, admin, "field_agent", "view_users", FIXED_NOW).changed
