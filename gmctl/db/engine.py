"""Engines for the resolved database, and the translation of driver errors into gmctl errors.

Session settings (lock_timeout 5 s, TimeZone UTC) survive a transaction pooler. gmctl sends no startup
`options`: PgBouncer refuses them (`FATAL: unsupported startup parameter: options`) or, told to ignore
them, silently drops them. Instead:

- direct to PostgreSQL: one statement when a connection opens sets them for the session, and reads the
  port the server listens on. That is the whole cost (one round trip per connection, none per query).
- through a pooler: every transaction starts with `SET LOCAL lock_timeout = 5000; SET LOCAL TimeZone =
  'UTC'` (one simple-query round trip; SET takes no snapshot, so SET TRANSACTION ISOLATION LEVEL may
  still follow), and psycopg's server-side prepared statements are off (`prepare_threshold=None`): a
  statement prepared on one server connection is missing on the next.

gmctl is behind a pooler when the profile says `pooler = "transaction"`, the URL carries
`gmctl_pooler=transaction` (gmctl's parameter: removed before libpq sees the URL), or when it detects
one: the port it connected to is not the port the server says it listens on (PgBouncer on 6432 in
front of 5432). `pooler = "session"` or `"none"` means direct and turns the detection off (a port-forward
is not a pooler). Autocommit work behind a pooler (maintenance) gets no session settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from gmctl.db.loaders import install as install_loaders
from gmctl.db.pooler import check_pooler_mode, split_pooler
from gmctl.db.url import mask_url, resolve_database_url, sqlalchemy_url
from gmctl.errors import Busy, DatabaseUnavailable, GmctlError, InvalidInput
from gmctl.startup import resume_collection

if TYPE_CHECKING:
    from gmctl.context import Env

TRANSACTION = "transaction"
# Staff must never wait behind a long lock: fail fast and say busy instead.
LOCK_TIMEOUT_MS = 5000
LOCAL_SETTINGS_SQL = f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}; SET LOCAL TimeZone = 'UTC'"
CONNECT_SQL = ("SELECT set_config('lock_timeout', %s, false), set_config('TimeZone', 'UTC', false),"
               " current_setting('port')")

def profile_pooler(env: "Env") -> str | None:
    """What the active profile's `pooler` key says, when that profile supplies the database URL."""
    from gmctl.db.replica import active_profile_body

    body = active_profile_body(env)
    return check_pooler_mode(body.get("pooler"), "the profile key pooler") if body else None


def engine_for(env: "Env") -> Engine:
    """The primary's engine: the resolved URL with the pooler the URL or the profile declares."""
    url = resolve_database_url(env.database_url, env.environ, env.gmctl_home)
    url, pooler = split_pooler(url)
    return make_engine(url, pooler=pooler or profile_pooler(env))


def make_engine(url: str, *, pooler: str | None = None, connect_timeout: int = 5,
                application_name: str = "gmctl", **kwargs: object) -> Engine:
    """An engine whose transactions run with lock_timeout 5 s and TimeZone UTC, through a pooler or not.

    `pooler` is None (direct, with detection), "transaction", or "session"/"none" (direct, no
    detection); a gmctl_pooler URL parameter wins. engine.info holds display_url (password masked),
    pooler, and detected (False, or what gave an undeclared pooler away).
    """
    url, from_url = split_pooler(url)
    pooler = from_url or pooler
    connect_args: dict[str, object] = {"connect_timeout": connect_timeout, "application_name": application_name}
    if pooler == TRANSACTION:
        connect_args["prepare_threshold"] = None
    engine = create_engine(
        sqlalchemy_url(url),
        pool_pre_ping=False,
        # Statement parameters can be password hashes or MFA secrets: keep them out of errors and --debug.
        hide_parameters=True,
        connect_args=connect_args,
        **kwargs,
    )
    engine.info = {"display_url": mask_url(url), "pooler": pooler, "detected": False}  # type: ignore[attr-defined]
    event.listen(engine, "connect", _on_connect(engine, pooler))
    event.listen(engine, "begin", _on_begin)
    install_loaders(engine)  # values beyond Python's range (year 294276, infinity) still display
    resume_collection()  # the driver is loaded: start-up is over (gmctl/startup.py)
    return engine


def _on_connect(engine: Engine, pooler: str | None):  # type: ignore[no-untyped-def]
    def on_connect(dbapi, record) -> None:  # type: ignore[no-untyped-def]
        if pooler == TRANSACTION:
            record.info["gmctl_pooled"] = True
            return
        was = dbapi.autocommit
        dbapi.autocommit = True  # one round trip, no BEGIN/COMMIT around it
        try:
            server_port = dbapi.execute(CONNECT_SQL, (str(LOCK_TIMEOUT_MS),)).fetchone()[2]
        finally:
            dbapi.autocommit = was
        if pooler is None and str(dbapi.info.port) != str(server_port):
            # Something answers on another port than PostgreSQL's own: a pooler or a proxy.
            record.info["gmctl_pooled"] = True
            dbapi.prepare_threshold = None
            engine.info["detected"] = f"connected to port {dbapi.info.port}, the server listens on {server_port}"  # type: ignore[attr-defined]

    return on_connect


def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
    record = conn.connection
    if record.info.get("gmctl_pooled") and not record.dbapi_connection.autocommit:
        conn.exec_driver_sql(LOCAL_SETTINGS_SQL)


def translate_database_error(exc: BaseException, display_url: str) -> GmctlError | None:
    """A person-readable gmctl error for a driver error, or None if it is not one we understand."""
    if not isinstance(exc, DBAPIError):
        return None
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or ""
    detail = _first_line(orig or exc)
    if sqlstate == "55P03" or sqlstate == "57014" and "lock" in detail:
        return Busy(f"the row or table is locked by another session: {detail}", hint="try again in a moment")
    if isinstance(exc, IntegrityError):
        constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
        named = f" (rule {constraint})" if constraint else ""
        return InvalidInput(f"the database refused the change{named}: {detail}")
    if isinstance(exc, OperationalError) and (sqlstate.startswith("08") or not sqlstate or sqlstate == "3D000"):
        return DatabaseUnavailable(
            f"cannot connect to the database at {display_url}: {detail}",
            hint="check the server is running and the URL (--database-url, GMCTL_DATABASE_URL, "
            "or the profile in config.toml); `gmctl db server status` shows the embedded one",
        )
    if sqlstate == "42P01":
        return GmctlError(
            f"the database at {display_url} has no gmctl schema yet: {detail}",
            hint="run `gmctl db init` to create it",
        )
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
