"""Making backups: the seed's three pg_dump kinds, each with its manifest.

- full: custom format at the highest compression (-Fc -Z9); schema: plain SQL (--schema-only);
  data: custom format, data only (--data-only -Fc -Z9).
- One exported snapshot serves the whole run: every pg_dump of `--kind all` and the exact row counts
  in the manifests see the same instant, so the counts are what the file holds, to the row.
  The counts are taken while the first pg_dump runs, so they cost the dump almost no time.
- pg_dump writes to a hidden temporary name in the target directory; only a complete dump is renamed
  to its real name (and fsynced), then its manifest is written beside it.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from gmctl.backup.client import ToolFinder, first_error_line, prefetch_tool
from gmctl.backup.conninfo import for_tools
from gmctl.backup.manifest import Manifest, file_sha256, write_manifest
from gmctl.backup.snapshot import SnapshotSession
from gmctl.db.tools import PgTool, find_pg_tool
from gmctl.errors import GmctlError

ProgressCallback = Callable[["DumpProgress"], None]


@dataclass(frozen=True)
class KindSpec:
    kind: str
    suffix: str
    format: str
    args: tuple[str, ...]


SPECS: dict[str, KindSpec] = {
    "full": KindSpec("full", ".backup", "custom", ("-Fc", "-Z9")),
    "schema": KindSpec("schema", ".sql", "plain", ("--schema-only", "-Fp")),
    "data": KindSpec("data", ".backup", "custom", ("--data-only", "-Fc", "-Z9")),
}
ALL_KINDS = ("full", "schema", "data")


@dataclass(frozen=True)
class DumpProgress:
    kind: str
    tables_done: int
    tables_total: int  # 0 when pg_dump does not say table by table (schema only)
    current: str | None
    bytes_written: int


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: Manifest


def expand_kinds(kind: str) -> tuple[str, ...]:
    return ALL_KINDS if kind == "all" else (kind,)


def make_backups(
    url: str,
    kinds: Sequence[str],
    directory: Path,
    now: datetime,
    on_progress: ProgressCallback | None = None,
    find_tool: ToolFinder | None = None,
) -> list[Backup]:
    """Dump the database once per kind, all from one snapshot; return the files and their manifests.

    find_tool(server_major) picks pg_dump (default: the newest found, see gmctl.backup.client); one
    older than the server is refused with a clear message.
    """
    find_tool = find_tool or prefetch_tool("pg_dump")
    directory.mkdir(parents=True, exist_ok=True)
    now = now.astimezone(timezone.utc)
    made: list[Backup] = []
    with SnapshotSession(psql_beside(find_tool(0)), url) as session:
        facts = session.begin()
        pg_dump = find_tool(facts.server_major)
        counts: dict[str, int] | None = None
        for kind in kinds:
            spec = SPECS[kind]
            final = _free_name(directory, f"{facts.database}_{kind}_{now:%Y%m%d_%H%M%S}{spec.suffix}")
            started = time.monotonic()
            process, reader = _start_pg_dump(pg_dump, spec, facts.snapshot, url, final)
            if counts is None:  # counted in the snapshot while the first dump runs
                counts = _count_or_stop(session, facts.tables, process, final)
            _wait(process, reader, spec, final, len(facts.tables), on_progress)
            manifest = Manifest(
                file=final.name,
                kind=kind,
                format=spec.format,
                sha256="",
                size=0,
                created_at=now.isoformat(),
                database=facts.database,
                server_version=facts.server_version,
                server_version_num=facts.server_version_num,
                pg_dump_major=pg_dump.major,
                alembic_revision=facts.revision,
                tables=dict(counts),
            )
            made.append(_finish(final, manifest, started))
    return made


def _count_or_stop(
    session: SnapshotSession, tables: list[str], process: subprocess.Popen, final: Path
) -> dict[str, int]:
    try:
        return session.row_counts(tables)
    except BaseException:
        process.kill()
        process.wait()
        partial_path(final).unlink(missing_ok=True)
        raise


def psql_beside(tool: PgTool) -> PgTool:
    sibling = tool.path.with_name("psql")
    return PgTool(sibling, tool.major) if sibling.exists() else find_pg_tool("psql", 0)


def _free_name(directory: Path, name: str) -> Path:
    candidate = directory / name
    stem, suffix = name.rsplit(".", 1)
    number = 2
    while candidate.exists():
        candidate = directory / f"{stem}_{number}.{suffix}"
        number += 1
    return candidate


def partial_path(final: Path) -> Path:
    return final.with_name("." + final.name + ".partial")


class _StderrReader(threading.Thread):
    """Collects pg_dump's --verbose lines: the tables it has dumped, and its error messages."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[str] = []
        self.tables_done = 0
        self.current: str | None = None

    def run(self) -> None:
        for raw in self.stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            if "dumping contents of table" in line:
                self.tables_done += 1
                self.current = line.rsplit(" ", 1)[-1].strip('"')


def _start_pg_dump(
    tool: PgTool, spec: KindSpec, snapshot: str, url: str, final: Path
) -> tuple[subprocess.Popen, _StderrReader]:
    target = for_tools(url)
    command = [
        str(tool.path),
        *spec.args,
        "--no-password",
        "--verbose",
        f"--snapshot={snapshot}",
        f"--file={partial_path(final)}",
        f"--dbname={target.conninfo}",
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=target.environ,
    )
    reader = _StderrReader(process.stderr)
    reader.start()
    return process, reader


def _wait(
    process: subprocess.Popen,
    reader: _StderrReader,
    spec: KindSpec,
    final: Path,
    tables_total: int,
    on_progress: ProgressCallback | None,
) -> None:
    partial = partial_path(final)
    total = 0 if spec.kind == "schema" else tables_total
    try:
        while True:
            try:
                code = process.wait(timeout=0.1 if on_progress else None)
                break
            except subprocess.TimeoutExpired:
                size = partial.stat().st_size if partial.exists() else 0
                on_progress(DumpProgress(spec.kind, reader.tables_done, total, reader.current, size))  # type: ignore[misc]
    except BaseException:
        process.kill()
        process.wait()
        partial.unlink(missing_ok=True)
        raise
    reader.join(timeout=5)
    if code != 0:
        partial.unlink(missing_ok=True)
        detail = first_error_line("\n".join(reader.lines))
        hint = None
        if "permission denied" in detail:
            hint = "the role needs SELECT on every table and sequence: see `gmctl db create-backup-role`"
        raise GmctlError(f"pg_dump failed ({spec.kind} backup, nothing was kept): {detail}", hint=hint)


def _finish(final: Path, manifest: Manifest, started: float) -> Backup:
    partial = partial_path(final)
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, final)
    _fsync_directory(final.parent)
    manifest.sha256 = file_sha256(final)
    manifest.size = final.stat().st_size
    manifest.duration_seconds = round(time.monotonic() - started, 3)
    write_manifest(final, manifest)
    return Backup(final, manifest)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
