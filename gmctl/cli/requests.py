"""gmctl requests: the staff queue."""

from __future__ import annotations

from gmctl.cli.base import new_group

app = new_group("Service requests: the staff queue, assignment, status, replies, search.")
