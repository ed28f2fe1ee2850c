"""gmctl users: platform accounts: list, show, create, change, lock, MFA, export and erase.

Each command checks its permission first (gmctl.auth.permissions.require) and hands rows to
gmctl.output; the rules live in gmctl.accounts.
"""

from __future__ import annotations

from gmctl.cli.base import new_group
from gmctl.cli.users import browse, manage, mfa, privacy

app = new_group("Platform accounts: list, show, create, change, lock, MFA, export and erase.")
browse.register(app)
manage.register(app)
app.add_typer(mfa.app, name="mfa", help=mfa.HELP)
privacy.register(app)
