"""gmctl db adopt: take over the database the schema document built, and resolve its defects."""

from __future__ import annotations

from typing import Optional

import typer

from gmctl import output
from gmctl.cli.base import command, env_of
from gmctl.cli.db.migrate import lock_wait_option, lock_wait_seconds, waiting_note
from gmctl.cli.confirm import confirm_destructive
from gmctl.errors import GmctlError


def register(app: typer.Typer) -> None:
    @command(app, "adopt")
    def adopt(
        ctx: typer.Context,
        dry_run: bool = typer.Option(False, "--dry-run", help="Only check and report; change nothing."),
        lock_wait: Optional[str] = lock_wait_option(),
    ) -> None:
        """Take over a database the schema document built: check it, stamp 20240101000005, upgrade to head."""
        from gmctl.adopt import plan as adoption

        env = env_of(ctx)
        wait = lock_wait_seconds(env, lock_wait)
        engine = env.get_engine()
        plan = adoption.inspect_database(engine)
        output.render_rows(
            env, plan.rows(), ["kind", "subject", "detail"], empty="the schema document as written; no findings"
        )
        output.note(env, plan.summary())
        if plan.refused:
            raise GmctlError(
                adoption.refusal_message(plan),
                hint="settle the conflicts and rows listed above (each says what to do), then run adopt again",
            )
        steps = f"stamp {adoption.SEED_HEAD}, then upgrade through {len(plan.pending)} revision(s) to head"
        if dry_run:
            output.note(env, f"{plan.database} can be adopted: would {steps}")
            return
        if plan.to_confirm:
            removed = sum(f.rows for f in plan.to_confirm)
            confirm_destructive(
                env, f"adopt {plan.database}, leaving out the {removed} row(s) listed as 'confirm'"
            )
        result = adoption.adopt(engine, confirmed=plan.fingerprint, lock_wait=wait, on_wait=waiting_note(env))
        output.success(
            env,
            f"adopted {result.database}: stamped {result.before}, upgraded to {result.after} "
            f"({len(result.revisions)} revisions); {result.tables} tables, "
            f"{result.rows_before} rows before, {result.rows_after} after; "
            f"{len(plan.variants)} variant(s) brought to head, {len(plan.extras)} extra(s) kept",
        )
