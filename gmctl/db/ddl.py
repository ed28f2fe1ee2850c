"""SQL text of the functions and triggers the migrations create.

Migrations and tests import these constants so both use the same text. Once a
revision uses a constant, that constant is frozen: a later change of a rule gets
a new constant and a new revision, otherwise replaying history would build
something other than what the databases in the field went through.

The ``SEED_*`` constants are copied byte for byte (trailing spaces included)
from the schema document, because PostgreSQL stores function bodies verbatim and
the seed revisions must reproduce the live database exactly.
"""

# --- From the schema document (revision 20240101000005) -------------------------

SEED_SEARCH_VECTOR_FUNCTION = """CREATE OR REPLACE FUNCTION update_service_request_search_vector()
RETURNS trigger AS $$
BEGIN
    NEW.search_vector := 
        setweight(to_tsvector('english', COALESCE(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', COALESCE(NEW.description, '')), 'B') ||
        setweight(to_tsvector('english', COALESCE(NEW.service_type, '')), 'C');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;"""

SEED_SEARCH_VECTOR_TRIGGER = """CREATE TRIGGER trigger_update_service_request_search_vector
    BEFORE INSERT OR UPDATE ON service_requests
    FOR EACH ROW EXECUTE FUNCTION update_service_request_search_vector();"""

SEED_VALIDATE_NOTIFICATION_PREFERENCES = """CREATE OR REPLACE FUNCTION validate_notification_preferences(prefs jsonb)
RETURNS boolean AS $$
BEGIN
    RETURN (
        prefs IS NULL OR (
            jsonb_typeof(prefs) = 'object' AND
            (prefs ? 'email' IS FALSE OR jsonb_typeof(prefs->'email') = 'boolean') AND
            (prefs ? 'sms' IS FALSE OR jsonb_typeof(prefs->'sms') = 'boolean') AND
            (prefs ? 'push' IS FALSE OR jsonb_typeof(prefs->'push') = 'boolean')
        )
    );
END;
$$ LANGUAGE plpgsql;"""

SEED_PERFORM_MAINTENANCE = """CREATE OR REPLACE FUNCTION perform_maintenance()
RETURNS void AS $$
BEGIN
    -- Update table statistics
    ANALYZE;
    
    -- Rebuild fragmented indexes
    REINDEX DATABASE gmservices;
    
    -- Vacuum full on heavily updated tables
    VACUUM FULL users;
    VACUUM FULL service_requests;
    VACUUM FULL payments;
    
    -- Log maintenance completion
    INSERT INTO system_logs (level, message, created_at)
    VALUES ('INFO', 'Database maintenance completed', CURRENT_TIMESTAMP);
END;
$$ LANGUAGE plpgsql;"""

# The 'Custom Types and Enums' section (no column uses them; fix08 drops them).
SEED_ENUM_TYPES = [
    (
        "CREATE TYPE service_status AS ENUM ("
        " 'pending', 'confirmed', 'in_progress', 'completed', 'cancelled', 'on_hold', 'failed')"
    ),
    (
        "CREATE TYPE payment_status AS ENUM ("
        " 'pending', 'processing', 'completed', 'failed', 'cancelled', 'refunded')"
    ),
    "CREATE TYPE user_status AS ENUM ('active', 'inactive', 'suspended', 'pending_verification')",
    "CREATE TYPE priority_level AS ENUM ('low', 'normal', 'high', 'urgent')",
    (
        "CREATE TYPE service_type AS ENUM ("
        " 'automotive', 'hotel', 'logistics', 'rental', 'gadgets', 'loans', 'jewelry',"
        " 'car_service', 'paperwork', 'creative_services', 'web_development')"
    ),
]
DROP_SEED_ENUM_TYPES = "DROP TYPE service_type, priority_level, user_status, payment_status, service_status"

DROP_SEARCH_VECTOR_TRIGGER = "DROP TRIGGER trigger_update_service_request_search_vector ON service_requests"
DROP_SEARCH_VECTOR_FUNCTION = "DROP FUNCTION update_service_request_search_vector()"
DROP_VALIDATE_NOTIFICATION_PREFERENCES = "DROP FUNCTION validate_notification_preferences(jsonb)"
DROP_PERFORM_MAINTENANCE = "DROP FUNCTION perform_maintenance()"

# --- fix_json_checks_immutable ----------------------------------------------------

