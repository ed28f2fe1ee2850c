"""The interactive grant through prompt_toolkit pipe input: person, roles, expiry, summary, confirm."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from sqlalchemy import select

from gmctl.db.models import Role, RoleGrant, User
from gmctl.errors import GmctlError, Interrupted, NotFound, NotPermitted
from gmctl.roles import interactive
from gmctl.roles.grants import GrantPlan, grant_roles
from gmctl.roles.interactive import GrantRequest, PeopleCompleter, PromptIO, ask_grant_plan, role_choices
from tests.conftest import FIXED_NOW, TtyStringIO, invoke
from tests.helpers.accounts import make_user
from tests.roles.conftest import audit_entries

DOWN, ENTER, SPACE, CTRL_C, BACKSPACE = "\x1b[B", "\r", " ", "\x03", "\x7f"
NOBODY = GrantRequest(user=None, roles=(), expires_at=None, expires_given=False, reason=None)


@pytest.fixture
def kemi(session):
    return make_user(session, "kemi", staff=True, roles=("customer",), first_name="Kemi", last_name="Okafor",
                     email="kemi.okafor@gmservices.ng")


def ask(env, operator, keys: str, request: GrantRequest = NOBODY) -> tuple[GrantPlan | None, list[str]]:
    """Run the flow on the env's own session (as the command does), typing `keys`."""
    said: list[str] = []
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        plan = ask_grant_plan(env.session(), operator, FIXED_NOW, request, PromptIO(pipe, DummyOutput()),
                              said.append)
    return plan, said


def held(session, username: str) -> dict[str, RoleGrant]:
    rows = session.execute(select(Role.name, RoleGrant).join(RoleGrant, RoleGrant.role_id == Role.id)
                           .join(User, User.id == RoleGrant.user_id).where(User.username == username))
    return {name: grant for name, grant in rows}


def test_pick_by_part_of_a_name_tick_and_untick_set_an_expiry_confirm(env, session, boss, kemi):
    # Roles in order: customer (held: ticked), staff, admin, super_admin.
    keys = "okafor" + ENTER + SPACE + DOWN + SPACE + DOWN + SPACE + ENTER + "30d" + ENTER + "y"
    plan, said = ask(env, boss, keys)
    assert plan == GrantPlan("kemi", ("staff", "admin"), ("customer",), FIXED_NOW + timedelta(days=30), None)
    summary = said[-1]
    assert summary.startswith("Changes to kemi (Kemi Okafor) <kemi.okafor@gmservices.ng>:")
    assert "  + staff, until 2026-12-25 10:00 WAT" in summary and "  - customer" in summary
    grant_roles(session, boss, plan, FIXED_NOW)
    assert set(held(session, "kemi")) == {"staff", "admin"}
    assert held(session, "kemi")["admin"].assigned_by == boss.user_id
    [entry] = audit_entries(session)
    assert entry.action == "roles.change"


def test_the_completer_searches_usernames_names_and_emails(env, session, kemi):
    make_user(session, "okon", first_name="Okon", last_name="Etim")
    completer = PeopleCompleter(env.session())  # it ends its read transaction: not the fixture's session

    def offered(typed: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(typed), None)]

    assert offered("okafor") == ["kemi"]
    assert offered("GMSERVICES") == ["kemi"]
    assert offered("ok") == ["okon", "kemi"]  # usernames that start with it come first
    [completion] = completer.get_completions(Document("kem"), None)
    assert completion.start_position == -3 and "Kemi Okafor" in completion.display_text


def test_an_unknown_person_is_asked_again(env, boss, kemi):
    keys = ("zzz" + ENTER + BACKSPACE * 3 + "kemi.okafor@gmservices.ng" + ENTER
            + DOWN + SPACE + ENTER + ENTER + "y")
    plan, _said = ask(env, boss, keys)
    assert plan is not None and plan.user == "kemi" and plan.grant == ("staff",) and plan.expires_at is None


def test_a_bad_expiry_is_asked_again(env, boss, kemi):
    keys = DOWN + SPACE + ENTER + "soon" + ENTER + BACKSPACE * 4 + "2026-12-31" + ENTER + "y"
    plan, _said = ask(env, boss, keys, GrantRequest("kemi", (), None, False, None))
    assert plan.grant == ("staff",) and plan.expires_at.isoformat() == "2026-12-31T23:00:00+00:00"


