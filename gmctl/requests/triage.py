"""The triage loop's rules: which request comes next and what can be done to it.

The loop walks the queue in its usual order, skipping what this sitting already handled or
skipped. Every action is its own transaction and carries the status the person was shown as
--expect-status would: if somebody else moved the request meanwhile, the action is refused with
the request's current state and nothing is lost. The prompts live in gmctl.cli.requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gmctl.errors import InvalidInput
from gmctl.requests.queue import QueueFilter, QueueRow, list_requests

ACTIONS = ("take", "status", "priority", "urgency", "reply", "note", "skip", "quit")
PAGE = 25


@dataclass
class TriageSitting:
    """One run of `requests triage`: its filter and the requests already seen."""

    flt: QueueFilter
    operator_id: int
    seen: set[int] = field(default_factory=set)

    def next_request(self, session: Any) -> QueueRow | None:
        after = None
        while True:
            page = list_requests(session, self.flt, operator_id=self.operator_id, limit=PAGE, after=after)
            for row in page.rows:
                if row.id not in self.seen:
                    return row
            if page.next_cursor is None:
                return None
            after = page.next_cursor

    def done_with(self, request_id: int) -> None:
        self.seen.add(request_id)


def actions_for(row: QueueRow, operator_username: str) -> list[str]:
    """The actions worth offering: no `take` for a request the operator already has."""
    return [a for a in ACTIONS if not (a == "take" and row.assignee == operator_username)]


def perform(session: Any, operator: Any, action: str, row: QueueRow, value: Any, *, now: datetime) -> str:
    """Do one action on the request as it was shown; return what happened, in words."""
    from gmctl.requests import assignment, conversation, lifecycle, pricing

    shown = row.status
    if action == "take":
        result = assignment.assign(session, operator, row.id, "me", now=now, expect_status=shown)
        return f"#{row.id} is yours" if result.changed else f"#{row.id} was already yours"
    if action == "status":
        changed = lifecycle.change_status(session, operator, row.id, value, now=now, expect_status=shown)
        return f"#{row.id}: {changed.previous_status} -> {changed.new_status}"
    if action == "priority":
        result = pricing.set_priority(session, operator, row.id, value, now=now, expect_status=shown)
        return f"#{row.id}: priority {result.old} -> {result.new}"
    if action == "urgency":
        result = pricing.set_urgency(session, operator, row.id, int(value), now=now, expect_status=shown)
        return f"#{row.id}: urgency {result.old} -> {result.new}"
    if action == "reply":
        sent = conversation.reply(session, operator, row.id, value, now=now, expect_status=shown)
        return f"#{row.id}: reply sent (message {sent.message_id})"
    if action == "note":
        conversation.add_note(session, operator, row.id, value, now=now, expect_status=shown)
        return f"#{row.id}: note added"
    raise InvalidInput(f"unknown triage action {action!r}", hint=f"actions: {', '.join(ACTIONS)}")
