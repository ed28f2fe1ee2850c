"""What the migrations build, read from a throw-away schema inside the live database's own transaction.

The first five revisions replay the schema document exactly as production got it, so their result
is the yardstick for a live database. Rather than needing a scratch database (and CREATE DATABASE),
the migrations run in a new schema that is first on the search_path, inside a savepoint that is
rolled back afterwards: nothing of it survives, and the live tables are never touched.

From the same run, taken at head: the rules the fix revisions add (unique indexes, CHECKs, NOT NULLs,
foreign keys), so that the live rows they would refuse can be found before anything changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection

from gmctl.adopt.catalog import catalog_facts

SEED_HEAD = "20240101000005"
VEHICLE_SERVICES_REVISION = "fix01_vehicle_services_costs"
SEED_VERSIONS = tuple(f"2024010100000{i}" for i in range(1, 6))
REFERENCE_SCHEMA = "gmctl_adopt_reference"


@dataclass(frozen=True)
class Rule:
    """A rule at head, and how to count the live rows that break it."""

    fact_key: str  # the catalog fact that carries it: unchanged on the live side means nothing new
    fact_value: str
    name: str
    table: str
    kind: str  # unique | check | not null | foreign key
    offenders_sql: str  # SELECT returning (count, sample) over the live table, names unqualified
    description: str


@dataclass
class Reference:
    """Catalog facts (gmctl.adopt.catalog) at the seed revision, after fix01 and at head.

    `hand_fix_checks` holds, deparsed by this server, the CHECK definitions teams are known to
    have written by hand for a block the document got wrong, keyed by constraint fact key.
    """

    seed_facts: dict[str, str] = field(default_factory=dict)
    vehicle_services_facts: dict[str, str] = field(default_factory=dict)
    head_facts: dict[str, str] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    hand_fix_checks: dict[str, set[str]] = field(default_factory=dict)


# The reference depends only on the migrations and the server's version: `db adopt` inspects
# twice in one process (the listing, then again inside the adopting transaction).
_BUILT: dict[tuple[str, str], Reference] = {}


def build_reference(conn: Connection) -> Reference:
    """The Reference for this server, built once per process and server version."""
    from gmctl.schema import head_revision

    key = (str(conn.execute(text("SHOW server_version_num")).scalar()), head_revision())
    if key not in _BUILT:
        _BUILT[key] = _build(conn)
    return _BUILT[key]


def _build(conn: Connection) -> Reference:
    from alembic import command

    from gmctl.schema import alembic_config

    reference = Reference()
    savepoint = conn.begin_nested()
    try:
        conn.execute(text(f'CREATE SCHEMA "{REFERENCE_SCHEMA}"'))
        conn.execute(text("SELECT set_config('search_path', :s, true)"), {"s": f'"{REFERENCE_SCHEMA}"'})
        command.upgrade(alembic_config(conn), SEED_HEAD)
        reference.seed_facts = catalog_facts(conn, REFERENCE_SCHEMA)
        command.upgrade(alembic_config(conn), VEHICLE_SERVICES_REVISION)
        reference.vehicle_services_facts = {
            key: value
            for key, value in catalog_facts(conn, REFERENCE_SCHEMA).items()
            if key.partition(":")[2].split(".")[0] in ("vehicle_services", "vehicle_services_id_seq")
        }
        reference.hand_fix_checks = _hand_fix_checks(conn)
        command.upgrade(alembic_config(conn), "head")
        reference.head_facts = catalog_facts(conn, REFERENCE_SCHEMA)
        reference.rules = _rules(conn, REFERENCE_SCHEMA, reference.head_facts)
    finally:
        savepoint.rollback()  # also undoes the search_path change
    return reference


# The document's vehicle_services CHECK separates its conditions with commas (seed-notes 1); the
# obvious hand fix puts AND in their place, which binds as `cost IS NULL OR (cost >= 0 AND ...)`.
HAND_FIXED_COSTS_CHECK = "cost IS NULL OR cost >= 0 AND parts_cost >= 0 AND labor_cost >= 0"


def _hand_fix_checks(conn: Connection) -> dict[str, set[str]]:
    """How this server prints the hand-mended CHECKs (a scratch table, in the rolled-back schema)."""
    conn.execute(
        text(
            "CREATE TABLE gmctl_adopt_hand_fix (cost NUMERIC(10,2), parts_cost NUMERIC(10,2),"
            f" labor_cost NUMERIC(10,2), CONSTRAINT hand_fix CHECK ({HAND_FIXED_COSTS_CHECK}))"
        )
    )
    definition = conn.execute(
        text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'gmctl_adopt_hand_fix'::regclass AND conname = 'hand_fix'"
        )
    ).scalar_one()
    conn.execute(text("DROP TABLE gmctl_adopt_hand_fix"))
    return {"constraint:vehicle_services.chk_costs_non_negative": {f"c {definition}"}}


def _rules(conn: Connection, schema: str, facts: dict[str, str]) -> list[Rule]:
    conn.execute(text("SELECT set_config('search_path', :s, true)"), {"s": f'"{schema}"'})
    rules = _unique_rules(conn, schema, facts) + _check_rules(conn, schema, facts)
    rules += _not_null_rules(facts) + _foreign_key_rules(conn, schema, facts)
    return rules


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sample(table_columns: set[str]) -> str:
    return "(array_agg(id ORDER BY id))[1:5]" if "id" in table_columns else "NULL::int[]"


def _rows_where(facts: dict[str, str], table: str, condition: str) -> str:
    """The query a rule runs: how many rows of `table` meet `condition`, and the first few ids."""
    return f"SELECT count(*), {_sample(_columns(facts, table))} FROM {_ident(table)} WHERE {condition}"


def _columns(facts: dict[str, str], table: str) -> set[str]:
    prefix = f"column:{table}."
    return {k[len(prefix) :] for k in facts if k.startswith(prefix)}


def _unique_rules(conn: Connection, schema: str, facts: dict[str, str]) -> list[Rule]:
    rows = conn.execute(
        text(
            "SELECT t.relname, c.relname, array(SELECT pg_get_indexdef(i.indexrelid, k, true)"
            " FROM generate_series(1, i.indnkeyatts) AS k), pg_get_expr(i.indpred, i.indrelid, true)"
            " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid"
            " WHERE i.indisunique AND c.relnamespace = CAST(:s AS regnamespace)"
            " AND t.relname <> 'alembic_version'"
        ),
        {"s": schema},
    ).all()
    rules = []
    for table, index, keys, predicate in rows:
        key = f"index:{table}.{index}"
        conditions = [f"({k}) IS NOT NULL" for k in keys] + ([f"({predicate})"] if predicate else [])
        group = ", ".join(f"({k})" for k in keys)
        sql = (
            f"SELECT count(*), (array_agg(dup ORDER BY dup))[1:5] FROM (SELECT ({group})::text AS dup"
            f" FROM {_ident(table)} WHERE {' AND '.join(conditions)}"
            f" GROUP BY {group} HAVING count(*) > 1) AS d"
        )
        rules.append(
            Rule(
                key,
                facts.get(key, ""),
                index,
                table,
                "unique",
                sql,
                f"unique ({', '.join(keys)})" + (f" where {predicate}" if predicate else ""),
            )
        )
    return rules


def _check_rules(conn: Connection, schema: str, facts: dict[str, str]) -> list[Rule]:
    rows = conn.execute(
        text(
            "SELECT c.relname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con"
            " JOIN pg_class c ON c.oid = con.conrelid"
            " WHERE con.contype = 'c' AND con.connamespace = CAST(:s AS regnamespace)"
        ),
        {"s": schema},
    ).all()
    rules = []
    for table, name, definition in rows:
        key = f"constraint:{table}.{name}"
        expression = re.sub(r"\s+NOT VALID$", "", definition)[len("CHECK ") :]
        sql = _rows_where(facts, table, f"({expression}) IS FALSE")
        rules.append(Rule(key, facts.get(key, ""), name, table, "check", sql, definition))
    return rules


def _not_null_rules(facts: dict[str, str]) -> list[Rule]:
    rules = []
    for key, value in facts.items():
        if key.startswith("column:") and " not null" in value:
            table, column = key[len("column:") :].split(".", 1)
            sql = _rows_where(facts, table, f"{_ident(column)} IS NULL")
            rules.append(
                Rule(
                    f"notnull:{table}.{column}",
                    "not null",
                    f"{column} not null",
                    table,
                    "not null",
                    sql,
                    f"{table}.{column} NOT NULL",
                )
            )
    return rules


def _foreign_key_rules(conn: Connection, schema: str, facts: dict[str, str]) -> list[Rule]:
    rows = conn.execute(
        text(
            "SELECT c.relname, con.conname, r.relname,"
            " array(SELECT attname FROM unnest(con.conkey) WITH ORDINALITY AS k(n, o)"
            "       JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o),"
            " array(SELECT attname FROM unnest(con.confkey) WITH ORDINALITY AS k(n, o)"
            "       JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o),"
            " pg_get_constraintdef(con.oid)"
            " FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid"
            " JOIN pg_class r ON r.oid = con.confrelid"
            " WHERE con.contype = 'f' AND con.connamespace = CAST(:s AS regnamespace)"
        ),
        {"s": schema},
    ).all()
    rules = []
    for table, name, parent, columns, parent_columns, definition in rows:
        key = f"constraint:{table}.{name}"
        present = " AND ".join(f"c.{_ident(col)} IS NOT NULL" for col in columns)
        match = " AND ".join(
            f"p.{_ident(pc)} = c.{_ident(col)}" for col, pc in zip(columns, parent_columns, strict=True)
        )
        sample = "(array_agg(c.id ORDER BY c.id))[1:5]" if "id" in _columns(facts, table) else "NULL::int[]"
        sql = (
            f"SELECT count(*), {sample} FROM {_ident(table)} AS c WHERE {present}"
            f" AND NOT EXISTS (SELECT 1 FROM {_ident(parent)} AS p WHERE {match})"
        )
        rules.append(Rule(key, facts.get(key, ""), name, table, "foreign key", sql, definition))
    return rules
