"""The sign-in knobs: [auth] in config.toml, overridden by environment variables.

[auth]
session_hours = 8          # GMCTL_SESSION_HOURS
max_failed_logins = 5      # GMCTL_MAX_FAILED_LOGINS
rehash_on_login = true     # GMCTL_REHASH_ON_LOGIN: upgrade old hashes to argon2id at sign-in
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gmctl.errors import InvalidInput

if TYPE_CHECKING:
    from gmctl.context import Env


@dataclass(frozen=True)
class AuthSettings:
    session_hours: float = 8.0
    max_failed_logins: int = 5
    rehash_on_login: bool = True


def auth_settings(env: "Env") -> AuthSettings:
    section = env.config.section("auth")
    hours = _number(env, section, "session_hours", "GMCTL_SESSION_HOURS", AuthSettings.session_hours, float)
    limit = _number(
        env, section, "max_failed_logins", "GMCTL_MAX_FAILED_LOGINS", AuthSettings.max_failed_logins, int
    )
    if not 0 < hours <= 24 * 30:
        raise InvalidInput(
            f"session_hours must be between 0 and 720, not {hours}",
            hint="set [auth] session_hours in config.toml or GMCTL_SESSION_HOURS",
        )
    if not 1 <= limit <= 1000:
        raise InvalidInput(
            f"max_failed_logins must be between 1 and 1000, not {limit}",
            hint="set [auth] max_failed_logins in config.toml or GMCTL_MAX_FAILED_LOGINS",
        )
    rehash = _flag(env.environ.get("GMCTL_REHASH_ON_LOGIN"), section.get("rehash_on_login", True))
    return AuthSettings(session_hours=hours, max_failed_logins=limit, rehash_on_login=rehash)


def _number(env: "Env", section: dict[str, Any], key: str, variable: str, default: Any, kind: type) -> Any:
    raw = env.environ.get(variable, section.get(key, default))
    try:
        return kind(raw)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"{key} must be a number, not {raw!r}", hint=f"fix [auth] {key} in config.toml or {variable}"
        ) from None


def _flag(variable: str | None, configured: Any) -> bool:
    if variable is not None:
        return variable.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(configured)
