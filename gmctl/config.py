"""GMCTL_HOME and its config.toml: named profiles of database URLs and per-site settings.

Kept free of heavy imports: it runs on every call that touches the database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from gmctl.errors import InvalidInput

CONFIG_FILENAME = "config.toml"


def resolve_home(environ: Mapping[str, str]) -> Path:
    """GMCTL_HOME, else the platform's per-user data dir.

    As root the embedded server chmods every parent of its data dir to o+rx, so root gets
    /var/lib/gmctl rather than a world-readable /root.
    """
    explicit = environ.get("GMCTL_HOME")
    if explicit:
        return Path(explicit).expanduser()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/gmctl")
    import platformdirs

    return Path(platformdirs.user_data_dir("gmctl", appauthor=False))


@dataclass(frozen=True)
class Config:
    """What config.toml says. Every field has the documented default when the file is absent."""

    path: Path
    active_profile: str | None = None
    profiles: dict[str, str] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)
    # Each profile's whole table (database_url, read_url, pooler, ...), for the keys beyond the URL.
    profile_bodies: dict[str, dict[str, Any]] = field(default_factory=dict)

    def profile_url(self, name: str | None = None) -> str | None:
        chosen = name or self.active_profile
        if chosen is None:
            return None
        if chosen not in self.profiles:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise InvalidInput(
                f"profile {chosen!r} is not defined in {self.path}",
                hint=f"defined profiles: {known}",
            )
        return self.profiles[chosen]

    def section(self, name: str) -> dict[str, Any]:
        value = self.sections.get(name, {})
        return value if isinstance(value, dict) else {}


def load_config(home: Path) -> Config:
    path = home / CONFIG_FILENAME
    if not path.exists():
        return Config(path=path)
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path} is not valid TOML: {exc}", hint="fix or remove the file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text", hint="TOML files are UTF-8: fix or remove the file") from None
    profiles = {
        name: str(body.get("database_url", ""))
        for name, body in (data.get("profiles") or {}).items()
        if isinstance(body, dict)
    }
    bodies = {name: dict(body) for name, body in (data.get("profiles") or {}).items() if isinstance(body, dict)}
    sections = {k: v for k, v in data.items() if k not in ("profiles", "active_profile")}
    return Config(path=path, active_profile=data.get("active_profile"), profiles=profiles, sections=sections,
                  profile_bodies=bodies)
