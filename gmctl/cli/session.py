"""`gmctl login`, `gmctl whoami`, `gmctl logout`: top-level commands, and secret input for the CLI.

Passwords never come from argv: a hidden prompt on a terminal, or the first line of stdin with
--password-stdin. Imports stay inside the commands: `gmctl --help` must stay light.
"""

from __future__ import annotations

import sys
from typing import Optional

import typer

from gmctl.cli.base import command, env_of
from gmctl.context import Env
from gmctl.errors import InvalidInput

MAX_SECRET_LINE = 8192  # bounded: `--password-stdin < /dev/zero` must not read forever


def read_secret_from_stdin(env: Env, what: str = "password") -> str:
    """The first line of stdin, without its line ending. InvalidInput when empty or not UTF-8."""
    try:
        line = env.stdin.readline(MAX_SECRET_LINE)
    except UnicodeDecodeError:
        raise InvalidInput(f"the {what} on stdin is not valid UTF-8",
                           hint="check the encoding of what is piped in") from None
    value = line.rstrip("\r\n")
    if not value:
        raise InvalidInput(
            f"--{what}-stdin was given but stdin had no {what}",
            hint=f"pipe it in: printf '%s\\n' \"$SECRET\" | gmctl ... --{what}-stdin",
        )
    return value


def hidden_prompt(env: Env, prompt: str) -> str:
    """A prompt that does not echo. Only called when env.interactive."""
    if env.inp is None and sys.stdin.isatty():
        import getpass

        return getpass.getpass(prompt, stream=env.stderr)
    env.stderr.write(prompt)
    env.stderr.flush()
    return env.stdin.readline().rstrip("\r\n")


def plain_prompt(env: Env, prompt: str) -> str:
    env.stderr.write(prompt)
    env.stderr.flush()
    return env.stdin.readline().strip()


def read_password(env: Env, from_stdin: bool, prompt: str = "Password: ") -> str:
    if from_stdin:
        return read_secret_from_stdin(env)
    if not env.interactive:
        raise InvalidInput(
            "no password: not on a terminal and --password-stdin not given",
            hint="pass --password-stdin and pipe the password in",
        )
    return hidden_prompt(env, prompt)


def _login(
    ctx: typer.Context,
    username: Optional[str] = typer.Option(None, "--username", "-u", help="Your platform username."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin's first line."
    ),
    otp: Optional[str] = typer.Option(
        None, "--otp", help="A code from your authenticator app, or a backup code."
    ),
) -> None:
    """Sign in as a staff member; the session lasts 8 hours (configurable)."""
    from gmctl import output
    from gmctl.auth.signin import attempt_sign_in, needs_second_factor

    env = env_of(ctx)
    if username is None:
        if not env.interactive:
            raise InvalidInput("no username", hint="pass --username")
        username = plain_prompt(env, "Username: ")
    password = read_password(env, password_stdin)
    if otp is None and env.interactive:
        with env.transaction() as session:
            if needs_second_factor(session, username, password):
                otp = plain_prompt(env, "Authentication code (or a backup code): ")
    with env.transaction() as session:
        outcome = attempt_sign_in(env, session, username, password, otp)
    if outcome.needs_code:
        raise InvalidInput(outcome.refusal or "a code is needed", hint=outcome.hint)
    started = outcome.raise_if_refused()  # after the commit: failures are counted even when refused
    output.success(
        env,
        f"signed in as {started.operator.username} until {started.expires_at.isoformat(timespec='minutes')}",
    )


def _whoami(ctx: typer.Context) -> None:
    """Who is signed in, with which permissions, until when."""
    from gmctl import output
    from gmctl.auth.sessions import describe_session

    env = env_of(ctx)
    with env.read_transaction() as connection:
        info = describe_session(env, connection)
    operator = info.operator
    output.render_document(
        env,
        {
            "user_id": operator.user_id,
            "username": operator.username,
            "superuser": operator.is_superuser,
            "signed_in_at": info.created_at,
            "expires_at": info.expires_at,
            "permissions": sorted(operator.permissions)
            if not operator.is_superuser
            else ["(all: superuser)"],
        },
    )


def _logout(ctx: typer.Context) -> None:
    """End this terminal's session and delete its token."""
    from gmctl import audit, output
    from gmctl.auth.sessions import active_session, end_session, read_token
    from gmctl.errors import NotSignedIn

    env = env_of(ctx)
    if read_token(env) is None:
        output.note(env, "not signed in")
        return
    with env.transaction() as session:
        try:
            user = active_session(env, session).operator
        except NotSignedIn:
            user = None
        end_session(env, session)
        if user is not None:
            audit.record(session, user, "session.logout", "user", user.user_id, at=env.clock())
    output.success(env, f"signed out{' ' + user.username if user else ''}")


def register(app: typer.Typer) -> None:
    command(app, "login")(_login)
    command(app, "whoami")(_whoami)
    command(app, "logout")(_logout)
