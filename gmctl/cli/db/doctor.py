"""gmctl db doctor: health checks for an operator or a monitor; exit 1 on any fail."""

from __future__ import annotations

import typer

from gmctl import output
from gmctl.cli.base import command, env_of
from gmctl.errors import GmctlError


def register(app: typer.Typer) -> None:
    @command(app, "doctor")
    def doctor(ctx: typer.Context) -> None:
        """Health checks (server, migrations, pooler, replica lag, PITR, CHECKs, indexes, sequences, vacuum, clamd)."""
        from gmctl.health import FAIL, WARN, run_checks
        from gmctl.health.deployment import replica_checks

        env = env_of(ctx)
        engine = env.get_engine()
        output.note(env, f"checking {engine.info.get('display_url', '(unknown)')} ({env.target().source})")
        checks = run_checks(engine, env)
        if checks and checks[0].status != FAIL:
            checks += replica_checks(env)
        output.render_rows(env, checks, ["check", "status", "detail", "hint"], wrap=True)
        failed = [c.check for c in checks if c.status == FAIL]
        warned = [c.check for c in checks if c.status == WARN]
        if failed:
            raise GmctlError(
                f"{len(failed)} check(s) failed: {', '.join(failed)}",
                hint="each failed row above says what to do",
            )
        output.note(env, f"{len(checks)} checks: {len(warned)} warning(s), no failures")
