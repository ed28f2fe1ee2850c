"""Rows in every table, for backup round trips (at head) and adoption (at the document's schema).

SEED_ROWS only uses what the document's own schema has, so it loads both into a database the
document built and into one at head. HEAD_ROWS fills the tables that only the migrations create.
The card that expired last year cannot be inserted today through the rules that refuse it, so it is
written as it was when it was still valid: with its date rule set aside for that one statement.
"""

from __future__ import annotations

import psycopg

from gmctl.db.url import libpq_url

SEED_ROWS = r"""
INSERT INTO users (id, username, email, password_hash, first_name, last_name, phone, is_staff,
       mfa_secret, backup_codes)
VALUES (1, 'amaka', 'amaka@gmservices.ng', 'x', 'Amaka', 'Obi', '+2348030000001', TRUE,
       'JBSWY3DPEHPK3PXP', ARRAY['h1','h2']),
       (2, 'bayo', 'bayo@example.com', 'x', 'Bayo', 'Adé', '+2348030000002', FALSE, NULL, NULL),
       (3, 'chidi', 'chidi@example.com', 'x', 'Chidi', 'Eze', NULL, FALSE, NULL, NULL),
       (4, 'dayo', 'Dayo@Example.com', 'x', 'Dayo', 'Ola', NULL, FALSE, NULL, NULL);
INSERT INTO user_profiles (id, user_id, city, state, notification_preferences)
VALUES (1, 1, 'Lagos', 'Lagos', '{"email": true, "sms": false}'), (2, 2, 'Abuja', 'FCT', '{}');
INSERT INTO user_roles (id, user_id, role_id, assigned_by)
SELECT 1, 1, id, NULL FROM roles WHERE name = 'staff'
UNION ALL SELECT 2, 2, id, 1 FROM roles WHERE name = 'customer';
INSERT INTO role_permissions (id, role_id, permission_id)
SELECT 1000, r.id, p.id FROM roles r, permissions p WHERE r.name = 'customer' AND p.name = 'view_reports';
INSERT INTO service_requests (id, user_id, service_type, title, description, status, priority, urgency_level,
                              estimated_cost, assigned_to, location_coordinates, service_data, completed_at)
VALUES (1, 2, 'automotive', 'Brake noise', 'Front brakes squeal', 'pending', 'high', 3, 25000.00, 1,
        point(6.45, 3.39), '{"make": "Toyota"}', NULL),
       (2, 3, 'hotel', 'Two nights in Abuja', 'Near the airport, please', 'completed', 'normal', 1,
        90000.00, 1, NULL, '{}', '2026-03-01 10:00+01'),
       (3, 4, 'loans', 'Working capital', 'Stock for the shop', 'in_progress', 'normal', 2,
        NULL, NULL, NULL, '{}', NULL);
INSERT INTO service_status_history (id, service_request_id, previous_status, new_status, changed_by,
       reason, metadata)
VALUES (1, 2, 'pending', 'confirmed', 1, 'room found', '{"by": "phone"}'), (2, 2, 'confirmed',
       'completed', 1, NULL, '{}');
INSERT INTO vehicles (id, user_id, make, model, year, vin, license_plate)
VALUES (1, 2, 'Toyota', 'Corolla', 2015, '1HGCM82633A004352', 'LAG-123-XY');
INSERT INTO hotel_bookings (id, service_request_id, user_id, property_name, check_in_date,
       check_out_date, room_rate, total_amount)
VALUES (1, 2, 3, 'Transcorp Hilton', '2026-02-27', '2026-03-01', 45000.00, 90000.00);
INSERT INTO loan_applications (id, service_request_id, user_id, loan_type, loan_amount,
       employment_status, monthly_income, risk_factors, documents_submitted)
VALUES (1, 3, 4, 'business', 500000.00, 'self_employed', 150000.00, '["new business"]', '["cac.pdf"]');
INSERT INTO payments (id, user_id, service_request_id, amount, payment_method, gateway, status,
       gateway_response, metadata)
VALUES (1, 3, 2, 90000.00, 'card', 'paystack', 'completed', '{"ref": "PSK-1"}', '{}'),
       (2, 2, NULL, 1500.50, 'bank_transfer', 'flutterwave', 'pending', '{}', '{"note": "deposit"}');
INSERT INTO payment_methods (id, user_id, type, provider, card_last_four, card_brand, card_exp_month,
       card_exp_year, is_default)
VALUES (1, 2, 'card', 'paystack', '4242', 'visa', 12, 2030, TRUE);
INSERT INTO payment_methods (id, user_id, type, provider, bank_name, account_last_four, account_type,
       is_default)
VALUES (2, 3, 'bank_account', 'flutterwave', 'GTBank', '0001', 'savings', TRUE);
INSERT INTO messages (id, sender_id, recipient_id, service_request_id, subject, content, attachments,
       thread_id)
VALUES (1, 2, 1, 1, 'Brakes', 'When can you look at it?', '[]', NULL),
       (2, 1, 2, 1, 'Re: Brakes', 'Tomorrow at 10', '[{"name": "quote.pdf"}]', 1);
INSERT INTO notifications (id, user_id, type, title, message, action_data, delivery_methods)
VALUES (1, 2, 'service_update', 'Request received', 'We got it', '{"request": 1}', ARRAY['email', 'sms']);
INSERT INTO file_uploads (id, user_id, service_request_id, original_filename, stored_filename,
       file_path, file_size, mime_type)
VALUES (1, 2, 1, 'brakes.jpg', 'a1b2.jpg', '/uploads/a1b2.jpg', 123456, 'image/jpeg');
"""

