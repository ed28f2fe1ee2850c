"""gmctl users export / erase: subject access and the right to erasure (NDPA 2023, GDPR Art. 15 and 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from gmctl.cli import params
from gmctl.cli.base import command, env_of

USER_ARGUMENT = typer.Argument(..., metavar="USER", help="User id, username or email.", parser=params.user_ref)


def _export(
    ctx: typer.Context,
    user: str = USER_ARGUMENT,
    output_path: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write to this file (mode 0600)."
    ),
) -> None:
    """Everything the platform holds on a person, as JSON (subject access). Needs manage_users."""
    import json

    from gmctl import output
    from gmctl.accounts.export import export_subject
    from gmctl.accounts.lookup import find_user
    from gmctl.auth.permissions import require

    env = env_of(ctx)
    with env.transaction() as session:
        operator = require(env, session, "manage_users")
        document = export_subject(session, operator, find_user(session, user), env.clock())
        if output_path is not None:
            # Written inside the transaction: a file that cannot be written rolls back the audit entry,
            # so the log never records an export nobody received.
            text = json.dumps(output.to_plain(document), indent=2, ensure_ascii=False) + "\n"
            output.write_file(output_path, text, mode=0o600)
    if output_path is None:
        output.emit_json(env, document)
        return
    output.success(env, f"wrote the export of user {document['subject']['user_id']} to {output_path}")


def _erase(ctx: typer.Context, user: str = USER_ARGUMENT) -> None:
    """Erase a person's data: the account is pseudonymised, financial records stay (erase_users, --yes)."""
    from gmctl import output
    from gmctl.accounts.erase import erase_person
    from gmctl.accounts.lookup import find_user
    from gmctl.auth.permissions import require
    from gmctl.cli.confirm import confirm_destructive

    env = env_of(ctx)
    with env.transaction() as session:
        operator = require(env, session, "erase_users")
        target = find_user(session, user, for_update=True)
        confirm_destructive(env, f"erase the personal data of user {target.id} for good")
        report = erase_person(session, operator, target, env.clock())
    output.render_document(
        env,
        {
            "user_id": report.user_id,
            "now_known_as": report.pseudonym,
            "payments_kept": report.kept_payments,
            **{f"removed_{k}": v for k, v in report.removed.items()},
            **{f"scrubbed_{k}": v for k, v in report.scrubbed.items()},
        },
    )
    output.success(env, f"erased user {report.user_id}; uploaded files themselves stay in file storage")


def register(app: typer.Typer) -> None:
    command(app, "export")(_export)
    command(app, "erase")(_erase)
