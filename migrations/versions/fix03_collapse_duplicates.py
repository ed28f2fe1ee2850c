"""fix03: keep one of each constraint the document declared twice (seed-notes 3).

'Relationships and Constraints' re-adds, under new names, constraints that the
CREATE TABLEs had already made. Every write paid for each twice, and for
payments / file_uploads the two foreign keys to service_requests disagreed: the
inline NO ACTION one won, so a request with a payment could not be deleted.

Kept: the constraint PostgreSQL named from the CREATE TABLE (users_username_key,
user_profiles_user_id_fkey, chk_email_format, chk_dates, ...), so the names
follow one rule that the models' naming convention reproduces. Dropped: the
section's uq_*/fk_*/chk_* twins; chk_loan_amounts is implied by chk_amounts
(both pass a NULL monthly_income). For payments and file_uploads both foreign
keys go and one is made under the PostgreSQL name with the section's stated
intent, ON DELETE SET NULL: a payment or a file outlives its request.

Every DROP is IF EXISTS (issue 14, part 4): a live database whose team skipped the section, or
part of it, lacks the twins, and ends the same.
"""

from alembic import op

revision = "fix03_collapse_duplicates"
down_revision = "fix01_vehicle_services_costs"
branch_labels = None
depends_on = None

UPGRADE = [
    (
        "ALTER TABLE users DROP CONSTRAINT IF EXISTS uq_users_username, DROP CONSTRAINT IF EXISTS uq_users_email,"
        " DROP CONSTRAINT IF EXISTS chk_users_email_format, DROP CONSTRAINT IF EXISTS chk_users_phone_format"
    ),
    "ALTER TABLE user_roles DROP CONSTRAINT IF EXISTS uq_user_roles, DROP CONSTRAINT IF EXISTS fk_user_roles_user",
    "ALTER TABLE role_permissions DROP CONSTRAINT IF EXISTS uq_role_permissions",
    "ALTER TABLE user_profiles DROP CONSTRAINT IF EXISTS fk_user_profiles_user",
    "ALTER TABLE service_requests DROP CONSTRAINT IF EXISTS fk_service_requests_user",
    "ALTER TABLE service_status_history DROP CONSTRAINT IF EXISTS fk_status_history_service",
    "ALTER TABLE hotel_bookings DROP CONSTRAINT IF EXISTS chk_hotel_dates",
    "ALTER TABLE loan_applications DROP CONSTRAINT IF EXISTS chk_loan_amounts",
    (
        "ALTER TABLE payments DROP CONSTRAINT IF EXISTS chk_payments_amount_positive,"
        " DROP CONSTRAINT IF EXISTS fk_payments_service, DROP CONSTRAINT IF EXISTS payments_service_request_id_fkey,"
        " ADD CONSTRAINT payments_service_request_id_fkey FOREIGN KEY (service_request_id)"
        " REFERENCES service_requests(id) ON DELETE SET NULL"
    ),
    (
        "ALTER TABLE file_uploads"
        " DROP CONSTRAINT IF EXISTS fk_file_uploads_service, DROP CONSTRAINT IF EXISTS file_uploads_service_request_id_fkey,"
        " ADD CONSTRAINT file_uploads_service_request_id_fkey FOREIGN KEY (service_request_id)"
        " REFERENCES service_requests(id) ON DELETE SET NULL"
    ),
]

DOWNGRADE = [
    (
        "ALTER TABLE file_uploads DROP CONSTRAINT file_uploads_service_request_id_fkey,"
        " ADD CONSTRAINT file_uploads_service_request_id_fkey FOREIGN KEY (service_request_id)"
        " REFERENCES service_requests(id),"
        " ADD CONSTRAINT fk_file_uploads_service FOREIGN KEY (service_request_id)"
        " REFERENCES service_requests(id) ON DELETE SET NULL"
    ),
    (
        "ALTER TABLE payments DROP CONSTRAINT payments_service_request_id_fkey,"
        " ADD CONSTRAINT payments_service_request_id_fkey FOREIGN KEY (service_request_id)"
        " REFERENCES service_requests(id),"
        " ADD CONSTRAINT fk_payments_service FOREIGN KEY (service_request_id)"
        " REFERENCES service_requests(id) ON DELETE SET NULL,"
        " ADD CONSTRAINT chk_payments_amount_positive CHECK (amount > 0)"
    ),
    (
        "ALTER TABLE loan_applications ADD CONSTRAINT chk_loan_amounts"
        " CHECK (loan_amount > 0 AND monthly_income >= 0)"
    ),
    "ALTER TABLE hotel_bookings ADD CONSTRAINT chk_hotel_dates CHECK (check_out_date > check_in_date)",
    (
        "ALTER TABLE service_status_history ADD CONSTRAINT fk_status_history_service"
        " FOREIGN KEY (service_request_id) REFERENCES service_requests(id) ON DELETE CASCADE"
    ),
    (
        "ALTER TABLE service_requests ADD CONSTRAINT fk_service_requests_user"
        " FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE"
    ),
    (
        "ALTER TABLE user_profiles ADD CONSTRAINT fk_user_profiles_user"
        " FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE"
    ),
    "ALTER TABLE role_permissions ADD CONSTRAINT uq_role_permissions UNIQUE (role_id, permission_id)",
    (
        "ALTER TABLE user_roles ADD CONSTRAINT fk_user_roles_user"
        " FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,"
        " ADD CONSTRAINT uq_user_roles UNIQUE (user_id, role_id)"
    ),
    (
        r"ALTER TABLE users ADD CONSTRAINT chk_users_email_format"
        r" CHECK (email ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'),"
        r" ADD CONSTRAINT chk_users_phone_format CHECK (phone IS NULL OR phone ~ '^\+?[1-9]\d{1,14}$'),"
        " ADD CONSTRAINT uq_users_username UNIQUE (username),"
        " ADD CONSTRAINT uq_users_email UNIQUE (email)"
    ),
]


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
