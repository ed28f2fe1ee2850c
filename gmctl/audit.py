"""The audit trail: one system_logs row per mutating command, naming who did what to which record.

Secrets never reach the log: fields named in SECRET_FIELDS are dropped from `changes` whatever the
caller passes, so a password reset is logged as "reset-password user 42" and nothing more.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gmctl.auth.operator import Operator

SECRET_FIELDS = frozenset(
    {
        "password",
        "password_hash",
        "mfa_secret",
        "backup_codes",
        "token",
        "token_hash",
        "otp",
        "secret",
    }
)


def record(
    session: "Session",
    operator: "Operator | None",
    action: str,
    target_type: str,
    target_id: str | int | None,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    message: str | None = None,
    level: str = "INFO",
    *,
    at: datetime | None = None,
) -> None:
    """Write ONE system_logs row in the caller's transaction. `changes` maps field -> (old, new)."""
    from gmctl.db.models import SystemLog

    entry = SystemLog(
        level=level,
        message=message or default_message(operator, action, target_type, target_id),
        actor_id=operator.user_id if operator is not None else None,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        changes=public_changes(changes),
    )
    if at is not None:
        entry.created_at = at
    session.add(entry)
    session.flush()


def public_changes(changes: Mapping[str, tuple[Any, Any]] | None) -> dict[str, dict[str, Any]]:
    """{"field": {"old": .., "new": ..}} in JSON-safe values, secret fields left out."""
    from gmctl.output import to_plain

    result: dict[str, dict[str, Any]] = {}
    for field, (old, new) in (changes or {}).items():
        if field.lower() in SECRET_FIELDS:
            continue
        result[field] = {"old": to_plain(old), "new": to_plain(new)}
    return result


def default_message(
    operator: "Operator | None", action: str, target_type: str, target_id: str | int | None
) -> str:
    # The actor is in actor_id, not in the text: erasing a person must not mean rewriting log lines.
    what = f"{target_type} {target_id}" if target_id is not None else target_type
    return f"{action} {what}" if operator is not None else f"{action} {what} (no operator)"


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields whose value changed, as field -> (old, new)."""
    return {k: (before.get(k), after[k]) for k in after if before.get(k) != after[k]}
