"""The server side of backups: connections, facts about the server, exact row counts, scratch databases.

The backup itself does not come through here (gmctl.backup.snapshot drives psql, to start faster);
verification, restore and the backup role do.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import psycopg
from psycopg import sql

from gmctl.backup.conninfo import with_dbname
from gmctl.db.url import libpq_url, mask_url
from gmctl.errors import DatabaseUnavailable, InvalidInput, NotPermitted

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
SCRATCH_PREFIX = "gmctl_scratch_"


@dataclass(frozen=True)
class ServerFacts:
    version: str  # "18.4"
    version_num: int  # 180004
    database: str
    user: str
    is_superuser: bool

    @property
    def major(self) -> int:
        return self.version_num // 10000


def with_database(url: str, dbname: str) -> str:
    """The same connection, to another database of the server (a URL stays a URL)."""
    return with_dbname(url, dbname)


def connect(url: str, *, autocommit: bool = True) -> psycopg.Connection:
    try:
        return psycopg.connect(
            libpq_url(url), autocommit=autocommit, connect_timeout=10, application_name="gmctl backup"
        )
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"cannot connect to the database at {mask_url(url)}: {_first_line(exc)}",
            hint="check the server is running and the database URL",
        ) from None


def server_facts(conn: psycopg.Connection) -> ServerFacts:
    row = conn.execute(
        "SELECT current_setting('server_version'), current_setting('server_version_num')::int,"
        " current_database(), current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
    ).fetchone()
    assert row is not None
    version = str(row[0]).split()[0]
    return ServerFacts(version, int(row[1]), str(row[2]), str(row[3]), bool(row[4]))


def user_tables(conn: psycopg.Connection) -> list[str]:
    """Every ordinary and partitioned table outside the system schemas, as schema.name."""
    rows = conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p') AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg_temp%%'"
        " AND n.nspname NOT LIKE 'pg_toast_temp%%'"
        " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"
        " ORDER BY 1, 2",
        (list(SYSTEM_SCHEMAS),),
    ).fetchall()
    return [f"{schema}.{name}" for schema, name in rows]


def table_identifier(qualified: str) -> sql.Composable:
    schema, _, name = qualified.partition(".")
    return sql.Identifier(schema, name)


def row_counts(conn: psycopg.Connection, tables: list[str]) -> dict[str, int]:
    """Exact counts (count(*), not statistics): a manifest is worth only what it can prove."""
    counts: dict[str, int] = {}
    for table in tables:
        query = sql.SQL("SELECT count(*) FROM {}").format(table_identifier(table))
        counts[table] = int(conn.execute(query).fetchone()[0])  # type: ignore[index]
    return counts


# PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN - 1) and would silently cut the rest.
MAX_NAME_BYTES = 63


def check_database_name(name: str) -> str:
    """A name PostgreSQL stores as given, or InvalidInput (exit 2): not empty, at most 63 bytes in
    UTF-8, no control characters. Anything else (spaces, %, capitals) is quoted and kept."""
    if not name.strip():
        raise InvalidInput("the new database's name is empty", hint="give --create-db a name, e.g. gm_restored")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise InvalidInput("the new database's name holds a control character",
                           hint="use letters, digits and _, e.g. gm_restored")
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidInput("the new database's name is not valid text", hint="e.g. gm_restored") from None
    if size > MAX_NAME_BYTES:
        raise InvalidInput(f"the new database's name is {size} bytes; PostgreSQL keeps at most {MAX_NAME_BYTES}",
                           hint="choose a shorter name")
    return name


def create_database(url: str, name: str) -> None:
    """CREATE DATABASE name (quoted as given) on the server of url; InvalidInput if it exists or is unusable."""
    check_database_name(name)
    with connect(url) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            raise InvalidInput(
                f"database {name!r} already exists",
                hint="choose another name, or restore into it with --target-url",
            )
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.InsufficientPrivilege:
            facts = server_facts(conn)
            raise NotPermitted(
                f"role {facts.user!r} may not create databases, and restoring a backup needs a new database",
                hint=f"grant it with `ALTER ROLE {facts.user} CREATEDB`, or connect as a role that has "
                "CREATEDB (--database-url)",
            ) from None


def drop_database(url: str, name: str) -> None:
    with connect(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def scratch_database(url: str, purpose: str = "verify") -> Iterator[str]:
    """A new empty database on the same server, dropped afterwards whatever happens; yields its name."""
    name = f"{SCRATCH_PREFIX}{purpose}_{uuid.uuid4().hex[:10]}"
    create_database(url, name)
    try:
        yield name
    finally:
        drop_database(url, name)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
