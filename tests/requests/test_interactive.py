"""The terminal-only parts: the triage loop and the staff picker, driven through prompt_toolkit pipes."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from sqlalchemy import select

from gmctl.db.models import Message, ServiceRequest
from gmctl.errors import USAGE
from gmctl.requests.assignment import staff_by_workload
from gmctl.requests.lifecycle import change_status
from gmctl.requests.locking import StatusChanged
from gmctl.requests.queue import queue_row
from gmctl.requests.triage import perform
from tests.conftest import FIXED_NOW, TtyStringIO, invoke
from tests.helpers.accounts import make_user, sign_in

DOWN, ENTER = "\x1b[B", "\r"


@contextmanager
def keys(*typed: str):
    """Everything the person will type, queued up front for the prompts to read in turn."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("".join(typed))
        yield


@pytest.fixture
def terminal(make_env, session, ada):
    env = make_env(out=TtyStringIO(), inp=TtyStringIO())
    sign_in(env, session, ada)
    return env


def fresh(session, request_id):
    return session.get(ServiceRequest, request_id, populate_existing=True)


def test_triage_refuses_to_start_off_a_terminal(cli, ada):
    result = cli("requests", "triage")
    assert result.exit_code == USAGE and "needs a terminal" in result.stderr


def test_triage_takes_moves_replies_skips_and_quits(terminal, session, ada, make_request):
    first = make_request(priority="urgent", title="Burst pipe at the shop")
    second = make_request(priority="normal", title="Paint the gate")
    with keys(
        ENTER,                      # take it
        ENTER, ENTER,               # change status -> confirmed (first allowed move)
        DOWN * 3, ENTER, "On our way by noon", ENTER,  # reply
        DOWN * 5, ENTER,            # skip
        DOWN * 7, ENTER,            # quit, on the second request
    ):  # fmt: skip
        result = invoke(terminal, "requests", "triage")
    assert result.exit_code == 0, result.stderr
    handled = fresh(session, first.id)
    assert (handled.assigned_to, handled.status) == (ada.id, "confirmed")
    reply = session.scalars(select(Message).where(Message.service_request_id == first.id)).one()
    assert reply.content == "On our way by noon"
    assert fresh(session, second.id).status == "pending"
    screen = terminal.out.getvalue()
    assert "Burst pipe at the shop" in screen and "Paint the gate" in screen
    assert "is yours" in result.stderr and "pending -> confirmed" in result.stderr


def test_triage_on_an_empty_queue_says_so(terminal):
    with keys():
        result = invoke(terminal, "requests", "triage")
    assert result.exit_code == 0 and "queue is empty" in result.stderr


def test_a_triage_action_on_a_request_someone_else_moved_is_refused(session, env, ada, bola, make_request):
    request = make_request(status="pending")
    shown = queue_row(session, request.id)
    from gmctl.auth.permissions import load_operator

    change_status(session, load_operator(session, bola.id, FIXED_NOW), request.id, "cancelled", now=FIXED_NOW)
    with pytest.raises(StatusChanged, match="cancelled now, not pending"):
        perform(session, env.operator, "status", shown, "confirmed", now=FIXED_NOW)
    assert fresh(session, request.id).status == "cancelled"


def test_staff_are_offered_least_loaded_first(session, ada, bola, make_request):
    dan = make_user(session, "dan", staff=True, roles=("staff",))
    make_user(session, "gone", staff=True, is_active=False)
    for _ in range(2):
        make_request(assigned_to=bola.id)
    make_request(assigned_to=dan.id)
    make_request(assigned_to=dan.id, status="completed")  # closed work does not count
    assert [(s.username, s.open_requests) for s in staff_by_workload(session)] == [
        ("ada", 0),
        ("dan", 1),
        ("bola", 2),
    ]


def test_assign_without_to_at_a_terminal_picks_from_staff(terminal, session, ada, bola, make_request):
    request = make_request()
    make_request(assigned_to=ada.id)
    with keys(DOWN, ENTER):  # bola (0 open) first, then ada (1 open): pick ada
        result = invoke(terminal, "requests", "assign", str(request.id))
    assert result.exit_code == 0, result.stderr
    assert fresh(session, request.id).assigned_to == ada.id


def test_cancelling_the_picker_assigns_nothing(terminal, session, ada, make_request):
    request = make_request()
    with keys("\x03"):  # Ctrl-C
        result = invoke(terminal, "requests", "assign", str(request.id))
    assert result.exit_code == 1 and "cancelled" in result.stderr
    assert fresh(session, request.id).assigned_to is None
