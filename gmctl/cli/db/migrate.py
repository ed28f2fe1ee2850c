"""gmctl db upgrade|downgrade|current|history|check|init: the schema as alembic migrations."""

from __future__ import annotations

import typer

from gmctl import output
from gmctl.cli.base import command, env_of
from gmctl.cli.confirm import confirm_destructive
from gmctl.errors import GmctlError


def register(app: typer.Typer) -> None:
    @command(app, "upgrade")
    def upgrade(ctx: typer.Context, revision: str = typer.Argument("head", help="Target revision.")) -> None:
        """Migrate the schema up to REVISION (default: head), in one transaction."""
        from gmctl import schema

        env = env_of(ctx)
        before, after = schema.upgrade(env.get_engine(), revision)
        output.success(env, f"schema at {after}" + ("" if before == after else f" (was {before or 'empty'})"))

    @command(app, "downgrade")
    def downgrade(ctx: typer.Context, revision: str = typer.Argument(..., help="Target revision, or base.")) -> None:
        """Migrate the schema down to REVISION. Tables created after it are dropped: needs --yes."""
        from gmctl import schema

        env = env_of(ctx)
        confirm_destructive(env, f"downgrade the schema at {env.get_engine().info['display_url']} to {revision}")
        before, after = schema.downgrade(env.get_engine(), revision)
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
    def init(ctx: typer.Context) -> None:
        """Upgrade to head and add the default roles and permissions. Safe to run again."""
        from gmctl import schema

        env = env_of(ctx)
        result = schema.initialise(env.get_engine())
        changed = "already at head" if result.before == result.after else f"migrated {result.before or 'empty'} -> {result.after}"
        output.success(env, f"{changed}; {result.reference_rows_added} default row(s) added")

