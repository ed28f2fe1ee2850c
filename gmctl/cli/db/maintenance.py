"""gmctl db maintenance: VACUUM (ANALYZE) table by table and REINDEX CONCURRENTLY where needed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import typer

from gmctl import output
from gmctl.cli.base import command, env_of

if TYPE_CHECKING:
    from gmctl.context import Env
    from gmctl.maintenance import MaintenanceReport, Step


def register(app: typer.Typer) -> None:
    @command(app, "maintenance")
    def maintenance(
        ctx: typer.Context,
        table: Optional[str] = typer.Option(None, "--table", "-t", metavar="TABLE", help="Only this table."),
        full: bool = typer.Option(False, "--full", help="VACUUM FULL: locks each table for its whole "
                                  "rewrite; needs --yes. pg_repack is the online alternative."),
        dry_run: bool = typer.Option(False, "--dry-run", help="List the plan; change nothing."),
    ) -> None:
        """VACUUM (ANALYZE) every table and rebuild invalid or clearly bloated indexes concurrently.

        Each step runs at top level in autocommit (VACUUM and REINDEX CONCURRENTLY cannot run in a
        transaction or function). Writes the 'Database maintenance completed' system_logs line.
        Exit codes: 0 done, 75 another maintenance run is active, 1 a step failed (the others still ran).
        """
        from gmctl.cli.confirm import confirm_destructive
        from gmctl.errors import GmctlError
        from gmctl.maintenance import FULL_WARNING, plan_maintenance, run_maintenance

        env = env_of(ctx)
        engine = env.get_engine()
        with engine.connect() as conn:
            steps = plan_maintenance(conn, table=table, full=full)
        if full:
            output.warn(env, FULL_WARNING)
        if dry_run:
            output.render_rows(env, [_step_row(s) for s in steps], ["kind", "target", "reason", "sql"],
                               empty="Nothing to do.")
            return
        if full:
            confirm_destructive(env, f"run VACUUM FULL on {len(steps)} table(s), locking each while it runs")
        with _progress(env, len(steps)) as progress:
            report = run_maintenance(engine, steps, started_at=env.clock(), full=full, progress=progress)
        _log(env, report)
        _show(env, report)
        if report.failed:
            raise GmctlError(f"{len(report.failed)} of {len(report.results)} maintenance step(s) failed: "
                             + "; ".join(f"{r.step.target}: {r.error}" for r in report.failed),
                             hint="the other steps ran; run again later, or with --table for one table")


def _step_row(step: "Step") -> dict[str, Any]:
    return {"kind": step.kind, "target": step.target, "reason": step.reason, "sql": step.sql}


def _log(env: "Env", report: "MaintenanceReport") -> None:
    from gmctl.maintenance import record_maintenance

    with env.transaction() as session:
        record_maintenance(session, report, env.operator, env.get_engine().url.database or "")


def _summary(report: "MaintenanceReport") -> str:
    vacuumed = len(report.done("vacuum") + report.done("vacuum-full"))
    reindexed = report.done("reindex")
    text = (f"maintenance {'done' if not report.failed else 'finished with errors'}: "
            f"{vacuumed} table(s) {'vacuumed full' if report.full else 'vacuumed and analyzed'}, "
            f"{len(reindexed)} index(es) rebuilt" + (f" ({', '.join(reindexed)})" if reindexed else ""))
    if report.done("drop-leftover"):
        text += f", {len(report.done('drop-leftover'))} leftover index(es) dropped"
    if report.failed:
        text += f", {len(report.failed)} step(s) failed"
    return text + f" in {report.seconds:.1f}s"


def _show(env: "Env", report: "MaintenanceReport") -> None:
    if env.output_format == "json":
        output.emit_json(env, {
            "message": "Database maintenance completed", "full": report.full,
            "seconds": round(report.seconds, 3),
            "steps": [{**_step_row(r.step), "seconds": round(r.seconds, 3), "ok": r.ok, "error": r.error}
                      for r in report.results],
        })
    elif env.format in ("csv", "tsv") or env.stdout_is_tty:
        output.render_rows(env, [{**_step_row(r.step), "seconds": round(r.seconds, 2), "ok": r.ok}
                                 for r in report.results], ["kind", "target", "reason", "seconds", "ok"],
                           empty="Nothing to do.")
        output.note(env, _summary(report))
    else:
        env.stdout.write(_summary(report) + "\n")


class _progress:
    """One bar over the steps on a terminal (stderr), naming the step being run."""

    def __init__(self, env: "Env", total: int) -> None:
        self.env, self.total, self.bars, self.task = env, total, None, None

    def __enter__(self) -> Any:
        if not self.env.stderr_is_tty:
            return lambda step: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bars = Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=output.console(self.env, stderr=True))
        self.bars.start()
        self.task = self.bars.add_task("maintenance", total=self.total)
        self.first = True
        return self.advance

    def advance(self, step: "Step") -> None:
        if not self.first:
            self.bars.advance(self.task)
        self.first = False
        self.bars.update(self.task, description=f"{step.kind} {step.target}"[:40])

    def __exit__(self, *exc: object) -> None:
        if self.bars is not None:
            if not self.first:
                self.bars.advance(self.task)
            self.bars.stop()
