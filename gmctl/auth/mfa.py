"""Second factor: TOTP (pyotp, one step either side) with a replay guard, and one-time backup codes.

A TOTP code is accepted once: users.mfa_last_step keeps the last time step accepted and any code of
that step or an earlier one is refused. Backup codes are stored as argon2id hashes; a used code's
entry becomes "used:<time>", so the column keeps count and the code never works again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from gmctl.auth.secretbox import decrypt_secret, encrypt_secret

if TYPE_CHECKING:
    from gmctl.context import Env
    from gmctl.db.models import User

ISSUER = "GM Services"
BACKUP_CODE_COUNT = 10
BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
BACKUP_CODE_LENGTH = 10
USED_PREFIX = "used:"
STEP_SECONDS = 30


@dataclass(frozen=True)
class Enrolment:
    """A TOTP secret not yet confirmed. Held in memory only until the first code matches."""

    secret: str
    uri: str


def begin_enrolment(user: "User") -> Enrolment:
    import pyotp

    secret = pyotp.random_base32(length=32)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return Enrolment(secret, uri)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (now, or one either side) whose code this is, or None."""
    import pyotp

    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_enrolment(
    env: "Env", user: "User", enrolment: Enrolment, code: str, now: datetime
) -> list[str] | None:
    """Turn MFA on when `code` matches; returns the new backup codes (shown once), or None."""
    step = matching_step(enrolment.secret, code, now)
    if step is None:
        return None
    user.mfa_secret = encrypt_secret(env, enrolment.secret)
    user.mfa_enabled = True
    user.mfa_last_step = step
    return replace_backup_codes(user)


def disable_mfa(user: "User") -> None:
    user.mfa_enabled = False
    user.mfa_secret = None
    user.mfa_last_step = None
    user.backup_codes = None


def replace_backup_codes(user: "User") -> list[str]:
    """New backup codes for the user: the hashes are stored, the codes returned to show once."""
    codes = [_new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    user.backup_codes = [_backup_hasher().hash(normalise_backup_code(code)) for code in codes]
    return codes


def backup_codes_left(user: "User") -> int:
    return sum(1 for entry in user.backup_codes or () if not entry.startswith(USED_PREFIX))


ACCEPTED, REPLAYED, REJECTED = "accepted", "replayed", "rejected"


def check_second_factor(env: "Env", user: "User", code: str, now: datetime) -> str:
    """ACCEPTED (and consumed), REPLAYED or REJECTED. The caller commits the user row."""
    secret, stored_in_clear = decrypt_secret(env, user.mfa_secret or "")
    step = matching_step(secret, code, now)
    if step is not None:
        if user.mfa_last_step is not None and step <= user.mfa_last_step:
            return REPLAYED  # this code, or a newer one, was already accepted
        user.mfa_last_step = step
        if stored_in_clear:
            user.mfa_secret = encrypt_secret(env, secret)
        return ACCEPTED
    return ACCEPTED if _consume_backup_code(user, code, now) else REJECTED


def accept_second_factor(env: "Env", user: "User", code: str, now: datetime) -> bool:
    """Check a TOTP or backup code and consume it: True only the first time a code is seen."""
    return check_second_factor(env, user, code, now) == ACCEPTED


def normalise_backup_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _consume_backup_code(user: "User", code: str, now: datetime) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    wanted = normalise_backup_code(code)
    if len(wanted) != BACKUP_CODE_LENGTH:
        return False
    hasher = _backup_hasher()
    entries = list(user.backup_codes or ())
    for index, entry in enumerate(entries):
        if entry.startswith(USED_PREFIX):
            continue
        try:
            hasher.verify(entry, wanted)
        except (VerificationError, InvalidHashError):
            continue
        entries[index] = USED_PREFIX + now.isoformat(timespec="seconds")
        user.backup_codes = entries  # a new list, so the ORM sees the change
        return True
    return False


def _new_backup_code() -> str:
    raw = "".join(secrets.choice(BACKUP_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _backup_hasher():  # -> argon2.PasswordHasher
    from argon2 import PasswordHasher

    # ~50 bits of randomness per code: a light argon2id is plenty, and ten checks stay fast.
    return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
