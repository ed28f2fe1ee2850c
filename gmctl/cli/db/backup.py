"""gmctl db backup [list|verify|prune], db restore, db create-backup-role."""

from __future__ import annotations

from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

from gmctl import output
from gmctl.cli import params
from gmctl.cli.base import command, env_of, guarded
from gmctl.cli.confirm import confirm_destructive
from gmctl.context import Env
from gmctl.errors import GmctlError, InvalidInput

HELP = "Backups with manifests: make (no subcommand), list, verify, prune."
DIR_HELP = "Backup directory. Default: [backup] dir in config.toml, else GMCTL_HOME/backups."


class Kind(str, Enum):
    full = "full"
    schema = "schema"
    data = "data"
    all = "all"


def backup_directory(env: Env, option: Path | None) -> Path:
    if option is not None:
        return option.expanduser()
    configured = env.config.section("backup").get("dir")
    if configured:
        path = Path(str(configured)).expanduser()
        return path if path.is_absolute() else env.gmctl_home / path
    return env.gmctl_home / "backups"


def database_url(env: Env) -> str:
    """The URL the client programs connect to: a test's engine, else gmctl's usual resolution."""
    if env.engine is not None:
        return env.engine.url.render_as_string(hide_password=False)
    from gmctl.db.pooler import split_pooler
    from gmctl.db.url import resolve_database_url

    # gmctl_pooler is gmctl's own URL parameter: psql and pg_dump would refuse it.
    return split_pooler(resolve_database_url(env.database_url, env.environ, env.gmctl_home))[0]


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _progress(env: Env) -> tuple[Any, Any]:
    """A rich progress display on stderr when that is a terminal; (None, no-op) otherwise."""
    if not env.stderr_is_tty:
        return None, nullcontext()
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    display = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[size]}"),
        TimeElapsedColumn(),
        console=output.console(env, stderr=True),
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(event: Any) -> None:
        if event.kind not in tasks:
            tasks[event.kind] = display.add_task(
                f"{event.kind} backup", total=event.tables_total or None, size=""
            )
        display.update(
            tasks[event.kind],
            completed=event.tables_done,
            size=human_size(event.bytes_written),
            description=f"{event.kind} backup {event.current or ''}".rstrip(),
        )

    return update, display


def _make(ctx: typer.Context, kind: Kind, directory: Optional[Path]) -> None:
    from gmctl.backup.client import prefetch_tool

    find_pg_dump = prefetch_tool("pg_dump")  # probes the binaries while the rest starts up
    from gmctl.backup.dump import expand_kinds, make_backups

    env = env_of(ctx)
    target = backup_directory(env, directory)
    on_progress, display = _progress(env)
    with display:
        made = make_backups(
            database_url(env), expand_kinds(kind.value), target, env.clock(), on_progress, find_pg_dump
        )
    if env.format is not None:
        output.render_rows(env, [_backup_row(b.path, b.manifest) for b in made])
    first = made[0].manifest
    files = ", ".join(f"{b.path.name} {human_size(b.manifest.size)}" for b in made)
    seconds = sum(b.manifest.duration_seconds for b in made)
    output.success(
        env,
        f"backed up {first.database} ({len(first.tables)} tables, {first.total_rows} rows) "
        f"in {seconds:.1f} s to {target}: {files}",
    )


def _moment(text: str | None) -> Any:
    """A manifest's ISO time as a datetime: relative on a terminal, ISO-8601 in json."""
    from datetime import datetime

    return datetime.fromisoformat(text) if text else None


def _backup_row(path: Path, manifest: Any) -> dict[str, Any]:
    return {
        "file": str(path),
        "kind": manifest.kind,
        "created_at": _moment(manifest.created_at),
        "size": manifest.size,
        "tables": len(manifest.tables),
        "rows": manifest.total_rows,
        "revision": manifest.alembic_revision,
        "server_version": manifest.server_version,
        "sha256": manifest.sha256,
        "verification": manifest.verification.state,
        "checked_at": _moment(manifest.verification.checked_at),
    }


