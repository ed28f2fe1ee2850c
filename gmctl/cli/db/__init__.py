"""gmctl db: the embedded server, migrations, seed data and (later) backups and retention.

The db group is gated by database privileges, not by gmctl roles: cron runs it with no person.
"""

from __future__ import annotations

from gmctl.cli.base import new_group
from gmctl.cli.db import migrate, seed, server

app = new_group("The database: embedded server, migrations, seed data, backups, retention.")
app.add_typer(server.app, name="server", help=server.HELP)
migrate.register(app)
seed.register(app)
