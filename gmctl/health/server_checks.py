"""Server-level checks: version, migrations, pg_stat_statements, point-in-time recovery readiness."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import text
from sqlalchemy.engine import Connection

from gmctl.health import FAIL, OK, WARN, Check, ServerInfo

OLDEST_SUPPORTED, NEWEST_TESTED = 14, 18
ARCHIVE_AGE_WARN_SECONDS = 3600


def check_server_version(conn: Connection, info: ServerInfo) -> list[Check]:
    if info.major < OLDEST_SUPPORTED:
        return [
            Check(
                "server version",
                FAIL,
                f"PostgreSQL {info.version}: gmctl needs {OLDEST_SUPPORTED} or newer",
                "upgrade the server (pg_upgrade)",
            )
        ]
    if info.major > NEWEST_TESTED:
        return [
            Check(
                "server version",
                WARN,
                f"PostgreSQL {info.version} is newer than gmctl was tested on "
                f"({OLDEST_SUPPORTED}-{NEWEST_TESTED})",
            )
        ]
    return [Check("server version", OK, f"PostgreSQL {info.version}")]


def check_migrations(conn: Connection, info: ServerInfo) -> list[Check]:
    from gmctl import schema

    name = "migrations"
    has_alembic = conn.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar()
    current = schema.current_revision(conn) if has_alembic else None
    head = schema.head_revision()
    if current is None:
        if conn.execute(text("SELECT to_regclass('schema_migrations') IS NOT NULL")).scalar():
            return [
                Check(
                    name,
                    FAIL,
                    "not managed by gmctl: the schema document's schema_migrations is here",
                    "`gmctl db adopt` takes it over and resolves the document's defects",
                )
            ]
        return [Check(name, FAIL, "no gmctl schema in this database", "`gmctl db init`")]
    known = {rev.revision for rev in schema.script_directory().walk_revisions()}
    if current not in known:
        return [
            Check(
                name,
                FAIL,
                f"at {current}, a revision this gmctl does not know (a newer gmctl migrated it?)",
                "use the gmctl that migrated this database",
            )
        ]
    pending = [rev.revision for rev in schema.pending(conn)]
    if pending:
        return [
            Check(
                name,
                FAIL,
                f"at {current}; {len(pending)} pending: {', '.join(pending)}",
                "`gmctl db upgrade`",
            )
        ]
    return [Check(name, OK, f"at head ({head})")]


def check_pg_stat_statements(conn: Connection, info: ServerInfo) -> list[Check]:
    name = "pg_stat_statements"
    available = conn.execute(
        text("SELECT default_version FROM pg_available_extensions WHERE name = :n"), {"n": name}
    ).scalar()
    installed = conn.execute(
        text("SELECT extversion FROM pg_extension WHERE extname = :n"), {"n": name}
    ).scalar()
    preload = str(conn.execute(text("SELECT current_setting('shared_preload_libraries')")).scalar() or "")
    preloaded = name in [part.strip().strip('"') for part in preload.split(",")]
    if available is None and installed is None:
        return [
            Check(
                name,
                WARN,
                "this server has no pg_stat_statements (the embedded server ships without contrib): "
                "slow queries cannot be found",
                "on a real server install the contrib package "
                "(postgresql-contrib), preload it and CREATE EXTENSION pg_stat_statements",
            )
        ]
    if installed is None:
        return [
            Check(
                name,
                WARN,
                f"available ({available}) but not created in this database"
                + ("" if preloaded else ", and not in shared_preload_libraries"),
                ("" if preloaded else "add it to shared_preload_libraries and restart; then ")
                + "CREATE EXTENSION pg_stat_statements",
            )
        ]
    if not preloaded:
        return [
            Check(
                name,
                WARN,
                f"version {installed} is created but not in shared_preload_libraries: it records nothing",
                "add pg_stat_statements to shared_preload_libraries and restart the server",
            )
        ]
    return [Check(name, OK, f"version {installed}, preloaded")]


def base_backup_hint(info: ServerInfo) -> str:
    """Seed-notes 7: the document's pg_start_backup/pg_stop_backup do not exist from PostgreSQL 15."""
    low_level = (
        "pg_backup_start() / pg_backup_stop()" if info.major >= 15 else "pg_start_backup() / pg_stop_backup()"
    )
    return f"take base backups with pg_basebackup (the low-level API on {info.major} is {low_level})"


