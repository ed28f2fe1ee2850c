"""Connection strings for the client programs, without importing the database driver.

The password is taken out of the URL (or keyword string) and handed over in PGPASSWORD, so it never
appears in a process listing. Kept free of psycopg: `gmctl db backup` must start as fast as pg_dump.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

_KEYWORD_PASSWORD = re.compile(r"""(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)""")
_KEYWORD_DBNAME = re.compile(r"""(?:^|\s)dbname\s*=\s*('(?:[^'\\]|\\.)*'|\S+)""")


@dataclass(frozen=True)
class ToolConnection:
    """How a client program connects: a URL or keyword string without the password, and its environment."""

    conninfo: str
    environ: dict[str, str]


def _is_uri(text: str) -> bool:
    return text.startswith(("postgresql://", "postgres://"))


def _plain_uri(url: str) -> str:
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url.strip())


def split_password(conninfo: str) -> tuple[str, str | None]:
    """(conninfo without its password, the password or None)."""
    text = _plain_uri(conninfo)
    if _is_uri(text):
        parts = urlsplit(text)
        password = unquote(parts.password) if parts.password else None
        netloc = parts.netloc
        if password is not None or ":" in netloc.rpartition("@")[0]:
            userinfo, _, hostinfo = netloc.rpartition("@")
            netloc = f"{userinfo.split(':', 1)[0]}@{hostinfo}"
        query = parse_qsl(parts.query, keep_blank_values=True)
        for key, value in query:
            if key == "password":
                password = value
        query = [(k, v) for k, v in query if k != "password"]
        return urlunsplit(
            (parts.scheme, netloc, parts.path, urlencode(query, safe="/"), parts.fragment)
        ), password
    match = _KEYWORD_PASSWORD.search(text)
    if not match:
        return text, None
    password = match.group(1).strip("'").replace("\\'", "'").replace("\\\\", "\\")
    return (text[: match.start()] + text[match.end() :]).strip(), password


def with_dbname(conninfo: str, dbname: str) -> str:
    text = _plain_uri(conninfo)
    if _is_uri(text):
        parts = urlsplit(text)
        # Percent-encoded: a database may be called "%" or "month end" (libpq reads the path decoded).
        return urlunsplit((parts.scheme, parts.netloc, "/" + quote(dbname, safe=""), parts.query, parts.fragment))
    quoted = "'" + dbname.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return _KEYWORD_DBNAME.sub("", text).strip() + f" dbname={quoted}"


def for_tools(url: str, dbname: str | None = None) -> ToolConnection:
    conninfo, password = split_password(url)
    if dbname is not None:
        conninfo = with_dbname(conninfo, dbname)
    environ = dict(os.environ)  # libpq's PG* variables apply to the tools as they do to the driver
    environ.setdefault("PGCONNECT_TIMEOUT", "10")
    if password:
        environ["PGPASSWORD"] = password
    return ToolConnection(conninfo, environ)


def quote_ident(qualified: str) -> str:
    """'schema.table' as a quoted SQL name."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in qualified.split(".", 1))