# The document's retention copied old completed requests into a LIKE-made archive: one of them.
SEED_ARCHIVE_ROW = r"""
INSERT INTO service_requests_archive (id, user_id, service_type, title, description, status, priority,
       completed_at)
VALUES (99, 3, 'logistics', 'Move office', 'Ikeja to VI', 'completed', 'normal', '2019-05-01 12:00+01');
"""

HEAD_ROWS = r"""
INSERT INTO service_requests_archive (id, user_id, service_type, title, description, status, priority,
       completed_at, archived_links)
VALUES (99, 3, 'logistics', 'Move office', 'Ikeja to VI', 'completed', 'normal', '2019-05-01 12:00+01',
        '{"payments": [], "file_uploads": []}');
INSERT INTO service_status_history_archive (id, service_request_id, new_status) VALUES (50, 99, 'completed');
INSERT INTO messages_archive (id, sender_id, service_request_id, content) VALUES (60, 3, 99, 'Thanks!');
INSERT INTO hotel_bookings_archive (id, service_request_id, user_id, check_in_date, check_out_date)
VALUES (70, 99, 3, '2019-04-01', '2019-04-03');
INSERT INTO loan_applications_archive (id, service_request_id, user_id, loan_type, loan_amount)
VALUES (80, 99, 3, 'personal', 1000);
INSERT INTO vehicle_services_archive (id, vehicle_id, service_request_id, service_type, service_date)
VALUES (90, 1, 99, 'inspection', '2019-04-10');
INSERT INTO vehicle_services (id, vehicle_id, service_request_id, service_type, cost, service_date,
       parts_cost, labor_cost)
VALUES (1, 1, 1, 'brake_service', 25000.00, '2026-11-20', 15000.00, 10000.00);
INSERT INTO operator_sessions (user_id, token_hash, created_at, expires_at)
VALUES (1, repeat('ab', 32), '2026-11-25 08:00+00', '2026-11-26 08:00+00');
INSERT INTO system_logs (level, message, action, target_type, target_id, changes)
VALUES ('INFO', 'request 1 assigned', 'requests.assign', 'service_request', '1',
       '{"assigned_to": {"old": null, "new": 1}}');
INSERT INTO payment_refunds (payment_id, amount, reason, idempotency_key, status, requested_by)
VALUES (1, 5000.00, 'Late delivery', 'bk-1', 'requested', 1);
"""

EXPIRED_CARD = (
    "INSERT INTO payment_methods (id, user_id, type, provider, card_last_four, card_brand, card_exp_month,"
    " card_exp_year, is_default) VALUES (3, 3, 'card', 'paystack', '1881', 'mastercard', 6,"
    " EXTRACT(YEAR FROM CURRENT_DATE)::int - 1, FALSE)"
)

# payment_methods.chk_card_exp as the document writes it.
SEED_CARD_CHECK = (
    "CHECK ((type != 'card') OR"
    " (card_exp_month BETWEEN 1 AND 12 AND card_exp_year >= EXTRACT(YEAR FROM CURRENT_DATE)))"
)

# Every serial sequence past the ids written by hand, so later inserts (migrations too) get new ids.
RESET_SEQUENCES = r"""
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname AS tbl, a.attname AS col, pg_get_serial_sequence(c.relname, a.attname) AS seq
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0
               AND pg_get_serial_sequence(c.relname, a.attname) IS NOT NULL LOOP
        EXECUTE format('SELECT setval(%L, coalesce((SELECT max(%I) FROM %I), 0) + 1, false)', r.seq,
               r.col, r.tbl);
    END LOOP;
END
$$;
"""


def load_head_rows(url: str) -> None:
    """Rows in every table of a database at head, including a card that expired last year."""
    with psycopg.connect(libpq_url(url)) as conn:
        conn.execute(SEED_ROWS)
        conn.execute(HEAD_ROWS)
        # Written while it was valid: the trigger that refuses expired cards did not see it then.
        conn.execute("ALTER TABLE payment_methods DISABLE TRIGGER trigger_payment_methods_card_not_expired")
        conn.execute(EXPIRED_CARD)
        conn.execute("ALTER TABLE payment_methods ENABLE TRIGGER trigger_payment_methods_card_not_expired")
        conn.execute(RESET_SEQUENCES)


def load_seed_rows(url: str, *, expired_card: bool = True) -> None:
    """Rows in every table of a database the document built (vehicle_services never was)."""
    with psycopg.connect(libpq_url(url)) as conn:
        conn.execute(SEED_ROWS)
        conn.execute(SEED_ARCHIVE_ROW)
        if expired_card:
            # The document's CHECK compares with today; the card was stored when it was still valid.
            # Set the CHECK aside for this one row and put it back exactly as it was (validated).
            conn.execute("ALTER TABLE payment_methods DROP CONSTRAINT chk_card_exp")
            conn.execute(EXPIRED_CARD)
            conn.execute(
                f"ALTER TABLE payment_methods ADD CONSTRAINT chk_card_exp {SEED_CARD_CHECK} NOT VALID"
            )
            conn.execute("UPDATE pg_constraint SET convalidated = TRUE WHERE conname = 'chk_card_exp'")
        conn.execute(RESET_SEQUENCES)
