"""gmctl requests: the staff queue, one request on one screen, and the triage actions.

Typer only: options are parsed here, the rules and queries live in gmctl.requests, and rows go
out through gmctl.output. Submodules import nothing heavy at module level (sqlalchemy, the
models, questionary are imported inside the commands), so `gmctl requests --help` stays light.
"""

from __future__ import annotations

from gmctl.cli.base import new_group
from gmctl.cli.requests import act, interactive, read

app = new_group("Service requests: the staff queue, assignment, status, replies, search.")
read.register(app)
act.register(app)
interactive.register(app)
