"""Engines for the resolved database, and the translation of driver errors into gmctl errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from gmctl.db.loaders import install as install_loaders
from gmctl.db.url import mask_url, resolve_database_url, sqlalchemy_url
from gmctl.errors import Busy, DatabaseUnavailable, GmctlError, InvalidInput
from gmctl.startup import resume_collection

if TYPE_CHECKING:
    from gmctl.context import Env

# Staff must never wait behind a long lock: fail fast and say busy instead.
LOCK_TIMEOUT_MS = 5000


def engine_for(env: "Env") -> Engine:
    url = resolve_database_url(env.database_url, env.environ, env.gmctl_home)
    return make_engine(url)


def make_engine(url: str, **kwargs: object) -> Engine:
    engine = create_engine(
        sqlalchemy_url(url),
        pool_pre_ping=False,
        # Statement parameters can be password hashes or MFA secrets: keep them out of errors and --debug.
        hide_parameters=True,
        connect_args={
            "connect_timeout": 5,
            "application_name": "gmctl",
            "options": f"-c lock_timeout={LOCK_TIMEOUT_MS} -c timezone=UTC",
        },
        **kwargs,
    )
    engine.info = {"display_url": mask_url(url)}  # type: ignore[attr-defined]
    install_loaders(engine)  # values beyond Python's range (year 294276, infinity) still display
    resume_collection()  # the driver is loaded: start-up is over (gmctl/startup.py)
    return engine


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
