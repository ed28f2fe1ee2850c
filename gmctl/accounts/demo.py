"""Demo accounts for `gmctl db seed --demo`: an administrator and two staff members.

Each gets a freshly generated strong password, returned so the seed can print it once. Run again,
the accounts are kept and their passwords replaced, so the printed ones always work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DEMO_PEOPLE = (
    # username, first name, last name, role
    ("demo_admin", "Adaeze", "Okafor", "admin"),
    ("demo_staff_tunde", "Tunde", "Bakare", "staff"),
    ("demo_staff_zainab", "Zainab", "Musa", "staff"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    user_id: int


def create_demo_accounts(session: "Session", now: datetime) -> list[DemoAccount]:
    from sqlalchemy import select

    from gmctl.accounts.lifecycle import NewAccount, create_account, reset_password
    from gmctl.db.models import User

    accounts = []
    for username, first, last, role in DEMO_PEOPLE:
        existing = session.scalars(select(User).where(User.username == username)).first()
        if existing is None:
            result = create_account(
                session,
                None,
                NewAccount(
                    username=username,
                    email=f"{username.replace('_', '.')}@demo.gmservices.ng",
                    first_name=first,
                    last_name=last,
                    staff=True,
                    roles=(role,),
                ),
                now,
            )
        else:
            _reactivate(existing)
            result = reset_password(session, None, existing, None, now)
        accounts.append(DemoAccount(username, result.generated_password or "", role, result.user_id))
    return accounts


def _reactivate(user) -> None:
    user.is_active, user.is_staff, user.locked_at, user.failed_login_attempts = True, True, None, 0
