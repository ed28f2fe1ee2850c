"""fix12: drop indexes that repeat a UNIQUE constraint's index (seed-notes 12).

idx_users_username, idx_vehicles_vin and idx_user_profiles_user_id index the
same column as the unique index behind users_username_key, vehicles_vin_key and
user_profiles_user_id_key: every write maintained both, and the planner can use
either. idx_users_email repeated users_email_key; since fix11 the unique rule is
on lower(email), and lookups go through that index (an exact-case query on
active users still has idx_users_active_email). IF EXISTS (issue 14, part 4): a live
database whose team already dropped some of them ends the same.
"""

from alembic import op

revision = "fix12_drop_repeated_indexes"
down_revision = "fix11_email_unique_ignore_case"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS idx_users_username, idx_users_email, idx_vehicles_vin, idx_user_profiles_user_id")


def downgrade() -> None:
    for statement in (
        "CREATE INDEX idx_users_username ON users(username)",
        "CREATE INDEX idx_users_email ON users(email)",
        "CREATE INDEX idx_vehicles_vin ON vehicles(vin) WHERE vin IS NOT NULL",
        "CREATE INDEX idx_user_profiles_user_id ON user_profiles(user_id)",
    ):
        op.execute(statement)
