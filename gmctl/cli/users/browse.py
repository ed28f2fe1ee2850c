"""gmctl users list / show (permission view_users)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional

import typer

from gmctl.cli import params
from gmctl.cli.base import command, env_of
from gmctl.errors import InvalidInput

VIEW_USERS = "view_users"
LIST_COLUMNS = (
    "id",
    "username",
    "name",
    "email",
    "phone",
    "active",
    "staff",
    "superuser",
    "locked",
    "mfa",
    "roles",
    "last_login",
    "created_at",
)
# What a person reads on a terminal (--wide: all of LIST_COLUMNS), most important first.
TERMINAL_COLUMNS = ("id", "username", "name", "email", "roles", "active", "locked", "last_login")


def parse_since(value: str | None) -> datetime | None:
    """A date (midnight in Africa/Lagos, where the business runs) or a full ISO time."""
    if value is None:
        return None
    from zoneinfo import ZoneInfo

    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), ZoneInfo("Africa/Lagos"))
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"--since {value!r} is not a date", hint="use YYYY-MM-DD or an ISO-8601 time"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Africa/Lagos"))


def _list(
    ctx: typer.Context,
    search: Optional[str] = typer.Option(
        None, "--search", "-s", help="Part of a name, username, email or phone."
    ),
    active: Optional[bool] = typer.Option(None, "--active/--inactive", help="Only active, or only inactive."),
    staff: Optional[bool] = typer.Option(
        None, "--staff/--customers", help="Only staff/superusers, or only customers."
    ),
    role: Optional[str] = typer.Option(None, "--role", help="Only holders of this role (grants in force)."),
    locked: Optional[bool] = typer.Option(None, "--locked/--unlocked", help="Only locked, or only unlocked."),
    since: Optional[str] = typer.Option(
        None, "--since", metavar="DATE", help="Created on or after (YYYY-MM-DD)."
    ),
    include_erased: bool = typer.Option(
        False, "--include-erased", help="Include erased (pseudonymised) accounts."
    ),
    after: Optional[int] = params.id_option("--after", help="Next page: ids after this one."),
    limit: int = typer.Option(50, "--limit", help="Rows per page (1-1000).", parser=params.bounded(1, 1000)),
) -> None:
    """List accounts, oldest first, a page at a time (--after ID for the next page)."""
    from gmctl import output
    from gmctl.accounts.listing import UserFilter, list_users
    from gmctl.auth.permissions import require

    env = env_of(ctx)
    wanted = UserFilter(
        active=active,
        staff=staff,
        role=role,
        locked=locked,
        created_since=parse_since(since),
        search=search,
        include_erased=include_erased,
        after=after,
        limit=limit,
    )
    with env.transaction() as session:
        require(env, session, VIEW_USERS)
        page = list_users(session, wanted, env.clock())
    output.render_rows(env, page.rows, LIST_COLUMNS, empty="No users match.",
                       terminal_columns=TERMINAL_COLUMNS)
    if page.next_after is not None:
        output.more(env, page.next_after)


def _show(
    ctx: typer.Context,
    user: str = typer.Argument(..., metavar="USER", help="User id, username or email.", parser=params.user_ref),
) -> None:
    """One account: profile, roles with expiry, sign-in state, recent requests. Never its secrets."""
    from gmctl import output
    from gmctl.accounts.lookup import find_user
    from gmctl.accounts.profile import describe_user
    from gmctl.auth.permissions import require

    env = env_of(ctx)
    with env.transaction() as session:
        require(env, session, VIEW_USERS)
        document = describe_user(session, find_user(session, user), env.clock())
    output.render_document(env, document, title=f"user {document['username']}")


def register(app: typer.Typer) -> None:
    command(app, "list", replica=True)(_list)
    command(app, "show", replica=True)(_show)
