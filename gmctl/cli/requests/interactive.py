"""The parts of `requests` that need a person at a terminal: the triage loop and the staff picker.

Prompts are questionary (prompt_toolkit) and only ever run when env.interactive: off a terminal
`triage` exits 2 and `assign` without --to exits 2 naming --to. Each triage action is its own
transaction, taken with the status the person was shown as the expected status.
"""

from __future__ import annotations

from typing import Any, List, Optional

import typer

from gmctl import output
from gmctl.cli.base import command, env_of
from gmctl.cli.requests import options
from gmctl.context import Env

ACTION_LABELS = {
    "take": "take it (assign to me)",
    "status": "change status",
    "priority": "set priority",
    "urgency": "set urgency",
    "reply": "reply to the customer",
    "note": "add an internal note",
    "skip": "skip to the next request",
    "quit": "quit",
}


def register(app: typer.Typer) -> None:
    @command(app, "triage")
    def triage(
        ctx: typer.Context,
        service_type: Optional[List[str]] = options.TYPE,
        priority: Optional[List[str]] = options.PRIORITY,
        assigned_to: Optional[str] = options.ASSIGNED,
        status: Optional[List[str]] = options.STATUS,
    ) -> None:
        """Work through the open queue at a terminal: take, move, prioritise, reply, skip or quit."""
        env = env_of(ctx)
        if not env.interactive:
            from gmctl.errors import InvalidInput

            raise InvalidInput(
                "requests triage needs a terminal",
                hint="in scripts use `requests list` and the single commands (assign, status, ...)",
            )
        flt = options.queue_filter(env, status, service_type, priority, None, assigned_to, None, None, None)
        run_triage(env, flt)


def run_triage(env: Env, flt: Any) -> None:
    from gmctl.auth.permissions import require
    from gmctl.errors import GmctlError
    from gmctl.requests.triage import TriageSitting

    with env.transaction() as session:
        operator = require(env, session, "triage_services")
    sitting = TriageSitting(flt, operator.user_id)
    current = None
    handled = 0
    while True:
        current, doc, allowed = _load(env, sitting, current)
        if current is None:
            output.note(
                env, "The queue is empty." if not handled else f"Done: {handled} action(s); queue is empty."
            )
            return
        print_card(env, current, doc)
        action = ask_select(
            "What now?", [(ACTION_LABELS[a], a) for a in _actions(current, operator.username)]
        )
        if action in (None, "quit"):
            return
        if action == "skip":
            sitting.done_with(current.id)
            current = None
            continue
        value = _ask_value(action, current, allowed)
        if value is None:
            continue
        try:
            with env.transaction() as session:
                acting = require(env, session, "triage_services")
                from gmctl.requests.triage import perform

                output.success(env, perform(session, acting, action, current, value, now=env.clock()))
            handled += 1
        except GmctlError as exc:  # refused (somebody moved it meanwhile, a bad value): say why, carry on
            output.error(env, exc.message, exc.hint)


def _actions(row: Any, username: str) -> list[str]:
    from gmctl.requests.triage import actions_for

    return actions_for(row, username)


def _load(env: Env, sitting: Any, current: Any) -> tuple[Any, Any, tuple[str, ...]]:
    """The request to show (the current one re-read, or the next in the queue), its document and moves."""
    from gmctl.requests.detail import request_document
    from gmctl.requests.lifecycle import next_statuses
    from gmctl.requests.queue import queue_row

    with env.transaction() as session:
        if current is not None:
            fresh = queue_row(session, current.id)
            if fresh is None or fresh.status not in sitting.flt.statuses:
                if fresh is not None:
                    output.note(env, f"#{fresh.id} is {fresh.status} now: it has left this queue")
                sitting.done_with(current.id)
                fresh = None
            current = fresh
        if current is None:
            current = sitting.next_request(session)
        if current is None:
            return None, None, ()
        return (
            current,
            request_document(session, current.id),
            next_statuses(session, current.id, current.status),
        )


def _ask_value(action: str, row: Any, allowed: tuple[str, ...]) -> Any:
    if action == "take":
        return True
    if action == "status":
        if not allowed:
            return None
        return ask_select(f"Move #{row.id} from {row.status} to", [(s, s) for s in allowed])
    if action == "priority":
        return ask_select(
            "Priority", [(p, p) for p in ("urgent", "high", "normal", "low")], default=row.priority
        )
    if action == "urgency":
        return ask_select("Urgency", [(f"{n}", n) for n in (5, 4, 3, 2, 1)])
    label = "Reply to the customer" if action == "reply" else "Internal note"
    text = ask_text(f"{label} (empty to cancel):")
    if text is None or not text.strip():
        return None
    return text


def print_card(env: Env, row: Any, doc: Any) -> None:
    from rich.text import Text

    console = output.console(env)
    req = doc["request"]
    console.print(Text(f"\n#{row.id}  {row.title}", style="bold"), Text(f"[{row.status}]", style="cyan"))
    console.print(
        Text(
            f"{row.priority} · urgency {row.urgency} · {row.service_type} · customer {row.customer or '-'}"
            f" · assigned {row.assignee or 'nobody'} · created "
            f"{output.relative_time(row.created_at, env.clock()) if row.created_at else '-'}"
        )
    )
    description = (req.get("description") or "").strip()
    if description:
        console.print(Text(description[:400] + ("…" if len(description) > 400 else ""), style="dim"))
    for change in doc["history"][-3:]:
        console.print(
            Text(
                f"  {change['from'] or 'new'} -> {change['to']} by {change['by'] or 'system'}"
                f" {output.relative_time(change['at'], env.clock()) if change['at'] else ''}",
                style="dim",
            )
        )


# -- prompts (questionary; tests drive them through prompt_toolkit's app session) -------------
def ask_select(message: str, choices: list[tuple[str, Any]], default: Any = None) -> Any:
    import questionary

    options = [questionary.Choice(title=label, value=value) for label, value in choices]
    chosen = next((o for o in options if o.value == default), None)
    return questionary.select(message, choices=options, default=chosen).ask()


def ask_text(message: str) -> str | None:
    import questionary

    return questionary.text(message).ask()


def pick_staff(env: Env) -> str:
    """The assignee chosen at a terminal from active staff, least open work first."""
    from gmctl.auth.permissions import require
    from gmctl.errors import GmctlError, InvalidInput, NotFound
    from gmctl.requests.assignment import staff_by_workload

    if not env.interactive:
        raise InvalidInput("--to is required when not at a terminal", hint="pass --to USER or --to me")
    with env.transaction() as session:
        require(env, session, "triage_services")
        staff = staff_by_workload(session)
    if not staff:
        raise NotFound("there is no active staff member to assign to")
    width = max(len(s.username) for s in staff)
    choice = ask_select(
        "Assign to (least open work first)",
        [(f"{s.username:<{width}}  {s.open_requests:>4} open  {s.name}", s.username) for s in staff],
    )
    if choice is None:
        raise GmctlError("cancelled: nothing was assigned")
    return choice
