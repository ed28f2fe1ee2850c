"""The scripted `gmctl roles` commands through CliRunner: formats, exit codes, messages on stderr."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from gmctl.db.models import Role, RoleGrant, User
from tests.conftest import FIXED_NOW, TtyStringIO, invoke
from tests.helpers.accounts import make_user, sign_in
from tests.roles.conftest import audit_entries


def holds(session, username: str, role: str) -> RoleGrant | None:
    return session.scalar(select(RoleGrant).join(User, User.id == RoleGrant.user_id)
                          .join(Role, Role.id == RoleGrant.role_id)
                          .where(User.username == username, Role.name == role))


# -- reading ---------------------------------------------------------------------------------------------
def test_list_is_tsv_when_piped_and_json_on_request(cli, signed_in_boss):
    piped = cli("roles", "list")
    assert piped.exit_code == 0 and piped.stderr == ""
    lines = piped.stdout.splitlines()
    assert lines[0] == "name\tdisplay_name\tsystem\tmembers\texpired\tpermissions"
    assert "super_admin\tSuper Administrator\ttrue\t1\t0\t18" in lines
    rows = json.loads(cli("--format", "json", "roles", "list").stdout)
    assert {r["name"]: r["members"] for r in rows}["super_admin"] == 1


def test_reading_needs_view_roles(cli, env, session):
    nobody = cli("roles", "list")
    assert nobody.exit_code == 4 and nobody.stdout == ""
    assert "not signed in" in nobody.stderr and "view_roles" in nobody.stderr
    sign_in(env, session, make_user(session, "stella", staff=True, roles=("staff",)))
    staff = cli("roles", "permissions")
    assert staff.exit_code == 4 and "stella does not have the permission view_roles" in staff.stderr


def test_show_a_role_as_text_and_as_json(cli, session, signed_in_boss):
    make_user(session, "kemi", roles=("staff",), role_expires_at=FIXED_NOW + timedelta(days=3))
    text = cli("roles", "show", "staff")
    assert text.exit_code == 0 and "permissions:\n  create_services" in text.stdout
    assert "username\tname\tassigned_at\tassigned_by\texpires_at\tstate" in text.stdout
    empty = cli("roles", "show", "customer")
    assert empty.exit_code == 0 and "Nobody holds customer." in empty.stderr
    missing = cli("roles", "show", "pilot")
    assert missing.exit_code == 3 and missing.stdout == "" and "no role 'pilot'" in missing.stderr
    document = json.loads(cli("-f", "json", "roles", "show", "staff").stdout)
    assert document["system"] is True and "view_users" in document["permissions"]
    assert document["members"][0]["username"] == "kemi"
    assert document["members"][0]["expires_at"] == (FIXED_NOW + timedelta(days=3)).isoformat()


def test_permissions_list_and_matrix(cli, make_env, signed_in_boss):
    rows = json.loads(cli("-f", "json", "roles", "permissions").stdout)
    assert {r["name"] for r in rows} >= {"view_roles", "manage_roles", "erase_users"}
    assert next(r for r in rows if r["name"] == "view_roles")["roles"] == "admin, super_admin"
    grid = json.loads(cli("-f", "json", "roles", "permissions", "--matrix").stdout)
    erase = next(r for r in grid if r["permission"] == "erase_users")
    assert erase == {"permission": "erase_users", "customer": False, "staff": False, "admin": False,
                     "super_admin": True}
    tsv = cli("-f", "tsv", "roles", "permissions", "--matrix").stdout.splitlines()
    assert tsv[0] == "permission\tcustomer\tstaff\tadmin\tsuper_admin"
    assert "erase_users\tfalse\tfalse\tfalse\ttrue" in tsv
    terminal = make_env(out=TtyStringIO())
    terminal.operator = signed_in_boss
    assert invoke(terminal, "roles", "permissions", "--matrix").exit_code == 0
    drawn = terminal.out.getvalue()
    assert "✓" in drawn and "true" not in drawn


# -- the catalogue -----------------------------------------------------------------------------------------
def test_create_permit_forbid_delete(cli, session, signed_in_boss):
    created = cli("roles", "create", "field_agent", "--display-name", "Field Agent")
    assert created.exit_code == 0 and created.stdout == "" and "Created role field_agent" in created.stderr
    assert cli("roles", "create", "field_agent", "--display-name", "Again").exit_code == 2
    permitted = cli("roles", "permit", "field_agent", "view_services")
    assert permitted.exit_code == 0 and "now permits view_services" in permitted.stderr
    again = cli("roles", "permit", "field_agent", "view_services")
    assert again.exit_code == 0 and "nothing changed" in again.stderr
    assert cli("roles", "permit", "field_agent", "fly").exit_code == 3
    assert cli("roles", "forbid", "field_agent", "view_services").exit_code == 0
    cli("roles", "grant", "--user", "boss", "--role", "field_agent")
    refused = cli("roles", "delete", "field_agent")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert "take it from 1 person (boss)" in refused.stderr
    deleted = cli("--yes", "roles", "delete", "field_agent")
    assert deleted.exit_code == 0 and "Deleted role field_agent; 1 person lost it." in deleted.stderr
    assert [e.action for e in audit_entries(session)] == [
        "roles.create", "roles.permit", "roles.forbid", "roles.grant", "roles.delete"]


def test_the_name_rule_is_checked_before_the_database(cli_nodb):
    result = cli_nodb("roles", "create", "Field-Agent", "--display-name", "Field Agent")
    assert result.exit_code == 2 and "role name 'Field-Agent' is not allowed" in result.stderr
    assert "lower-case letters and underscores" in result.stderr


def test_system_roles_stay(cli, signed_in_boss):
    deleted = cli("--yes", "roles", "delete", "admin")
    assert deleted.exit_code == 2 and "admin is a system role: it can't be deleted" in deleted.stderr
    renamed = cli("roles", "update", "staff", "--rename", "workers")
    assert renamed.exit_code == 2 and "can't be renamed" in renamed.stderr
    assert cli("roles", "update", "staff", "--display-name", "Staff").exit_code == 0
    assert cli("roles", "update", "staff").exit_code == 2


# -- grants --------------------------------------------------------------------------------------------------
def test_grant_off_a_terminal_never_prompts_and_names_what_is_missing(cli, signed_in_boss):
    both = cli("roles", "grant")
    assert both.exit_code == 2 and "missing --user and --role" in both.stderr and both.stdout == ""
    role = cli("roles", "grant", "--user", "boss")
    assert role.exit_code == 2 and "missing --role" in role.stderr
    user = cli("roles", "grant", "--role", "staff")
    assert user.exit_code == 2 and "missing --user" in user.stderr


def test_grant_and_grant_again(cli, session, signed_in_boss):
    make_user(session, "kemi", staff=True)
    first = cli("roles", "grant", "--user", "kemi", "--role", "staff", "--role", "customer",
                "--expires", "30d", "--reason", "new hire")
    assert first.exit_code == 0 and first.stdout == ""
    assert "Granted staff to kemi, until 2026-12-25 10:00 WAT." in first.stderr
    row = holds(session, "kemi", "staff")
    assert row.assigned_by == signed_in_boss.user_id and row.expires_at == FIXED_NOW + timedelta(days=30)
    again = cli("-f", "json", "roles", "grant", "-u", "kemi", "-r", "staff", "--expires", "2026-12-31")
    assert "kemi already had staff (was until 2026-12-25 10:00 WAT); expiry updated: now until the end of " \
           "2026-12-31." in again.stderr
    assert json.loads(again.stdout) == [{"username": "kemi", "role": "staff", "outcome": "renewed",
                                         "old_expires_at": "2026-12-25T09:00:00+00:00",
                                         "new_expires_at": "2026-12-31T23:00:00+00:00"}]
    assert [e.action for e in audit_entries(session)] == ["roles.grant", "roles.grant"]


def test_grant_refusals_and_their_exit_codes(cli, session, signed_in_admin):
    make_user(session, "kemi", staff=True)
    admin = cli("roles", "grant", "--user", "kemi", "--role", "admin")
    assert admin.exit_code == 4 and "only a super_admin may grant admin" in admin.stderr
    assert cli("roles", "grant", "--user", "nobody", "--role", "staff").exit_code == 3
    assert cli("roles", "grant", "--user", "kemi", "--role", "pilot").exit_code == 3
    bad = cli("roles", "grant", "--user", "kemi", "--role", "staff", "--expires", "soon")
    assert bad.exit_code == 2 and "--expires 'soon'" in bad.stderr and "hint:" in bad.stderr
    assert audit_entries(session) == []


def test_revoke(cli, session, signed_in_boss):
    make_user(session, "kemi", staff=True, roles=("staff",))
    done = cli("roles", "revoke", "--user", "kemi", "--role", "staff")
    assert done.exit_code == 0 and "Revoked staff from kemi." in done.stderr
    assert holds(session, "kemi", "staff") is None
    nothing = cli("roles", "revoke", "--user", "kemi", "--role", "staff")
    assert nothing.exit_code == 0 and "does not hold staff" in nothing.stderr
    missing = cli("roles", "revoke", "--user", "kemi")
    assert missing.exit_code == 2 and "--role" in missing.stderr
    last = cli("roles", "revoke", "--user", "boss", "--role", "super_admin")
    assert last.exit_code == 2 and "last active super_admin" in last.stderr
    assert [e.action for e in audit_entries(session)] == ["roles.revoke"]


# -- sweep ---------------------------------------------------------------------------------------------------
def expire_some(session):
    make_user(session, "old", staff=True, roles=("staff",), role_expires_at=FIXED_NOW - timedelta(days=1))
    make_user(session, "fresh", staff=True, roles=("staff",), role_expires_at=FIXED_NOW + timedelta(days=1))


def test_sweep_needs_a_person_with_manage_roles_or_cron_opting_in(cli, make_env, session):
    expire_some(session)
    refused = cli("roles", "sweep")
    assert refused.exit_code == 4 and "GMCTL_UNATTENDED=1" in refused.stderr
    cron = invoke(make_env(environ={"GMCTL_UNATTENDED": "1"}), "roles", "sweep")
    assert cron.exit_code == 0
    assert cron.stdout.splitlines() == ["username\trole\texpires_at\tassigned_by",
                                        f"old\tstaff\t{(FIXED_NOW - timedelta(days=1)).isoformat()}\t"]
    assert "1 expired grant removed." in cron.stderr
    [entry] = audit_entries(session, "roles.expire")
    assert entry.actor_id is None and entry.message.startswith("sweep: removed old's staff")
    assert holds(session, "old", "staff") is None and holds(session, "fresh", "staff") is not None


def test_sweep_refuses_a_signed_in_person_without_the_permission_even_from_cron(make_env, session):
    env = make_env(environ={"GMCTL_UNATTENDED": "1"})
    sign_in(env, session, make_user(session, "stella", staff=True, roles=("staff",)))
    result = invoke(env, "roles", "sweep")
    assert result.exit_code == 4 and "manage_roles" in result.stderr


def test_sweep_dry_run_lists_and_changes_nothing(cli, session, signed_in_boss):
    expire_some(session)
    dry = cli("-f", "json", "roles", "sweep", "--dry-run")
    assert dry.exit_code == 0 and [r["username"] for r in json.loads(dry.stdout)] == ["old"]
    assert "would be removed; nothing changed (dry run)" in dry.stderr
    assert holds(session, "old", "staff") is not None and audit_entries(session) == []
    swept = cli("-f", "tsv", "roles", "sweep")
    assert swept.exit_code == 0
    assert audit_entries(session, "roles.expire")[0].actor_id == signed_in_boss.user_id
    quiet = cli("-f", "tsv", "roles", "sweep")
    assert quiet.stdout == "" and "No expired grants." in quiet.stderr
    empty = cli("-f", "json", "roles", "sweep")
    assert empty.exit_code == 0 and json.loads(empty.stdout) == []
