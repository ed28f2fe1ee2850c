"""Data pre-checks: the live rows the fix revisions would refuse, change or leave as they are.

- block: a new rule (unique index, CHECK, NOT NULL, foreign key) that live rows break; the upgrade
  would stop on them, so adopt refuses up front and names them (two emails equal ignoring case,
  a second default payment method, a JSON column of the wrong shape...). A person settles them.
- confirm: rows the upgrade removes on purpose (fix09 leaves out archive rows that are stale copies
  of live requests); adopt goes ahead only when a person confirms.
- info: rows that stay as they are but are worth knowing about (cards that have expired).

Rules are taken from what the migrations build at head (gmctl.adopt.reference), so a rule a later
revision adds is pre-checked without a change here. Only rules the live database does not already
enforce are run: each one is a scan of its table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from gmctl.adopt.reference import Rule

BLOCK, CONFIRM, INFO = "block", "confirm", "info"


@dataclass(frozen=True)
class Finding:
    severity: str
    rule: str
    table: str
    rows: int
    detail: str


def new_rules(rules: list[Rule], live_facts: dict[str, str]) -> list[Rule]:
    """Rules at head that the live schema does not already enforce, on tables that exist live."""
    chosen = []
    for rule in rules:
        if f"table:{rule.table}" not in live_facts:
            continue  # a table the upgrade creates: it has no rows yet
        if rule.kind == "not null":
            column = live_facts.get(f"column:{rule.fact_key[len('notnull:') :]}")
            if column is None or " not null" in column:
                continue
        elif live_facts.get(rule.fact_key) == rule.fact_value:
            continue
        chosen.append(rule)
    return chosen


def rule_findings(conn: Connection, rules: list[Rule]) -> list[Finding]:
    """Count the live rows that break each rule; all in a savepoint that is rolled back."""
    findings = []
    outer = conn.begin_nested()
    try:
        _lend_functions(conn)
        for rule in rules:
            savepoint = conn.begin_nested()
            try:
                count, sample = conn.execute(text(rule.offenders_sql)).one()
            except DBAPIError:
                # The rule reads a column the upgrade adds: live rows cannot break it yet.
                savepoint.rollback()
                continue
            savepoint.rollback()
            if count:
                findings.append(
                    Finding(BLOCK, rule.name, rule.table, int(count), _describe(rule, int(count), sample))
                )
    finally:
        outer.rollback()
    return findings


def _lend_functions(conn: Connection) -> None:
    """Functions a head rule calls that a live database may lack, for the checks only.

    A database that skipped 'JSON Schema Validation' has no validate_notification_preferences(),
    which chk_notification_preferences_schema calls (fix00 creates both); made here, as the
    document writes it, so its rows are pre-checked too, and rolled back with the checks.
    """
    from gmctl.db import ddl

    if (
        conn.execute(text("SELECT to_regprocedure('validate_notification_preferences(jsonb)')")).scalar()
        is None
    ):
        conn.exec_driver_sql(ddl.SEED_VALIDATE_NOTIFICATION_PREFERENCES)


def _describe(rule: Rule, count: int, sample: list | None) -> str:
    examples = f" (e.g. {', '.join(str(s) for s in sample)})" if sample else ""
    if rule.kind == "unique":
        keys = rule.description.removeprefix("unique ")
        return f"{count} value(s) of {keys} are held by more than one row; {rule.name} allows one{examples}"
    ids = f" (e.g. ids {', '.join(str(s) for s in sample)})" if sample else ""
    return f"{count} row(s) break {rule.kind} {rule.name}: {rule.description}{ids}"


def data_findings(conn: Connection) -> list[Finding]:
    """Rows the upgrade removes, or keeps but that a person should know about."""
    findings: list[Finding] = []
    has_archive = conn.execute(text("SELECT to_regclass('service_requests_archive')")).scalar()
    stale = (0, None)
    if has_archive is not None:  # a team that never ran 'Data Retention Policies' has none
        stale = conn.execute(
            text(
                "SELECT count(*), (array_agg(a.id ORDER BY a.id))[1:5] FROM service_requests_archive a"
                " WHERE EXISTS (SELECT 1 FROM service_requests s WHERE s.id = a.id)"
            )
        ).one()
    if stale[0]:
        findings.append(
            Finding(
                CONFIRM,
                "fix09_archive_tables",
                "service_requests_archive",
                int(stale[0]),
                f"{stale[0]} archive row(s) are stale copies of requests that are still live "
                f"(ids {', '.join(map(str, stale[1]))}); the new archive leaves them out, the live "
                "requests stay",
            )
        )
    expired = conn.execute(
        text(
            "SELECT count(*) FROM payment_methods WHERE type = 'card' AND (card_exp_year, card_exp_month) <"
            " (EXTRACT(YEAR FROM (CURRENT_TIMESTAMP AT TIME ZONE 'Africa/Lagos'))::int,"
            "  EXTRACT(MONTH FROM (CURRENT_TIMESTAMP AT TIME ZONE 'Africa/Lagos'))::int)"
        )
    ).scalar()
    if expired:
        findings.append(
            Finding(
                INFO,
                "fix10_date_rules_as_triggers",
                "payment_methods",
                int(expired),
                f"{expired} stored card(s) have expired: they stay, and since fix10 they no longer "
                "stop a backup from restoring",
            )
        )
    future = conn.execute(
        text(
            "SELECT count(*) FROM vehicles"
            " WHERE year > EXTRACT(YEAR FROM (CURRENT_TIMESTAMP AT TIME ZONE 'Africa/Lagos')) + 1"
        )
    ).scalar()
    if future:
        findings.append(
            Finding(
                INFO,
                "fix10_date_rules_as_triggers",
                "vehicles",
                int(future),
                f"{future} vehicle(s) have a year after next year: they stay; changing their year "
                "later is checked",
            )
        )
    return findings
