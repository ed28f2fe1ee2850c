"""Seed fixtures: committed databases, because both seeds commit (scale on connections of its own).

`demo_db` and `scaled_db` are loaded once per module and only read by the tests that use them;
tests that change things take a `scratch_url` of their own.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gmctl.context import Env
from gmctl.db.engine import make_engine
from tests.conftest import FIXED_NOW, PgServer, invoke


def _private_clone(pg_server: PgServer, template_db: str) -> str:
    return pg_server.clone(template_db, f"gmctl_seed_{uuid.uuid4().hex[:10]}")


@pytest.fixture(scope="module")
def demo_db(pg_server: PgServer, template_db: str) -> Iterator[tuple[Engine, Any]]:
    """A database at head with the demo loaded at FIXED_NOW: (engine, DemoResult)."""
    from gmctl.seed.demo import seed_demo

    name = _private_clone(pg_server, template_db)
    engine = make_engine(pg_server.url_for(name))
    with Session(engine) as session:
        result = seed_demo(session, FIXED_NOW)
        session.commit()
    yield engine, result
    engine.dispose()
    pg_server.drop(name)


@pytest.fixture(scope="module")
def scaled_db(pg_server: PgServer, template_db: str) -> Iterator[tuple[Engine, Any]]:
    """A database at head holding one scale unit: (engine, ScaleResult)."""
    from gmctl.seed.scale import seed_scale

    name = _private_clone(pg_server, template_db)
    engine = make_engine(pg_server.url_for(name))
    result = seed_scale(engine, 1, FIXED_NOW)
    yield engine, result
    engine.dispose()
    pg_server.drop(name)


@pytest.fixture
def seed_env(scratch_engine: Engine, scratch_url: str, tmp_path: Path) -> Env:
    """An Env on a committed scratch database named by URL (so not the embedded server)."""
    home = tmp_path / "home"
    home.mkdir()
    environ = {"GMCTL_HOME": str(home), "NO_COLOR": "1", "GMCTL_DATABASE_URL": scratch_url}
    return Env(environ=environ, home=home, clock=lambda: FIXED_NOW, engine=scratch_engine)


@pytest.fixture
def seed_cli(seed_env: Env):
    """gmctl on the scratch database; each call gets a fresh Env sharing its engine, home and environment."""

    def run(*args: str, **overrides: Any):
        env = Env(environ=dict(seed_env.environ), home=seed_env.home, clock=seed_env.clock,
                  engine=seed_env.engine, **overrides)
        return invoke(env, *args)

    return run
