"""Seed version 20240101000002: user_profiles.

Seed-notes: none resolved here (replay of the schema document, see
20240101000001). Its `idx_user_profiles_user_id` repeats the index of
UNIQUE(user_id) (point 12, dropped by fix12_drop_repeated_indexes).
"""

from alembic import op

revision = "20240101000002"
down_revision = "20240101000001"
branch_labels = None
depends_on = None

USER_PROFILES = r"""
CREATE TABLE user_profiles (
    id SERIAL PRIMARY KEY,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,

    -- Address information
    street_address VARCHAR(255),
    city VARCHAR(100),
    state VARCHAR(100),
    postal_code VARCHAR(20),
    country VARCHAR(100) DEFAULT 'Nigeria',

    -- Business information
    company_name VARCHAR(255),
    job_title VARCHAR(100),
    industry VARCHAR(100),

    -- Preferences
    language VARCHAR(10) DEFAULT 'en',
    timezone VARCHAR(50) DEFAULT 'Africa/Lagos',
    currency VARCHAR(3) DEFAULT 'NGN',
    notification_preferences JSONB DEFAULT '{}',

    -- Social media
    linkedin_url VARCHAR(500),
    twitter_handle VARCHAR(50),
    website_url VARCHAR(500),

    -- Metadata
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,

    UNIQUE(user_id)
)
"""

UPGRADE = [
    USER_PROFILES,
    "CREATE INDEX idx_user_profiles_user_id ON user_profiles(user_id)",
    "CREATE INDEX idx_user_profiles_country ON user_profiles(country)",
    "CREATE INDEX idx_user_profiles_city ON user_profiles(city)",
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE user_profiles")
