"""Which database a command talks to, and how to show its URL without the password.

Order: --database-url, GMCTL_DATABASE_URL, DATABASE_URL, the config file's active profile,
then the embedded server in GMCTL_HOME. migrations/env.py uses the same resolution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from gmctl.config import load_config, resolve_home

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
    home = home or resolve_home(environ)
    if option:
        return DatabaseTarget(normalise_url(option), "--database-url", home)
    for name in ("GMCTL_DATABASE_URL", "DATABASE_URL"):
        if environ.get(name):
            return DatabaseTarget(normalise_url(environ[name]), name, home)
    config = load_config(home)
    url = config.profile_url(environ.get("GMCTL_PROFILE"))
    if url:
        return DatabaseTarget(normalise_url(url), f"profile {config.active_profile or environ.get('GMCTL_PROFILE')}", home)
    return DatabaseTarget(None, EMBEDDED, home)


def resolve_database_url(option: str | None, environ: Mapping[str, str], home: Path | None = None) -> str:
    """The URL to connect to, starting the embedded server when nothing else is configured."""
    target = choose_database(option, environ, home)
    if target.url is not None:
        return target.url
    from gmctl.db import embedded

    return embedded.ensure_running(target.home)


def normalise_url(url: str) -> str:
    """Accept what people paste (postgres://, postgresql+psycopg://) and use psycopg 3."""
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return url


_PASSWORD = re.compile(r"(?P<prefix>://[^:/@?]*:)(?P<password>[^@]*)(?P<at>@)")


def mask_url(url: str | None) -> str:
    """The URL with its password replaced, safe for messages and logs."""
    if not url:
        return "(none)"
    masked = _PASSWORD.sub(lambda m: m.group("prefix") + ("***" if m.group("password") else "") + "@", url)
    return re.sub(r"(password=)[^&\s]*", r"\1***", masked)


def sqlalchemy_url(url: str) -> str:
    """SQLAlchemy maps plain postgresql:// to psycopg 3 in 2.1; be explicit so 2.0 does too."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def libpq_url(url: str) -> str:
    """The URL as psql, pg_dump and psycopg.connect want it (no SQLAlchemy driver suffix)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)
