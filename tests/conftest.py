"""Test fixtures: a real PostgreSQL, a migrated template, and per-test isolation.

- The server: GMCTL_TEST_DATABASE_URL if set (its database is only used to create others), else an
  embedded PostgreSQL 18 started once per session in a temporary GMCTL_HOME.
- A template database migrated to head once per session.
- `session`/`env`: SAVEPOINT isolation on one connection to a clone of the template (~1 ms a test).
- `scratch_url`: a fresh clone for tests that commit from several connections or change DDL (~75 ms).
"""

from __future__ import annotations

import io
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session

from gmctl.context import Env
from gmctl.db.engine import make_engine
from gmctl.db.url import libpq_url

FIXED_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


class TtyStringIO(io.StringIO):
    """A captured stream that says it is a terminal, for table-format and prompt tests."""

    def isatty(self) -> bool:
        return True


@dataclass
class PgServer:
    admin_url: str  # libpq URL of a maintenance database on the server

    def url_for(self, database: str) -> str:
        return str(make_url(self.admin_url).set(database=database).render_as_string(hide_password=False))

    def execute(self, sql: str) -> None:
        with psycopg.connect(libpq_url(self.admin_url), autocommit=True) as conn:
            conn.execute(sql)

    def clone(self, template: str, name: str | None = None) -> str:
        name = name or f"gmctl_t_{uuid.uuid4().hex[:10]}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_empty(self, name: str | None = None) -> str:
        name = name or f"gmctl_e_{uuid.uuid4().hex[:10]}"
        self.execute(f'CREATE DATABASE "{name}"')
        return name


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    url = os.environ.get("GMCTL_TEST_DATABASE_URL")
    if url:
        yield PgServer(url)
        return
    from gmctl.db import embedded

    home = tmp_path_factory.mktemp("gmctl-pg")
    state = embedded.start(home)
    try:
        yield PgServer(state.url("postgres"))
    finally:
        embedded.stop(home)


@pytest.fixture(scope="session")
def template_db(pg_server: PgServer) -> Iterator[str]:
    """A database at head with the default rows; every other test database is a clone of it."""
    from gmctl import schema

    name = pg_server.create_empty(f"gmctl_template_{os.getpid()}")
    engine = make_engine(pg_server.url_for(name))
    try:
        schema.initialise(engine)
    finally:
        engine.dispose()
    yield name
    pg_server.drop(name)


@pytest.fixture(scope="session")
def shared_engine(pg_server: PgServer, template_db: str) -> Iterator[Engine]:
    name = pg_server.clone(template_db, f"gmctl_shared_{os.getpid()}")
    engine = make_engine(pg_server.url_for(name))
    yield engine
    engine.dispose()
    pg_server.drop(name)


@pytest.fixture
def connection(shared_engine: Engine) -> Iterator[Connection]:
    """One connection in an outer transaction that is rolled back after the test."""
    conn = shared_engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


def _savepoint_session(conn: Connection) -> Session:
    return Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    db = _savepoint_session(connection)
    yield db
    db.close()


@pytest.fixture
def make_env(connection: Connection, tmp_path: Path) -> Callable[..., Env]:
    """An Env wired to the test's connection, a private GMCTL_HOME and a fixed clock."""

    def factory(**overrides: object) -> Env:
        environ = {"GMCTL_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
        environ.update(overrides.pop("environ", {}))  # type: ignore[arg-type]
        env = Env(environ=environ, home=tmp_path / "home", clock=lambda: FIXED_NOW,
                  session_factory=lambda: _savepoint_session(connection), **overrides)  # type: ignore[arg-type]
        return env

    return factory


@pytest.fixture
def env(make_env: Callable[..., Env]) -> Env:
    return make_env()


@pytest.fixture
def scratch_url(pg_server: PgServer, template_db: str) -> Iterator[str]:
    """A private clone at head, for tests that commit, use several connections or change DDL."""
    name = pg_server.clone(template_db)
    yield pg_server.url_for(name)
    pg_server.drop(name)


@pytest.fixture
def empty_url(pg_server: PgServer) -> Iterator[str]:
    """A private empty database, for migration tests."""
    name = pg_server.create_empty()
    yield pg_server.url_for(name)
    pg_server.drop(name)


@pytest.fixture
def scratch_engine(scratch_url: str) -> Iterator[Engine]:
    engine = make_engine(scratch_url)
    yield engine
    engine.dispose()


def count_statements(engine: Engine) -> list[str]:
    """Record the SQL an engine runs (for tests that assert a query count)."""
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def invoke(env: Env, *args: str, input: str | None = None):
    """Run gmctl in-process with CliRunner; stdout and stderr come back separately."""
    from typer.testing import CliRunner

    from gmctl.cli import build_app, hoist_global_options

    argv = hoist_global_options(args)
    return CliRunner().invoke(build_app(argv), argv, obj=env, input=input)


@pytest.fixture
def cli(env: Env) -> Callable[..., "object"]:
    """gmctl on the test's savepoint-isolated database."""
    return lambda *args, input=None: invoke(env, *args, input=input)


@pytest.fixture
def cli_nodb(tmp_path: Path) -> Callable[..., "object"]:
    """gmctl with no database configured and a private GMCTL_HOME (for commands that need none)."""
    home = tmp_path / "home"

    def run(*args: str, input: str | None = None, environ: dict | None = None):
        env = Env(environ={"GMCTL_HOME": str(home), **(environ or {})}, home=home, clock=lambda: FIXED_NOW)
        return invoke(env, *args, input=input)

    return run