# A CHECK must give the same answer for the same row forever; declaring the
# function IMMUTABLE states that promise (the body only inspects its argument).
NOTIFICATION_PREFERENCES_IMMUTABLE = "ALTER FUNCTION validate_notification_preferences(jsonb) IMMUTABLE"
NOTIFICATION_PREFERENCES_VOLATILE = "ALTER FUNCTION validate_notification_preferences(jsonb) VOLATILE"

# --- fix10_date_rules_as_triggers -------------------------------------------------
# Rules that depend on today's date cannot be CHECKs: PostgreSQL re-checks CHECKs
# when a dump is restored, and a row that was valid when written fails later.
# Triggers are restored after the data, and these only look at a row when the
# dated columns are written, so old rows stay restorable and editable.
# "Today" is taken in Africa/Lagos, where the business runs, not in the session's
# time zone, so the answer does not depend on who connects.

CARD_NOT_EXPIRED_FUNCTION = """\
CREATE FUNCTION payment_methods_card_not_expired()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    today date := (CURRENT_TIMESTAMP AT TIME ZONE 'Africa/Lagos')::date;
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.type IS NOT DISTINCT FROM OLD.type
       AND NEW.card_exp_year IS NOT DISTINCT FROM OLD.card_exp_year
       AND NEW.card_exp_month IS NOT DISTINCT FROM OLD.card_exp_month THEN
        RETURN NEW;
    END IF;
    IF NEW.type = 'card' AND NEW.card_exp_year IS NOT NULL AND (
           NEW.card_exp_year < EXTRACT(YEAR FROM today)
           OR (NEW.card_exp_year = EXTRACT(YEAR FROM today)
               AND NEW.card_exp_month < EXTRACT(MONTH FROM today))
       ) THEN
        RAISE EXCEPTION 'card expired: %/%', NEW.card_exp_month, NEW.card_exp_year
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'trigger_payment_methods_card_not_expired',
                  TABLE = 'payment_methods';
    END IF;
    RETURN NEW;
END;
$$"""

CARD_NOT_EXPIRED_TRIGGER = """\
CREATE TRIGGER trigger_payment_methods_card_not_expired
    BEFORE INSERT OR UPDATE OF type, card_exp_month, card_exp_year ON payment_methods
    FOR EACH ROW EXECUTE FUNCTION payment_methods_card_not_expired()"""

DROP_CARD_NOT_EXPIRED_TRIGGER = "DROP TRIGGER trigger_payment_methods_card_not_expired ON payment_methods"
DROP_CARD_NOT_EXPIRED_FUNCTION = "DROP FUNCTION payment_methods_card_not_expired()"

VEHICLE_YEAR_NOT_FUTURE_FUNCTION = """\
CREATE FUNCTION vehicles_year_not_future()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.year IS NOT DISTINCT FROM OLD.year THEN
        RETURN NEW;
    END IF;
    IF NEW.year > EXTRACT(YEAR FROM (CURRENT_TIMESTAMP AT TIME ZONE 'Africa/Lagos')) + 1 THEN
        RAISE EXCEPTION 'vehicle year % is after next year', NEW.year
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'trigger_vehicles_year_not_future',
                  TABLE = 'vehicles';
    END IF;
    RETURN NEW;
END;
$$"""

VEHICLE_YEAR_NOT_FUTURE_TRIGGER = """\
CREATE TRIGGER trigger_vehicles_year_not_future
    BEFORE INSERT OR UPDATE OF year ON vehicles
    FOR EACH ROW EXECUTE FUNCTION vehicles_year_not_future()"""

DROP_VEHICLE_YEAR_NOT_FUTURE_TRIGGER = "DROP TRIGGER trigger_vehicles_year_not_future ON vehicles"
DROP_VEHICLE_YEAR_NOT_FUTURE_FUNCTION = "DROP FUNCTION vehicles_year_not_future()"


# --- Downgrade guards ----------------------------------------------------------------


def refuse_drop_while_rows(table: str, advice: str) -> str:
    """A DO block that stops a downgrade before it drops `table` while the table holds rows.

    Used where the rows are a record nothing else keeps (fix06's system_logs, gm14's refunds).
    The error reads "<table> has rows; <advice> if you really mean to drop it". Frozen like the
    constants above: revisions use its text.
    """
    message = f"{table} has rows; {advice} if you really mean to drop it".replace("'", "''")
    return (f"DO $$\nBEGIN\n    IF EXISTS (SELECT 1 FROM {table}) THEN\n"
            f"        RAISE EXCEPTION '{message}';\n    END IF;\nEND\n$$\n")
