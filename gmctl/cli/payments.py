"""gmctl payments: Payments and stored payment methods."""

from __future__ import annotations

from gmctl.cli.base import new_group

app = new_group("Payments and stored payment methods. Commands arrive with a later issue.")
