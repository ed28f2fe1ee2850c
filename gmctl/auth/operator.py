"""The person a command runs as: a signed-in platform user and the permissions their roles give."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Operator:
    user_id: int
    username: str
    is_superuser: bool
    permissions: frozenset[str]

    def can(self, permission: str) -> bool:
        """Superusers pass every check; everyone else needs the permission from an unexpired role grant."""
        return self.is_superuser or permission in self.permissions