def _setting(conn: Connection, name: str) -> str | None:
    value = conn.execute(text("SELECT current_setting(:n, true)"), {"n": name}).scalar()
    return None if value is None else str(value)


def check_point_in_time_recovery(conn: Connection, info: ServerInfo) -> list[Check]:
    """wal_level, archive_mode, what archives (archive_command, or archive_library from 15), the archiver."""
    results: list[Check] = []
    wal_level = _setting(conn, "wal_level") or "?"
    results.append(
        Check("pitr wal_level", OK, f"wal_level = {wal_level}")
        if wal_level in ("replica", "logical")
        else Check(
            "pitr wal_level",
            WARN,
            f"wal_level = {wal_level}: WAL cannot be replayed for recovery",
            "set wal_level = replica and restart",
        )
    )
    mode = _setting(conn, "archive_mode") or "off"
    if mode == "off":
        results.append(
            Check(
                "pitr archiving",
                WARN,
                "archive_mode = off: no point-in-time recovery, only the last pg_dump",
                "set archive_mode = on and archive_command (or archive_library); " + base_backup_hint(info),
            )
        )
        return results
    command = _setting(conn, "archive_command") or ""
    library = (_setting(conn, "archive_library") or "") if info.major >= 15 else ""
    archiver = f"archive_library = {library}" if library else f"archive_command = {command}"
    if not command and not library:
        results.append(
            Check(
                "pitr archiving",
                FAIL,
                f"archive_mode = {mode} but nothing archives: WAL piles up in pg_wal",
                "set archive_command (or archive_library on 15+)",
            )
        )
        return results
    results.append(Check("pitr archiving", OK, f"archive_mode = {mode}, {archiver}", base_backup_hint(info)))
    results.append(_archiver_state(conn))
    return results


def _archiver_state(conn: Connection) -> Check:
    row = conn.execute(
        text(
            "SELECT archived_count, last_archived_wal, last_archived_time, failed_count, last_failed_wal,"
            " last_failed_time, current_setting('archive_timeout')::int, now() FROM pg_stat_archiver"
        )
    ).one()
    archived, last_wal, last_time, failed, failed_wal, failed_time, timeout, now = row
    if failed_time is not None and (last_time is None or failed_time > last_time):
        return Check(
            "pitr archiver",
            FAIL,
            f"archiving is failing: {failed} failure(s), last on {failed_wal} at "
            f"{failed_time:%Y-%m-%d %H:%M:%S %Z}",
            "read the server log for the archive_command's error",
        )
    if last_time is None:
        return Check(
            "pitr archiver", WARN, "no WAL archived yet", "SELECT pg_switch_wal() to test the archive"
        )
    age = (now or datetime.now(timezone.utc)) - last_time
    limit = max(ARCHIVE_AGE_WARN_SECONDS, 2 * (timeout or 0))
    if age.total_seconds() > limit:
        return Check(
            "pitr archiver",
            WARN,
            f"last WAL {last_wal} archived {int(age.total_seconds() // 60)} min ago",
            "a quiet server archives nothing; set archive_timeout to bound how much can be lost",
        )
    return Check(
        "pitr archiver",
        OK,
        f"{archived} archived, last {last_wal} {int(age.total_seconds())} s ago; {failed} failure(s) earlier",
    )


CHECKS = (check_server_version, check_migrations, check_pg_stat_statements, check_point_in_time_recovery)
