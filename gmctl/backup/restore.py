"""Restoring a backup into a database, in one transaction, and proving it by the manifest's row counts.

Every kind goes through psql --single-transaction with ON_ERROR_STOP (gmctl.backup.load).
- full (custom): pg_restore's script, without owners and privileges (the roles of the source need not
  exist where a backup is restored); with `replace`, --clean --if-exists.
- schema (plain SQL): the file itself, into an empty database only.
- data (custom, data only): into a database that already has the schema. The rows are replayed with
  the tables' own triggers disabled (ALTER TABLE ... DISABLE TRIGGER USER, which the tables' owner may
  do): the date rules are BEFORE INSERT triggers since fix10, and replaying a card that has since
  expired through them would refuse the very row the backup must bring back. Foreign keys stay
  checked. With `replace`, the tables are emptied first, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gmctl.backup import archive, load, server
from gmctl.backup.conninfo import ToolConnection, for_tools, quote_ident
from gmctl.backup.manifest import Manifest, file_sha256, manifest_path, read_manifest
from gmctl.db.tools import PgTool
from gmctl.errors import GmctlError, InvalidInput


@dataclass(frozen=True)
class TargetState:
    database: str
    server_major: int
    tables: int
    rows: int

    def empty_for(self, kind: str) -> bool:
        """A data-only restore needs the schema in place, so for it 'empty' means: no rows."""
        return self.rows == 0 if kind == "data" else self.tables == 0


@dataclass
class RestoreReport:
    database: str
    kind: str
    file: str
    counts: dict[str, int] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    checked_against_manifest: bool = False


def target_state(url: str) -> TargetState:
    with server.connect(url) as conn:
        facts = server.server_facts(conn)
        tables = server.user_tables(conn)
        rows = sum(server.row_counts(conn, tables).values()) if tables else 0
    return TargetState(facts.database, facts.major, len(tables), rows)


def backup_kind(path: Path) -> tuple[str, Manifest | None]:
    """The kind of backup a file holds: from its manifest, else from the file itself."""
    if manifest_path(path).exists():
        manifest = read_manifest(path)
        return manifest.kind, manifest
    archive.check_backup_file(path)
    return archive.read_contents(path, 0).kind, None


def check_intact(path: Path, manifest: Manifest | None) -> None:
    """Refuse to restore a file whose checksum no longer matches its manifest."""
    if manifest is None:
        return
    if not path.exists():
        raise InvalidInput(f"the backup file {path} is missing (its manifest is there)")
    archive.check_backup_file(path)
    if file_sha256(path) != manifest.sha256:
        raise GmctlError(
            f"{path.name} does not match its manifest's sha256: the file is damaged",
            hint="restore another backup; `gmctl db backup list` shows them",
        )


def restore_into(path: Path, target_url: str, *, replace: bool) -> RestoreReport:
    """Load the backup into the database at target_url and compare the row counts with its manifest."""
    kind, manifest = backup_kind(path)
    check_intact(path, manifest)
    state = target_state(target_url)
    if not state.empty_for(kind) and not replace:
        raise InvalidInput(
            f"database {state.database!r} is not empty ({state.tables} tables, {state.rows} rows)",
            hint="pass --yes to replace what is there, or use --create-db NAME",
        )
    if kind == "data" and not state.tables:
        raise InvalidInput(
            f"database {state.database!r} has no tables; a data-only backup needs the schema",
            hint="restore the schema backup of the same run into it first",
        )
    if kind == "schema" and state.tables:
        raise InvalidInput(
            f"database {state.database!r} already has tables; a schema-only backup needs an empty database",
            hint="use --create-db NAME",
        )
    archive_major = manifest.pg_dump_major if manifest else 0
    target = for_tools(target_url)
    pg_restore = archive.pg_restore_for(archive_major, state.server_major)
    psql = archive.psql_beside(pg_restore, state.server_major)
    if kind == "schema":
        load.run_script(psql, target, state.server_major, file=path)
    elif kind == "full":
        clean = ["--clean", "--if-exists"] if replace and state.tables else []
        load.run_script(
            psql,
            target,
            state.server_major,
            producer=[str(pg_restore.path), "--no-owner", "--no-privileges", *clean, "--file=-", str(path)],
        )
    else:
        _load_data(path, archive_major, pg_restore, psql, state, target, replace=replace)
    return _compare(target_url, kind, path, manifest, state.database)


def _load_data(
    path: Path,
    archive_major: int,
    pg_restore: PgTool,
    psql: PgTool,
    state: TargetState,
    target: ToolConnection,
    *,
    replace: bool,
) -> None:
    tables = sorted(archive.read_contents(path, archive_major).table_data)
    if not tables:
        return
    names = [quote_ident(t) for t in tables]
    before = " ".join(f"ALTER TABLE {n} DISABLE TRIGGER USER;" for n in names)
    if replace:
        before += f" TRUNCATE {', '.join(names)};"
    after = " ".join(f"ALTER TABLE {n} ENABLE TRIGGER USER;" for n in names)
    load.run_script(
        psql,
        target,
        state.server_major,
        before=before,
        after=after,
        producer=[
            str(pg_restore.path),
            "--data-only",
            "--no-owner",
            "--no-privileges",
            "--file=-",
            str(path),
        ],
    )


def _compare(url: str, kind: str, path: Path, manifest: Manifest | None, database: str) -> RestoreReport:
    report = RestoreReport(database, kind, path.name)
    with server.connect(url) as conn:
        present = set(server.user_tables(conn))
        expected = manifest.tables if manifest else {}
        wanted = sorted(expected) if expected else sorted(present)
        missing = [t for t in wanted if t not in present]
        report.counts = server.row_counts(conn, [t for t in wanted if t in present])
    report.mismatches += [f"{t}: table missing after the restore" for t in missing]
    if manifest is not None:
        report.checked_against_manifest = True
        if kind != "schema":
            report.mismatches += [
                f"{t}: {report.counts[t]} rows restored, the manifest says {n}"
                for t, n in sorted(expected.items())
                if t in report.counts and report.counts[t] != n
            ]
    return report


def restore_into_new_database(path: Path, server_url: str, name: str) -> RestoreReport:
    """Create database `name` on the server of server_url and restore into it; drop it if that fails."""
    server.check_database_name(name)
    kind, manifest = backup_kind(path)
    check_intact(path, manifest)
    if kind == "data":
        raise InvalidInput(
            "a data-only backup needs a database that already has the schema",
            hint="restore the schema backup of the same run first, then use --target-url",
        )
    server.create_database(server_url, name)
    try:
        return restore_into(path, server.with_database(server_url, name), replace=False)
    except BaseException:
        server.drop_database(server_url, name)
        raise
