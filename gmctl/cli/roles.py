"""gmctl roles: Roles and permissions."""

from __future__ import annotations

from gmctl.cli.base import new_group

app = new_group("Roles and permissions. Commands arrive with the roles issue.")
