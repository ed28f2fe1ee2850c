"""Encryption of stored MFA secrets: MultiFernet under GMCTL_SECRET_KEY, or a key file in GMCTL_HOME.

GMCTL_SECRET_KEY holds one or more Fernet keys separated by commas: the first encrypts, all of them
decrypt, so a key is rotated by putting the new one first. Without it, gmctl uses
$GMCTL_HOME/secret.key (one key a line, same rule), made with mode 0600 on first use. Every machine
that signs in MFA users must hold the same key: share GMCTL_SECRET_KEY across machines.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from gmctl.errors import GmctlError, InvalidInput

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

    from gmctl.context import Env

KEY_FILENAME = "secret.key"
KEY_HINT = (
    "make a key with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)
# What a TOTP secret stored in clear by the platform looks like (the seed's VARCHAR(32)).
_CLEAR_BASE32 = re.compile(r"^[A-Z2-7]{16,32}=*$")


def key_path(env: "Env") -> Path:
    return env.gmctl_home / KEY_FILENAME


def secret_box(env: "Env", *, create: bool = False) -> "MultiFernet":
    """The MultiFernet of the configured keys; with create=True a key file is made if none exists."""
    from cryptography.fernet import Fernet, MultiFernet

    keys = _configured_keys(env, create=create)
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise InvalidInput(
            "a key in GMCTL_SECRET_KEY or secret.key is not a Fernet key", hint=KEY_HINT
        ) from None


def encrypt_secret(env: "Env", secret: str) -> str:
    return secret_box(env, create=True).encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(env: "Env", stored: str) -> tuple[str, bool]:
    """(the TOTP secret, whether it was stored in clear and should be re-encrypted)."""
    from cryptography.fernet import InvalidToken

    if _CLEAR_BASE32.match(stored):
        return stored, True
    try:
        return secret_box(env).decrypt(stored.encode("ascii")).decode("ascii"), False
    except InvalidToken:
        raise GmctlError(
            "the stored MFA secret cannot be decrypted with this machine's key",
            hint="set GMCTL_SECRET_KEY to the key in use when MFA was enabled, "
            "or have an administrator run `gmctl users mfa disable`",
        ) from None


def _configured_keys(env: "Env", *, create: bool) -> list[bytes]:
    configured = env.environ.get("GMCTL_SECRET_KEY", "").strip()
    if configured:
        return [part.strip().encode("ascii") for part in configured.split(",") if part.strip()]
    path = key_path(env)
    if not path.exists():
        if not create:
            raise GmctlError(
                f"no encryption key: GMCTL_SECRET_KEY is unset and {path} does not exist", hint=KEY_HINT
            )
        _write_new_key(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise InvalidInput(
            f"{path} can be read by other users (mode {mode:o})", hint=f"run: chmod 600 {path}"
        )
    return [
        line.strip().encode("ascii") for line in path.read_text(encoding="ascii").splitlines() if line.strip()
    ]


def _write_new_key(path: Path) -> None:
    from cryptography.fernet import Fernet

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # O_EXCL: two first uses at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, Fernet.generate_key() + b"\n")
    finally:
        os.close(fd)
