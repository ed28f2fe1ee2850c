"""The read-only backup role (seed-notes 13: the document creates it with a password written in it).

Privileges are exactly the document's: CONNECT on the database, USAGE on the schema, SELECT on every
table and sequence; plus default privileges, so tables and sequences that later migrations create
stay readable to it. The password is generated here (or read from stdin), never the document's;
only a SCRAM verifier computed on the client reaches the server, so the clear password appears in
no server log. On a database built from the document, the existing backup_user gets a new password:
the document's one is public.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from gmctl.backup import server
from gmctl.errors import InvalidInput, NotPermitted

SEED_PASSWORD = "secure_backup_password"  # from the document: refused, never used
MIN_PASSWORD_LENGTH = 16
SCHEMA = "public"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_EXCESS = {
    "rolsuper": "SUPERUSER",
    "rolcreaterole": "CREATEROLE",
    "rolcreatedb": "CREATEDB",
    "rolreplication": "REPLICATION",
    "rolbypassrls": "BYPASSRLS",
}


@dataclass
class BackupRole:
    name: str
    created: bool  # False: the role existed and its password was replaced
    database: str
    schema: str
    tables: int
    sequences: int
    default_privileges_for: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def generate_password() -> str:
    return secrets.token_urlsafe(24)  # 32 characters, 192 bits


def check_password(password: str) -> str:
    password = password.strip("\r\n")
    if password == SEED_PASSWORD:
        raise InvalidInput(
            "that is the password printed in the schema document; anyone can read it",
            hint="leave out --password-stdin and gmctl generates one",
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the password is {len(password)} characters; at least {MIN_PASSWORD_LENGTH} are needed"
        )
    return password


# PostgreSQL refuses these as role names (ReservedName, SQLSTATE 42939), and every pg_ name.
_RESERVED = {"public", "none", "current_user", "session_user", "current_role"}


def check_name(name: str) -> str:
    """A role name the server will accept, or InvalidInput (exit 2)."""
    if not _NAME.match(name):
        raise InvalidInput(
            f"{name!r} is not a valid role name", hint="lower-case letters, digits and _, e.g. backup_user"
        )
    if name in _RESERVED or name.startswith("pg_"):
        raise InvalidInput(
            f"{name!r} is reserved by PostgreSQL and cannot name a role", hint="e.g. --name backup_user"
        )
    return name


def create_backup_role(url: str, name: str, password: str) -> BackupRole:
    """Create (or re-password) the role and grant it read access, in one transaction."""
    check_name(name)
    password = check_password(password)
    with server.connect(url, autocommit=False) as conn:
        try:
            with conn.transaction():
                return _grant_backup_role(conn, name, password)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise NotPermitted(
                f"not allowed to create or grant role {name!r}: {str(exc).splitlines()[0]}",
                hint="run as a role with CREATEROLE that owns the tables (or a superuser)",
            ) from None


def _grant_backup_role(conn: psycopg.Connection, name: str, password: str) -> BackupRole:
    role = sql.Identifier(name)
    verifier = conn.pgconn.encrypt_password(password.encode(), name.encode())
    existing = conn.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls"
        " FROM pg_roles WHERE rolname = %s",
        (name,),
    ).fetchone()
    password_sql = sql.Literal(verifier.decode())
    if existing is None:
        conn.execute(
            sql.SQL(
                "CREATE ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD {}"
            ).format(role, password_sql)
        )
    else:
        conn.execute(sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(role, password_sql))
    database = conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    result = BackupRole(name, existing is None, str(database), SCHEMA, 0, 0)
    if existing is not None:
        excess = [word for word, on in zip(_EXCESS.values(), existing, strict=True) if on]
        if excess:
            result.warnings.append(
                f"role {name} also has {', '.join(excess)}: more than a backup needs; "
                f"remove with ALTER ROLE {name} NO{excess[0]}"
            )
    schema = sql.Identifier(SCHEMA)
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(str(database)), role))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role))
    conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, role))
    conn.execute(sql.SQL("GRANT SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, role))
    result.tables, result.sequences = _readable_counts(conn)
    for owner in _object_owners(conn):
        conn.execute(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT ON TABLES TO {}").format(
                sql.Identifier(owner), schema, role
            )
        )
        conn.execute(
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT ON SEQUENCES TO {}"
            ).format(sql.Identifier(owner), schema, role)
        )
        result.default_privileges_for.append(owner)
    _audit(conn, result)
    return result


def _readable_counts(conn: psycopg.Connection) -> tuple[int, int]:
    row = conn.execute(
        "SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')),"
        " count(*) FILTER (WHERE c.relkind = 'S')"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
        (SCHEMA,),
    ).fetchone()
    return int(row[0]), int(row[1])  # type: ignore[index]


def _object_owners(conn: psycopg.Connection) -> list[str]:
    """Who creates tables here: the owners of the schema's tables, and this role (migrations run as it)."""
    rows = conn.execute(
        "SELECT DISTINCT pg_get_userbyid(c.relowner)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'S')"
        " UNION SELECT current_user::text ORDER BY 1",
        (SCHEMA,),
    ).fetchall()
    return [str(r[0]) for r in rows]


def _audit(conn: psycopg.Connection, role: BackupRole) -> None:
    if conn.execute("SELECT to_regclass('system_logs')").fetchone()[0] is None:  # type: ignore[index]
        return
    verb = "created" if role.created else "re-passworded"
    conn.execute(
        "INSERT INTO system_logs (level, message, action, target_type, target_id)"
        " VALUES ('INFO', %s, %s, 'role', %s)",
        (f"backup role {role.name} {verb}, read access granted", "db.create_backup_role", role.name),
    )
