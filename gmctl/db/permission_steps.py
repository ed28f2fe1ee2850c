"""The one way a migration adds permissions and their default grants (gm11, gm12, gm13, ...).

A permission is (name, resource, action, description); grants map a role name to permission names.
Rows are inserted ON CONFLICT DO NOTHING, so grants made or revoked by hand stay as they are, and the
same rows must be in gmctl/db/reference_data.py so `gmctl db init` restores them too.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

Permission = tuple[str, str, str, str]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def add_permissions(op: Any, permissions: Sequence[Permission], grants: Mapping[str, Sequence[str]]) -> None:
    """Insert the permissions, then grant them to the named system roles (a role that is missing is skipped)."""
    rows = ",\n".join("(" + ", ".join(_quoted(part) for part in p) + ")" for p in permissions)
    op.execute(f"INSERT INTO permissions (name, resource, action, description) VALUES\n{rows}\nON CONFLICT DO NOTHING")
    pairs = ", ".join(f"({_quoted(role)}, {_quoted(name)})" for role, names in grants.items() for name in names)
    op.execute(
        "INSERT INTO role_permissions (role_id, permission_id)\n"
        f"SELECT r.id, p.id FROM (VALUES {pairs}) AS wanted(role_name, permission_name)\n"
        "JOIN roles r ON r.name = wanted.role_name\n"
        "JOIN permissions p ON p.name = wanted.permission_name\n"
        "ON CONFLICT DO NOTHING"
    )


def drop_permissions(op: Any, permissions: Sequence[Permission]) -> None:
    """Delete the permissions; their grants go with them (role_permissions ON DELETE CASCADE)."""
    op.execute("DELETE FROM permissions WHERE name IN (" + ", ".join(_quoted(p[0]) for p in permissions) + ")")
