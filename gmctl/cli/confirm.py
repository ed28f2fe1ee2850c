"""Confirmation of destructive actions: --yes, a prompt on a terminal, or a clear refusal."""

from __future__ import annotations

import typer

from gmctl.context import Env
from gmctl.errors import GmctlError, InvalidInput


def confirm_destructive(env: Env, action: str) -> None:
    """Proceed only with --yes or an explicit 'y' from a person at a terminal. Never prompt a script."""
    if env.assume_yes:
        return
    if not env.interactive:
        raise InvalidInput(f"refusing to {action} without confirmation", hint="pass --yes to confirm")
    if not typer.confirm(f"{action[0].upper()}{action[1:]}?", default=False, err=True):
        raise GmctlError(f"cancelled: did not {action}")
