"""Who holds which role until when: grant, revoke, and the sweep of expired grants.

A grant past expires_at confers nothing from that moment (every check filters on it); the sweep only
tidies the rows away. Granting a role again replaces its expiry (no --expires: no expiry) and says so.
One command writes one audit entry, except the sweep: each removed grant is its own entry, about its user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, aliased

from gmctl.audit import record
from gmctl.db.models import Role, RoleGrant, User
from gmctl.errors import InvalidInput, NotFound
from gmctl.roles.authority import SUPER_ADMIN, ensure_may_assign, ensure_super_admin_remains, in_force
from gmctl.roles.expiry import describe_expiry
from gmctl.roles.people import Person, find_person

if TYPE_CHECKING:
    from gmctl.auth.operator import Operator

GRANTED, RENEWED, UNCHANGED, REVOKED, NOT_HELD = "granted", "renewed", "unchanged", "revoked", "not held"


@dataclass(frozen=True)
class GrantPlan:
    """What to change for one person: roles to grant (all with one expiry) and roles to revoke."""

    user: str
    grant: tuple[str, ...] = ()
    revoke: tuple[str, ...] = ()
    expires_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class GrantChange:
    username: str
    role: str
    outcome: str  # granted | renewed | unchanged | revoked | not held
    old_expires_at: datetime | None
    new_expires_at: datetime | None
    message: str

    @property
    def changed(self) -> bool:
        return self.outcome in (GRANTED, RENEWED, REVOKED)


@dataclass(frozen=True)
class HeldRole:
    role: str
    display_name: str
    expires_at: datetime | None
    in_force: bool


@dataclass(frozen=True)
class SweptGrant:
    username: str
    role: str
    expires_at: datetime
    assigned_by: str | None


# -- reading ---------------------------------------------------------------------------------------------
def held_roles(session: Session, user_id: int, now: datetime) -> list[HeldRole]:
    query = (select(Role.name, Role.display_name, RoleGrant.expires_at)
             .join(RoleGrant, RoleGrant.role_id == Role.id)
             .where(RoleGrant.user_id == user_id).order_by(Role.id))
    return [HeldRole(name, display, expires, expires is None or expires > now)
            for name, display, expires in session.execute(query)]


def all_roles(session: Session) -> list[tuple[str, str]]:
    return [tuple(row) for row in session.execute(  # type: ignore[misc]
        select(Role.name, Role.display_name).order_by(Role.is_system_role.desc(), Role.id))]


def list_expired(session: Session, now: datetime) -> list[SweptGrant]:
    """The grants the next sweep would remove."""
    return [grant for _grant_id, _user_id, grant in expired_grants(session, now)]


def expired_grants(session: Session, now: datetime, *,
                   lock: bool = False) -> list[tuple[int, int, SweptGrant]]:
    """(grant id, user id, grant) of every grant past its expiry, oldest expiry first."""
    assigner = aliased(User)
    query = (
        select(RoleGrant.id, RoleGrant.user_id, User.username, Role.name, RoleGrant.expires_at,
               assigner.username)
        .join(User, User.id == RoleGrant.user_id)
        .join(Role, Role.id == RoleGrant.role_id)
        .outerjoin(assigner, assigner.id == RoleGrant.assigned_by)
        .where(~in_force(now))
        .order_by(RoleGrant.expires_at, RoleGrant.id)
    )
    if lock:
        # A grant being renewed right now is skipped: the renewal wins, the next sweep decides.
        query = query.with_for_update(of=RoleGrant, skip_locked=True)
    return [(grant_id, user_id, SweptGrant(username, role, expires_at, by))
            for grant_id, user_id, username, role, expires_at, by in session.execute(query)]


# -- changing --------------------------------------------------------------------------------------------
def grant_roles(session: Session, operator: "Operator", plan: GrantPlan, now: datetime) -> list[GrantChange]:
    """Apply a plan in the caller's transaction. All of it or, on any refusal, none of it."""
    _check_plan(plan, now)
    roles = roles_named(session, [*plan.grant, *plan.revoke])
    to_grant = [roles[name] for name in plan.grant]
    to_revoke = [roles[name] for name in plan.revoke]
    ensure_may_assign(session, operator, to_grant, now, "grant")
    ensure_may_assign(session, operator, to_revoke, now, "revoke")
    if SUPER_ADMIN in roles:
        # The last-super_admin rule counts other holders: changes to super_admin take turns.
        session.execute(select(Role.id).where(Role.name == SUPER_ADMIN).with_for_update())
    person = find_person(session, plan.user, lock=True)
    if to_grant and not person.is_active:
        raise InvalidInput(f"{person.username} is deactivated: a role would give them nothing",
                           hint="reactivate the account first (`gmctl users`)")
    existing = {grant.role_id: grant for grant in session.scalars(
        select(RoleGrant).where(RoleGrant.user_id == person.id,
                                RoleGrant.role_id.in_([role.id for role in roles.values()])))}
    changes = [_grant_one(session, operator, person, role, existing.get(role.id), plan.expires_at, now)
               for role in to_grant]
    changes += [_revoke_one(session, person, role, existing.get(role.id), now) for role in to_revoke]
    _audit(session, operator, person, plan, [c for c in changes if c.changed])
    return changes


