"""Fixtures for backup tests: a committed database with rows in every table, an Env pointed at it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Callable, Iterator

import psycopg
import pytest

from gmctl.context import Env
from gmctl.db.url import libpq_url
from tests.backup.sample_data import load_head_rows
from tests.conftest import FIXED_NOW, PgServer, invoke


@pytest.fixture(scope="module")
def loaded_url(pg_server: PgServer, template_db: str) -> Iterator[str]:
    """A clone at head, rows in every table (a card that expired last year among them). Read-only."""
    name = pg_server.clone(template_db, f"gmctl_t_bk_{uuid.uuid4().hex[:10]}")
    url = pg_server.url_for(name)
    load_head_rows(url)
    yield url
    pg_server.drop(name)


@pytest.fixture
def new_database(pg_server: PgServer) -> Iterator[Callable[[], str]]:
    """Names for databases a test creates (by restoring); every one is dropped afterwards."""
    names: list[str] = []

    def make() -> str:
        names.append(f"gmctl_t_rs_{uuid.uuid4().hex[:10]}")
        return names[-1]

    yield make
    for name in names:
        pg_server.drop(name)


@pytest.fixture
def backup_env(tmp_path: Path) -> Callable[..., Env]:
    """An Env on a given database URL with a private GMCTL_HOME and the fixed clock."""

    def make(url: str, **overrides: object) -> Env:
        home = tmp_path / "home"
        environ = {"GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": url, "NO_COLOR": "1"}
        environ.update(overrides.pop("environ", {}))  # type: ignore[arg-type]
        return Env(environ=environ, home=home, clock=lambda: FIXED_NOW, **overrides)  # type: ignore[arg-type]

    return make


@pytest.fixture
def gm(backup_env: Callable[..., Env]) -> Callable[..., object]:
    """gmctl against a URL: gm(url, "db", "backup", ...), a fresh Env each call."""

    def run(url: str, *args: str, input: str | None = None, **env_overrides: object):
        return invoke(backup_env(url, **env_overrides), *args, input=input)

    return run


def table_checksums(url: str) -> dict[str, tuple[int, str]]:
    """Per table: (rows, md5 of every row's text in primary-key order)."""
    with psycopg.connect(libpq_url(url)) as conn:
        tables = conn.execute(
            "SELECT c.oid, c.relname, (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.o)"
            "   FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(n, o)"
            "   JOIN pg_attribute a ON a.attnum = k.n"
            "  WHERE i.indrelid = c.oid AND i.indisprimary AND a.attrelid = c.oid)"
            " FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 2"
        ).fetchall()
        result = {}
        for _oid, name, key in tables:
            order = key or "1"
            row = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY {order}), ''))"
                f' FROM "{name}" t'
            ).fetchone()
            result[name] = (int(row[0]), str(row[1]))
        return result
