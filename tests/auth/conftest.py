"""Fixtures for sign-in tests: a staff member with a known password, and MFA set up without a terminal."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from gmctl.auth.mfa import begin_enrolment, confirm_enrolment
from tests.conftest import FIXED_NOW
from tests.helpers.accounts import make_user

PASSWORD = "Correct-Horse-42!"


@pytest.fixture
def staff(session):
    return make_user(session, "stella", staff=True, roles=("staff",), password=PASSWORD)


def login(cli, username: str, password: str = PASSWORD, *extra: str):
    return cli("login", "--username", username, "--password-stdin", *extra, input=password + "\n")


def turn_on_mfa(env, session, user) -> tuple[str, list[str]]:
    """MFA as `users mfa enable` leaves it, confirmed with a code a minute before FIXED_NOW."""
    enrolment = begin_enrolment(user)
    earlier = FIXED_NOW - timedelta(seconds=60)
    codes = confirm_enrolment(env, user, enrolment, pyotp.TOTP(enrolment.secret).at(earlier), earlier)
    assert codes is not None
    session.flush()
    return enrolment.secret, codes


def another_terminal(make_env, name: str):
    """An Env on the same database with its own GMCTL_HOME: a second person at a second terminal."""
    env = make_env()
    env.home = env.gmctl_home.parent / name
    env.environ = {**env.environ, "GMCTL_HOME": str(env.home)}
    return env
