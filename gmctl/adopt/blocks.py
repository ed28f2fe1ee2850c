"""The schema document's optional blocks, and what gmctl's migrations do with each, present or absent.

A live database built from the document ran its blocks one by one (seed-notes): some teams skipped
the ones they did not need, some failed, some were mended by hand. Every block that makes schema
objects is listed here by the heading above it in the document, with the catalog facts it makes
(gmctl.adopt.catalog keys) and the revision that brings either state to head:
- `dropped`: later revisions drop what the block made (IF it EXISTS), so present, absent, partly
  present or changed by hand all end the same;
- `kept`: head keeps what the block made, and a revision makes it when missing (fix00, fix04);
  a changed object of such a block is a conflict, since IF NOT EXISTS would keep the change.

The blocks every database must have (the CREATE TABLEs and schema_migrations) are not listed:
anything of theirs that is missing or changed is a conflict. Blocks that make no schema object of
the database are handled apart (gmctl.adopt.variants): 'Backup Strategy' (a cluster role and its
grants), the pg_cron schedule of 'Maintenance Scripts', and the SELECTs and comments of 'Database
Statistics' and 'Point-in-Time Recovery', which make nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

DROPPED, KEPT = "dropped", "kept"


@dataclass(frozen=True)
class Block:
    name: str  # shown to a person: "enum types"
    heading: str  # the document's heading above the block
    at_head: str  # DROPPED | KEPT
    resolution: str  # what the migrations do with it, present or absent
    keys: frozenset[str] = frozenset()  # catalog fact keys the block makes
    tables: tuple[str, ...] = ()  # relations every fact of which belongs to the block

    def owns(self, key: str) -> bool:
        if key in self.keys:
            return True
        kind, _, name = key.partition(":")
        relation = name.split(".")[0] if kind != "function" else None
        return relation in self.tables


def _facts(*keys: str) -> frozenset[str]:
    return frozenset(keys)


def _unique(table: str, name: str) -> tuple[str, str]:
    return f"constraint:{table}.{name}", f"index:{table}.{name}"


BLOCKS: tuple[Block, ...] = (
    Block(
        "relationship foreign keys",
        "Foreign Key Relationships",
        DROPPED,
        "fix03 drops these twins of the CREATE TABLEs' own foreign keys, if present",
        _facts(
            "constraint:user_profiles.fk_user_profiles_user",
            "constraint:user_roles.fk_user_roles_user",
            "constraint:service_requests.fk_service_requests_user",
            "constraint:service_status_history.fk_status_history_service",
            "constraint:payments.fk_payments_service",
            "constraint:file_uploads.fk_file_uploads_service",
        ),
    ),
    Block(
        "relationship checks",
        "Check Constraints",
        DROPPED,
        "fix03 drops these twins of the CREATE TABLEs' own CHECKs, if present",
        _facts(
            "constraint:users.chk_users_email_format",
            "constraint:users.chk_users_phone_format",
            "constraint:hotel_bookings.chk_hotel_dates",
            "constraint:payments.chk_payments_amount_positive",
            "constraint:loan_applications.chk_loan_amounts",
        ),
    ),
    Block(
        "relationship unique constraints",
        "Unique Constraints",
        DROPPED,
        "fix03 drops these twins of the CREATE TABLEs' own UNIQUEs, if present",
        _facts(
            *_unique("users", "uq_users_username"),
            *_unique("users", "uq_users_email"),
            *_unique("role_permissions", "uq_role_permissions"),
            *_unique("user_roles", "uq_user_roles"),
        ),
    ),
    Block(
        "one default payment method",
        "Unique Constraints",
        KEPT,
        "fix04 creates uq_payment_methods_default if missing (live rows pre-checked)",
        _facts("index:payment_methods.uq_payment_methods_default"),
    ),
    Block(
        "primary indexes",
        "Primary Indexes",
        KEPT,
        "fix00 creates them if missing",
        _facts(
            "index:service_requests.idx_service_requests_user_status_created",
            "index:payments.idx_payments_user_status_created",
            "index:notifications.idx_notifications_user_unread_created",
        ),
    ),
    Block(
        "partial indexes",
        "Partial Indexes",
        KEPT,
        "fix00 creates them if missing",
        _facts("index:users.idx_users_active_email", "index:notifications.idx_notifications_unread_by_type"),
    ),
    Block(
        "the twice-written index",
        "service_requests / Partial Indexes",
        KEPT,
        "idx_service_requests_active is written in two blocks (seed-notes 2): fix00 creates it if missing",
        _facts("index:service_requests.idx_service_requests_active"),
    ),
    Block(
        "composite indexes",
        "Composite Indexes",
        KEPT,
        "fix00 creates them if missing",
        _facts(
            "index:service_requests.idx_service_requests_type_status_date",
            "index:payments.idx_payments_gateway_status_date",
            "index:messages.idx_messages_recipient_thread_date",
        ),
    ),
    Block(
        "full-text search",
        "Full-Text Search Indexes",
        KEPT,
        "fix00 adds the column, its GIN index, function and trigger if missing, and fills the column",
        _facts(
            "column:service_requests.search_vector",
            "index:service_requests.idx_service_requests_search",
            "function:update_service_request_search_vector()",
            "trigger:service_requests.trigger_update_service_request_search_vector",
        ),
    ),
    Block(
        "enum types",
        "Custom Types and Enums",
        DROPPED,
        "fix08 drops the five unused types, if present (seed-notes 8)",
        _facts(
            "type:service_status",
            "type:payment_status",
            "type:user_status",
            "type:priority_level",
            "type:service_type",
        ),
    ),
    Block(
        "JSON validation",
        "JSON Schema Validation",
        KEPT,
        "fix00 creates the function and the two CHECKs if missing (live rows pre-checked)",
        _facts(
            "constraint:service_requests.chk_service_data_schema",
            "function:validate_notification_preferences(prefs jsonb)",
            "constraint:user_profiles.chk_notification_preferences_schema",
        ),
    ),
    Block(
        "archive table",
        "Data Retention Policies",
        DROPPED,
        "fix09 replaces the LIKE-made archive with gmctl's archive tables, keeping its archived rows",
        tables=("service_requests_archive",),
    ),
    Block(
        "maintenance function",
        "Maintenance Scripts",
        DROPPED,
        "fix06 drops perform_maintenance(), if present: it cannot run (seed-notes 6)",
        _facts("function:perform_maintenance()"),
    ),
    Block(
        "repeated indexes",
        "users / user_profiles / vehicles / payment_methods",
        DROPPED,
        "fix04 and fix12 drop the indexes that repeat a unique index, if present (seed-notes 12)",
        _facts(
            "index:users.idx_users_username",
            "index:users.idx_users_email",
            "index:vehicles.idx_vehicles_vin",
            "index:user_profiles.idx_user_profiles_user_id",
            "index:payment_methods.idx_payment_methods_default",
        ),
    ),
)


def block_of(key: str) -> Block | None:
    """The optional block that makes the object of this fact key, if any."""
    for block in BLOCKS:
        if block.owns(key):
            return block
    return None