def test_ctrl_c_changes_nothing(env, session, boss, kemi):
    for keys in (CTRL_C, "kemi" + ENTER + CTRL_C, "kemi" + ENTER + DOWN + SPACE + ENTER + CTRL_C,
                 "kemi" + ENTER + DOWN + SPACE + ENTER + ENTER + CTRL_C):
        with pytest.raises(Interrupted) as stopped:
            ask(env, boss, keys)
        assert stopped.value.exit_code == 130 and "no roles were changed" in stopped.value.message
    assert set(held(session, "kemi")) == {"customer"} and audit_entries(session) == []


def test_declining_the_summary_changes_nothing(env, boss, kemi):
    with pytest.raises(GmctlError, match="cancelled"):
        ask(env, boss, "kemi" + ENTER + DOWN + SPACE + ENTER + ENTER + "n")


def test_no_change_means_no_question(env, boss, kemi):
    plan, said = ask(env, boss, "kemi" + ENTER + ENTER)
    assert plan is None and said == ["No changes to kemi's roles."]


def test_roles_from_the_command_line_skip_the_checkbox(env, boss, kemi):
    request = GrantRequest(None, ("staff",), FIXED_NOW + timedelta(hours=12), True, "cover")
    plan, said = ask(env, boss, "kem" + ENTER + "y", request)
    assert plan == GrantPlan("kemi", ("staff",), (), FIXED_NOW + timedelta(hours=12), "cover")
    assert "reason: cover" in said[-1]


def test_roles_from_the_command_line_are_checked_before_any_question(env, admin, kemi):
    with pytest.raises(NotFound, match="no role 'pilot'"):
        ask(env, admin, "", GrantRequest(None, ("pilot",), None, False, None))
    with pytest.raises(NotPermitted, match="only a super_admin may grant admin"):
        ask(env, admin, "", GrantRequest(None, ("admin",), None, False, None))


def test_roles_the_operator_may_not_change_are_shown_locked(env, session, admin, kemi):
    make_user(session, "sam", roles=("admin",))
    from gmctl.roles.grants import held_roles

    sam_id = session.scalar(select(User.id).where(User.username == "sam"))
    current = {h.role: h for h in held_roles(session, sam_id, FIXED_NOW)}
    choices = {c.value: c for c in role_choices(session, admin, FIXED_NOW, current)}
    assert choices["admin"].checked and "only a super_admin may revoke admin" in choices["admin"].disabled
    assert "only a super_admin may grant super_admin" in choices["super_admin"].disabled
    assert choices["staff"].disabled is None
    # Enter at once: the locked, ticked admin is not revoked.
    plan, said = ask(env, admin, "sam" + ENTER + ENTER)
    assert plan is None


def test_an_expired_grant_shows_unticked_and_ticking_it_renews(env, session, boss):
    make_user(session, "lapsed", roles=("staff",), role_expires_at=FIXED_NOW - timedelta(days=1))
    plan, said = ask(env, boss, "lapsed" + ENTER + DOWN + SPACE + ENTER + ENTER + "y")
    assert plan.grant == ("staff",) and "(again: replaces its expiry)" in said[-1]


def test_the_command_on_a_terminal_runs_the_flow(make_env, session, boss, kemi, monkeypatch):
    env = make_env(out=TtyStringIO(), inp=TtyStringIO())
    env.operator = boss
    with create_pipe_input() as pipe:
        monkeypatch.setattr(interactive, "terminal_io", lambda: PromptIO(pipe, DummyOutput()))
        pipe.send_text("kemi" + ENTER + DOWN + SPACE + DOWN + SPACE + ENTER + ENTER + "y")
        result = invoke(env, "roles", "grant", "--reason", "cover")
    assert result.exit_code == 0, result.stderr
    assert "Granted staff to kemi, no expiry." in result.stderr
    rows = held(session, "kemi")
    assert set(rows) == {"customer", "staff", "admin"}
    assert rows["staff"].assigned_by == rows["admin"].assigned_by == boss.user_id


def test_ctrl_c_in_the_command_exits_130_and_changes_nothing(make_env, session, boss, kemi, monkeypatch):
    env = make_env(out=TtyStringIO(), inp=TtyStringIO())
    env.operator = boss
    with create_pipe_input() as pipe:
        monkeypatch.setattr(interactive, "terminal_io", lambda: PromptIO(pipe, DummyOutput()))
        pipe.send_text("kemi" + ENTER + DOWN + SPACE + ENTER + CTRL_C)
        result = invoke(env, "roles", "grant", "--user", "kemi")
    assert result.exit_code == 130 and "cancelled: no roles were changed" in result.stderr
    assert set(held(session, "kemi")) == {"customer"} and audit_entries(session) == []
