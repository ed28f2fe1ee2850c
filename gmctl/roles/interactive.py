"""`gmctl roles grant` on a terminal: pick the person, tick the roles, maybe an expiry, confirm.

The flow only reads; it returns a GrantPlan that grants.grant_roles applies in its own transaction.
It ends its read transaction before every prompt, so a person thinking holds no locks (a waiting
ALTER TABLE would otherwise queue everyone behind them). Tests pass prompt_toolkit input/output objects
through PromptIO; Ctrl-C raises Interrupted and nothing has been written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable

import questionary
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.document import Document
from questionary import Choice
from sqlalchemy import select
from sqlalchemy.orm import Session

from gmctl.db.models import Role
from gmctl.errors import GmctlError, Interrupted, NotFound
from gmctl.roles.authority import assignment_refusals, ensure_may_assign
from gmctl.roles.expiry import describe_expiry, parse_expiry
from gmctl.roles.grants import GrantPlan, HeldRole, held_roles, roles_named
from gmctl.roles.people import Person, find_person, search_people

if TYPE_CHECKING:
    from gmctl.auth.operator import Operator

EXPIRY_QUESTION = "Expiry for the roles you add (30d, 12h, 2026-12-31; blank for none):"


@dataclass(frozen=True)
class PromptIO:
    """prompt_toolkit Input and Output; None means the real terminal."""

    input: Any = None
    output: Any = None

    def kwargs(self) -> dict[str, Any]:
        given = (("input", self.input), ("output", self.output))
        return {key: value for key, value in given if value is not None}


@dataclass(frozen=True)
class GrantRequest:
    """What the command line already said; the flow asks for the rest."""

    user: str | None
    roles: tuple[str, ...]
    expires_at: datetime | None
    expires_given: bool
    reason: str | None


def terminal_io() -> PromptIO:
    """The prompts' input and output (a seam for tests of the command through CliRunner)."""
    return PromptIO()


def ask_grant_plan(session: Session, operator: "Operator", now: datetime, request: GrantRequest, io: PromptIO,
                   say: Callable[[str], None]) -> GrantPlan | None:
    """The changes a person chose and confirmed, or None when there is nothing to change."""
    try:
        return _ask(session, operator, now, request, io, say)
    except KeyboardInterrupt:
        raise Interrupted("cancelled: no roles were changed") from None


def _ask(session: Session, operator: "Operator", now: datetime, request: GrantRequest, io: PromptIO,
         say: Callable[[str], None]) -> GrantPlan | None:
    if request.roles:  # refuse unknown or forbidden roles before anyone types anything
        ensure_may_assign(session, operator, roles_named(session, request.roles).values(), now, "grant")
    person = find_person(session, request.user) if request.user else _ask_person(session, io)
    held = {h.role: h for h in held_roles(session, person.id, now)}
    if request.roles:
        grant, revoke = tuple(request.roles), ()
    else:
        grant, revoke = _ask_roles(session, operator, now, person, held, io)
    if not grant and not revoke:
        say(f"No changes to {person.username}'s roles.")
        return None
    expires_at = request.expires_at
    if grant and not request.expires_given:
        expires_at = _ask_expiry(session, now, io)
    plan = GrantPlan(person.username, grant, revoke, expires_at, request.reason)
    say(summary(person, plan, held))
    _end_read(session)
    if not questionary.confirm("Apply these changes?", default=False, **io.kwargs()).unsafe_ask():
        raise GmctlError("cancelled: no roles were changed")
    return plan


def _end_read(session: Session) -> None:
    session.rollback()


