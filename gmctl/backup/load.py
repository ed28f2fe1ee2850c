"""Feeding a SQL script (a plain dump, or pg_restore's output) to psql, in one transaction.

Every restore goes this way, so that each is one transaction (psql --single-transaction with
ON_ERROR_STOP: a failure leaves the target as it was), and so that statements a newer pg_dump writes
for settings an older server does not know can be left out: pg_dump/pg_restore 17+ start every script
with `SET transaction_timeout = 0;`, which PostgreSQL 14-16 reject, and gmctl uses the newest pg_dump
it finds (18) whatever the server. Only the script's opening lines are looked at; the rest is copied
through in large blocks.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import BinaryIO

from gmctl.backup.client import first_error_line
from gmctl.backup.conninfo import ToolConnection
from gmctl.db.tools import PgTool
from gmctl.errors import GmctlError

# A line of a script's fixed preamble -> the first server major that accepts it.
NEWER_SETTINGS = {b"SET transaction_timeout = 0;": 17}
PREAMBLE_LINES = 200


def run_script(
    psql: PgTool,
    target: ToolConnection,
    server_major: int,
    *,
    file: Path | None = None,
    producer: list[str] | None = None,
    before: str | None = None,
    after: str | None = None,
) -> None:
    """Run `file`, or the output of the `producer` command, wrapped in before/after, in one transaction."""
    command = [str(psql.path), "-X", "-w", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    command += ["-c", before] if before else []
    command += ["-f", "-"]
    command += ["-c", after] if after else []
    command += [f"--dbname={target.conninfo}"]
    with tempfile.TemporaryFile() as psql_errors, tempfile.TemporaryFile() as producer_errors:
        consumer = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_errors, env=target.environ
        )
        source_process = (
            subprocess.Popen(
                producer, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=producer_errors
            )
            if producer
            else None
        )
        source: BinaryIO = source_process.stdout if source_process else open(file, "rb")  # type: ignore[assignment,arg-type]
        assert consumer.stdin is not None
        try:
            _pump(source, consumer.stdin, server_major)
        except BrokenPipeError:
            pass  # psql stopped at an error; its message says which
        finally:
            source.close()
            try:
                consumer.stdin.close()
            except BrokenPipeError:
                pass
        code = consumer.wait()
        produced = source_process.wait() if source_process else 0
        if produced != 0 and source_process is not None:
            raise GmctlError(
                f"{Path(producer[0]).name} failed, nothing was restored: "  # type: ignore[index]
                f"{first_error_line(_read(producer_errors))}"
            )
        if code != 0:
            message = _read(psql_errors)
            raise GmctlError(
                f"the restore failed, nothing was restored: {first_error_line(message)}",
                hint=hint_for(message),
            )


def _pump(source: BinaryIO, sink: BinaryIO, server_major: int) -> None:
    for _ in range(PREAMBLE_LINES):
        line = source.readline()
        if not line:
            return
        needs = NEWER_SETTINGS.get(line.strip())
        if needs is None or server_major >= needs:
            sink.write(line)
    shutil.copyfileobj(source, sink, 1 << 20)


def _read(handle: BinaryIO) -> str:
    handle.seek(0)
    return handle.read().decode("utf-8", "replace")


def hint_for(stderr: str) -> str | None:
    if "must be owner" in stderr or "permission denied" in stderr:
        return "restore as the role that owns the tables (or a superuser)"
    if "already exists" in stderr:
        return "restore into an empty database (--create-db NAME), or pass --yes to replace what is there"
    if "role" in stderr and "does not exist" in stderr:
        return "the schema backup names its owner; create that role first, or restore the full backup instead"
    return None