def _find_backup(env: Env, named: Path, directory: Optional[Path]) -> Path:
    if not named.name or named.is_dir():  # "" reaches here as Path("."), a directory
        raise InvalidInput(f"{str(named) or repr('')} is a directory, not a backup file",
                           hint="name a backup file; `gmctl db backup list` shows them")
    if named.exists() or named.is_absolute():
        return named
    candidate = backup_directory(env, directory) / named
    return candidate if candidate.exists() else named


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help=HELP, pretty_exceptions_enable=False, rich_markup_mode=None, add_completion=False
    )

    def make(
        ctx: typer.Context,
        kind: Kind = typer.Option(
            Kind.full, "--kind", help="full (custom -Z9), schema (plain SQL), data, or all."
        ),
        directory: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP),
    ) -> None:
        """Back up the database with pg_dump; a manifest JSON is written beside each file."""
        if ctx.invoked_subcommand is None:
            _make(ctx, kind, directory)

    group.callback(invoke_without_command=True)(guarded(make))
    app.add_typer(group, name="backup", help=HELP)
    _register_list_and_verify(group)
    _register_prune(group)
    _register_restore(app)
    _register_role(app)


def _register_list_and_verify(group: typer.Typer) -> None:
    @command(group, "list")
    def list_backups(
        ctx: typer.Context, directory: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP)
    ) -> None:
        """Backups in the directory, newest first, with their manifest facts and verification state."""
        from gmctl.backup.manifest import list_manifests

        env = env_of(ctx)
        target = backup_directory(env, directory)
        rows = [_backup_row(path, m) | {"present": path.exists()} for path, m in list_manifests(target)]
        output.render_rows(
            env,
            rows,
            [
                "file",
                "kind",
                "created_at",
                "size",
                "tables",
                "rows",
                "revision",
                "server_version",
                "verification",
                "checked_at",
                "present",
            ],
            empty=f"no backups in {target}",
            terminal_columns=["file", "kind", "created_at", "size", "rows", "verification", "present"],
        )

    @command(group, "verify")
    def verify(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help="The backup file (or its manifest)."),
        restore: bool = typer.Option(
            False, "--restore", help="Also restore into a scratch database and compare row counts."
        ),
        directory: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP),
    ) -> None:
        """Check a backup's sha256 and table of contents (and with --restore, a real restore)."""
        from gmctl.backup.verify import verify_backup

        env = env_of(ctx)
        path = _find_backup(env, file, directory)
        report = verify_backup(path, env.clock(), restore_url=database_url(env) if restore else None)
        output.render_rows(env, report.checks, ["check", "ok", "detail"])
        if not report.ok:
            raise GmctlError(
                f"{report.file} failed verification; recorded in its manifest",
                hint="do not rely on this backup: make a new one with `gmctl db backup`",
            )
        output.success(env, f"{report.file}: {report.state}")


def _register_prune(group: typer.Typer) -> None:
    @command(group, "prune")
    def prune(
        ctx: typer.Context,
        keep: int = typer.Option(..., "--keep", help="How many of the newest backups of each kind to keep.",
                                 parser=params.count),
        dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would be deleted."),
        directory: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP),
    ) -> None:
        """Delete all but the N newest backups of each kind; the newest verified one always stays."""
        from gmctl.backup.prune import apply_prune, plan_prune

        env = env_of(ctx)
        plan = plan_prune(backup_directory(env, directory), keep)
        rows = [
            {
                "file": str(e.path),
                "kind": e.manifest.kind,
                "created_at": _moment(e.manifest.created_at),
                "action": action,
                "reason": e.reason,
            }
            for action, entries in (("delete", plan.delete), ("keep", plan.keep))
            for e in entries
        ]
        if dry_run or not plan.delete:
            output.render_rows(env, rows, empty="no backups to prune")
            output.note(
                env, f"{len(plan.delete)} backup(s) would be deleted" if dry_run else "nothing to delete"
            )
            return
        confirm_destructive(env, f"delete {len(plan.delete)} backup(s)")
        apply_prune(plan)
        output.render_rows(env, rows)
        output.success(env, f"deleted {len(plan.delete)} backup(s), kept {len(plan.keep)}")


