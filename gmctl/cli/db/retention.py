"""gmctl db retention: the seed's three retention policies, in short batches cron can trust."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import typer

from gmctl import output
from gmctl.cli import params
from gmctl.cli.base import command, env_of

if TYPE_CHECKING:
    from gmctl.context import Env
    from gmctl.retention.run import RetentionReport

HELP_POLICY = ("Run only this policy (repeatable): archive, history, temp-files. "
               "Default: all three, in that order.")


def register(app: typer.Typer) -> None:
    @command(app, "retention")
    def retention(
        ctx: typer.Context,
        policy: Optional[list[str]] = typer.Option(None, "--policy", "-p", metavar="NAME", help=HELP_POLICY),
        dry_run: bool = typer.Option(False, "--dry-run", help="Count exactly what would be done; "
                                     "change nothing."),
        batch_size: Optional[int] = typer.Option(
            None, "--batch-size", parser=params.count, help="Rows (requests, for archive) in the first batch; then "
            "sized to keep each batch near 0.3 s. Default 500, or [retention] batch_size."),
        max_runtime: Optional[str] = typer.Option(
            None, "--max-runtime", metavar="DURATION", help="Stop cleanly between batches after this long "
            "(seconds, or 30m, 2h); the next run continues. Default: no limit, or [retention] max_runtime."),
        history_days: Optional[int] = typer.Option(None, "--history-days", parser=params.count, help="Delete status history older "
                                                   "than this many days. Default: 2 years."),
        archive_after_years: Optional[int] = typer.Option(None, "--archive-after-years", parser=params.count, help="Archive "
                                                          "completed requests older than this. Default: 5."),
        temp_files_days: Optional[int] = typer.Option(None, "--temp-files-days", parser=params.count, help="Delete temporary file "
                                                      "records older than this. Default: 7."),
    ) -> None:
        """Archive old completed requests, delete old status history and temporary file records.

        Exit codes: 0 done (or stopped at --max-runtime), 75 another run is active, 1 a batch failed.
        """
        from gmctl.retention import policies as rules
        from gmctl.retention.run import DEFAULT_BATCH_SIZE, Retention, plan_retention

        env = env_of(ctx)
        section = env.config.section("retention")
        periods = rules.periods_from(section, history_days=history_days,
                                     archive_after_years=archive_after_years, temp_files_days=temp_files_days)
        chosen = rules.chosen_policies(policy)
        engine = env.get_engine()
        if dry_run:
            _show(env, plan_retention(engine, chosen, periods, env.clock()))
            return
        size = rules.check_batch_size(batch_size, "--batch-size") if batch_size is not None else \
            rules.check_batch_size(section.get("batch_size", DEFAULT_BATCH_SIZE), "[retention] batch_size")
        limit = rules.parse_runtime(max_runtime if max_runtime is not None else section.get("max_runtime"))
        job = Retention(engine, chosen, periods, env.clock, batch_size=int(size), max_runtime=limit)
        try:
            with _progress_bars(env) as progress:
                job.progress = progress
                job.run()
        finally:
            if job.report.policies:
                _log(env, job.report)
                _show(env, job.report)
        if not job.report.complete:
            output.note(env, "work remains: the next run continues where this one stopped")


def _log(env: "Env", report: "RetentionReport") -> None:
    from gmctl.retention.run import record_run

    with env.transaction() as session:
        record_run(session, report, env.operator, env.get_engine().url.database or "")


def _rows(report: "RetentionReport") -> list[dict[str, Any]]:
    rows = []
    for o in report.policies:
        row = {"policy": o.policy, "period": o.period, "cutoff": o.cutoff.date(), "rows": o.rows,
               "detail": ", ".join(f"{n} {kind}" for kind, n in o.counts.items() if n) or "-"}
        if not report.dry_run:
            row.update(batches=o.batches, longest_batch_s=round(o.longest_batch_seconds, 3),
                       complete=o.complete)
        rows.append(row)
    return rows


def _document(report: "RetentionReport") -> dict[str, Any]:
    return {
        "status": report.status, "dry_run": report.dry_run, "complete": report.complete,
        "started_at": report.started_at, "seconds": round(report.seconds, 3), "failure": report.failure,
        "policies": [{
            "policy": o.policy, "period": o.period, "cutoff": o.cutoff, "planned": o.planned, "rows": o.rows,
            "counts": o.counts, "batches": o.batches,
            "longest_batch_seconds": round(o.longest_batch_seconds, 4),
            "seconds": round(o.seconds, 3), "complete": o.complete,
        } for o in report.policies],
    }


def _show(env: "Env", report: "RetentionReport") -> None:
    from gmctl.retention.run import summary

    if env.output_format == "json":
        output.emit_json(env, _document(report))
    elif env.format in ("csv", "tsv") or env.stdout_is_tty:
        output.render_rows(env, _rows(report))
        output.note(env, summary(report))
    else:  # piped, as under cron: one line
        env.stdout.write(summary(report) + "\n")


class _progress_bars:
    """A rich progress bar per policy on stderr when that is a terminal; nothing otherwise."""

    def __init__(self, env: "Env") -> None:
        self.env = env
        self.bars: Any = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Any:
        if not self.env.stderr_is_tty:
            return lambda policy, advance, total: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bars = Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=output.console(self.env, stderr=True))
        self.bars.start()
        return self.update

    def update(self, policy: str, advance: int, total: int) -> None:
        if policy not in self.tasks:
            self.tasks[policy] = self.bars.add_task(policy, total=total or 1, completed=0 if total else 1)
        if advance:
            self.bars.update(self.tasks[policy], advance=advance)

    def __exit__(self, *exc: object) -> None:
        if self.bars is not None:
            self.bars.stop()
