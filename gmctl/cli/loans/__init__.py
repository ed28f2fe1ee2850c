"""gmctl loans: the loan desk. Typer only: options are parsed here, the rules live in gmctl.loans,
rows and documents go out through gmctl.output. Nothing heavy is imported at module level, so
`gmctl loans --help` stays light.

- read: list, show, stats;
- decide: review, approve, reject, withdraw, and the cron job expire;
- terms: quote, schedule, key-facts.
"""

from __future__ import annotations

from gmctl.cli.loans import decide, read, terms  # noqa: F401 - each registers its commands on app
from gmctl.cli.loans.group import app

__all__ = ["app"]
