"""Which database a command talks to, and how to show its URL without the password.

Order: --database-url, GMCTL_DATABASE_URL, DATABASE_URL, the config file's active profile,
then the embedded server in GMCTL_HOME. migrations/env.py uses the same resolution. Each URL is
checked where it is read (check_url), so a bad one is exit 2 naming its source before any driver
sees it; mask_url is the one way a URL reaches a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from gmctl.config import load_config, resolve_home
from gmctl.errors import InvalidInput

EMBEDDED = "embedded"


@dataclass(frozen=True)
class DatabaseTarget:
    url: str | None  # None until the embedded server has been started
    source: str  # where the URL came from, shown by `db server status` and in errors
    home: Path

    @property
    def is_embedded(self) -> bool:
        return self.source == EMBEDDED


def choose_database(option: str | None, environ: Mapping[str, str], home: Path | None = None) -> DatabaseTarget:
    """Where the database is, and where that was said. Raises InvalidInput (exit 2) for a bad URL."""
    home = home or resolve_home(environ)
    if option is not None:
        return DatabaseTarget(check_url(option, "--database-url"), "--database-url", home)
    for name in ("GMCTL_DATABASE_URL", "DATABASE_URL"):
        if environ.get(name):
            return DatabaseTarget(check_url(environ[name], name), name, home)
    config = load_config(home)
    url = config.profile_url(environ.get("GMCTL_PROFILE"))
    if url is not None:
        source = f"profile {config.active_profile or environ.get('GMCTL_PROFILE')}"
        return DatabaseTarget(check_url(url, f"database_url of {source} in {config.path}"), source, home)
    return DatabaseTarget(None, EMBEDDED, home)


def resolve_database_url(option: str | None, environ: Mapping[str, str], home: Path | None = None) -> str:
    """The URL to connect to, starting the embedded server when nothing else is configured."""
    target = choose_database(option, environ, home)
    if target.url is not None:
        return target.url
    from gmctl.db import embedded

    return embedded.ensure_running(target.home)


def normalise_url(url: str, source: str = "the database URL") -> str:
    """Accept what people paste (postgres://, postgresql+psycopg://) as postgresql://, checked.

    The same as check_url: raises InvalidInput (exit 2) naming `source` for a URL gmctl cannot use.
    """
    return check_url(url, source)


# -- checking a URL where it is read ------------------------------------------------------------
#
# Every message below shows the URL only through mask_url, and never echoes a piece of a URL that
# holds a password: a malformed URL can put password fragments where the host or port should be.

SHAPE_HINT = "write it like postgresql://user:password@host:5432/dbname (postgres:// works too)"
ENCODE_HINT = ("percent-encode the user name and password: @ is %40, / is %2F, ? is %3F, # is %23, "
               "% is %25, a space is %20 (python3 -c \"import urllib.parse,getpass; "
               "print(urllib.parse.quote(getpass.getpass(), safe=''))\" prints it)")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_ACCEPTED_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# URL parameters that gmctl itself reads (and removes before connecting), beside libpq's own.
GMCTL_PARAMETERS: set[str] = {"gmctl_pooler"}  # gmctl/db/pooler.py strips it before libpq sees the URL


def check_url(url: str, source: str) -> str:
    """The database URL normalised to postgresql://, or InvalidInput (exit 2) naming `source`.

    source: where the URL came from, as a person would find it ("--database-url",
    "GMCTL_DATABASE_URL", "database_url of profile prod in ~/.../config.toml", "--target-url").
    The rules (docs/production.md, "URL rules"): a postgresql:// or postgres:// URL; user name and
    password percent-encoded wherever they hold @ / ? # % [ ] or spaces; a numeric port; query
    parameters that libpq knows, each name=value. Characters such as : & ! * and non-ASCII
    letters may stand as they are in a password.
    """
    text = url.strip() if isinstance(url, str) else ""
    if not text:
        raise InvalidInput(f"{source} is empty", hint=SHAPE_HINT)
    scheme = _SCHEME.match(text)
    if scheme is None:
        if re.match(r"^[A-Za-z_]+\s*=", text):
            raise InvalidInput(f"{source} is a keyword=value connection string; gmctl needs a URL",
                               hint=SHAPE_HINT)
        raise InvalidInput(f"{source} is not a database URL", hint=SHAPE_HINT)
    name = scheme.group(1).lower()
    if name not in _ACCEPTED_SCHEMES:
        if name.startswith(("postgresql+", "postgres+")):
            raise InvalidInput(f"{source} asks for the driver {name.partition('+')[2]!r}; gmctl uses psycopg 3",
                               hint="write postgresql:// (or postgresql+psycopg://)")
        shown = name if len(name) <= 20 else name[:20] + "…"
        raise InvalidInput(f"{source} is a {shown}:// URL; gmctl works with PostgreSQL only (14 or newer)",
                           hint=SHAPE_HINT)
    text = "postgresql://" + text[scheme.end():]
    masked = mask_url(text)
    where = f"{source} ({masked})"
    secret = masked != text  # a password is in it: name the faulty part, never show it
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidInput(f"{where} contains a space or a control character", hint=ENCODE_HINT)
    rest = text[len("postgresql://"):]
    end = min((rest.find(c) for c in "/?#" if c in rest), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    if authority.count("@") > 1:
        raise InvalidInput(f"the host part of {where} contains '@': the password (or user name) holds "
                           "a raw '@'", hint=ENCODE_HINT)
    userinfo, _, hostport = authority.rpartition("@")
    if "#" in tail:
        raise InvalidInput(f"{where} contains '#', which a database URL never holds raw (in a password it "
                           "is %23)", hint=ENCODE_HINT)
    path, _, query = tail.partition("?")
    if "@" in path or ("@" in query and "@" not in authority):
        # postgresql://ops:pa/ss@host/db: a raw / ? or # ended the host part inside the password.
        raise InvalidInput(f"{where} has an '@' after the host part: the password probably holds a raw "
                           "'/', '?' or '#'", hint=ENCODE_HINT)
    if "[" in userinfo or "]" in userinfo or _BAD_PERCENT.search(userinfo):
        raise InvalidInput(f"the user name or password in {where} is not percent-encoded", hint=ENCODE_HINT)
    _check_host_and_port(hostport, where, secret)
    if _BAD_PERCENT.search(path):
        raise InvalidInput(f"the database name in {where} holds a '%' that is not percent-encoding",
                           hint="write % as %25")
    _check_query(query, where, secret)
    return text


def _check_host_and_port(hostport: str, where: str, secret: bool) -> None:
    if hostport.startswith("["):
        host, bracket, port = hostport[1:].partition("]")
        if not bracket or (port and not port.startswith(":")):
            raise InvalidInput(f"the IPv6 address in {where} is not closed with ']'",
                               hint="write postgresql://user@[::1]:5432/dbname")
        port = port[1:]
    else:
        host, _, port = hostport.partition(":")
        if "[" in host or "]" in host:
            raise InvalidInput(f"the host in {where} holds '[' or ']'", hint="an IPv6 address is [::1]")
    if _BAD_PERCENT.search(host):
        raise InvalidInput(f"the host in {where} holds a '%' that is not percent-encoding",
                           hint="write % as %25")
    if port and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        shown = "" if secret else f" {port!r}"
        raise InvalidInput(
            f"the port{shown} in {where} is not a number from 1 to 65535",
            hint="write host:5432; for several hosts use ?host=h1,h2&port=5432,5433"
            + ("; if the password holds '/', '?' or '#', percent-encode it (%2F, %3F, %23)" if secret else ""),
        )


def _check_query(query: str, where: str, secret: bool) -> None:
    if not query:
        return
    known: set[str] | None = None
    for part in query.split("&"):
        if not part:
            continue
        key, equals, value = part.partition("=")
        if not equals or not _PARAMETER_NAME.match(key):
            raise InvalidInput(f"a parameter after '?' in {where} is not name=value",
                               hint="percent-encode '&' (%26) and '=' (%3D) inside values, a password above all")
        if _BAD_PERCENT.search(value):
            shown = "" if secret or key.endswith("password") else f" {key}"
            raise InvalidInput(f"the parameter{shown} in {where} holds a '%' that is not percent-encoding",
                               hint="write % as %25")
        known = _libpq_parameters() if known is None else known
        if key not in known and key not in GMCTL_PARAMETERS:
            shown = "" if secret else f" {key!r}"
            raise InvalidInput(f"the URL parameter{shown} in {where} is not one PostgreSQL knows",
                               hint="see libpq's connection parameters, e.g. sslmode=require, "
                               "connect_timeout=10, application_name=ops")


def _libpq_parameters() -> set[str]:
    """The connection keywords of the libpq that psycopg is linked with (host, sslmode, options...)."""
    try:
        from psycopg import pq

        return {d.keyword.decode() for d in pq.Conninfo.get_defaults()}
    except Exception:  # pragma: no cover - psycopg is a dependency; this is a last resort
        return {"host", "hostaddr", "port", "dbname", "user", "password", "passfile", "options",
                "application_name", "connect_timeout", "sslmode", "sslrootcert", "sslcert", "sslkey",
                "target_session_attrs", "keepalives", "service", "channel_binding", "client_encoding"}


# -- showing a URL -------------------------------------------------------------------------------

# Anything named ...password (password, sslpassword) in a query string or a keyword=value string:
# the value runs to the next `&name=` or ` name=`, or to the end, so an unencoded & or space in it
# is masked too.
_QUERY_SECRET = re.compile(
    r"(?i)([A-Za-z_]*password\s*=\s*)('(?:[^'\\]|\\.)*'|.*?)(?=&[A-Za-z_][A-Za-z0-9_]*=|\s+[A-Za-z_]+\s*=|$)",
    re.S,
)


def mask_url(url: str | None) -> str:
    """The URL with every password replaced by ***, safe for messages, --debug and logs.

    However malformed the URL, no character of a password is shown: everything between the user
    name's ':' and the LAST '@' is treated as the password (`postgresql://ops:Eko@2024@host/db`
    shows as `postgresql://ops:***@host/db`), which can hide more than the password, never less.
    """
    if not url:
        return "(none)"
    text = str(url)
    scheme = _SCHEME.match(text)
    if scheme is not None:
        rest = text[scheme.end():]
        credentials, at, after = rest.rpartition("@")
        if at:
            user, colon, _ = credentials.partition(":")
            text = text[:scheme.end()] + user + (":***" if colon else "") + "@" + after
    return _QUERY_SECRET.sub(lambda m: m.group(1) + "***", text)


def sqlalchemy_url(url: str) -> str:
    """SQLAlchemy maps plain postgresql:// to psycopg 3 in 2.1; be explicit so 2.0 does too."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def libpq_url(url: str) -> str:
    """The URL as psql, pg_dump and psycopg.connect want it (no SQLAlchemy driver suffix)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)
