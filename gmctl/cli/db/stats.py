"""gmctl db stats: PgHero in a terminal. Bars for sizes and counts on a terminal; numbers in json/csv/tsv."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

import typer

from gmctl import output
from gmctl.cli import params
from gmctl.cli.base import command, env_of, new_group

if TYPE_CHECKING:
    from gmctl.context import Env

HELP = "Database statistics: table sizes, index use, duplicates, slow queries, vacuum, bloat."
TABLE_OPTION = typer.Option(None, "--table", "-t", metavar="TABLE", help="Only this table.")


def register(app: typer.Typer) -> None:
    stats = new_group(HELP)
    app.add_typer(stats, name="stats", help=HELP)

    @command(stats, "tables", replica=True)
    def tables(ctx: typer.Context, table: Optional[str] = TABLE_OPTION) -> None:
        """Table sizes with their indexes and TOAST, and row estimates, largest first."""
        from gmctl.dbstats.tables import table_sizes

        env = env_of(ctx)
        rows = _read(env, lambda conn: table_sizes(conn, table))
        _render(env, rows, "total_bytes", human=lambda r: {
            "table": r.table, "total": _size(r.total_bytes), "share": None, "heap": _size(r.table_bytes),
            "indexes": _size(r.index_bytes), "toast": _size(r.toast_bytes), "rows (est.)": r.rows_estimate})

    @command(stats, "indexes")
    def indexes(ctx: typer.Context, table: Optional[str] = TABLE_OPTION) -> None:
        """Index usage: scans, tuples read, size; most used first."""
        from gmctl.dbstats.indexes import index_usage

        env = env_of(ctx)
        rows = _read(env, lambda conn: index_usage(conn, table))
        _render(env, rows, "scans", human=lambda r: {
            "index": r.index, "table": r.table, "scans": r.scans, "share": None, "size": _size(r.size_bytes),
            "last scan": r.last_scan, "valid": r.valid})

    @command(stats, "unused")
    def unused(ctx: typer.Context, table: Optional[str] = TABLE_OPTION) -> None:
        """Indexes never scanned since statistics were reset (unique and key indexes left out)."""
        from gmctl.dbstats.indexes import stats_since, unused_indexes

        env = env_of(ctx)
        rows, since = _read(env, lambda conn: (unused_indexes(conn, table), stats_since(conn)))
        _render(env, rows, "size_bytes", empty="No unused indexes.", human=lambda r: {
            "index": r.index, "table": r.table, "size": _size(r.size_bytes), "share": None})
        if env.output_format != "json":
            output.note(env, f"statistics since {since:%Y-%m-%d %H:%M %Z}" if since
                        else "statistics since the server was initialised (never reset)")

    @command(stats, "duplicates", replica=True)
    def duplicates(ctx: typer.Context, table: Optional[str] = TABLE_OPTION) -> None:
        """Indexes another index covers (same leading columns): each costs every write and buys nothing."""
        from gmctl.dbstats.indexes import duplicate_indexes

        env = env_of(ctx)
        rows = _read(env, lambda conn: duplicate_indexes(conn, table))
        _render(env, rows, None, empty="No duplicate indexes.", human=lambda r: {
            "index": r.index, "columns": r.index_columns, "covered by": r.covered_by,
            "covering columns": r.covering_columns, "size": _size(r.size_bytes)})

    @command(stats, "vacuum")
    def vacuum(ctx: typer.Context, table: Optional[str] = TABLE_OPTION) -> None:
        """Last vacuum and analyze per table, and dead rows, most dead rows first."""
        from gmctl.dbstats.tables import vacuum_states

        env = env_of(ctx)
        rows = _read(env, lambda conn: vacuum_states(conn, table))
        _render(env, rows, "dead_rows", human=lambda r: {
            "table": r.table, "live": r.live_rows, "dead": r.dead_rows, "share": None,
            "dead %": r.dead_percent,
            "last vacuum": r.last_vacuum, "last analyze": r.last_analyze,
            "vacuums (auto)": f"{r.vacuum_count} ({r.autovacuum_count})"})

    @command(stats, "bloat", replica=True)
    def bloat(ctx: typer.Context, table: Optional[str] = TABLE_OPTION) -> None:
        """Estimated bloat of tables and btree indexes (from statistics), most waste first."""
        from gmctl.dbstats.bloat import estimate_bloat

        env = env_of(ctx)
        rows = _read(env, lambda conn: estimate_bloat(conn, table))
        _render(env, rows, "wasted_bytes", human=lambda r: {
            "kind": r.kind, "name": r.name, "table": r.table, "size": _size(r.size_bytes),
            "wasted": _size(r.wasted_bytes), "share": None, "wasted %": r.wasted_percent,
            "rebuild?": "yes" if r.kind == "index" and r.clearly_bloated else ""})
        if env.output_format != "json":
            output.note(env, "an estimate from planner statistics; `gmctl db maintenance` rebuilds indexes "
                        "marked yes")

    @command(stats, "slow")
    def slow(ctx: typer.Context,
             limit: int = typer.Option(10, "--limit", "-n", help="How many statements (1-1000).",
                                        parser=params.bounded(1, 1000))) -> None:
        """Slowest statements by mean time (pg_stat_statements), and checkpoint pressure."""
        from gmctl.dbstats.slow import slow_queries

        env = env_of(ctx)
        report = _read(env, lambda conn: slow_queries(conn, limit))
        if env.output_format == "json":
            output.emit_json(env, report)
            return
        if report.note:
            output.note(env, report.note)
        else:
            _render(env, report.queries, "mean_ms", empty="No statements recorded yet.", human=lambda r: {
                "mean ms": round(r.mean_ms, 2), "share": None, "calls": r.calls,
                "total ms": round(r.total_ms, 1),
                "rows": r.rows, "hit %": r.cache_hit_percent, "query": r.query[:100]})
        c = report.checkpoints
        if c is not None:
            advice = (" - requested ones dominate: consider a larger max_wal_size"
                      if c.requested > c.timed else "")
            output.note(env, f"checkpoints ({c.source}): {c.timed} timed, {c.requested} requested{advice}")


def _read(env: "Env", query: Callable[[Any], Any]) -> Any:
    """Sizes, duplicates and bloat read the catalogue, which a replica has too: those commands are marked
    replica=True. Usage, vacuum and slow-query statistics are each server's own: they stay on the primary."""
    replica = env.replica_connection()
    if replica is not None:
        with replica.begin():
            return query(replica)
    with env.get_engine().connect() as conn:
        return query(conn)


def _render(env: "Env", rows: Sequence[Any], measure: str | None, *, human: Callable[[Any], dict[str, Any]],
            empty: str = "No rows.") -> None:
    """Raw numbers for scripts; for a person at a terminal, readable sizes and a bar per row."""
    if not (env.stdout_is_tty and env.output_format == "table"):
        output.render_rows(env, rows, empty=empty)
        return
    largest = max((getattr(r, measure) or 0 for r in rows), default=0) if measure else 0
    shown = []
    for row in rows:
        line = human(row)
        if "share" in line:
            line["share"] = _bar(getattr(row, measure) or 0, largest) if measure else ""
        shown.append(line)
    output.render_rows(env, shown, empty=empty)


def _bar(value: float, largest: float, width: int = 10) -> str:
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(width * 8 * value / largest))
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"
