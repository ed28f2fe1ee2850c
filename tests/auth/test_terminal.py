"""A real pseudo-terminal: the password prompt does not echo, and the session works in the next process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy.orm import Session

from tests.auth.conftest import PASSWORD
from tests.helpers.accounts import make_user

pexpect = pytest.importorskip("pexpect")


@pytest.mark.slow
def test_login_prompts_without_echo_on_a_terminal(scratch_url, scratch_engine, tmp_path):
    with Session(scratch_engine) as session:
        make_user(session, "stella", staff=True, roles=("staff",), password=PASSWORD)
        session.commit()
    environ = {
        **os.environ,
        "GMCTL_DATABASE_URL": scratch_url,
        "GMCTL_HOME": str(tmp_path / "home"),
        "NO_COLOR": "1",
    }
    child = pexpect.spawn(sys.executable, ["-m", "gmctl", "login"], env=environ, encoding="utf-8", timeout=30)
    child.expect("Username: ")
    child.sendline("stella")
    child.expect("Password: ")
    child.sendline(PASSWORD)
    child.expect(pexpect.EOF)
    child.close()
    transcript = child.before
    assert child.exitstatus == 0, transcript
    assert "signed in as stella" in transcript and PASSWORD not in transcript
    whoami = subprocess.run(
        [sys.executable, "-m", "gmctl", "--format", "json", "whoami"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert whoami.returncode == 0 and '"username": "stella"' in whoami.stdout
