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
from gmctl.cli.db import backup as _backup; _backup.register(app)  # noqa: E402, E702
from gmctl.cli.db import retention as _retention; _retention.register(app)  # noqa: E402, E702
from gmctl.cli.db import doctor as _doctor; _doctor.register(app)  # noqa: E402, E702
from gmctl.cli.db import adopt as _adopt; _adopt.register(app)  # noqa: E402, E702
from gmctl.cli.db import maintenance as _maintenance; _maintenance.register(app)  # noqa: E402, E702
from gmctl.cli.db import stats as _stats; _stats.register(app)  # noqa: E402, E702
from gmctl.cli.db import schedule as _schedule; _schedule.register(app)  # noqa: E402, E702
