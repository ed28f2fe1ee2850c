"""gmctl db seed: demo data to look at, or scaled data to measure with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import typer

from gmctl import output
from gmctl.cli import params
from gmctl.cli.base import command, env_of
from gmctl.errors import InvalidInput

if TYPE_CHECKING:
    from gmctl.context import Env
    from gmctl.seed.demo import DemoResult
    from gmctl.seed.scale import ScaleResult

HELP_DEMO = "Load the small demo data set (Nigerian customers, requests in every status, payments...)."
HELP_SCALE = "Bring the database to N units of benchmark data (a unit: 10,000 requests, 1,000 users...)."
HELP_JOBS = "With --scale: connections loading units at the same time. Default 2."
HELP_YES = "Seed even though the database holds accounts the seeds did not make (same as gmctl --yes)."


def register(app: typer.Typer) -> None:
    @command(app, "seed")
    def seed(
        ctx: typer.Context,
        demo: bool = typer.Option(False, "--demo", help=HELP_DEMO),
        scale: Optional[int] = typer.Option(None, "--scale", metavar="N", help=HELP_SCALE, parser=params.count),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", metavar="J", help=HELP_JOBS, parser=params.count),
        yes: bool = typer.Option(False, "--yes", "-y", help=HELP_YES),
    ) -> None:
        """Load demo data (--demo) or benchmark data (--scale N). Creates the schema first if needed.

        --demo refuses a database that has it already (exit 2). --scale N is resumable: units already
        loaded are kept, so running it again finishes an interrupted load.
        """
        env = env_of(ctx)
        env.assume_yes = yes or env.assume_yes
        _check_choice(demo, scale, jobs)
        if demo:
            _seed_demo(env)
        else:
            _seed_scale(env, scale or 0, jobs)


def _check_choice(demo: bool, scale: int | None, jobs: int | None) -> None:
    from gmctl.seed.scale import check_jobs, check_units

    if demo == (scale is not None):
        raise InvalidInput("choose exactly one of --demo and --scale N",
                           hint="`gmctl db seed --demo` for a data set to look at, `--scale 100` for about "
                                "1M requests to measure with")
    if scale is not None:
        check_units(scale)
    if jobs is not None:
        if demo:
            raise InvalidInput("--jobs goes with --scale only", hint="leave out --jobs")
        check_jobs(jobs)


def _ensure_schema(env: "Env") -> None:
    """At head with the default roles, as on a fresh machine the README's first line expects."""
    from gmctl import schema

    session = env.session()
    at_head = schema.current_revision(session.connection()) == schema.head_revision()
    session.rollback()
    if not at_head:
        result = schema.initialise(env.get_engine())
        output.note(env, f"schema brought to head: {result.before or 'empty'} -> {result.after}")


def _confirm_beside_real_accounts(env: "Env", session: Any, what: str) -> None:
    from gmctl.cli.confirm import confirm_destructive
    from gmctl.seed import users_outside_seed

    others = users_outside_seed(session)
    if others:
        confirm_destructive(env, f"add {what} to a database that holds {others} account(s) "
                                 "the seeds did not make")


# -- demo -------------------------------------------------------------------------------------
def _files_root(env: "Env") -> Any:
    """Where the seeds write real files for their file_uploads rows ([files] root; gmctl.files.storage)."""
    from gmctl.files.storage import files_settings

    return files_settings(env).root


def _seed_demo(env: "Env") -> None:
    from gmctl.seed.demo import refuse_second_demo, seed_demo

    _ensure_schema(env)
    with env.transaction() as session:
        refuse_second_demo(session)
        _confirm_beside_real_accounts(env, session, "demo data")
        result = seed_demo(session, env.clock(), files_root=_files_root(env))
        signed_in = _sign_in_demo_admin(env, session, result)
    _show_demo(env, result, signed_in)
    if result.exports:  # sample gateway exports for `gmctl payments reconcile` (gmctl.seed.demo_payments)
        from gmctl.seed.demo_payments import write_exports

        output.note(env, f"Sample gateway exports: {write_exports(result.exports, env.gmctl_home / 'demo')}")


def _sign_in_demo_admin(env: "Env", session: Any, result: "DemoResult") -> str | None:
    """On the embedded server only: the person who just made a playground may as well be in it."""
    if result.admin_user_id is None or not env.target().is_embedded:
        return None
    from gmctl.auth.sessions import start_session
    from gmctl.db.models import User

    admin = session.get(User, result.admin_user_id)
    start_session(env, session, admin)
    return admin.username


def _show_demo(env: "Env", result: "DemoResult", signed_in: str | None) -> None:
    accounts = [{"username": a.username, "role": a.role, "password": a.password} for a in result.accounts]
    if env.output_format == "json":
        output.emit_json(env, {"tables": result.rows(), "accounts": accounts, "signed_in_as": signed_in})
    else:
        output.render_rows(env, result.rows(), ["table", "rows"])
        if accounts:
            env.stdout.write("\n")
            output.render_rows(env, accounts, ["username", "role", "password"])
    for note in result.notes:
        output.warn(env, note)
    requests = result.counts.get("service_requests", 0)
    output.success(env, f"demo data loaded: {requests} requests, {result.counts.get('users', 0)} users")
    if accounts:
        output.note(env, "The demo passwords above are shown this once: gmctl stores only their hashes. "
                         "Reset one with `gmctl users reset-password USERNAME`.")
    if signed_in:
        output.note(env, f"Signed in as {signed_in} (embedded server). Try: gmctl requests list")


# -- scale ------------------------------------------------------------------------------------
def _seed_scale(env: "Env", units: int, jobs: int | None) -> None:
    from gmctl.seed.scale import DEFAULT_JOBS, record_scale_run, seed_scale

    _ensure_schema(env)
    with env.transaction() as session:
        _confirm_beside_real_accounts(env, session, "benchmark data")
    with _ScaleProgress(env, units) as progress:
        result = seed_scale(env.get_engine(), units, env.clock(), jobs=jobs or DEFAULT_JOBS, on_unit=progress,
                            files_root=_files_root(env))
    with env.transaction() as session:
        record_scale_run(session, result, env.clock())
    _show_scale(env, result)


def _show_scale(env: "Env", result: "ScaleResult") -> None:
    from gmctl.seed.scale import summary_line

    if env.output_format == "json":
        output.emit_json(env, {"target_units": result.target, "units_present_before": result.present_before,
                               "units_loaded": result.loaded, "tables": result.table_rows(),
                               "rows": result.rows,
                               "seconds": round(result.seconds, 3),
                               "rows_per_second": round(result.rows_per_second)})
    elif result.loaded:
        output.render_rows(env, result.table_rows(), ["table", "rows"])
    output.success(env, summary_line(result))


class _ScaleProgress:
    """A rich bar of units on stderr when that is a terminal; nothing otherwise (the summary follows)."""

    def __init__(self, env: "Env", units: int) -> None:
        self.env, self.units = env, units
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> "_ScaleProgress":
        if self.env.stderr_is_tty:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(TextColumn("units"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rows]:>12,} rows  {task.fields[rate]:>7,} rows/s"),
                                TimeElapsedColumn(), TimeRemainingColumn(),
                                console=output.console(self.env, stderr=True))
            self.task = self.bar.add_task("units", total=None, rows=0, rate=0)
            self.bar.start()
        return self

    def __call__(self, loaded: Any) -> None:
        if self.bar is not None:
            rate = int(loaded.rows / loaded.seconds) if loaded.seconds else 0
            self.bar.update(self.task, total=loaded.todo, completed=loaded.done, rows=loaded.rows, rate=rate)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