# -- the person -------------------------------------------------------------------------------------------
class PeopleCompleter(Completer):
    """Completes a username from part of a username, name or email, asking the database as one types."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_completions(self, document: Document, complete_event: Any) -> Iterable[Completion]:
        typed = document.text_before_cursor
        people = search_people(self.session, typed)
        _end_read(self.session)
        for person in people:
            inactive = "" if person.is_active else "  [deactivated]"
            yield Completion(person.username, start_position=-len(typed), display=person.label + inactive)


def resolve_typed_person(session: Session, typed: str) -> Person:
    """What the person typed: an exact username, email or id, else the one user it is part of."""
    try:
        return find_person(session, typed)
    except NotFound:
        matches = search_people(session, typed, limit=2)
        if len(matches) == 1 and typed.strip():
            return matches[0]
        raise


def _ask_person(session: Session, io: PromptIO) -> Person:
    def validate(typed: str) -> bool | str:
        try:
            resolve_typed_person(session, typed)
        except GmctlError:
            return "Type part of a username, name or email and pick someone from the list"
        finally:
            _end_read(session)
        return True

    _end_read(session)
    typed = questionary.autocomplete("User (type part of a username, name or email):", choices=[],
                                     completer=PeopleCompleter(session), validate=validate,
                                     validate_while_typing=False, **io.kwargs()).unsafe_ask()
    return resolve_typed_person(session, typed)


# -- the roles ----------------------------------------------------------------------------------------------
def role_choices(session: Session, operator: "Operator", now: datetime,
                 held: dict[str, HeldRole]) -> list[Choice]:
    """Every role; the ones in force ticked; the ones the operator may not change shown but locked."""
    roles = list(session.scalars(select(Role).order_by(Role.is_system_role.desc(), Role.id)))
    may_not_grant = assignment_refusals(session, operator, roles, now, "grant")
    may_not_revoke = assignment_refusals(session, operator, roles, now, "revoke")
    choices = []
    for role in roles:
        current = held.get(role.name)
        in_force = current is not None and current.in_force
        locked = (may_not_revoke if in_force else may_not_grant).get(role.name)
        title = f"{role.name:<16} {role.display_name}{_held_note(current)}"
        choices.append(Choice(title, value=role.name, checked=in_force, disabled=locked))
    return choices


def _held_note(current: HeldRole | None) -> str:
    if current is None:
        return ""
    if not current.in_force:
        return "  (expired; tick to grant again)"
    return f"  (held, {describe_expiry(current.expires_at)})"


def _ask_roles(session: Session, operator: "Operator", now: datetime, person: Person,
               held: dict[str, HeldRole], io: PromptIO) -> tuple[tuple[str, ...], tuple[str, ...]]:
    choices = role_choices(session, operator, now, held)
    _end_read(session)
    chosen = set(questionary.checkbox(f"Roles of {person.username} (space ticks, enter accepts):",
                                      choices=choices, **io.kwargs()).unsafe_ask())
    changeable = [c.value for c in choices if not c.disabled]
    in_force = {name for name, h in held.items() if h.in_force}
    grant = tuple(name for name in changeable if name in chosen and name not in in_force)
    revoke = tuple(name for name in changeable if name in in_force and name not in chosen)
    return grant, revoke


# -- expiry and summary ----------------------------------------------------------------------------------
def _ask_expiry(session: Session, now: datetime, io: PromptIO) -> datetime | None:
    def validate(text: str) -> bool | str:
        try:
            parse_expiry(text, now)
        except GmctlError as exc:
            return exc.message
        return True

    _end_read(session)
    answer = questionary.text(EXPIRY_QUESTION, validate=validate, **io.kwargs()).unsafe_ask()
    return parse_expiry(answer, now)


def summary(person: Person, plan: GrantPlan, held: dict[str, HeldRole]) -> str:
    lines = [f"Changes to {person.label}:"]
    for name in plan.grant:
        again = " (again: replaces its expiry)" if name in held else ""
        lines.append(f"  + {name}, {describe_expiry(plan.expires_at)}{again}")
    lines += [f"  - {name}" for name in plan.revoke]
    if plan.reason:
        lines.append(f"  reason: {plan.reason}")
    return "\n".join(lines)

