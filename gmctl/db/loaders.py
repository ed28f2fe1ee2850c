"""Every value PostgreSQL holds can be read back and shown, even where Python's types end.

PostgreSQL's timestamp and timestamptz go to year 294276, date to 5874897, both have `infinity`
and `-infinity`, and an interval may span millions of years; Python's datetime stops at year 9999
and timedelta at 999,999,999 days. psycopg raises DataError ("timestamp too large (after year 10K)")
for those, which made `requests show` crash on a row the platform wrote.

These loaders return the value psycopg would, and for a value beyond Python's range a stand-in:
a datetime (date, timedelta) subclass clamped to Python's limit, so sorting and comparison keep
working, that carries the server's own text in `pg_text`. gmctl.output shows and exports `pg_text`
(json, csv, tsv, tables, show screens), so the person sees exactly what the database holds.

`install(engine)` registers them on every connection the engine opens (a SQLAlchemy "connect"
event); gmctl.db.engine.make_engine calls it once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from psycopg.types.datetime import DateLoader, IntervalLoader, TimestampLoader, TimestamptzLoader


class BeyondDatetime(datetime):
    """A timestamp outside year 1-9999: datetime.max/min for comparisons, `pg_text` for display."""

    pg_text: str

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:  # noqa: ARG002
        return self.pg_text

    def __str__(self) -> str:
        return self.pg_text

    def __repr__(self) -> str:
        return f"BeyondDatetime({self.pg_text!r})"


class BeyondDate(date):
    """A date outside year 1-9999: date.max/min for comparisons, `pg_text` for display."""

    pg_text: str

    def isoformat(self) -> str:
        return self.pg_text

    def __str__(self) -> str:
        return self.pg_text

    def __repr__(self) -> str:
        return f"BeyondDate({self.pg_text!r})"


class BeyondInterval(timedelta):
    """An interval longer than timedelta allows: timedelta.max/min, `pg_text` for display."""

    pg_text: str

    def __str__(self) -> str:
        return self.pg_text

    def __repr__(self) -> str:
        return f"BeyondInterval({self.pg_text!r})"


def _text(data: Any) -> str:
    return bytes(data).decode("utf-8", "replace")


def _early(text: str) -> bool:
    return text.startswith("-") or text.endswith(" BC")


def beyond_datetime(text: str, aware: bool) -> BeyondDatetime:
    edge = datetime.min if _early(text) else datetime.max
    value = BeyondDatetime(edge.year, edge.month, edge.day, edge.hour, edge.minute, edge.second,
                           edge.microsecond, tzinfo=timezone.utc if aware else None)
    value.pg_text = text
    return value


def beyond_date(text: str) -> BeyondDate:
    edge = date.min if _early(text) else date.max
    value = BeyondDate(edge.year, edge.month, edge.day)
    value.pg_text = text
    return value


def beyond_interval(text: str) -> BeyondInterval:
    edge = timedelta.min if text.startswith("-") else timedelta.max
    value = BeyondInterval(edge.days, edge.seconds, edge.microseconds)
    value.pg_text = text
    return value


class SafeTimestamptzLoader(TimestamptzLoader):
    """psycopg's timestamptz: a datetime in UTC, or a BeyondDatetime when Python cannot hold it."""

    def load(self, data: Any) -> datetime:
        try:
            return super().load(data)
        except Exception as exc:
            return beyond_datetime(_text(data), True) if _is_range(exc) else _reraise(exc)


class SafeTimestampLoader(TimestampLoader):
    """psycopg's timestamp: a naive datetime, or a BeyondDatetime when Python cannot hold it."""

    def load(self, data: Any) -> datetime:
        try:
            return super().load(data)
        except Exception as exc:
            return beyond_datetime(_text(data), False) if _is_range(exc) else _reraise(exc)


class SafeDateLoader(DateLoader):
    """psycopg's date: a date, or a BeyondDate when Python cannot hold it."""

    def load(self, data: Any) -> date:
        try:
            return super().load(data)
        except Exception as exc:
            return beyond_date(_text(data)) if _is_range(exc) else _reraise(exc)


class SafeIntervalLoader(IntervalLoader):
    """psycopg's interval: a timedelta, or a BeyondInterval when Python cannot hold it."""

    def load(self, data: Any) -> timedelta:
        try:
            return super().load(data)
        except Exception as exc:
            return beyond_interval(_text(data)) if _is_range(exc) else _reraise(exc)


def _is_range(exc: BaseException) -> bool:
    """psycopg's out-of-range errors: DataError 'too large/small', 'infinity', OverflowError."""
    import psycopg

    return isinstance(exc, (OverflowError, psycopg.DataError, ValueError))


def _reraise(exc: BaseException) -> Any:
    raise exc


LOADERS = {
    "timestamptz": SafeTimestamptzLoader,
    "timestamp": SafeTimestampLoader,
    "date": SafeDateLoader,
    "interval": SafeIntervalLoader,
}


def register(adapters: Any) -> None:
    """Register the loaders (text format, what SQLAlchemy asks for) on a psycopg adapters map:
    a connection's `.adapters`, or `psycopg.adapters` for every new connection."""
    for name, loader in LOADERS.items():
        adapters.register_loader(name, loader)


def install(engine: Any) -> None:
    """Register the loaders on every connection `engine` opens (SQLAlchemy's connect event)."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        adapters = getattr(dbapi_connection, "adapters", None)
        if adapters is not None:
            register(adapters)
