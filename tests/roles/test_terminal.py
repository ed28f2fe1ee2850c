"""The real installed `gmctl roles grant` in a pseudo-terminal, on a committed scratch database.

The operator signs in through the real `gmctl login --password-stdin`; pexpect then types as a person
would: part of a surname, a pick from the completion menu, two roles ticked, an expiry, a yes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gmctl.db.engine import make_engine
from gmctl.db.models import Role, RoleGrant, SystemLog, User
from tests.helpers.accounts import make_user

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.slow

DOWN, ENTER, SPACE = "\x1b[B", "\r", " "
PASSWORD = "correct horse battery staple"


def gmctl_command() -> list[str]:
    beside = Path(sys.executable).with_name("gmctl")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "gmctl"]


@pytest.fixture
def scratch(scratch_url):
    engine = make_engine(scratch_url)
    with Session(engine) as session:
        boss = make_user(session, "boss", staff=True, roles=("super_admin",), password=PASSWORD)
        kemi = make_user(session, "kemi", staff=True, first_name="Kemi", last_name="Okafor")
        make_user(session, "okon", staff=True, first_name="Okon", last_name="Etim")
        session.commit()
        ids = boss.id, kemi.id
    yield engine, ids
    engine.dispose()


def test_grant_two_roles_from_a_real_terminal(scratch, scratch_url, tmp_path):
    engine, (boss_id, kemi_id) = scratch
    environ = {k: v for k, v in os.environ.items()
               if k not in ("GMCTL_DATABASE_URL", "DATABASE_URL", "GMCTL_PROFILE", "GMCTL_DEBUG")}
    environ.update(GMCTL_DATABASE_URL=scratch_url, GMCTL_HOME=str(tmp_path / "home"), TERM="xterm",
                   NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="120", LINES="40")
    login = subprocess.run([*gmctl_command(), "login", "--username", "boss", "--password-stdin"], env=environ,
                           input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    assert login.returncode == 0, login.stderr

    command = gmctl_command()
    child = pexpect.spawn(command[0], [*command[1:], "roles", "grant"], env=environ, encoding="utf-8",
                          dimensions=(40, 120), timeout=60)
    try:
        child.expect("User")
        child.send("ok")  # okon by username, kemi by surname: only the menu can tell them apart
        child.expect("Kemi Okafor")  # the completion menu, from the database
        child.send(DOWN + DOWN)  # okon (starts with it) comes first, then kemi
        child.send(ENTER)
        child.expect("Roles of kemi")
        child.expect("super_admin")
        # customer, staff, admin, super_admin: tick staff and admin.
        child.send(DOWN + SPACE + DOWN + SPACE)
        child.send(ENTER)
        child.expect("Expiry")
        child.send("30d" + ENTER)
        child.expect("Apply these changes")
        child.send("y")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    transcript = child.before or ""
    assert child.exitstatus == 0, transcript
    assert "Granted staff to kemi" in transcript and "Granted admin to kemi" in transcript

    with Session(engine) as session:
        rows = session.execute(select(Role.name, RoleGrant.assigned_by, RoleGrant.expires_at)
                               .join(RoleGrant, RoleGrant.role_id == Role.id)
                               .where(RoleGrant.user_id == kemi_id)).all()
        assert {name for name, _by, _until in rows} == {"staff", "admin"}
        assert all(by == boss_id and until is not None for _name, by, until in rows)
        entry = session.scalar(select(SystemLog).where(SystemLog.action == "roles.grant"))
        assert entry.actor_id == boss_id and entry.target_id == str(kemi_id)
        assert session.scalar(select(User.username).where(User.id == boss_id)) == "boss"
