"""Schema and table checks: CHECKs that are not immutable, invalid indexes, sequences, autovacuum."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

from gmctl.health import FAIL, OK, WARN, Check, ServerInfo

SEQUENCE_WARN, SEQUENCE_FAIL = 0.75, 0.90
DEAD_ROWS_FLOOR = 1000  # below this, a table is never "far behind", whatever the ratio
BEHIND_FACTOR = 2  # dead rows past twice the autovacuum trigger point
TYPE_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}
# SQL value functions that PostgreSQL stores as nodes, not function calls, so pg_depend misses them.
_NOW_WORDS = re.compile(
    r"\b(CURRENT_DATE|CURRENT_TIME|CURRENT_TIMESTAMP|LOCALTIME|LOCALTIMESTAMP|CURRENT_USER|"
    r"SESSION_USER|CURRENT_ROLE|now\(\)|clock_timestamp\(\)|statement_timestamp\(\)|"
    r"transaction_timestamp\(\)|random\(\))",
    re.IGNORECASE,
)

_CHECK_CONSTRAINTS = text("""
SELECT CASE WHEN con.conrelid <> 0 THEN con.conrelid::regclass::text ELSE con.contypid::regtype::text END,
       con.conname, pg_get_constraintdef(con.oid),
       (SELECT string_agg(DISTINCT p.proname || '()', ', ')
          FROM pg_depend d JOIN pg_proc p ON d.refobjid = p.oid
         WHERE d.classid = 'pg_constraint'::regclass AND d.objid = con.oid
           AND d.refclassid = 'pg_proc'::regclass AND p.provolatile <> 'i'),
       (SELECT string_agg(DISTINCT o.oprname, ', ')
          FROM pg_depend d JOIN pg_operator o ON d.refobjid = o.oid JOIN pg_proc p ON p.oid = o.oprcode
         WHERE d.classid = 'pg_constraint'::regclass AND d.objid = con.oid
           AND d.refclassid = 'pg_operator'::regclass AND p.provolatile <> 'i')
  FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
 WHERE con.contype = 'c' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1, 2
""")


def check_check_constraints(conn: Connection, info: ServerInfo) -> list[Check]:
    """A CHECK whose answer can change (today's date, a volatile function) is re-run by a restore."""
    offenders = []
    for table, name, definition, functions, operators in conn.execute(_CHECK_CONSTRAINTS):
        reasons = [
            f"calls {functions}" if functions else "",
            f"uses operator {operators}" if operators else "",
        ]
        reasons += sorted({m.group(1).upper() for m in _NOW_WORDS.finditer(definition)})
        reasons = [r for r in reasons if r]
        if reasons:
            offenders.append(f"{table}.{name} ({', '.join(reasons)})")
    if offenders:
        return [
            Check(
                "immutable checks",
                FAIL,
                f"{len(offenders)} CHECK(s) not immutable: {'; '.join(offenders)}",
                "a restore re-checks them and can refuse old rows: move date rules into triggers "
                "(as fix10 did) and mark checking functions IMMUTABLE",
            )
        ]
    return [Check("immutable checks", OK, "every CHECK constraint is immutable")]


def check_invalid_indexes(conn: Connection, info: ServerInfo) -> list[Check]:
    rows = conn.execute(
        text(
            "SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
        )
    ).all()
    if rows:
        names = ", ".join(f"{index} on {table}" for index, table in rows)
        return [
            Check(
                "invalid indexes",
                FAIL,
                f"{len(rows)} invalid: {names}",
                "a CREATE INDEX CONCURRENTLY failed: REINDEX INDEX CONCURRENTLY it, or drop it",
            )
        ]
    return [Check("invalid indexes", OK, "none")]


_SEQUENCES = text("""
SELECT s.schemaname || '.' || s.sequencename, s.last_value, s.max_value, s.increment_by,
       format_type(a.atttypid, NULL), a.attrelid::regclass::text || '.' || a.attname
  FROM pg_sequences s
  JOIN pg_class c ON c.relname = s.sequencename
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
  LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
       AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
 WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1
""")


def check_sequences(conn: Connection, info: ServerInfo) -> list[Check]:
    """A SERIAL column runs out at its type's maximum, whatever the sequence's own limit says."""
    worst, notes = OK, []
    for name, last, seq_max, step, column_type, column in conn.execute(_SEQUENCES):
        if last is None or step is None or step <= 0:
            continue  # never used, not readable, or counting down
        ceiling = min(int(seq_max), TYPE_MAX.get(column_type or "", int(seq_max)))
        used = int(last) / ceiling
        if used >= SEQUENCE_WARN:
            level = FAIL if used >= SEQUENCE_FAIL else WARN
            worst = FAIL if FAIL in (worst, level) else WARN
            notes.append(
                f"{name} at {used:.0%} of {ceiling}" + (f" ({column}, {column_type})" if column else "")
            )
    if notes:
        return [
            Check(
                "sequences",
                worst,
                "; ".join(notes),
                "widen the column to bigint (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)"
                " before it runs out",
            )
        ]
    return [Check("sequences", OK, f"all below {SEQUENCE_WARN:.0%} of their range")]


_VACUUM = text("""
SELECT s.relid::regclass::text, s.n_dead_tup, s.n_live_tup, GREATEST(s.last_autovacuum, s.last_vacuum),
       current_setting('autovacuum_vacuum_threshold')::float8
         + current_setting('autovacuum_vacuum_scale_factor')::float8 * GREATEST(c.reltuples, s.n_live_tup, 0),
       age(c.relfrozenxid), current_setting('autovacuum_freeze_max_age')::bigint,
       coalesce(c.reloptions::text[] @> ARRAY['autovacuum_enabled=false'], false)
  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
 ORDER BY 1
""")


def check_autovacuum(conn: Connection, info: ServerInfo) -> list[Check]:
    """Tables with dead rows far past autovacuum's trigger point, or close to transaction-id wraparound."""
    enabled = conn.execute(text("SELECT current_setting('autovacuum')")).scalar() == "on"
    behind, wraparound = [], []
    for table, dead, _live, last, trigger, xid_age, freeze_max, disabled in conn.execute(_VACUUM):
        if dead >= DEAD_ROWS_FLOOR and dead > BEHIND_FACTOR * trigger:
            when = f"last vacuumed {last:%Y-%m-%d %H:%M}" if last else "never vacuumed"
            behind.append(
                f"{table}: {dead} dead rows, trigger at {int(trigger)}, {when}"
                + (" (autovacuum disabled on it)" if disabled else "")
            )
        if xid_age is not None and xid_age > 1.5 * freeze_max:
            wraparound.append(f"{table}: xid age {xid_age}")
    results = []
    if not enabled:
        results.append(
            Check("autovacuum", WARN, "autovacuum = off", "turn it on: dead rows and xid age only grow")
        )
    if wraparound:
        results.append(
            Check(
                "autovacuum wraparound",
                FAIL,
                "; ".join(wraparound),
                "VACUUM (FREEZE) those tables now, at top level",
            )
        )
    if behind:
        results.append(
            Check(
                "autovacuum",
                WARN,
                f"{len(behind)} table(s) far behind: {'; '.join(behind)}",
                "VACUUM (ANALYZE) them; look for long transactions holding back cleanup",
            )
        )
    if not results:
        results.append(Check("autovacuum", OK, "no table far behind"))
    return results


CHECKS = (check_check_constraints, check_invalid_indexes, check_sequences, check_autovacuum)
