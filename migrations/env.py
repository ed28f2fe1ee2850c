"""Alembic environment. gmctl passes its own connection; plain `alembic` resolves the URL like gmctl."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool

from gmctl.db.drift import compare_options
from gmctl.db.engine import make_engine
from gmctl.db.models import Base
from gmctl.db.url import resolve_database_url
from gmctl.schema import schema_lock

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_with(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, **compare_options())
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or resolve_database_url(None, os.environ)
    engine = make_engine(url, poolclass=pool.NullPool)
    # Plain `alembic upgrade` takes the same schema lock as `gmctl db upgrade` (gmctl.schema.schema_lock).
    with schema_lock(engine), engine.connect() as conn:
        run_with(conn)
        conn.commit()


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url") or "postgresql://", target_metadata=target_metadata,
                      literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
