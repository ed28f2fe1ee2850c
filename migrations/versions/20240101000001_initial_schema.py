"""Seed version 20240101000001: users, roles, permissions and the role links.

Seed-notes: none resolved here. This revision and the next four replay the schema
document as it was applied to production (block by block, failures skipped), so
that `gmctl db adopt` can stamp 20240101000005 on the live database and every
later fix starts from what is really there. The SQL is copied from the document
unchanged; the defects it carries are mended by the fix* revisions.

The document's own "Migration 20240101000001" block (a shorter users/roles/
permissions) is not replayed: applied after the full CREATE TABLEs it failed.
"""

from alembic import op

revision = "20240101000001"
down_revision = None
branch_labels = None
depends_on = None

USERS = r"""
CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    username VARCHAR(50) UNIQUE NOT NULL,
    email VARCHAR(255) UNIQUE NOT NULL,
    email_verified BOOLEAN DEFAULT FALSE,
    password_hash VARCHAR(255) NOT NULL,
    first_name VARCHAR(100),
    last_name VARCHAR(100),
    phone VARCHAR(20),
    date_of_birth DATE,
    gender VARCHAR(10),
    profile_image VARCHAR(500),

    -- Security fields
    is_active BOOLEAN DEFAULT TRUE,
    is_staff BOOLEAN DEFAULT FALSE,
    is_superuser BOOLEAN DEFAULT FALSE,
    failed_login_attempts INTEGER DEFAULT 0,
    last_login TIMESTAMP WITH TIME ZONE,
    password_changed_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    -- MFA fields
    mfa_enabled BOOLEAN DEFAULT FALSE,
    mfa_secret VARCHAR(32),
    backup_codes TEXT[], -- Encrypted backup codes

    -- Metadata
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    -- Constraints
    CONSTRAINT chk_username_length CHECK (LENGTH(username) >= 3),
    CONSTRAINT chk_email_format CHECK (email ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'),
    CONSTRAINT chk_phone_format CHECK (phone IS NULL OR phone ~ '^\+?[1-9]\d{1,14}$')
)
"""

ROLES = r"""
CREATE TABLE roles (
    id SERIAL PRIMARY KEY,
    name VARCHAR(50) UNIQUE NOT NULL,
    display_name VARCHAR(100) NOT NULL,
    description TEXT,
    is_system_role BOOLEAN DEFAULT FALSE,

    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_role_name_format CHECK (name ~ '^[a-z_]+$')
)
"""

DEFAULT_ROLES = r"""
INSERT INTO roles (name, display_name, description, is_system_role) VALUES
('customer', 'Customer', 'Regular platform user', TRUE),
('staff', 'Staff Member', 'GM Services staff member', TRUE),
('admin', 'Administrator', 'System administrator', TRUE),
('super_admin', 'Super Administrator', 'Full system access', TRUE)
"""

PERMISSIONS = r"""
CREATE TABLE permissions (
    id SERIAL PRIMARY KEY,
    name VARCHAR(100) UNIQUE NOT NULL,
    resource VARCHAR(50) NOT NULL,
    action VARCHAR(50) NOT NULL,
    description TEXT,

    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT chk_permission_name_format CHECK (name ~ '^[a-z_]+$'),
    UNIQUE(resource, action)
)
"""

SAMPLE_PERMISSIONS = r"""
INSERT INTO permissions (name, resource, action, description) VALUES
('view_services', 'services', 'view', 'View service requests'),
('create_services', 'services', 'create', 'Create service requests'),
('manage_users', 'users', 'manage', 'Manage user accounts'),
('view_reports', 'reports', 'view', 'View system reports'),
('manage_payments', 'payments', 'manage', 'Manage payment transactions')
"""

USER_ROLES = r"""
CREATE TABLE user_roles (
    id SERIAL PRIMARY KEY,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    role_id INTEGER REFERENCES roles(id) ON DELETE CASCADE,
    assigned_by INTEGER REFERENCES users(id),
    assigned_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP WITH TIME ZONE,

    UNIQUE(user_id, role_id)
)
"""

ROLE_PERMISSIONS = r"""
CREATE TABLE role_permissions (
    id SERIAL PRIMARY KEY,
    role_id INTEGER REFERENCES roles(id) ON DELETE CASCADE,
    permission_id INTEGER REFERENCES permissions(id) ON DELETE CASCADE,
    granted_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    UNIQUE(role_id, permission_id)
)
"""

UPGRADE = [
    USERS,
    "CREATE INDEX idx_users_username ON users(username)",
    "CREATE INDEX idx_users_email ON users(email)",
    "CREATE INDEX idx_users_active ON users(is_active) WHERE is_active = TRUE",
    "CREATE INDEX idx_users_created_at ON users(created_at)",
    ROLES,
    DEFAULT_ROLES,
    PERMISSIONS,
    SAMPLE_PERMISSIONS,
    USER_ROLES,
    "CREATE INDEX idx_user_roles_user_id ON user_roles(user_id)",
    "CREATE INDEX idx_user_roles_role_id ON user_roles(role_id)",
    "CREATE INDEX idx_user_roles_expires_at ON user_roles(expires_at) WHERE expires_at IS NOT NULL",
    ROLE_PERMISSIONS,
    "CREATE INDEX idx_role_permissions_role_id ON role_permissions(role_id)",
    "CREATE INDEX idx_role_permissions_permission_id ON role_permissions(permission_id)",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE role_permissions, user_roles, permissions, roles, users")
