"""The context every command receives: streams, output choices, the operator, the clock, a lazy session.

Read commands use `read_transaction()`, a Core Connection: it needs no sqlalchemy.orm and no models,
which together cost more start-up than the query a read command runs.

A command that only reads sets `reads_from_replica` (`command(app, "list", replica=True)`): its
`read_transaction()` and `session()` then run on the read replica when one is configured (see
gmctl/db/replica.py), unless --primary; the sign-in check still runs on the primary.

Modelled on gh's Factory: nothing in gmctl reads os.environ, sys.stdout or the wall clock directly,
so tests build an Env with their own streams, environment, clock and database and pass it as ctx.obj.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, TextIO

from gmctl.config import Config, load_config, resolve_home

if TYPE_CHECKING:  # pragma: no cover - typing only; importing these costs ~250 ms
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session

    from gmctl.db.url import DatabaseTarget

FORMATS = ("table", "json", "csv", "tsv")
# A terminal narrower or wider than this is not believed (COLUMNS=0 from `docker exec -t`, a 0x0
# pseudo-terminal, COLUMNS=99999): the width is then unknown, and unknown means 80.
MIN_TERMINAL_WIDTH, MAX_TERMINAL_WIDTH, DEFAULT_TERMINAL_WIDTH = 20, 1000, 80


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Env:
    # None means "whatever sys.stdout is when used", so click's CliRunner capture works.
    out: TextIO | None = None
    err: TextIO | None = None
    inp: TextIO | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    clock: Callable[[], datetime] = _utc_now
    format: str | None = None  # None: table on a terminal, tsv when piped
    wide: bool = False  # terminal tables show every column, not just a command's terminal_columns
    raw_cells: bool = False  # csv/tsv cells exactly as stored: no spreadsheet-formula neutralising
    no_color: bool = False
    debug: bool = False
    assume_yes: bool = False
    database_url: str | None = None  # the --database-url option
    read_url: str | None = None  # the --read-url option
    primary: bool = False  # --primary: every read on the primary (read-your-own-writes)
    reads_from_replica: bool = False  # set by commands that only read: they may use the replica
    home: Path | None = None
    # Set by tests to reuse one connection and roll back; set by sign-in to the operator.
    engine: "Engine | None" = None
    session_factory: "Callable[[], Session] | None" = None
    operator: Any = None
    _session: "Session | None" = None
    _connection: "Connection | None" = None
    _owns_engine: bool = False
    _config: Config | None = None
    # The read replica: its engine (tests may set it), this command's connection, whether it was down.
    read_engine: "Engine | None" = None
    _read_connection: "Connection | None" = None
    _owns_read_engine: bool = False
    _replica_down: bool = False

    # -- streams -----------------------------------------------------------------
    @property
    def stdout(self) -> TextIO:
        stream = self.out or sys.stdout
        if stream is None:  # started with stdout closed (`>&-`)
            from gmctl.errors import GmctlError

            raise GmctlError("cannot write the output: stdout is closed",
                             hint="redirect it to a file, or to /dev/null to discard it")
        return _tolerant(stream)

    @property
    def stderr(self) -> TextIO:
        return _tolerant(self.err or sys.stderr)

    @property
    def stdin(self) -> TextIO:
        return self.inp or sys.stdin

    @property
    def stdout_is_tty(self) -> bool:
        return _isatty(self.stdout)

    @property
    def stdin_is_tty(self) -> bool:
        return _isatty(self.stdin)

    @property
    def stderr_is_tty(self) -> bool:
        """Where progress bars go: they are drawn only when stderr is a terminal."""
        return _isatty(self.stderr)

    @property
    def terminal_width(self) -> int:
        """Columns of the terminal: COLUMNS if believable, else the terminal's own size (stdout's,
        else stderr's), else 80. 0, or anything outside 20-1000, counts as unknown."""
        value = str(self.environ.get("COLUMNS", "")).strip()
        if value.isdigit() and MIN_TERMINAL_WIDTH <= int(value) <= MAX_TERMINAL_WIDTH:
            return int(value)
        for stream in (self.stdout, self.stderr):
            try:
                columns = os.get_terminal_size(stream.fileno()).columns
            except (AttributeError, ValueError, OSError):
                continue
            if MIN_TERMINAL_WIDTH <= columns <= MAX_TERMINAL_WIDTH:
                return columns
        return DEFAULT_TERMINAL_WIDTH

    @property
    def interactive(self) -> bool:
        """Prompts only when a person is on both ends: piped stdin would silently take defaults."""
        return self.stdin_is_tty and self.stdout_is_tty

    @property
    def output_format(self) -> str:
        return self.format or ("table" if self.stdout_is_tty else "tsv")

    @property
    def color(self) -> bool:
        return not (self.no_color or "NO_COLOR" in self.environ) and self.stdout_is_tty

    @property
    def debugging(self) -> bool:
        return self.debug or self.environ.get("GMCTL_DEBUG", "") not in ("", "0")

    # -- configuration -----------------------------------------------------------
    @property
    def gmctl_home(self) -> Path:
        if self.home is None:
            self.home = resolve_home(self.environ)
        return self.home

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.gmctl_home)
        return self._config

    def target(self) -> "DatabaseTarget":
        from gmctl.db.url import choose_database

        return choose_database(self.database_url, self.environ, self.gmctl_home)

    # -- database ----------------------------------------------------------------
    def get_engine(self) -> "Engine":
        if self.engine is None:
            from gmctl.db.engine import engine_for

            self.engine = engine_for(self)
            self._owns_engine = True
        return self.engine

    def session(self) -> "Session":
        if self._session is None:
            replica = self.replica_connection()
            if replica is not None:
                from sqlalchemy.orm import Session

                self._session = Session(bind=replica, expire_on_commit=False)
            elif self.session_factory is not None:
                self._session = self.session_factory()
            else:
                from sqlalchemy.orm import Session

                self._session = Session(self.get_engine(), expire_on_commit=False)
        return self._session

    @contextmanager
    def transaction(self) -> Iterator["Session"]:
        """One command, one transaction: commit when the block ends, roll back on any error."""
        session = self.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    @contextmanager
    def read_transaction(self) -> Iterator["Connection"]:
        """A read command's one transaction, on a Core Connection: commit at the end, roll back on error.

        On the replica when the command reads from it (see the module docstring); else on the primary.
        Not READ ONLY on the primary: the sign-in check may record the session as seen. With a session
        factory (tests) or a Session already open, it is that Session's connection and transaction.
        """
        if self._session is not None and self.on_replica(self._session):
            with self.transaction() as session:
                yield session.connection()
            return
        replica = self.replica_connection() if self._session is None else None
        if replica is not None:
            with replica.begin():
                yield replica
            return
        with self.primary_transaction() as connection:
            yield connection

    @contextmanager
    def primary_transaction(self) -> Iterator["Connection"]:
        """A transaction on the primary whatever the command reads from: sign-in checks, locks, writes."""
        if self.session_factory is not None or (self._session is not None and not self.on_replica(self._session)):
            with self.transaction() as session:
                yield session.connection()
            return
        if self._connection is None:
            self._connection = self.get_engine().connect()
        with self._connection.begin():
            yield self._connection

    # -- the read replica --------------------------------------------------------
    def replica_connection(self) -> "Connection | None":
        """This command's connection to the read replica, or None: read on the primary.

        None unless the command reads from the replica, one is configured and --primary is not given.
        A replica that cannot be reached gives one warning line and None (the read goes to the primary).
        """
        if not self.reads_from_replica or self.primary or self._replica_down:
            return None
        if self._read_connection is not None:
            return self._read_connection
        if self.read_engine is None:
            if self.session_factory is not None:
                return None  # a test's savepoint session: there is no replica of it
            from gmctl.db.replica import make_read_engine, read_target

            target = read_target(self)
            if target is None:
                return None
            self.read_engine = make_read_engine(self, target)
            self._owns_read_engine = True
        from sqlalchemy.exc import DBAPIError

        try:
            self._read_connection = self.read_engine.connect()
        except DBAPIError as exc:
            from gmctl import output

            self._replica_down = True
            detail = (str(getattr(exc, "orig", None) or exc).strip() or type(exc).__name__).splitlines()[0]
            shown = self.read_engine.info.get("display_url", "(unknown)")  # type: ignore[attr-defined]
            output.warn(self, f"the read replica at {shown} is unavailable ({detail}); reading from the primary")
            return None
        return self._read_connection

    def on_replica(self, db: Any) -> bool:
        """Whether a Connection or Session `db` talks to the read replica."""
        if self._read_connection is None:
            return False
        bind = db.get_bind() if hasattr(db, "get_bind") else db
        return bind is self._read_connection or getattr(bind, "engine", None) is self.read_engine

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._read_connection is not None:
            self._read_connection.close()
            self._read_connection = None
        if self._owns_read_engine and self.read_engine is not None:
            self.read_engine.dispose()
            self.read_engine = None
            self._owns_read_engine = False
        self._replica_down = False  # the next command (tests run several on one Env) tries again
        if self._owns_engine and self.engine is not None:
            # Close the pooled connection now rather than leave it to interpreter teardown, which
            # gmctl.startup spares the garbage walk (the engine stays usable: it reconnects).
            self.engine.dispose()


def _tolerant(stream: Any) -> Any:
    """A text stream that writes escapes (\\u1eb9) for characters its encoding lacks instead of
    raising UnicodeEncodeError (PYTHONIOENCODING=ascii, a C locale); gmctl.output warns once."""
    if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (ValueError, OSError, AttributeError):
            pass
    return stream


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
