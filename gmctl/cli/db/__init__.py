"""gmctl db: the embedded server, migrations, seed data, backups, health, retention and maintenance.

The db group is gated by database privileges, not by gmctl roles: cron runs it with no person.
Each module registers its commands; none imports heavy libraries until a command runs.
"""

from __future__ import annotations

from gmctl.cli.base import new_group
from gmctl.cli.db import adopt, backup, doctor, maintenance, migrate, retention, schedule, seed, server, stats

app = new_group("The database: embedded server, migrations, seed data, backups, retention.")
app.add_typer(server.app, name="server", help=server.HELP)
for module in (migrate, seed, backup, doctor, adopt, retention, maintenance, stats, schedule):
    module.register(app)
