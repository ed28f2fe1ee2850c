"""gmctl db server: the embedded PostgreSQL in GMCTL_HOME."""

from __future__ import annotations

import typer

from gmctl import output
from gmctl.cli.base import command, env_of, new_group
from gmctl.db import embedded

HELP = "The embedded PostgreSQL 18 in GMCTL_HOME, used when no database URL is configured."
app = new_group(HELP)


def _state_row(env, state: embedded.ServerState) -> dict:
    from gmctl.db.url import mask_url

    target = env.target()
    return {
        "running": state.running,
        "pid": state.pid if state.running else None,
        "data_dir": str(state.data_dir),
        "url": state.url() if state.running else None,
        "log": str(state.log),
        "in_use": target.is_embedded,
        "configured_source": target.source,
        # The URL gmctl uses instead of the embedded server, password masked (None when embedded).
        "configured_url": None if target.is_embedded else mask_url(target.url),
    }


@command(app, "status")
def status(ctx: typer.Context) -> None:
    """Whether the embedded server runs, where its data and log are, and whether gmctl uses it."""
    env = env_of(ctx)
    output.render_document(env, _state_row(env, embedded.read_state(env.gmctl_home)))


@command(app, "start")
def start(ctx: typer.Context) -> None:
    """Start the embedded server (initialising it on first use) and create its gmctl database."""
    env = env_of(ctx)
    before = embedded.read_state(env.gmctl_home)
    state = before if before.running else embedded.start(env.gmctl_home)
    output.note(env, "already running" if before.running else f"started PostgreSQL {embedded.POSTGRES_MAJOR}")
    output.render_document(env, _state_row(env, state))


@command(app, "stop")
def stop(ctx: typer.Context) -> None:
    """Stop the embedded server. Its data stays; the next command starts it again."""
    env = env_of(ctx)
    was_running = embedded.stop(env.gmctl_home)
    output.note(env, "stopped" if was_running else "not running")
