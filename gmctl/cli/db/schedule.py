"""gmctl db schedule: the crontab of gmctl's periodic jobs, or the same jobs installed through pg_cron."""

from __future__ import annotations

import typer

from gmctl import output
from gmctl.cli.base import command, env_of


def register(app: typer.Typer) -> None:
    @command(app, "schedule")
    def schedule(
        ctx: typer.Context,
        pg_cron: bool = typer.Option(False, "--pg-cron", help="Install the SQL jobs (retention batches, "
                                     "weekly VACUUM) through pg_cron in this database instead of printing "
                                     "a crontab."),
    ) -> None:
        """Print a ready crontab: retention, backups nightly; maintenance weekly; doctor hourly; sweep daily.

        gmctl locks itself, so the entries need no flock. With --pg-cron, the jobs pg_cron can run (SQL)
        are scheduled in the database, and the ones that need gmctl or pg_dump are listed for the crontab.
        """
        env = env_of(ctx)
        if not pg_cron:
            from gmctl.schedule import crontab

            env.stdout.write(crontab(_gmctl_path(), env.clock()))
            return
        from gmctl.retention.policies import periods_from
        from gmctl.schedule import STAY_IN_CRONTAB, install_pg_cron, pg_cron_jobs

        periods = periods_from(env.config.section("retention"))
        with env.get_engine().begin() as conn:
            installed = install_pg_cron(conn, pg_cron_jobs(periods))
        rows = [{"job": job.name, "id": job_id, "schedule": job.schedule, "runs": job.purpose}
                for job, job_id in installed]
        output.render_rows(env, rows, ["job", "id", "schedule", "runs"])
        output.success(env, f"{len(installed)} job(s) scheduled with pg_cron")
        output.note(env, f"pg_cron runs SQL only: keep {', '.join(STAY_IN_CRONTAB)} in the crontab "
                         "(`gmctl db schedule` prints it)")


def _gmctl_path() -> str:
    """The gmctl cron should call: an absolute path, since cron's PATH is short."""
    import shutil
    import sys
    from pathlib import Path

    beside = Path(sys.executable).parent / "gmctl"
    return str(beside) if beside.exists() else (shutil.which("gmctl") or "gmctl")
