"""A database built the way production was (the document's SQL, block by block) with rows in every table."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Callable, Iterator

import psycopg
import pytest

from gmctl.context import Env
from gmctl.db.url import libpq_url
from tests.adopt.seed_build import apply_document, seed_document
from tests.backup.sample_data import load_seed_rows
from tests.conftest import FIXED_NOW, PgServer, invoke


@pytest.fixture(scope="session")
def seed_template(pg_server: PgServer) -> Iterator[str]:
    document = seed_document()
    if document is None:
        pytest.skip("the schema document is not available")
    name = pg_server.create_empty(f"gmctl_t_seedtpl_{uuid.uuid4().hex[:8]}")
    url = pg_server.url_for(name)
    apply_document(url, document)
    load_seed_rows(url)
    yield name
    pg_server.drop(name)


@pytest.fixture
def seed_url(pg_server: PgServer, seed_template: str) -> Iterator[str]:
    """A private copy of the seed-built database, to adopt or to break first."""
    name = pg_server.clone(seed_template)
    yield pg_server.url_for(name)
    pg_server.drop(name)


@pytest.fixture
def gm(tmp_path: Path) -> Callable[..., object]:
    def run(url: str, *args: str, input: str | None = None):
        home = tmp_path / "home"
        env = Env(
            environ={"GMCTL_HOME": str(home), "GMCTL_DATABASE_URL": url}, home=home, clock=lambda: FIXED_NOW
        )
        return invoke(env, *args, input=input)

    return run


def sql(url: str, *statements: str) -> None:
    with psycopg.connect(libpq_url(url)) as conn:
        for statement in statements:
            conn.execute(statement)


def query(url: str, statement: str) -> list[tuple]:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute(statement).fetchall()
