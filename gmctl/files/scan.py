"""`files scan`: files sent to clamd one at a time, each result committed at once.

- Which files: the ids named, `--pending` (status pending), and `--rescan-older-than SPAN` (clean or
  failed files whose last gmctl scan is older, or that gmctl never scanned). Infected files are not
  rescanned: they stay infected until `files release`.
- What is recorded: virus_scan_status clean, infected or failed, and virus_scan_result
  `<signature or reason>; <clamd VERSION>; scanned <UTC ISO-8601>`, for example
  `GMCTL.Test.Marker.UNOFFICIAL; ClamAV 1.4.6; scanned 2026-12-04T03:10:00Z`. The stamp at the end is
  what --rescan-older-than reads (no column is added to the platform's table).
- Never a false clean: a file over clamd's StreamMaxLength, one that cannot be read, one that is
  missing, or one whose path leaves the storage root (not opened) is failed with the reason.
- clamd down: PING first; if it does not answer, ClamdUnavailable (exit 1) and nothing is marked.
  If it stops answering mid-run, the run stops there: what was committed stays, nothing else is marked.
- Batches and resume: ids are read in keyset batches (id order); every file's result is its own
  commit, so a killed run loses at most the file in flight, and a rerun (--pending) starts with the
  first file that has no result. One run at a time: the files-scan advisory lock (exit 75).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import text

from gmctl.files.clamd import CLEAN, FAILED, INFECTED, Clamd, Verdict
from gmctl.files.storage import PathRefused, open_contained

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from gmctl.auth.operator import Operator

BATCH = 200
JOB = "files-scan"
STAMP_PATTERN = r"scanned ([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)$"
QUARANTINED_MARK = "quarantined"


@dataclass(frozen=True)
class ScanScope:
    """The files a run covers: `ids` named, all `pending`, and rescans of scans before `rescan_before`."""

    ids: tuple[int, ...] = ()
    pending: bool = False
    rescan_before: datetime | None = None

    @property
    def empty(self) -> bool:
        return not self.ids and not self.pending and self.rescan_before is None


@dataclass(frozen=True)
class Scanned:
    id: int
    file_path: str
    status: str
    detail: str


@dataclass
class ScanReport:
    engine: str = ""
    results: list[Scanned] = field(default_factory=list)
    quarantined: list[int] = field(default_factory=list)
    seconds: float = 0.0
    bytes_sent: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def problems(self) -> list[Scanned]:
        return [r for r in self.results if r.status != CLEAN]


def result_text(what: str, engine: str, at: datetime) -> str:
    """virus_scan_result: the signature or reason, clamd's VERSION, and the UTC scan time (to the second)."""
    return f"{what}; {engine}; scanned {at.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%SZ}"


def scanned_at(result: str | None) -> datetime | None:
    """The scan time a result written by gmctl ends with; None for any other text."""
    import re

    match = re.search(STAMP_PATTERN, result or "")
    return datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) if match else None


def _scope_sql(scope: ScanScope) -> tuple[str, dict[str, Any]]:
    parts, params = [], {}
    if scope.ids:
        parts.append("id = ANY(:ids)")
        params["ids"] = list(scope.ids)
    if scope.pending:
        parts.append("virus_scan_status = 'pending' OR virus_scan_status IS NULL")
    if scope.rescan_before is not None:
        parts.append("(virus_scan_status IN ('clean', 'failed') AND coalesce("
                     f"substring(virus_scan_result from '{STAMP_PATTERN}')::timestamptz, '-infinity') < :before)")
        params["before"] = scope.rescan_before
    return " OR ".join(f"({p})" for p in parts), params


def unknown_ids(conn: Any, ids: tuple[int, ...]) -> list[int]:
    """The ids among `ids` that no file_uploads row has (the CLI refuses them: exit 3)."""
    if not ids:
        return []
    found = set(conn.execute(text("SELECT id FROM file_uploads WHERE id = ANY(:ids)"), {"ids": list(ids)}).scalars())
    return [i for i in ids if i not in found]


def count_scope(conn: Any, scope: ScanScope) -> int:
    where, params = _scope_sql(scope)
    return int(conn.execute(text(f"SELECT count(*) FROM file_uploads WHERE {where}"), params).scalar_one())


