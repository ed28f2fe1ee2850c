"""Words on a request: internal notes for staff, replies to the customer.

internal_notes is one text column; a note is appended as its own block
`[2026-11-25 10:00 WAT] ada: text` (continuation lines indented), under the row lock, so notes are
never overwritten and two staff noting at once both land. A reply is a messages row from the
operator to the customer, on the request, threaded under the request's first message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from gmctl.errors import InvalidInput
from gmctl.requests.locking import lock_request
from gmctl.when import lagos_stamp

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MAX_TEXT = 10_000


@dataclass(frozen=True)
class NoteResult:
    request_id: int
    entry: str


@dataclass(frozen=True)
class ReplyResult:
    request_id: int
    message_id: int
    thread_id: int | None
    recipient_id: int
    subject: str


def clean_text(text: str, what: str) -> str:
    value = text.strip()
    if not value:
        raise InvalidInput(f"the {what} is empty", hint=f"give the {what} as an argument")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"the {what} is {len(value)} characters long", hint=f"keep it under {MAX_TEXT:,}")
    return value


def note_entry(operator: Any, text: str, now: datetime) -> str:
    body = "\n  ".join(text.splitlines())
    return f"[{lagos_stamp(now)}] {operator.username}: {body}"


def add_note(
    session: "Session",
    operator: Any,
    request_id: int,
    text: str,
    *,
    now: datetime,
    expect_status: str | None = None,
) -> NoteResult:
    from gmctl import audit

    entry = note_entry(operator, clean_text(text, "note"), now)
    request = lock_request(session, request_id, expect_status=expect_status)
    existing = request.internal_notes or ""
    request.internal_notes = f"{existing.rstrip()}\n{entry}" if existing.strip() else entry
    request.updated_at = now
    audit.record(
        session,
        operator,
        "requests.note",
        "service_request",
        request_id,
        changes={"internal_notes": ("(kept)", f"+ {entry}")},
        at=now,
    )
    return NoteResult(request_id, entry)


def reply(
    session: "Session",
    operator: Any,
    request_id: int,
    text: str,
    *,
    now: datetime,
    expect_status: str | None = None,
) -> ReplyResult:
    from gmctl import audit
    from gmctl.db.models import Message

    content = clean_text(text, "reply")
    request = lock_request(session, request_id, expect_status=expect_status)
    root = session.execute(
        select(Message.id)
        .where(Message.service_request_id == request_id, Message.thread_id.is_(None))
        .order_by(Message.created_at, Message.id)
        .limit(1)
    ).scalar_one_or_none()
    subject = f"Re: request #{request_id}: {request.title}"[:255]
    message = Message(
        sender_id=operator.user_id,
        recipient_id=request.user_id,
        service_request_id=request_id,
        subject=subject,
        content=content,
        message_type="user",
        thread_id=root,
        created_at=now,
    )
    session.add(message)
    request.updated_at = now
    session.flush()
    audit.record(
        session,
        operator,
        "requests.reply",
        "service_request",
        request_id,
        changes={"message": (None, message.id)},
        at=now,
    )
    return ReplyResult(request_id, message.id, root, request.user_id, subject)
