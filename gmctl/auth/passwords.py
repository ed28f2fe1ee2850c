"""Password hashes: argon2id for new ones, and the formats a Django-style platform writes.

New hashes are written in Django's own argon2 format, `argon2$argon2id$v=19$m=...`, with Django's
default parameters (t=2, m=102400 KiB, p=8). The platform (Django with Argon2PasswordHasher, which is
in its default PASSWORD_HASHERS) verifies them and never needs to rehash them. The bare argon2-cffi
format (`$argon2id$...`) is accepted on input but never written: Django cannot read it.

Verified on input: argon2$ (argon2id and argon2i), pbkdf2_sha256$, pbkdf2_sha1$, bcrypt_sha256$,
bcrypt$, and argon2-cffi's bare `$argon2id$`. A hash starting with "!" is Django's unusable password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string

# Django's Argon2PasswordHasher parameters: a hash made with them is one Django leaves alone.
ARGON2_TIME_COST = 2
ARGON2_MEMORY_COST = 102400
ARGON2_PARALLELISM = 8
ARGON2_HASH_LENGTH = 32
SALT_LENGTH = 22  # Django's: 22 characters of [a-zA-Z0-9] carry the 128 bits it asks of a salt
SALT_CHARS = string.ascii_letters + string.digits
DJANGO_ARGON2_PREFIX = "argon2"
UNUSABLE_PREFIX = "!"


def hash_password(plain: str) -> str:
    """An argon2id hash of the password, in the format the platform reads (`argon2$argon2id$...`).

    Built exactly as Django's Argon2PasswordHasher builds one (a 22-character alphanumeric salt,
    its parameters), so Django verifies it and does not ask to rehash it.
    """
    from argon2 import low_level

    salt = "".join(secrets.choice(SALT_CHARS) for _ in range(SALT_LENGTH))
    encoded = low_level.hash_secret(
        plain.encode(),
        salt.encode("ascii"),
        time_cost=ARGON2_TIME_COST,
        memory_cost=ARGON2_MEMORY_COST,
        parallelism=ARGON2_PARALLELISM,
        hash_len=ARGON2_HASH_LENGTH,
        type=low_level.Type.ID,
    )
    return DJANGO_ARGON2_PREFIX + encoded.decode("ascii")


def unusable_password() -> str:
    """What Django stores for an account that cannot sign in with a password."""
    return UNUSABLE_PREFIX + secrets.token_urlsafe(30)


def verify_password(plain: str, stored: str | None) -> bool:
    """True when the password matches the stored hash, in any of the formats listed above."""
    if not stored or stored.startswith(UNUSABLE_PREFIX) or plain is None:
        return False
    algorithm = stored.split("$", 1)[0]
    checker = _CHECKERS.get(algorithm)
    if checker is None:
        return False
    try:
        return checker(plain, stored)
    except (ValueError, TypeError):  # malformed hash, or bcrypt's 72-byte limit
        return False


def needs_rehash(stored: str) -> bool:
    """True unless the hash is argon2id in Django's format with Django's parameters and salt size."""
    from argon2 import extract_parameters
    from argon2.exceptions import InvalidHashError
    from argon2.low_level import ARGON2_VERSION, Type

    if not stored.startswith(DJANGO_ARGON2_PREFIX + "$argon2id$"):
        return True
    try:
        params = extract_parameters(stored[len(DJANGO_ARGON2_PREFIX) :])
    except InvalidHashError:
        return True
    return (
        params.type,
        params.version,
        params.time_cost,
        params.memory_cost,
        params.parallelism,
        params.hash_len,
    ) != (
        Type.ID,
        ARGON2_VERSION,
        ARGON2_TIME_COST,
        ARGON2_MEMORY_COST,
        ARGON2_PARALLELISM,
        ARGON2_HASH_LENGTH,
    ) or params.salt_len < SALT_LENGTH


def generate_password(length: int = 20) -> str:
    """A strong random password: letters, digits and a few unambiguous symbols, each class present."""
    alphabet = string.ascii_letters + string.digits + "-_.!@#%"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate


# -- the formats ---------------------------------------------------------------------------
def _check_argon2(plain: str, stored: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    encoded = stored[len(DJANGO_ARGON2_PREFIX) :] if stored.startswith(DJANGO_ARGON2_PREFIX + "$") else stored
    try:
        # Parameters come from the hash itself, so Django's and ours both verify.
        return PasswordHasher().verify(encoded, plain)
    except (VerificationError, InvalidHashError):
        return False


def _check_pbkdf2(digest: str):
    def check(plain: str, stored: str) -> bool:
        _algorithm, iterations, salt, expected = stored.split("$", 3)
        derived = hashlib.pbkdf2_hmac(digest, plain.encode(), salt.encode(), int(iterations))
        return hmac.compare_digest(base64.b64encode(derived).decode("ascii").strip(), expected)

    return check


def _check_bcrypt(plain: str, stored: str) -> bool:
    import bcrypt

    return bcrypt.checkpw(plain.encode(), stored.split("$", 1)[1].encode("ascii"))


def _check_bcrypt_sha256(plain: str, stored: str) -> bool:
    import bcrypt

    # Django hashes the password to hex SHA-256 first, which also lifts bcrypt's 72-byte limit.
    prehashed = hashlib.sha256(plain.encode()).hexdigest().encode("ascii")
    return bcrypt.checkpw(prehashed, stored.split("$", 1)[1].encode("ascii"))


_CHECKERS = {
    "argon2": _check_argon2,
    "": _check_argon2,  # argon2-cffi's bare "$argon2id$..." starts with "$"
    "pbkdf2_sha256": _check_pbkdf2("sha256"),
    "pbkdf2_sha1": _check_pbkdf2("sha1"),
    "bcrypt": _check_bcrypt,
    "bcrypt_sha256": _check_bcrypt_sha256,
}
