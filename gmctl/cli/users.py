"""gmctl users: Platform accounts: list, create, lock, MFA, export and erase."""

from __future__ import annotations

from gmctl.cli.base import new_group

app = new_group("Platform accounts: list, create, lock, MFA, export and erase. Commands arrive with the sign-in issue.")
