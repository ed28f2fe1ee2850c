"""Two-factor sign-in: TOTP ±1 step, replays refused, backup codes single-use and hashed, secret encrypted."""

from __future__ import annotations

import stat
from datetime import timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet

from gmctl.auth.mfa import accept_second_factor, matching_step
from gmctl.auth.secretbox import decrypt_secret
from tests.auth.conftest import login, turn_on_mfa
from tests.conftest import FIXED_NOW


@pytest.fixture
def mfa_staff(env, session, staff):
    secret, codes = turn_on_mfa(env, session, staff)
    return staff, secret, codes


def test_the_secret_is_stored_encrypted_under_a_private_key_file(env, session, mfa_staff):
    user, secret, _codes = mfa_staff
    assert user.mfa_secret != secret and secret not in user.mfa_secret
    assert decrypt_secret(env, user.mfa_secret) == (secret, False)
    key_file = env.gmctl_home / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_gmctl_secret_key_takes_precedence_and_rotates(make_env, session, staff):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    env = make_env(environ={"GMCTL_SECRET_KEY": old})
    secret, _ = turn_on_mfa(env, session, staff)
    assert not (env.gmctl_home / "secret.key").exists()
    rotated = make_env(environ={"GMCTL_SECRET_KEY": f"{new},{old}"})
    assert decrypt_secret(rotated, staff.mfa_secret)[0] == secret


def test_backup_codes_are_stored_hashed(mfa_staff):
    user, _secret, codes = mfa_staff
    assert len(codes) == 10 and len(user.backup_codes) == 10
    for code in codes:
        assert all(code not in stored and code.replace("-", "") not in stored for stored in user.backup_codes)
    assert all(stored.startswith("$argon2id$") for stored in user.backup_codes)


def test_login_needs_a_code_when_mfa_is_on(cli, mfa_staff):
    result = login(cli, "stella")
    assert result.exit_code == 2 and "--otp" in result.stderr


def test_a_current_totp_code_signs_in(cli, mfa_staff):
    _user, secret, _ = mfa_staff
    result = login(cli, "stella", "Correct-Horse-42!", "--otp", pyotp.TOTP(secret).at(FIXED_NOW))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("offset", [-30, 30])
def test_one_step_either_side_is_accepted(offset, cli, mfa_staff):
    _user, secret, _ = mfa_staff
    code = pyotp.TOTP(secret).at(FIXED_NOW + timedelta(seconds=offset))
    assert login(cli, "stella", "Correct-Horse-42!", "--otp", code).exit_code == 0


def test_two_steps_away_is_refused_and_counted(cli, session, mfa_staff):
    user, secret, _ = mfa_staff
    code = pyotp.TOTP(secret).at(FIXED_NOW + timedelta(seconds=90))
    result = login(cli, "stella", "Correct-Horse-42!", "--otp", code)
    assert result.exit_code == 4
    session.refresh(user)
    assert user.failed_login_attempts == 1


def test_a_totp_code_is_refused_the_second_time(cli, session, mfa_staff):
    user, secret, _ = mfa_staff
    code = pyotp.TOTP(secret).at(FIXED_NOW)
    assert login(cli, "stella", "Correct-Horse-42!", "--otp", code).exit_code == 0
    assert cli("logout").exit_code == 0
    replay = login(cli, "stella", "Correct-Horse-42!", "--otp", code)
    assert replay.exit_code == 4 and "already used" in replay.stderr
    session.refresh(user)
    assert user.failed_login_attempts == 1
    # An older step's code is refused too, once a newer one was accepted.
    older = pyotp.TOTP(secret).at(FIXED_NOW - timedelta(seconds=30))
    assert login(cli, "stella", "Correct-Horse-42!", "--otp", older).exit_code == 4


def test_replay_guard_in_the_domain(env, session, mfa_staff):
    user, secret, _ = mfa_staff
    code = pyotp.TOTP(secret).at(FIXED_NOW)
    assert accept_second_factor(env, user, code, FIXED_NOW)
    assert not accept_second_factor(env, user, code, FIXED_NOW)
    assert user.mfa_last_step == matching_step(secret, code, FIXED_NOW)


def test_a_backup_code_works_once(cli, session, mfa_staff):
    user, _secret, codes = mfa_staff
    assert login(cli, "stella", "Correct-Horse-42!", "--otp", codes[3].upper()).exit_code == 0
    session.refresh(user)
    assert sum(entry.startswith("used:") for entry in user.backup_codes) == 1
    assert cli("logout").exit_code == 0
    second = login(cli, "stella", "Correct-Horse-42!", "--otp", codes[3])
    assert second.exit_code == 4
    assert login(cli, "stella", "Correct-Horse-42!", "--otp", codes[4]).exit_code == 0


def test_a_clear_text_secret_from_the_platform_is_encrypted_on_first_use(env, session, staff):
    secret = pyotp.random_base32()
    staff.mfa_enabled, staff.mfa_secret = True, secret
    session.flush()
    assert accept_second_factor(env, staff, pyotp.TOTP(secret).at(FIXED_NOW), FIXED_NOW)
    assert staff.mfa_secret != secret and decrypt_secret(env, staff.mfa_secret) == (secret, False)


def test_a_secret_under_another_key_gives_a_clear_error(make_env, session, staff):
    from gmctl.errors import GmctlError

    env = make_env(environ={"GMCTL_SECRET_KEY": Fernet.generate_key().decode()})
    turn_on_mfa(env, session, staff)
    other = make_env(environ={"GMCTL_SECRET_KEY": Fernet.generate_key().decode()})
    with pytest.raises(GmctlError, match="cannot be decrypted"):
        accept_second_factor(other, staff, "123456", FIXED_NOW)