@dataclass
class ScanRun:
    """One run. `report` fills in as files commit, so an interrupted run can still be summarised."""

    engine: "Engine"
    clamd: Clamd
    root: Path
    clock: Callable[[], datetime]
    scope: ScanScope
    operator: "Operator | None" = None
    quarantine_dir: Path | None = None  # set: infected files are quarantined there
    batch: int = BATCH
    progress: Callable[[int, int], None] = lambda done, total: None
    report: ScanReport = field(default_factory=ScanReport)

    def run(self) -> ScanReport:
        """Lock (Busy, exit 75), PING clamd (ClamdUnavailable, exit 1, nothing marked), then scan."""
        from sqlalchemy.orm import Session

        from gmctl.retention.lock import APPLICATION_NAMES, exclusive_run

        started = time.monotonic()
        with exclusive_run(self.engine, JOB, leftover_wait=2.0):
            self.clamd.ping()
            self.report.engine = self.clamd.version().raw
            with Session(self.engine, expire_on_commit=False) as session:
                session.execute(text("SELECT set_config('application_name', :n, false)"),
                                {"n": APPLICATION_NAMES[JOB]})
                total = count_scope(session, self.scope)
                session.commit()
                self.progress(0, total)
                try:
                    self._scan_all(session, total)
                finally:
                    self.report.seconds = time.monotonic() - started
        return self.report

    def _scan_all(self, session: "Session", total: int) -> None:
        where, params = _scope_sql(self.scope)
        last = 0
        while True:
            rows = session.execute(text(
                f"SELECT id, file_path, virus_scan_status FROM file_uploads WHERE id > :last AND ({where})"
                " ORDER BY id LIMIT :batch"), {**params, "last": last, "batch": self.batch}).all()
            session.commit()
            for row in rows:
                self._scan_one(session, row)
                self.progress(1, total)
            if len(rows) < self.batch:
                return
            last = rows[-1].id

    def _scan_one(self, session: "Session", row: Any) -> None:
        verdict, sent = self._verdict(row.file_path)
        what = verdict.signature if verdict.status == INFECTED else verdict.reason or "OK"
        now = self.clock()
        updated = session.execute(text(
            "UPDATE file_uploads SET virus_scan_status = :status, virus_scan_result = :result"
            " WHERE id = :id AND virus_scan_status IS NOT DISTINCT FROM :seen"),
            {"status": verdict.status, "result": result_text(what, self.report.engine, now), "id": row.id,
             "seen": row.virus_scan_status}).rowcount
        if not updated:  # changed by someone else meanwhile (a quarantine, the platform): leave it
            session.rollback()
            return
        if verdict.status == INFECTED and self.quarantine_dir is not None:
            from gmctl.files.quarantine import quarantine_file

            quarantine_file(session, row.id, self.root, self.quarantine_dir, self.operator,
                            reason=f"clamd found {verdict.signature}", now=now, already_marked=True)
            self.report.quarantined.append(row.id)
        session.commit()
        self.report.bytes_sent += sent
        self.report.results.append(Scanned(row.id, row.file_path, verdict.status, what))

    def _verdict(self, file_path: str) -> tuple[Verdict, int]:
        """clamd's verdict on one record's file, or failed with the reason it could not be sent."""
        try:
            fd = open_contained(file_path, self.root)
        except PathRefused as exc:
            return Verdict(FAILED, reason=f"path refused ({exc.reason}); not opened, not scanned"), 0
        except (FileNotFoundError, NotADirectoryError):
            return Verdict(FAILED, reason="file missing from the storage root; not scanned"), 0
        except OSError as exc:
            return Verdict(FAILED, reason=f"cannot open the file ({exc.strerror or exc}); not scanned"), 0
        try:
            size = os.fstat(fd).st_size
            return self.clamd.scan_fd(fd), size
        finally:
            os.close(fd)


def summary(report: ScanReport) -> str:
    """One line for cron mail: `scanned 42 file(s) in 1.2 s: 40 clean, 1 infected, 1 failed (ClamAV 1.4.6)`."""
    counts = ", ".join(f"{report.count(s)} {s}" for s in (CLEAN, INFECTED, FAILED))
    extra = f"; {len(report.quarantined)} quarantined" if report.quarantined else ""
    return (f"scanned {len(report.results)} file(s) in {report.seconds:.1f} s: {counts}{extra}"
            + (f" ({report.engine})" if report.engine else ""))


def record_run(session: "Session", report: ScanReport, operator: "Operator | None", *, interrupted: bool = False) -> None:
    """The run's audit entry: counts and the infected and failed ids."""
    from gmctl import audit

    changes = {"clean": (None, report.count(CLEAN)), "infected": (None, report.count(INFECTED)),
               "failed": (None, report.count(FAILED))}
    infected = [r.id for r in report.results if r.status == INFECTED]
    if infected:
        changes["infected_ids"] = (None, infected)
    failed = [r.id for r in report.results if r.status == FAILED]
    if failed:
        changes["failed_ids"] = (None, failed[:100])
    level = "WARNING" if infected or interrupted else "INFO"
    audit.record(session, operator, "files.scan", "file_uploads", None, changes,
                 message=summary(report) + (" (interrupted)" if interrupted else ""), level=level)
