"""The `gmctl loans` command group, which the command modules register on."""

from __future__ import annotations

from gmctl.cli.base import new_group

app = new_group("The loan desk: the review queue, affordability, decisions with terms, schedules, key facts.")