def _register_restore(app: typer.Typer) -> None:
    @command(app, "restore")
    def restore(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help="The backup file."),
        target_url: Optional[str] = typer.Option(
            None, "--target-url", metavar="URL", help="An existing database."
        ),
        create_db: Optional[str] = typer.Option(
            None,
            "--create-db",
            metavar="NAME",
            help="Create this database on the server and restore into it.",
        ),
        directory: Optional[Path] = typer.Option(None, "--dir", help=DIR_HELP),
    ) -> None:
        """Restore a backup in one transaction; over a non-empty database only with --yes."""
        from gmctl.backup import restore as restoring
        from gmctl.db.url import mask_url, normalise_url

        env = env_of(ctx)
        if (target_url is None) == (create_db is None):
            raise InvalidInput(
                "name exactly one target", hint="--target-url URL (existing) or --create-db NAME (new)"
            )
        # Both targets are checked before anything is read or connected to.
        url = normalise_url(target_url, "--target-url") if target_url is not None else ""
        if create_db is not None:
            from gmctl.backup.server import check_database_name

            check_database_name(create_db)
        path = _find_backup(env, file, directory)
        if create_db is not None:
            report = restoring.restore_into_new_database(path, database_url(env), create_db)
        else:
            kind, _ = restoring.backup_kind(path)
            state = restoring.target_state(url)
            if not state.empty_for(kind):
                confirm_destructive(
                    env,
                    f"replace the contents of {mask_url(url)} ({state.tables} tables, "
                    f"{state.rows} rows) with {path.name}",
                )
            report = restoring.restore_into(path, url, replace=not state.empty_for(kind))
        output.render_rows(
            env, [{"table": t, "rows": n} for t, n in report.counts.items()], ["table", "rows"]
        )
        if report.mismatches:
            raise GmctlError(f"restored into {report.database}, but: " + "; ".join(report.mismatches))
        checked = (
            ", row counts match the manifest"
            if report.checked_against_manifest and report.kind != "schema"
            else ""
        )
        output.success(
            env,
            f"restored {report.file} ({report.kind}) into {report.database}: "
            f"{len(report.counts)} tables, {sum(report.counts.values())} rows{checked}",
        )


def _register_role(app: typer.Typer) -> None:
    @command(app, "create-backup-role")
    def create_backup_role(
        ctx: typer.Context,
        name: str = typer.Option("backup_user", "--name", help="The role's name."),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    ) -> None:
        """A login role that can read (and so pg_dump) everything, and change nothing."""
        from gmctl.backup import role

        env = env_of(ctx)
        role.check_name(name)  # before any server is reached (or the embedded one started)
        if password_stdin:
            from gmctl.cli.session import read_secret_from_stdin

            password = read_secret_from_stdin(env)  # one bounded line: `< /dev/zero` must not read forever
        else:
            password = role.generate_password()
        result = role.create_backup_role(database_url(env), name, password)
        document: dict[str, Any] = {
            "role": result.name,
            "created": result.created,
            "database": result.database,
            "schema": result.schema,
            "tables_readable": result.tables,
            "sequences_readable": result.sequences,
            "default_privileges_for": ", ".join(result.default_privileges_for),
        }
        if not password_stdin:
            document["password"] = password
        output.render_document(env, document)
        for warning in result.warnings:
            output.warn(env, warning)
        if not password_stdin:
            output.note(env, "store the password now: gmctl keeps no copy and will not show it again")
        output.success(
            env,
            f"role {result.name} {'created' if result.created else 'given a new password'}"
            " with read-only access",
        )
