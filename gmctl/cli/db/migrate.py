"""gmctl db upgrade|downgrade|current|history|check|init: the schema as alembic migrations."""

from __future__ import annotations

from typing import Callable, Optional

import typer

from gmctl import output
from gmctl.cli.base import command, env_of
from gmctl.cli.confirm import confirm_destructive
from gmctl.context import Env
from gmctl.errors import GmctlError, InvalidInput

LOCK_WAIT_HELP = ("How long to wait for another schema change on this database (upgrade, downgrade, init, "
                  "adopt) to finish, e.g. 30s, 5m; 0s fails at once. Default: [schema] lock_wait, else 60s.")
MAX_LOCK_WAIT_SECONDS = 24 * 3600


def lock_wait_option() -> Optional[str]:
    """The shared --lock-wait option of the schema-changing commands."""
    return typer.Option(None, "--lock-wait", metavar="DURATION", help=LOCK_WAIT_HELP)


def lock_wait_seconds(env: Env, option: str | None) -> float:
    """Seconds to wait for the schema lock: --lock-wait, else config [schema] lock_wait, else 60."""
    from gmctl import schema
    from gmctl.when import parse_duration

    if option is not None:
        raw, what = option, "--lock-wait"
    else:
        configured = env.config.section("schema").get("lock_wait")
        if configured is None:
            return schema.DEFAULT_LOCK_WAIT
        raw, what = str(configured), f"[schema] lock_wait in {env.config.path}"
    seconds = parse_duration(raw, what=what).total_seconds()
    if seconds > MAX_LOCK_WAIT_SECONDS:
        raise InvalidInput(f"{what} {raw!r} is longer than a day", hint="wait at most 24h, e.g. 10m")
    return seconds


def waiting_note(env: Env) -> Callable[[str], None]:
    """Tell the person (on stderr) that the command is queued behind another schema change."""
    return lambda message: output.note(env, message)


def register(app: typer.Typer) -> None:
    @command(app, "upgrade")
    def upgrade(ctx: typer.Context, revision: str = typer.Argument("head", help="Target revision."),
                lock_wait: Optional[str] = lock_wait_option()) -> None:
        """Migrate the schema up to REVISION (default: head), in one transaction, one run at a time."""
        from gmctl import schema

        env = env_of(ctx)
        wait = lock_wait_seconds(env, lock_wait)
        before, after = schema.upgrade(env.get_engine(), revision, lock_wait=wait, on_wait=waiting_note(env))
        if before == after:
            at_head = after is not None and after == schema.head_revision()
            output.success(env, f"already at head ({after})" if at_head else f"schema already at {after or 'base'}")
        else:
            output.success(env, f"schema at {after} (was {before or 'empty'})")

    @command(app, "downgrade")
    def downgrade(ctx: typer.Context, revision: str = typer.Argument(..., help="Target revision, or base."),
                  lock_wait: Optional[str] = lock_wait_option()) -> None:
        """Migrate the schema down to REVISION. Tables created after it are dropped: needs --yes."""
        from gmctl import schema

        env = env_of(ctx)
        wait = lock_wait_seconds(env, lock_wait)
        confirm_destructive(env, f"downgrade the schema at {env.get_engine().info['display_url']} to {revision}")
        before, after = schema.downgrade(env.get_engine(), revision, lock_wait=wait, on_wait=waiting_note(env))
        output.success(env, f"schema at {after or 'base'} (was {before or 'empty'})")

    @command(app, "current")
    def current(ctx: typer.Context) -> None:
        """The revision the database is at, and whether that is head."""
        from gmctl import schema

        env = env_of(ctx)
        with env.get_engine().connect() as conn:
            revision = schema.current_revision(conn)
        head = schema.head_revision()
        output.render_document(env, {"revision": revision, "head": head, "at_head": revision == head})

    @command(app, "history")
    def history(ctx: typer.Context) -> None:
        """Every migration, oldest first, with whether it is applied here."""
        from gmctl import schema

        env = env_of(ctx)
        with env.get_engine().connect() as conn:
            rows = schema.history(conn)
        output.render_rows(env, rows, ["revision", "applied", "description", "down_revision"])

    @command(app, "check")
    def check(ctx: typer.Context) -> None:
        """Compare the models with the database: exit 1 and list differences if autogenerate would find any."""
        from gmctl import schema

        env = env_of(ctx)
        differences = schema.drift(env.get_engine())
        if differences:
            output.render_rows(env, [{"difference": d} for d in differences])
            raise GmctlError(f"{len(differences)} difference(s) between the models and the database",
                             hint="run `gmctl db upgrade`, or write a migration for the model change")
        if env.output_format == "json":
            output.render_rows(env, [])
        output.success(env, "the database matches the models")

    @command(app, "init")
    def init(ctx: typer.Context, lock_wait: Optional[str] = lock_wait_option()) -> None:
        """Upgrade to head and add the default roles and permissions. Safe to run again, and at once."""
        from gmctl import schema

        env = env_of(ctx)
        wait = lock_wait_seconds(env, lock_wait)
        result = schema.initialise(env.get_engine(), lock_wait=wait, on_wait=waiting_note(env))
        changed = "already at head" if result.before == result.after else f"migrated {result.before or 'empty'} -> {result.after}"
        output.success(env, f"{changed}; {result.reference_rows_added} default row(s) added")

