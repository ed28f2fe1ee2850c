"""gmctl files: uploaded files: listing, virus scans with clamd, integrity, orphans, duplicates, types.

Typer only: parse, check the permission (view_files to read, manage_files to change), call
gmctl.files, hand rows to gmctl.output. Domain modules are imported inside the commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

import typer

from gmctl import output
from gmctl.cli import params
from gmctl.cli.base import command, env_of, new_group
from gmctl.errors import GmctlError, InvalidInput

if TYPE_CHECKING:
    from gmctl.auth.operator import Operator
    from gmctl.context import Env

app = new_group("Uploaded files: virus scans with clamd, integrity, orphans, duplicates and true types.")

VIEW, MANAGE, RELEASE = "view_files", "manage_files", "release_files"
LIST_COLUMNS = ["id", "original_filename", "mime_type", "size", "virus_scan_status", "file_category", "owner",
                "service_request_id", "is_temporary", "is_public", "created_at", "file_path", "file_hash"]
TERMINAL_COLUMNS = ["id", "original_filename", "mime_type", "size", "virus_scan_status", "created_at"]
SINCE = typer.Option(None, "--since", metavar="WHEN", help="Uploaded at or after: 2026-11-01, 2026-11-01T14:00 or 7d.")
REASON = typer.Option(..., "--reason", "-r", help="Why (goes into the audit trail).")


def _operator(env: "Env", db, permission: str, *, unattended_ok: bool = False) -> "Operator | None":
    """The signed-in operator holding `permission`. Cron has no person: scan and verify accept
    GMCTL_UNATTENDED=1 instead (gmctl.auth.permissions.require_or_unattended, as `roles sweep` does)."""
    from gmctl.auth.permissions import require, require_or_unattended

    return (require_or_unattended if unattended_ok else require)(env, db, permission)


def _settings(env: "Env"):
    from gmctl.files.storage import files_settings

    return files_settings(env)


# -- reading ---------------------------------------------------------------------------------------------
@command(app, "list", replica=True)
def list_files(
    ctx: typer.Context,
    scan_status: Optional[List[str]] = typer.Option(None, "--scan-status", "-s", metavar="STATUS",
                                                    help="pending, clean, infected, failed (repeatable)."),
    category: Optional[List[str]] = typer.Option(None, "--category", "-c", help="File category (repeatable)."),
    temporary: Optional[bool] = typer.Option(None, "--temporary/--no-temporary", help="Only temporary uploads, or none."),
    public: Optional[bool] = typer.Option(None, "--public/--no-public", help="Only public files, or only private."),
    user: Optional[str] = typer.Option(None, "--user", "-u", metavar="USER", help="Uploaded by (username, email, id)."),
    request: Optional[int] = params.id_option("--request", help="Attached to this service request."),
    mime: Optional[str] = typer.Option(None, "--mime", metavar="TYPE", help="Recorded MIME type, or a family: image/*."),
    larger_than: Optional[str] = typer.Option(None, "--larger-than", metavar="SIZE",
                                              help="Bigger than SIZE: 10MB (decimal), 512KiB (binary), bytes."),
    smaller_than: Optional[str] = typer.Option(None, "--smaller-than", metavar="SIZE", help="Smaller than SIZE."),
    since: Optional[str] = SINCE,
    limit: int = typer.Option(50, "--limit", "-n", help="Rows per page (1-1000).", parser=params.bounded(1, 1000)),
    after: Optional[str] = typer.Option(None, "--after", metavar="CURSOR", help="Continue after this cursor."),
) -> None:
    """Uploads, newest first, a page at a time."""
    from gmctl.files.listing import list_files as page_of, make_filter
    from gmctl.files.sizes import format_size

    env = env_of(ctx)
    flt = make_filter(env.clock(), scan_statuses=scan_status, categories=category, temporary=temporary,
                      public=public, user=user, request_id=request, mime=mime, larger_than=larger_than,
                      smaller_than=smaller_than, since=since)
    with env.read_transaction() as connection:
        _operator(env, connection, VIEW)
        page = page_of(connection, flt, limit=limit, after=after)
    human = env.output_format == "table" and env.stdout_is_tty
    rows = [{**row.__dict__, "size": format_size(row.file_size) if human else row.file_size} for row in page.rows]
    output.render_rows(env, rows, LIST_COLUMNS, empty="No files match.", terminal_columns=TERMINAL_COLUMNS)
    if page.next_cursor:
        output.more(env, page.next_cursor)


@command(app, "show", replica=True)
def show(ctx: typer.Context, file_id: int = params.id_argument("The upload's id.")) -> None:
    """One upload: the record, and on disk: exists, size, sha256 match, sniffed type."""
    from gmctl.files.detail import file_document

    env = env_of(ctx)
    settings = _settings(env)
    with env.read_transaction() as connection:
        _operator(env, connection, VIEW)
        document = file_document(connection, file_id, settings.root, settings.quarantine_dir)
    if env.output_format == "json":
        output.emit_json(env, document)
        return
    disk = document.pop("on_disk")
    output.render_document(env, {**document, **{f"on_disk.{k}": v for k, v in disk.items()}})


# -- scanning --------------------------------------------------------------------------------------------
@command(app, "scan")
def scan(
    ctx: typer.Context,
    file_ids: Optional[List[int]] = typer.Argument(None, metavar="[ID]...", help="Uploads to scan.", parser=params.parse_id),
    pending: bool = typer.Option(False, "--pending", help="Every upload whose scan status is pending."),
    rescan_older_than: Optional[str] = typer.Option(
        None, "--rescan-older-than", metavar="SPAN", help="Also clean and failed uploads last scanned longer "
        "ago than SPAN (30d), or never by gmctl."),
    quarantine: bool = typer.Option(False, "--quarantine", help="Move infected files into quarantine."),
    batch_size: int = typer.Option(200, "--batch-size", help="Records read per query (1-10000).", parser=params.bounded(1, 10_000)),
) -> None:
    """Send files to clamd (INSTREAM on its unix socket) and record clean, infected or failed.

    Exit codes: 0 every file clean, 1 a file infected or failed (or clamd down: nothing is marked),
    75 another scan is running. A killed run resumes: each result is committed as it comes.
    """
    from gmctl.files.clamd import Clamd
    from gmctl.files.scan import ScanRun, ScanScope, record_run, unknown_ids
    from gmctl.when import parse_duration

    env = env_of(ctx)
    scope = ScanScope(tuple(file_ids or ()), pending,
                      env.clock() - parse_duration(rescan_older_than, what="--rescan-older-than")
                      if rescan_older_than else None)
    if scope.empty:
        from gmctl.errors import InvalidInput

        raise InvalidInput("nothing to scan: give IDs, --pending or --rescan-older-than SPAN",
                           hint="cron runs `gmctl files scan --pending` nightly")
    settings = _settings(env)
    with env.read_transaction() as connection:
        operator = _operator(env, connection, MANAGE, unattended_ok=not quarantine)
        engine = connection.engine
        unknown = unknown_ids(connection, scope.ids)
    if unknown:
        from gmctl.errors import NotFound

        raise NotFound(f"no file upload {', '.join(map(str, unknown))}: nothing was scanned",
                       hint="`gmctl files list` shows the ids")
    job = ScanRun(engine, Clamd(settings.clamd_socket), settings.root, env.clock, scope,
                  operator=operator, quarantine_dir=settings.quarantine_dir if quarantine else None,
                  batch=batch_size)
    interrupted = True
    try:
        with _Progress(env, "scan") as progress:
            job.progress = progress
            job.run()
        interrupted = False
    finally:
        if job.report.results:
            with env.transaction() as session:
                record_run(session, job.report, operator, interrupted=interrupted)
    _show_scan(env, job.report)


def _show_scan(env: "Env", report) -> None:
    from gmctl.files.scan import summary

    rows = [r.__dict__ for r in report.results]
    if env.output_format == "json":
        output.emit_json(env, {"engine": report.engine, "seconds": round(report.seconds, 3),
                               "counts": {s: report.count(s) for s in ("clean", "infected", "failed")},
                               "quarantined": report.quarantined, "results": rows})
    elif env.format in ("csv", "tsv"):
        output.render_rows(env, rows, ["id", "status", "detail", "file_path"], empty="No files to scan.")
    elif env.stdout_is_tty:
        if report.problems:
            output.render_rows(env, [r.__dict__ for r in report.problems], ["id", "status", "detail", "file_path"])
        output.note(env, summary(report))
    else:
        env.stdout.write(summary(report) + "\n")
    if report.problems:
        infected, failed = report.count("infected"), report.count("failed")
        raise GmctlError(f"{infected} infected and {failed} failed file(s) need attention",
                         hint="`gmctl files list --scan-status infected,failed`; `gmctl files quarantine ID`")


@command(app, "verify")
def verify(
    ctx: typer.Context,
    since: Optional[str] = SINCE,
    id_from: Optional[int] = params.id_option("--id-from", metavar="N", help="First id to check."),
    id_to: Optional[int] = params.id_option("--id-to", metavar="M", help="Last id to check."),
) -> None:
    """Recompute each file's sha256 and size and compare with its record.

    Each file is ok, hash_mismatch, size_mismatch, missing or unreadable; the problems are listed.
    Exit 1 on any problem, 75 while another verify runs.
    """
    from gmctl.errors import InvalidInput
    from gmctl.files.verify import VerifyScope, count_in_scope, summary, verify_files
    from gmctl.retention.lock import exclusive_run
    from gmctl.when import parse_moment

    env = env_of(ctx)
    if id_from is not None and id_to is not None and id_from > id_to:
        raise InvalidInput(f"--id-from {id_from} is after --id-to {id_to}", hint="give the lower id first")
    scope = VerifyScope(parse_moment(since, env.clock(), what="--since") if since else None, id_from, id_to)
    root = _settings(env).root
    with env.read_transaction() as connection:
        _operator(env, connection, VIEW, unattended_ok=True)
        engine = connection.engine  # the command's own engine: the lock takes a connection of its own on it
    with exclusive_run(engine, "files-verify", leftover_wait=0.0), env.read_transaction() as connection:
        with _Progress(env, "verify") as progress:
            progress(0, count_in_scope(connection, scope))
            report = verify_files(connection, scope, root, progress=lambda n: progress(n, None))
    columns = ["id", "status", "file_path", "recorded_size", "disk_size", "recorded_hash", "disk_hash", "detail"]
    if env.output_format == "json":
        output.emit_json(env, {"counts": report.counts, "checked": report.checked, "bytes_hashed": report.bytes_read,
                               "seconds": round(report.seconds, 3), "problems": report.problems})
    else:
        output.render_rows(env, report.problems, columns, empty="Every file matches its record.",
                           terminal_columns=["id", "status", "file_path", "detail"])
        output.note(env, summary(report))
    if report.problems:
        raise GmctlError(f"{len(report.problems)} file(s) do not match their records",
                         hint="each row above says how; `gmctl files show ID` for one")


# -- housekeeping ----------------------------------------------------------------------------------------
@command(app, "orphans")
def orphans(
    ctx: typer.Context,
    move_to: Optional[str] = typer.Option(None, "--move-to", metavar="DIR",
                                          help="Move files without records into DIR (outside the root). "
                                               "Default: a dry run that changes nothing."),
) -> None:
    """Records without files, and files under the root without records. Nothing is ever deleted."""
    from pathlib import Path

    from gmctl.files.orphans import RECORD_WITHOUT_FILE, find_orphans, move_strays

    env = env_of(ctx)
    settings = _settings(env)
    with env.transaction() as session:
        operator = _operator(env, session, MANAGE if move_to else VIEW)
        found = find_orphans(session.connection(), settings.root, skip=(settings.quarantine_dir,))
        moved = []
        if move_to is not None and not move_to.strip():
            raise InvalidInput("--move-to is empty", hint="give the directory the stray files go to, or leave the option out for a dry run")
        if move_to:
            moved = move_strays(found, settings.root, Path(move_to))
            if moved:
                from gmctl import audit

                audit.record(session, operator, "files.orphans.move", "file_uploads", None,
                             {"moved": (None, len(moved)), "to": (None, str(Path(move_to).absolute()))},
                             message=f"moved {len(moved)} stray file(s) to {Path(move_to).absolute()}")
    moved_paths = {orphan.file_path: str(target) for orphan, target in moved}
    rows = [{**o.__dict__, "moved_to": moved_paths.get(o.file_path)} for o in found]
    columns = ["kind", "id", "file_path", "size", "detail"] + (["moved_to"] if move_to else [])
    output.render_rows(env, rows, columns, empty="No orphans: every record has its file and every file its record.")
    records = sum(1 for o in found if o.kind == RECORD_WITHOUT_FILE)
    strays = len(found) - records
    if move_to:
        output.note(env, f"{records} record(s) without a file (listed only); moved {len(moved)} of {strays} "
                         f"stray file(s) to {Path(move_to).absolute()}")
    else:
        output.note(env, f"{records} record(s) without a file, {strays} file(s) without a record; dry run, "
                         "nothing changed (--move-to DIR moves the stray files)")


@command(app, "duplicates", replica=True)
def duplicates(ctx: typer.Context, limit: int = typer.Option(50, "--limit", "-n", help="Groups to show (1-1000).", parser=params.bounded(1, 1000))) -> None:
    """Records grouped by sha256, with counts and wasted bytes (all copies but one), biggest waste first."""
    from gmctl.files.duplicates import find_duplicates
    from gmctl.files.sizes import format_size

    env = env_of(ctx)
    with env.read_transaction() as connection:
        _operator(env, connection, VIEW)
        groups = find_duplicates(connection, limit=limit)
    human = env.output_format == "table" and env.stdout_is_tty
    # A person reads a hash by its first characters (as git does); scripts get all 64.
    rows = [{**g.__dict__, "file_hash": g.file_hash[:12], "wasted": format_size(g.wasted_bytes)} if human
            else g.__dict__ for g in groups]
    columns = (["file_hash", "count", "wasted", "ids"] if human
               else ["file_hash", "count", "wasted_bytes", "total_bytes", "ids"])
    output.render_rows(env, rows, columns, empty="No duplicates.")
    if groups:
        output.note(env, f"{len(groups)} group(s) waste {format_size(sum(g.wasted_bytes for g in groups))}")


@command(app, "types")
def types(
    ctx: typer.Context,
    since: Optional[str] = SINCE,
    show_all: bool = typer.Option(False, "--all", help="List every file checked, not only the mismatches."),
) -> None:
    """Sniffed type (content, not the extension) against the recorded mime_type; lists the mismatches.

    Unknown (the sniffer cannot tell) is not a mismatch; nor are equivalent types (text/csv sniffed
    as text/plain, a docx sniffed as zip). Exit 1 when there is a mismatch.
    """
    from gmctl.files.sniff import check_types
    from gmctl.when import parse_moment

    env = env_of(ctx)
    root = _settings(env).root
    moment = parse_moment(since, env.clock(), what="--since") if since else None
    counts = dict.fromkeys(("match", "unknown", "mismatch", "missing", "unreadable"), 0)
    shown = []
    with env.read_transaction() as connection:
        _operator(env, connection, VIEW)
        for check in check_types(connection, root, since=moment):  # streamed: only what is shown is kept
            counts[check.verdict] += 1
            if show_all or check.verdict == "mismatch":
                shown.append(check)
    output.render_rows(env, shown, ["id", "original_filename", "recorded", "sniffed", "verdict", "detail"],
                       empty="No type mismatches.")
    output.note(env, f"checked {sum(counts.values())} file(s): " + ", ".join(f"{n} {v}" for v, n in counts.items() if n))
    if counts["mismatch"]:
        raise GmctlError(f"{counts['mismatch']} file(s) are not what their record says",
                         hint="`gmctl files show ID`; `gmctl files quarantine ID --reason ...` if one is dangerous")


# -- quarantine ------------------------------------------------------------------------------------------
@command(app, "quarantine")
def quarantine(ctx: typer.Context, file_id: int = params.id_argument("The upload's id."), reason: str = REASON) -> None:
    """Move a file into the quarantine directory, mark it infected, and audit it."""
    from gmctl.files.quarantine import quarantine_file

    env = env_of(ctx)
    settings = _settings(env)
    with env.transaction() as session:
        operator = _operator(env, session, MANAGE)
        target = quarantine_file(session, file_id, settings.root, settings.quarantine_dir, operator,
                                 reason=reason, now=env.clock())
    output.success(env, f"file {file_id} quarantined: moved to {target}, marked infected")


@command(app, "release")
def release(ctx: typer.Context, file_id: int = params.id_argument("The upload's id."), reason: str = REASON) -> None:
    """Move a quarantined file back (needs release_files); it is pending again, to be scanned before anyone calls it clean."""
    from gmctl.files.quarantine import release_file

    env = env_of(ctx)
    settings = _settings(env)
    with env.transaction() as session:
        operator = _operator(env, session, RELEASE)
        target = release_file(session, file_id, settings.root, settings.quarantine_dir, operator,
                              reason=reason, now=env.clock())
    output.success(env, f"file {file_id} released to {target}; pending a new scan")


class _Progress:
    """A rich progress bar on stderr when that is a terminal; a no-op otherwise."""

    def __init__(self, env: "Env", label: str) -> None:
        self.env, self.label = env, label
        self.bar = None
        self.task = None

    def __enter__(self):
        if self.env.stderr_is_tty:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                console=output.console(self.env, stderr=True), transient=True)
            self.task = self.bar.add_task(self.label, total=None)
            self.bar.start()
        return self.update

    def update(self, advance: int, total: int | None) -> None:
        if self.bar is None:
            return
        if total is not None and advance == 0:
            self.bar.update(self.task, total=total)
        if advance:
            self.bar.update(self.task, advance=advance)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
