"""Declarative base, naming convention and the column types the schema needs."""

from __future__ import annotations

import datetime
import re
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData, text
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import UserDefinedType

# The tables were made by hand-written SQL, so their constraints carry the names
# PostgreSQL chose (users_pkey, users_username_key, user_roles_user_id_fkey...).
# Producing the same names here keeps autogenerate quiet and lets migrations
# address constraints by name. CHECKs and indexes are always named explicitly.
NAMING_CONVENTION = {
    "pk": "%(table_name)s_pkey",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
}

# Server defaults spelled exactly as PostgreSQL reports them, so that the
# server-default comparison is a plain string match, not a round trip.
NOW = text("CURRENT_TIMESTAMP")
TRUE = text("true")
FALSE = text("false")
EMPTY_OBJECT = text("'{}'::jsonb")
EMPTY_ARRAY = text("'[]'::jsonb")


def varchar_default(value: str) -> Any:
    """The server default PostgreSQL reports for a VARCHAR column's literal default."""
    return text(f"'{value}'::character varying")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every timestamp in this schema is TIMESTAMP WITH TIME ZONE.
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime.datetime: DateTime(timezone=True)}


_POINT = re.compile(r"^\(\s*([^,\s]+)\s*,\s*([^)\s]+)\s*\)$")


class Point(UserDefinedType[tuple[float, float]]):
    """PostgreSQL POINT, as an (x, y) tuple; psycopg has no adapter of its own for it."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "POINT"

    def bind_processor(self, dialect: Any) -> Any:
        def process(value: tuple[float, float] | None) -> str | None:
            if value is None:
                return None
            x, y = value
            return f"({float(x)!r},{float(y)!r})"

        return process

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        def process(value: Any) -> tuple[float, float] | None:
            if value is None or isinstance(value, tuple):
                return value
            match = _POINT.match(str(value))
            if match is None:
                raise ValueError(f"not a PostgreSQL point: {value!r}")
            return float(match.group(1)), float(match.group(2))

        return process
