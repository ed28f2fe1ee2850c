"""gmctl users create / update / deactivate / activate / unlock / reset-password (manage_users)."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

import typer

from gmctl.cli import params
from gmctl.cli.base import command, env_of

if TYPE_CHECKING:
    from gmctl.accounts.lifecycle import AccountResult
    from gmctl.auth.operator import Operator
    from gmctl.context import Env

MANAGE_USERS = "manage_users"
MANAGE_ROLES = "manage_roles"
USER_ARGUMENT = typer.Argument(..., metavar="USER", help="User id, username or email.", parser=params.user_ref)
PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="Read the new password from stdin's first line."
)


def signed_in_or_none(env: "Env", session) -> "Operator | None":
    from gmctl.auth.permissions import current_operator
    from gmctl.errors import NotSignedIn

    try:
        return current_operator(env, session)
    except NotSignedIn:
        return None


def show_result(env: "Env", verb: str, result: "AccountResult") -> None:
    from gmctl import output

    if result.generated_password is not None:
        # The one time this password exists outside the hash: data on stdout for a script to catch.
        output.render_document(
            env,
            {"user_id": result.user_id, "username": result.username, "password": result.generated_password},
        )
        output.note(env, "the password is shown once: hand it over now; it cannot be shown again")
    ended = f"; {result.sessions_ended} session(s) ended" if result.sessions_ended else ""
    output.success(env, f"{verb} {result.username} (id {result.user_id}){ended}")


def _create(
    ctx: typer.Context,
    username: str = typer.Option(..., "--username", help="3-50 characters, no spaces."),
    email: str = typer.Option(..., "--email", help="Unique, whatever the case."),
    first_name: Optional[str] = typer.Option(None, "--first-name"),
    last_name: Optional[str] = typer.Option(None, "--last-name"),
    phone: Optional[str] = typer.Option(None, "--phone", help="International form, e.g. +2348031234567."),
    staff: bool = typer.Option(False, "--staff", help="A staff member (may sign in to gmctl)."),
    superuser: bool = typer.Option(
        False,
        "--superuser",
        help="Passes every permission check. Needs a superuser, except for the first one.",
    ),
    roles: Optional[List[str]] = typer.Option(
        None, "--role", help="Grant this role (repeatable; needs manage_roles)."
    ),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Create an account. Without --password-stdin a strong password is generated and shown once."""
    from gmctl.accounts.lifecycle import NewAccount, create_account
    from gmctl.accounts.rules import bootstrap_allowed
    from gmctl.auth.permissions import require
    from gmctl.cli.session import read_secret_from_stdin

    env = env_of(ctx)
    password = read_secret_from_stdin(env) if password_stdin else None
    new = NewAccount(
        username, email, first_name, last_name, phone, staff, superuser, tuple(roles or ()), password
    )
    with env.transaction() as session:
        if superuser and bootstrap_allowed(session):
            operator = signed_in_or_none(env, session)  # the first superuser: maybe nobody can sign in yet
        else:
            operator = require(env, session, MANAGE_USERS)
            if new.roles:
                require(env, session, MANAGE_ROLES)
        result = create_account(session, operator, new, env.clock())
    show_result(env, "created", result)


def _update(
    ctx: typer.Context,
    user: str = USER_ARGUMENT,
    username: Optional[str] = typer.Option(None, "--username"),
    email: Optional[str] = typer.Option(None, "--email"),
    first_name: Optional[str] = typer.Option(None, "--first-name", help='"" clears it.'),
    last_name: Optional[str] = typer.Option(None, "--last-name", help='"" clears it.'),
    phone: Optional[str] = typer.Option(None, "--phone", help='"" clears it.'),
    staff: Optional[bool] = typer.Option(None, "--staff/--no-staff"),
    superuser: Optional[bool] = typer.Option(None, "--superuser/--no-superuser", help="Needs a superuser."),
) -> None:
    """Change an account's identity, contact details or staff status."""
    from gmctl import output
    from gmctl.accounts.lifecycle import AccountChanges, update_account
    from gmctl.accounts.lookup import find_user
    from gmctl.auth.permissions import require

    env = env_of(ctx)
    wanted = AccountChanges(username, email, first_name, last_name, phone, staff, superuser)
    with env.transaction() as session:
        operator = require(env, session, MANAGE_USERS)
        result = update_account(
            session, operator, find_user(session, user, for_update=True), wanted, env.clock()
        )
    output.render_rows(
        env,
        [{"field": k, "old": old, "new": new} for k, (old, new) in result.changes.items()],
        ["field", "old", "new"],
    )
    show_result(env, "updated", result)


def _state_command(action: str, verb: str, doc: str):
    def run(ctx: typer.Context, user: str = USER_ARGUMENT) -> None:
        from gmctl.accounts import lifecycle
        from gmctl.accounts.lookup import find_user
        from gmctl.auth.permissions import require

        env = env_of(ctx)
        with env.transaction() as session:
            operator = require(env, session, MANAGE_USERS)
            change = getattr(lifecycle, action)
            result = change(session, operator, find_user(session, user, for_update=True), env.clock())
        show_result(env, verb, result)

    run.__doc__ = doc
    run.__name__ = f"_{action}"
    return run


def _reset_password(
    ctx: typer.Context, user: str = USER_ARGUMENT, password_stdin: bool = PASSWORD_STDIN
) -> None:
    """Set a new password (generated and shown once, or from stdin) and end the account's sessions."""
    from gmctl.accounts.lifecycle import reset_password
    from gmctl.accounts.lookup import find_user
    from gmctl.auth.permissions import require
    from gmctl.cli.session import read_secret_from_stdin

    env = env_of(ctx)
    password = read_secret_from_stdin(env) if password_stdin else None
    with env.transaction() as session:
        operator = require(env, session, MANAGE_USERS)
        result = reset_password(
            session, operator, find_user(session, user, for_update=True), password, env.clock()
        )
    show_result(env, "reset the password of", result)


def register(app: typer.Typer) -> None:
    command(app, "create")(_create)
    command(app, "update")(_update)
    command(app, "deactivate")(
        _state_command(
            "deactivate", "deactivated", "Deactivate an account: it cannot sign in; its sessions end now."
        )
    )
    command(app, "activate")(_state_command("activate", "activated", "Activate a deactivated account again."))
    command(app, "unlock")(
        _state_command(
            "unlock", "unlocked", "Unlock an account locked by failed sign-ins; the failure count restarts."
        )
    )
    command(app, "reset-password")(_reset_password)
