"""gmctl roles: roles, permissions and role grants.

Typer only: parse, check permissions, call gmctl.roles, hand rows to gmctl.output. Domain and prompt
libraries are imported inside the commands so `gmctl --help` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

import typer

from gmctl import output
from gmctl.cli import params
from gmctl.cli.base import command, env_of, new_group
from gmctl.errors import InvalidInput

if TYPE_CHECKING:
    from datetime import datetime

    from gmctl.auth.operator import Operator
    from gmctl.context import Env
    from gmctl.roles.grants import GrantPlan

app = new_group("Roles, permissions and role grants.")

VIEW, MANAGE = "view_roles", "manage_roles"


# -- reading ---------------------------------------------------------------------------------------------
@command(app, "list", replica=True)
def list_roles(ctx: typer.Context) -> None:
    """Roles with their member counts and whether each is a system role."""
    from gmctl.auth.permissions import require
    from gmctl.roles import catalogue

    env = env_of(ctx)
    with env.transaction() as session:
        require(env, session, VIEW)
        rows = catalogue.list_roles(session, env.clock())
    columns = ["name", "display_name", "system", "members", "expired", "permissions"]
    output.render_rows(env, rows, columns, empty="No roles.", terminal_columns=columns)


@command(app, "show", replica=True)
def show_role(ctx: typer.Context,
              role: str = typer.Argument(..., help="The role's name, e.g. staff.")) -> None:
    """A role's permissions, and its members: since when, granted by whom, until when."""
    import dataclasses

    from gmctl.auth.permissions import require
    from gmctl.roles import catalogue

    env = env_of(ctx)
    with env.transaction() as session:
        require(env, session, VIEW)
        detail = catalogue.show_role(session, role, env.clock())
    document = {"name": detail.name, "display_name": detail.display_name, "description": detail.description,
                "system": detail.system, "permissions": detail.permissions,
                "members": [dataclasses.asdict(member) for member in detail.members]}
    output.render_document(env, document, title=f"role {detail.name}")
    if not detail.members and env.output_format != "json":
        output.note(env, f"Nobody holds {detail.name}.")


@command(app, "permissions", replica=True)
def list_permissions(
    ctx: typer.Context,
    matrix: bool = typer.Option(False, "--matrix",
                                help="A grid: one row per permission, one column per role."),
) -> None:
    """Every permission and the roles that permit it."""
    from gmctl.auth.permissions import require
    from gmctl.roles import catalogue

    env = env_of(ctx)
    with env.transaction() as session:
        require(env, session, VIEW)
        if not matrix:
            rows = catalogue.list_permissions(session)
        else:
            grid = catalogue.permission_matrix(session)
    if not matrix:
        columns = ["name", "resource", "action", "roles", "description"]
        output.render_rows(env, rows, columns, empty="No permissions.", terminal_columns=columns)
        return
    cells = grid.rows
    if env.output_format == "table":  # ticks for people; true/false for scripts
        cells = [{k: _tick(v) for k, v in row.items()} for row in cells]
    output.render_rows(env, cells, ["permission", *grid.roles], empty="No permissions.")


# -- the catalogue ---------------------------------------------------------------------------------------
@command(app, "create")
def create_role(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Lower-case letters and underscores, e.g. field_agent."),
    display_name: str = typer.Option(..., "--display-name", help="The name people read, e.g. 'Field Agent'."),
    description: Optional[str] = typer.Option(None, "--description", help="What the role is for."),
) -> None:
    """Create a role (it permits nothing until `roles permit`)."""
    from gmctl.roles import catalogue

    env = env_of(ctx)
    catalogue.check_role_name(name)  # before any connection: a bad name is a usage error
    with env.transaction() as session:
        operator = _manager(env, session)
        change = catalogue.create_role(session, operator, name, display_name, description, env.clock())
    output.success(env, change.message)


@command(app, "update")
def update_role(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The role to change."),
    rename: Optional[str] = typer.Option(None, "--rename", metavar="NEW_NAME",
                                         help="A new name (not for system roles)."),
    display_name: Optional[str] = typer.Option(None, "--display-name", help="A new display name."),
    description: Optional[str] = typer.Option(None, "--description",
                                              help="A new description ('' clears it)."),
) -> None:
    """Rename a role or change its display name or description. System roles keep their names."""
    from gmctl.roles import catalogue

    env = env_of(ctx)
    if rename is None and display_name is None and description is None:
        raise InvalidInput("nothing to change", hint="pass --rename, --display-name or --description")
    if rename is not None:
        catalogue.check_role_name(rename)
    with env.transaction() as session:
        operator = _manager(env, session)
        change = catalogue.update_role(session, operator, name, new_name=rename, display_name=display_name,
                                       description=description, now=env.clock())
    (output.success if change.changed else output.note)(env, change.message)


@command(app, "delete")
def delete_role(ctx: typer.Context, name: str = typer.Argument(..., help="The role to delete.")) -> None:
    """Delete a role that is not a system role; whoever holds it loses it. Asks first (or --yes)."""
    from gmctl.cli.confirm import confirm_destructive
    from gmctl.roles import catalogue

    env = env_of(ctx)
    with env.transaction() as session:
        operator = _manager(env, session)
        plan = catalogue.plan_role_deletion(session, name)
        shown = ", ".join(plan.holders[:5]) + (", ..." if len(plan.holders) > 5 else "")
        holders = f" and take it from {catalogue.people(len(plan.holders))} ({shown})" if plan.holders else ""
        confirm_destructive(env, f"delete role {name}{holders}")
        change = catalogue.delete_role(session, operator, name)
    output.success(env, change.message)


