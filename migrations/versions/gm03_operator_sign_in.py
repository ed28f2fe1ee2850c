"""Operator sign-in: sessions, MFA replay guard, the permissions the command groups need (issue 3).

- operator_sessions: one row per `gmctl login`. The token itself lives only in the operator's
  GMCTL_HOME (mode 0600); the database keeps its SHA-256, so a dump of this table signs nobody in.
  A row ends by expiry, by logout (revoked_at), by deactivation or a password reset (revoked_at),
  or with the user (ON DELETE CASCADE).
- users.mfa_last_step: the last TOTP time step accepted, so a code seen once is refused in the
  rest of its window (pyotp has no replay guard of its own).
- users.locked_at: set when failed sign-ins reach the limit; cleared by `gmctl users unlock`.
  An explicit marker, not "attempts >= limit", so changing the limit locks or frees nobody.
- Six permissions beyond the document's five, and the default grants of the system roles:
  customer none; staff views and triages; admin adds users, roles, payments and reopening;
  super_admin everything. ON CONFLICT DO NOTHING: grants made or kept by hand stay as they are.
  gmctl/db/reference_data.py holds the same rows, so `gmctl db init` restores them too.

The downgrade drops the table and columns and the six permissions (their grants go with them by
ON DELETE CASCADE); grants of the document's five permissions are left, as `db init` makes them.
"""

from __future__ import annotations

from alembic import op

revision = "gm03_operator_sign_in"
down_revision = "fix_json_checks_immutable"
branch_labels = None
depends_on = None

OPERATOR_SESSIONS = """
CREATE TABLE operator_sessions (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE,
    last_seen_at TIMESTAMP WITH TIME ZONE,

    CONSTRAINT chk_operator_sessions_expiry CHECK (expires_at > created_at)
)
"""

NEW_PERMISSIONS = """
INSERT INTO permissions (name, resource, action, description) VALUES
('triage_services', 'services', 'triage', 'Assign, prioritise, cost, annotate and move service requests'),
('reopen_services', 'services', 'reopen', 'Reopen completed, cancelled or failed service requests'),
('view_users', 'users', 'view', 'View user accounts'),
('erase_users', 'users', 'erase', 'Erase a person''s data (NDPA / GDPR right to erasure)'),
('manage_roles', 'roles', 'manage', 'Create roles, change their permissions, grant and revoke them'),
('view_roles', 'roles', 'view', 'View roles, permissions and grants')
ON CONFLICT DO NOTHING
"""

STAFF = ("view_services", "create_services", "triage_services", "view_reports", "view_users")
ADMIN = (*STAFF, "manage_users", "manage_roles", "view_roles", "manage_payments", "reopen_services")

DEFAULT_GRANTS = f"""
INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id
FROM (VALUES {", ".join(f"('staff', '{name}')" for name in STAFF)},
             {", ".join(f"('admin', '{name}')" for name in ADMIN)}) AS wanted(role_name, permission_name)
JOIN roles r ON r.name = wanted.role_name
JOIN permissions p ON p.name = wanted.permission_name
UNION
SELECT r.id, p.id FROM roles r CROSS JOIN permissions p WHERE r.name = 'super_admin'
ON CONFLICT DO NOTHING
"""

UPGRADE = [
    OPERATOR_SESSIONS,
    "CREATE INDEX idx_operator_sessions_user_id ON operator_sessions(user_id)",
    "ALTER TABLE users ADD COLUMN mfa_last_step BIGINT",
    "COMMENT ON COLUMN users.mfa_last_step IS 'Last TOTP time step accepted: a code is good once'",
    "ALTER TABLE users ADD COLUMN locked_at TIMESTAMP WITH TIME ZONE",
    "COMMENT ON COLUMN users.locked_at IS 'Set when failed sign-ins reached the limit; NULL when not locked'",
    NEW_PERMISSIONS,
    DEFAULT_GRANTS,
]

DOWNGRADE = [
    "DELETE FROM permissions WHERE name IN ('triage_services', 'reopen_services', 'view_users',"
    " 'erase_users', 'manage_roles', 'view_roles')",
    "ALTER TABLE users DROP COLUMN locked_at",
    "ALTER TABLE users DROP COLUMN mfa_last_step",
    "DROP TABLE operator_sessions",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
