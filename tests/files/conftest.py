"""File fixtures: a real clamd for the whole session, a files root per test, and upload records.

`clamd` starts Debian's clamd once per session (tests/files/clamd_daemon.py: unprivileged, a socket
in a temporary directory, a database of the project's one .hdb signature, StreamMaxLength 1M) and
stops it at the end. It skips, saying why, only when clamd is not installed; a clamd that is
installed but fails to start is an error, not a skip.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import text

from gmctl.context import Env
from tests.conftest import FIXED_NOW, invoke
from tests.files.clamd_daemon import ClamdDaemon, clamd_binary, start_clamd


@pytest.fixture(scope="session")
def clamd() -> Iterator[ClamdDaemon]:
    if clamd_binary() is None:
        pytest.skip("clamd is not installed and could not be: `apt-get install clamav-daemon` (.ci/run does it as root)")
    daemon = start_clamd()
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "files"
    path.mkdir()
    return path


def add_upload(db: Any, root: Path | None, file_path: str, data: bytes | None, **fields: Any) -> int:
    """Insert a file_uploads row for `data` (size and sha256 from it unless given) and write the file
    under `root` (unless data is None or root is None). Returns the id."""
    size = fields.pop("file_size", len(data) if data else 1)
    digest = fields.pop("file_hash", hashlib.sha256(data).hexdigest() if data is not None else None)
    values = {"original_filename": file_path.rsplit("/", 1)[-1], "stored_filename": file_path.rsplit("/", 1)[-1],
              "file_path": file_path, "file_size": size, "mime_type": "application/octet-stream",
              "file_hash": digest, "virus_scan_status": "pending", **fields}
    columns = ", ".join(values)
    placeholders = ", ".join(f":{k}" for k in values)
    record_id = db.execute(text(f"INSERT INTO file_uploads ({columns}) VALUES ({placeholders}) RETURNING id"),
                           values).scalar_one()
    if data is not None and root is not None:
        target = root / file_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return record_id


@pytest.fixture
def files_env(make_env, root: Path, tmp_path: Path):
    """An Env (savepoint-isolated database) whose files root is `root`; quarantine beside it."""

    def factory(**environ: str) -> Env:
        return make_env(environ={"GMCTL_FILES_ROOT": str(root), "GMCTL_FILES_QUARANTINE": str(tmp_path / "quarantine"),
                                 **environ})

    return factory


@pytest.fixture
def scratch_files(scratch_engine, root: Path, tmp_path: Path):
    """For commands that commit on connections of their own (scan): the committed scratch database."""

    class Scratch:
        engine = scratch_engine
        files_root = root
        quarantine = tmp_path / "quarantine"
        home = tmp_path / "home"

        def env(self, **environ: str) -> Env:
            self.home.mkdir(exist_ok=True)
            values = {"GMCTL_HOME": str(self.home), "NO_COLOR": "1", "GMCTL_FILES_ROOT": str(root),
                      "GMCTL_FILES_QUARANTINE": str(self.quarantine), **environ}
            return Env(environ=values, home=self.home, clock=lambda: FIXED_NOW, engine=scratch_engine)

        def cli(self, *args: str, operator: Any = None, **environ: str):
            env = self.env(**environ)
            env.operator = operator
            return invoke(env, *args)

        def add(self, file_path: str, data: bytes | None, **fields: Any) -> int:
            with scratch_engine.begin() as conn:
                return add_upload(conn, root, file_path, data, **fields)

        def row(self, record_id: int) -> Any:
            with scratch_engine.connect() as conn:
                return conn.execute(text("SELECT * FROM file_uploads WHERE id = :id"), {"id": record_id}).one()

    return Scratch()


@pytest.fixture
def scratch_admin(scratch_engine):
    """An admin operator in the scratch database (holds view_files and manage_files)."""
    from sqlalchemy.orm import Session

    from gmctl.auth.permissions import load_operator
    from tests.helpers.accounts import make_user

    with Session(scratch_engine) as session:
        user = make_user(session, "files_admin", staff=True, roles=("admin",))
        session.commit()
        return load_operator(session, user.id, FIXED_NOW)
