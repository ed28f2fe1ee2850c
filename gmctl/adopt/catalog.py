"""Catalog facts of one schema, comparable across schemas of the same server.

A fact is a key ("column:users.email") and a description (type, nullability, default...). Facts are
read with search_path set to the schema itself, so PostgreSQL prints names in it unqualified, and
the schema prefix it prints anyway (index and trigger definitions) is removed: two schemas built
the same way then give the same facts. Objects that belong to an extension, and alembic's version
table, are left out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

IGNORED_TABLES = ("alembic_version",)

_NOT_EXTENSION = (
    "NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.objid = {oid} AND dep.deptype = 'e'"
    " AND dep.classid = '{catalog}'::regclass)"
)

_QUERIES = {
    "table": """
        SELECT c.relname, CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table'
               WHEN 'v' THEN 'view ' || md5(pg_get_viewdef(c.oid)) WHEN 'm' THEN 'materialized view'
               WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' END
          FROM pg_class c WHERE c.relnamespace = CAST(:schema AS regnamespace)
           AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           AND """
    + _NOT_EXTENSION.format(oid="c.oid", catalog="pg_class"),
    "column": """
        SELECT c.relname || '.' || a.attname,
               format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
               || coalesce(CASE WHEN a.attgenerated = 's' THEN ' generated as ' ELSE ' default ' END
                           || pg_get_expr(d.adbin, d.adrelid), '')
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE c.relnamespace = CAST(:schema AS regnamespace) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
           AND a.attnum > 0 AND NOT a.attisdropped AND """
    + _NOT_EXTENSION.format(oid="c.oid", catalog="pg_class"),
    "constraint": """
        SELECT coalesce(c.relname, t.typname) || '.' || con.conname,
               con.contype::text || ' ' || pg_get_constraintdef(con.oid)
          FROM pg_constraint con LEFT JOIN pg_class c ON c.oid = con.conrelid
          LEFT JOIN pg_type t ON t.oid = con.contypid
         WHERE con.connamespace = CAST(:schema AS regnamespace)""",
    "index": """
        SELECT t.relname || '.' || c.relname, pg_get_indexdef(c.oid)
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
         WHERE c.relnamespace = CAST(:schema AS regnamespace) AND """
    + _NOT_EXTENSION.format(oid="t.oid", catalog="pg_class"),
    "trigger": """
        SELECT c.relname || '.' || tg.tgname, pg_get_triggerdef(tg.oid)
          FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
         WHERE c.relnamespace = CAST(:schema AS regnamespace) AND NOT tg.tgisinternal""",
    "function": """
        SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
               l.lanname || ' ' || p.provolatile::text || ' returns ' || format_type(p.prorettype, NULL)
               || ' body ' || md5(p.prosrc)
          FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
         WHERE p.pronamespace = CAST(:schema AS regnamespace) AND """
    + _NOT_EXTENSION.format(oid="p.oid", catalog="pg_proc"),
    "type": """
        SELECT t.typname, CASE t.typtype WHEN 'e' THEN 'enum ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY
               e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) WHEN 'd' THEN 'domain '
               || format_type(t.typbasetype, t.typtypmod) ELSE 'type ' || t.typtype::text END
          FROM pg_type t WHERE t.typnamespace = CAST(:schema AS regnamespace)
           AND t.typtype IN ('e', 'd', 'c', 'r')
           AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
           AND """
    + _NOT_EXTENSION.format(oid="t.oid", catalog="pg_type"),
}


@dataclass(frozen=True)
class Difference:
    key: str  # "index:payment_methods.uq_payment_methods_default"
    change: str  # missing (expected, not here) | extra (here, not expected) | differs
    found: str | None
    expected: str | None

    def describe(self) -> str:
        kind, _, name = self.key.partition(":")
        if self.change == "missing":
            return f"{kind} {name} is missing (expected: {self.expected})"
        if self.change == "extra":
            return f"{kind} {name} is not in the schema document ({self.found})"
        return f"{kind} {name} differs: found {self.found}; expected {self.expected}"


def catalog_facts(conn: Connection, schema: str) -> dict[str, str]:
    """Every fact of `schema`; the caller's search_path is restored afterwards."""
    previous = conn.execute(text("SELECT current_setting('search_path')")).scalar()
    conn.execute(text("SELECT set_config('search_path', quote_ident(:s), true)"), {"s": schema})
    try:
        facts: dict[str, str] = {}
        for kind, query in _QUERIES.items():
            for name, description in conn.execute(text(query), {"schema": schema}):
                if str(name).split(".")[0] in IGNORED_TABLES:
                    continue
                facts[f"{kind}:{name}"] = _unqualify(str(description), schema)
        return facts
    finally:
        conn.execute(text("SELECT set_config('search_path', :p, true)"), {"p": previous})


def _unqualify(description: str, schema: str) -> str:
    return description.replace(f" {schema}.", " ").replace(f"({schema}.", "(")


def compare_facts(found: dict[str, str], expected: dict[str, str]) -> list[Difference]:
    differences = [Difference(k, "missing", None, expected[k]) for k in expected.keys() - found.keys()]
    differences += [Difference(k, "extra", found[k], None) for k in found.keys() - expected.keys()]
    differences += [
        Difference(k, "differs", found[k], expected[k])
        for k in found.keys() & expected.keys()
        if found[k] != expected[k]
    ]
    return sorted(differences, key=lambda d: d.key)


def fingerprint(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]