def _check_plan(plan: GrantPlan, now: datetime) -> None:
    if not plan.grant and not plan.revoke:
        raise InvalidInput("no role named", hint="pass --role ROLE (repeat it for several)")
    both = sorted(set(plan.grant) & set(plan.revoke))
    if both:
        raise InvalidInput(f"{', '.join(both)} is both granted and revoked", hint="name each role once")
    if plan.expires_at is not None and plan.expires_at <= now:
        raise InvalidInput("the expiry is in the past", hint="give a future date or a duration like 30d")


def roles_named(session: Session, names: Sequence[str]) -> dict[str, Role]:
    wanted = list(dict.fromkeys(names))
    found = {role.name: role for role in session.scalars(select(Role).where(Role.name.in_(wanted)))}
    missing = [name for name in wanted if name not in found]
    if missing:
        raise NotFound(f"no role {', '.join(repr(m) for m in missing)}",
                       hint="`gmctl roles list` shows the roles")
    return {name: found[name] for name in wanted}


def _grant_one(session: Session, operator: "Operator", person: Person, role: Role, grant: RoleGrant | None,
               expires_at: datetime | None, now: datetime) -> GrantChange:
    def change(outcome: str, old: datetime | None, message: str) -> GrantChange:
        return GrantChange(person.username, role.name, outcome, old, expires_at, message)

    if grant is None:
        session.add(RoleGrant(user_id=person.id, role_id=role.id, assigned_by=operator.user_id,
                              assigned_at=now, expires_at=expires_at))
        granted = f"Granted {role.name} to {person.username}, {describe_expiry(expires_at)}."
        return change(GRANTED, None, granted)
    old = grant.expires_at
    lapsed = old is not None and old <= now
    if not lapsed and old == expires_at:
        return change(UNCHANGED, old, f"{person.username} already holds {role.name}, {describe_expiry(old)}; "
                                      "nothing changed.")
    if role.name == SUPER_ADMIN and expires_at is not None and not lapsed and person.is_active:
        ensure_super_admin_remains(session, person.id, now,
                                   f"put an expiry on {person.username}'s super_admin")
    grant.expires_at, grant.assigned_by, grant.assigned_at = expires_at, operator.user_id, now
    before = "had expired" if lapsed else f"was {describe_expiry(old)}"
    return change(RENEWED, old, f"{person.username} already had {role.name} ({before}); "
                                f"expiry updated: now {describe_expiry(expires_at)}.")


def _revoke_one(session: Session, person: Person, role: Role, grant: RoleGrant | None,
                now: datetime) -> GrantChange:
    if grant is None:
        return GrantChange(person.username, role.name, NOT_HELD, None, None,
                           f"{person.username} does not hold {role.name}; nothing to revoke.")
    lapsed = grant.expires_at is not None and grant.expires_at <= now
    if role.name == SUPER_ADMIN and not lapsed and person.is_active:
        ensure_super_admin_remains(session, person.id, now, f"revoke super_admin from {person.username}")
    session.delete(grant)
    note = " (it had already expired)" if lapsed else ""
    return GrantChange(person.username, role.name, REVOKED, grant.expires_at, None,
                       f"Revoked {role.name} from {person.username}{note}.")


def _audit(session: Session, operator: "Operator", person: Person, plan: GrantPlan,
           changes: list[GrantChange]) -> None:
    if not changes:
        return
    session.flush()
    kinds = {c.outcome == REVOKED for c in changes}
    action = "roles.change" if len(kinds) == 2 else ("roles.revoke" if True in kinds else "roles.grant")
    summary = "; ".join(f"{c.outcome} {c.role}" for c in changes)
    reason = f" (reason: {plan.reason})" if plan.reason else ""
    record(session, operator, action, "user", person.id,
           {f"role:{c.role}": (_held(c.old_expires_at, c.outcome != GRANTED),
                               _held(c.new_expires_at, c.outcome != REVOKED)) for c in changes},
           message=f"{person.username}: {summary}{reason}")


def _held(expires_at: datetime | None, held: bool) -> dict[str, str | None] | None:
    return {"expires_at": expires_at.isoformat() if expires_at else None} if held else None


def sweep_expired(session: Session, operator: "Operator | None", now: datetime) -> list[SweptGrant]:
    """Delete every grant past its expiry; one audit entry per grant. Safe to run concurrently."""
    found = expired_grants(session, now, lock=True)
    if not found:
        return []
    session.execute(delete(RoleGrant).where(RoleGrant.id.in_([grant_id for grant_id, _u, _g in found])))
    by = "sweep" if operator is None else f"sweep by {operator.username}"
    for _grant_id, user_id, grant in found:
        record(session, operator, "roles.expire", "user", user_id,
               {f"role:{grant.role}": ({"expires_at": grant.expires_at.isoformat()}, None)},
               message=f"{by}: removed {grant.username}'s {grant.role}, "
                       f"expired {grant.expires_at.isoformat()}")
    return [grant for _grant_id, _user_id, grant in found]