@command(app, "permit")
def permit(ctx: typer.Context, role: str = typer.Argument(..., help="The role."),
           permission: str = typer.Argument(..., help="The permission, e.g. view_reports.")) -> None:
    """Let a role do something: add a permission to it."""
    _change_permission(ctx, role, permission, adding=True)


@command(app, "forbid")
def forbid(ctx: typer.Context, role: str = typer.Argument(..., help="The role."),
           permission: str = typer.Argument(..., help="The permission, e.g. view_reports.")) -> None:
    """Take a permission away from a role."""
    _change_permission(ctx, role, permission, adding=False)


def _change_permission(ctx: typer.Context, role: str, permission: str, *, adding: bool) -> None:
    from gmctl.roles import catalogue

    env = env_of(ctx)
    with env.transaction() as session:
        operator = _manager(env, session)
        change = (catalogue.permit if adding else catalogue.forbid)(session, operator, role, permission,
                                                                    env.clock())
    (output.success if change.changed else output.note)(env, change.message)


# -- grants ----------------------------------------------------------------------------------------------
@command(app, "grant")
def grant(
    ctx: typer.Context,
    user: Optional[str] = typer.Option(None, "--user", "-u", help="Username, email or id.", parser=params.user_ref),
    role: Optional[List[str]] = typer.Option(None, "--role", "-r",
                                             help="A role to grant; repeat for several."),
    expires: Optional[str] = typer.Option(
        None, "--expires", metavar="WHEN",
        help="30d, 12h, 2w, a date (through that day, Africa/Lagos) or never."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why; kept in the audit log."),
) -> None:
    """Grant roles to a user. On a terminal, missing --user or --role are asked for interactively."""
    env = env_of(ctx)
    roles = tuple(role or ())
    missing = [name for name, given in (("--user", bool(user)), ("--role", bool(roles))) if not given]
    if missing and not env.interactive:
        raise InvalidInput(f"missing {' and '.join(missing)}",
                           hint="pass --user USER --role ROLE, or run it on a terminal to choose "
                                "interactively")
    from gmctl.roles.expiry import parse_expiry
    from gmctl.roles.grants import GrantPlan

    expires_at = parse_expiry(expires, env.clock())
    if missing:
        plan = _ask_plan(env, user, roles, expires_at, expires is not None, reason)
        if plan is None:
            return
    else:
        plan = GrantPlan(user or "", roles, (), expires_at, reason)
    _apply(env, plan)


@command(app, "revoke")
def revoke(
    ctx: typer.Context,
    user: str = typer.Option(..., "--user", "-u", help="Username, email or id.", parser=params.user_ref),
    role: List[str] = typer.Option(..., "--role", "-r", help="A role to revoke; repeat for several."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why; kept in the audit log."),
) -> None:
    """Take roles away from a user."""
    from gmctl.roles.grants import GrantPlan

    _apply(env_of(ctx), GrantPlan(user, (), tuple(role), None, reason))


def _ask_plan(env: "Env", user: str | None, roles: tuple[str, ...], expires_at: "datetime | None",
              expires_given: bool, reason: str | None) -> "GrantPlan | None":
    from gmctl.roles import interactive

    request = interactive.GrantRequest(user, roles, expires_at, expires_given, reason)
    with env.transaction() as session:
        operator = _manager(env, session)  # its own transaction: the flow below only reads
    with env.transaction() as session:
        return interactive.ask_grant_plan(session, operator, env.clock(), request, interactive.terminal_io(),
                                          lambda text: output.note(env, text))


def _apply(env: "Env", plan: "GrantPlan") -> None:
    from gmctl.roles.grants import grant_roles

    with env.transaction() as session:
        operator = _manager(env, session)
        changes = grant_roles(session, operator, plan, env.clock())
    for change in changes:
        (output.success if change.changed else output.note)(env, change.message)
    if env.format == "json":
        output.render_rows(env, changes, ["username", "role", "outcome", "old_expires_at", "new_expires_at"])


@command(app, "sweep")
def sweep(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="List the expired grants; remove nothing."),
) -> None:
    """Remove grants past their expiry, one audit entry each. Safe from cron (see GMCTL_UNATTENDED)."""
    from gmctl.roles import grants

    env = env_of(ctx)
    now = env.clock()
    with env.transaction() as session:
        operator = _sweeper(env, session, VIEW if dry_run else MANAGE)
        found = grants.list_expired(session, now) if dry_run else grants.sweep_expired(session, operator, now)
    output.render_rows(env, found, ["username", "role", "expires_at", "assigned_by"],
                       empty="No expired grants.")
    if found:
        done = "would be removed; nothing changed (dry run)" if dry_run else "removed"
        output.note(env, f"{len(found)} expired grant{'s' if len(found) != 1 else ''} {done}.")


def _tick(value: object) -> object:
    return "✓" if value is True else "" if value is False else value


def _manager(env: "Env", session) -> "Operator":
    from gmctl.auth.permissions import require

    return require(env, session, MANAGE)


def _sweeper(env: "Env", session, permission: str) -> "Operator | None":
    """A signed-in person needs the permission. Cron has no person: it opts in with GMCTL_UNATTENDED=1.

    Unattended is safe because the sweep only deletes grants that already confer nothing.
    """
    from gmctl.auth.permissions import require_or_unattended

    return require_or_unattended(env, session, permission)
