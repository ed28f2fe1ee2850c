"""The default roles and permissions, and what each role is granted.

Roles and permissions are the schema document's rows (migration 20240101000001
inserts the same ones on a new database). The grants are ours: the document
defines none. `ensure_reference_data` treats all three as a floor: it adds what
is missing and never changes or removes a row, so a default grant revoked by
hand comes back on the next run. To take a permission from a system role for
good, change DEFAULT_GRANTS.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, column, select, values
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from gmctl.db.models import Permission, Role, RolePermission

DEFAULT_ROLES: tuple[dict[str, Any], ...] = (
    {"name": "customer", "display_name": "Customer", "description": "Regular platform user"},
    {"name": "staff", "display_name": "Staff Member", "description": "GM Services staff member"},
    {"name": "admin", "display_name": "Administrator", "description": "System administrator"},
    {"name": "super_admin", "display_name": "Super Administrator", "description": "Full system access"},
)

DEFAULT_PERMISSIONS: tuple[dict[str, str], ...] = (
    {
        "name": "view_services",
        "resource": "services",
        "action": "view",
        "description": "View service requests",
    },
    {
        "name": "create_services",
        "resource": "services",
        "action": "create",
        "description": "Create service requests",
    },
    {"name": "manage_users", "resource": "users", "action": "manage", "description": "Manage user accounts"},
    {"name": "view_reports", "resource": "reports", "action": "view", "description": "View system reports"},
    {
        "name": "manage_payments",
        "resource": "payments",
        "action": "manage",
        "description": "Manage payment transactions",
    },
    # Added by migration gm03 (operator sign-in): what the command groups check beyond the five above.
    {
        "name": "triage_services",
        "resource": "services",
        "action": "triage",
        "description": "Assign, prioritise, cost, annotate and move service requests",
    },
    {
        "name": "reopen_services",
        "resource": "services",
        "action": "reopen",
        "description": "Reopen completed, cancelled or failed service requests",
    },
    {"name": "view_users", "resource": "users", "action": "view", "description": "View user accounts"},
    {
        "name": "erase_users",
        "resource": "users",
        "action": "erase",
        "description": "Erase a person's data (NDPA / GDPR right to erasure)",
    },
    {
        "name": "manage_roles",
        "resource": "roles",
        "action": "manage",
        "description": "Create roles, change their permissions, grant and revoke them",
    },
    {
        "name": "view_roles",
        "resource": "roles",
        "action": "view",
        "description": "View roles, permissions and grants",
    },
    # Added by migrations gm11, gm12 and gm13: the loan desk, the payments desk and uploaded files.
    {"name": "view_loans", "resource": "loans", "action": "view",
     "description": "View loan applications, schedules and key facts"},
    {"name": "review_loans", "resource": "loans", "action": "review",
     "description": "Take loan applications into review"},
    {"name": "decide_loans", "resource": "loans", "action": "decide",
     "description": "Approve, reject, withdraw and expire loan applications"},
    {"name": "view_payments", "resource": "payments", "action": "view",
     "description": "View payments, refunds and stored payment methods"},
    {"name": "view_files", "resource": "files", "action": "view",
     "description": "View uploaded files and their integrity"},
    {"name": "manage_files", "resource": "files", "action": "manage",
     "description": "Scan, quarantine, release and move uploaded files"},
    # gm17: releasing a quarantined file is its own permission (super_admin only by default).
    {"name": "release_files", "resource": "files", "action": "release",
     "description": "Release quarantined files back into storage"},
)

# The same grants as migrations gm03 and gm11-gm13: staff views and triages, admin adds users, roles, payments
# and reopening, super_admin has everything. Customers get none: they never sign in to gmctl.
_STAFF = ("view_services", "create_services", "triage_services", "view_reports", "view_users",
          "view_loans", "review_loans", "view_payments", "view_files")  # the last four: gm11-gm13
_ADMIN = (*_STAFF, "manage_users", "manage_roles", "view_roles", "manage_payments", "reopen_services",
          "decide_loans", "manage_files")

# Role name -> permission names.
DEFAULT_GRANTS: dict[str, tuple[str, ...]] = {
    "customer": (),
    "staff": _STAFF,
    "admin": _ADMIN,
    "super_admin": tuple(p["name"] for p in DEFAULT_PERMISSIONS),
}


def ensure_reference_data(connection: Connection) -> int:
    """Insert the default roles, permissions and grants that are missing; return how many rows were added.

    Runs in the caller's transaction and commits nothing.
    """
    roles, permissions, grants = Role.__table__, Permission.__table__, RolePermission.__table__

    def inserted(statement: Any, table: Any) -> int:
        # Counted from RETURNING: rowcount is not reliable for a Core INSERT on
        # psycopg (SQLAlchemy may consume the cursor to fetch primary keys).
        return len(connection.execute(statement.returning(table.c.id)).all())

    # No conflict target: a row clashing on any unique key (name, or a
    # permission's resource+action) is somebody's own and is left alone.
    role_rows = [{**row, "is_system_role": True} for row in DEFAULT_ROLES]
    added = inserted(insert(roles).values(role_rows).on_conflict_do_nothing(), roles)
    added += inserted(
        insert(permissions).values(list(DEFAULT_PERMISSIONS)).on_conflict_do_nothing(), permissions
    )

    pairs = [(role, permission) for role, granted in DEFAULT_GRANTS.items() for permission in granted]
    wanted = values(column("role_name", String), column("permission_name", String), name="wanted").data(pairs)
    by_name = (
        select(roles.c.id, permissions.c.id)
        .select_from(wanted)
        .join(roles, roles.c.name == wanted.c.role_name)
        .join(permissions, permissions.c.name == wanted.c.permission_name)
    )
    added += inserted(
        insert(grants).from_select(["role_id", "permission_id"], by_name).on_conflict_do_nothing(), grants
    )
    return added
