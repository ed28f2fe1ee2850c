"""Verifying a backup: checksum, table of contents, and (with restore) a real restore in a scratch database.

The result is recorded in the manifest, so `backup list` shows which backups are known good and
`backup prune` never deletes the newest of them.

A data-only backup cannot be restored on its own: the scratch database first gets the schema, from
the schema backup of the same run when it is beside it, else by migrating to the manifest's revision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gmctl.backup import archive, restore, server
from gmctl.backup.manifest import (
    FAILED,
    RESTORED,
    VERIFIED,
    Manifest,
    Verification,
    backup_file,
    file_sha256,
    list_manifests,
    read_manifest,
    record_verification,
)
from gmctl.errors import GmctlError


@dataclass(frozen=True)
class Check:
    check: str
    ok: bool
    detail: str


@dataclass
class VerifyReport:
    file: str
    kind: str
    checks: list[Check] = field(default_factory=list)
    state: str = FAILED

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok


def verify_backup(named: Path, now: datetime, *, restore_url: str | None = None) -> VerifyReport:
    """Check the file against its manifest; with restore_url, also restore it on that server."""
    path = backup_file(named)
    manifest = read_manifest(path)
    report = VerifyReport(path.name, manifest.kind)
    if _check_file(report, path, manifest) and restore_url is not None:
        _check_restore(report, path, manifest, restore_url)
    report.state = (RESTORED if restore_url is not None else VERIFIED) if report.ok else FAILED
    failed = [c for c in report.checks if not c.ok]
    detail = "; ".join(f"{c.check}: {c.detail}" for c in failed) or "; ".join(c.check for c in report.checks)
    record_verification(path, Verification(report.state, now.isoformat(), detail))
    return report


def _check_file(report: VerifyReport, path: Path, manifest: Manifest) -> bool:
    if not report.add("file", path.exists(), str(path) if path.exists() else f"{path} is missing"):
        return False
    size = path.stat().st_size
    if not report.add(
        "size",
        size == manifest.size,
        f"{size} bytes" + ("" if size == manifest.size else f", the manifest says {manifest.size}"),
    ):
        return False
    digest = file_sha256(path)
    if not report.add(
        "sha256",
        digest == manifest.sha256,
        digest if digest == manifest.sha256 else f"{digest}, the manifest says {manifest.sha256}",
    ):
        return False
    try:
        contents = archive.read_contents(path, manifest.pg_dump_major)
    except GmctlError as exc:
        return report.add("contents", False, exc.message)
    found = contents.tables if contents.format == "plain" else contents.table_data
    expected = set(manifest.tables)
    missing, extra = sorted(expected - found), sorted(found - expected)
    detail = (
        f"{len(found)} tables"
        + (f"; missing {', '.join(missing)}" if missing else "")
        + (f"; not in the manifest {', '.join(extra)}" if extra else "")
    )
    return report.add("contents", not missing and not extra, detail)


def _check_restore(report: VerifyReport, path: Path, manifest: Manifest, url: str) -> None:
    try:
        with server.scratch_database(url) as name:
            scratch_url = server.with_database(url, name)
            if manifest.kind == "data":
                _prepare_schema(path, manifest, scratch_url)
            result = restore.restore_into(path, scratch_url, replace=manifest.kind == "data")
    except GmctlError as exc:
        report.add("restore", False, exc.message + (f" ({exc.hint})" if exc.hint else ""))
        return
    if manifest.kind == "schema":
        report.add(
            "restore",
            not result.mismatches,
            "; ".join(result.mismatches) or f"{len(result.counts)} tables created",
        )
        return
    rows = sum(result.counts.values())
    report.add(
        "restore",
        not result.mismatches,
        "; ".join(result.mismatches)
        or f"{len(result.counts)} tables, {rows} rows, counts match the manifest",
    )


def _prepare_schema(path: Path, manifest: Manifest, scratch_url: str) -> None:
    sibling = schema_backup_of_same_run(path, manifest)
    if sibling is not None:
        restore.restore_into(sibling, scratch_url, replace=False)
        return
    if manifest.alembic_revision is None:
        raise GmctlError(
            "a data-only backup needs its schema: no schema backup of the same run is beside it, "
            "and the manifest names no migration revision to build one"
        )
    from gmctl import schema
    from gmctl.db.engine import make_engine

    engine = make_engine(scratch_url)
    try:
        schema.upgrade(engine, manifest.alembic_revision)
    finally:
        engine.dispose()


def schema_backup_of_same_run(path: Path, manifest: Manifest) -> Path | None:
    for candidate, other in list_manifests(path.parent):
        if (
            other.kind == "schema"
            and other.created_at == manifest.created_at
            and other.database == manifest.database
            and candidate.exists()
            and file_sha256(candidate) == other.sha256
        ):
            return candidate
    return None


def last_result(path: Path) -> Verification:
    return read_manifest(backup_file(path)).verification
