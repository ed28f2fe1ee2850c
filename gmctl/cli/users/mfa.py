"""gmctl users mfa enable / disable / backup-codes: two-factor sign-in of an account."""

from __future__ import annotations

from typing import Optional

import typer

from gmctl.cli import params
from gmctl.cli.base import command, env_of, new_group
from gmctl.errors import InvalidInput

HELP = "Two-factor sign-in: enable (own account), disable, new backup codes."
app = new_group(HELP)
CODE_ATTEMPTS = 3


def show_backup_codes(env, codes: list[str]) -> None:
    from gmctl import output

    output.render_rows(env, [{"backup_code": code} for code in codes], ["backup_code"])
    output.note(
        env,
        f"{len(codes)} backup codes, each good once, shown this once: print or store them now. "
        "Earlier codes no longer work.",
    )


def _enable(ctx: typer.Context) -> None:
    """Turn on MFA for your own account: scan the QR code, then type a first code to confirm."""
    from gmctl import output
    from gmctl.accounts.mfa_admin import check_can_enable, finish_enabling, start_enabling
    from gmctl.auth.permissions import current_operator
    from gmctl.cli.session import plain_prompt
    from gmctl.db.models import User

    env = env_of(ctx)
    with env.transaction() as session:
        operator = current_operator(env, session)
        enrolment = start_enabling(operator, session.get(User, operator.user_id))
    if not env.interactive:
        raise InvalidInput(
            "mfa enable needs a terminal: it shows a QR code and asks for a code",
            hint="run it in an interactive terminal",
        )
    show_enrolment(env, enrolment.uri)
    codes = None
    for _ in range(CODE_ATTEMPTS):
        code = plain_prompt(env, "Code from the app: ")  # asked with no transaction open: no lock held
        with env.transaction() as session:
            user = session.get(User, operator.user_id, with_for_update=True, populate_existing=True)
            check_can_enable(operator, user)  # still off: nobody enabled it meanwhile
            codes = finish_enabling(env, session, operator, user, enrolment, code, env.clock())
        if codes is not None:
            break
        output.warn(env, "that code does not match; check the phone's clock and try the next one")
    if codes is None:
        raise InvalidInput(f"no matching code after {CODE_ATTEMPTS} tries: MFA stays off")
    output.success(env, f"MFA is on for {operator.username}")
    show_backup_codes(env, codes)


def show_enrolment(env, uri: str) -> None:
    import segno

    env.stdout.write("Scan this with an authenticator app (or enter the URI by hand):\n\n")
    segno.make(uri, error="m").terminal(out=env.stdout, compact=True)
    env.stdout.write(f"\n{uri}\n\n")
    env.stdout.flush()


def _disable(
    ctx: typer.Context,
    user: Optional[str] = typer.Argument(
        None, metavar="USER", help="Whose MFA (default: yours). Another's needs manage_users.",
        parser=params.user_ref,
    ),
) -> None:
    """Turn off MFA: the secret and backup codes are deleted."""
    from gmctl import output
    from gmctl.accounts.lookup import find_user
    from gmctl.accounts.mfa_admin import disable
    from gmctl.auth.permissions import current_operator
    from gmctl.cli.confirm import confirm_destructive
    from gmctl.db.models import User

    env = env_of(ctx)
    with env.transaction() as session:
        operator = current_operator(env, session)
        target = (
            find_user(session, user, for_update=True)
            if user is not None
            else session.get(User, operator.user_id, with_for_update=True)
        )
        if target.id != operator.user_id:
            confirm_destructive(env, f"turn off MFA for {target.username}")
        disable(session, operator, target, env.clock())
    output.success(env, f"MFA is off for {target.username}")


def _backup_codes(ctx: typer.Context) -> None:
    """New backup codes for your own account, shown once; the old ones stop working."""
    from gmctl.accounts.mfa_admin import regenerate_codes
    from gmctl.auth.permissions import current_operator
    from gmctl.db.models import User

    env = env_of(ctx)
    with env.transaction() as session:
        operator = current_operator(env, session)
        user = session.get(User, operator.user_id, with_for_update=True)
        codes = regenerate_codes(session, operator, user, env.clock())
    show_backup_codes(env, codes)


command(app, "enable")(_enable)
command(app, "disable")(_disable)
command(app, "backup-codes")(_backup_codes)
