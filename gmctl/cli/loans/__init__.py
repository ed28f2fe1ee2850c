"""gmctl loans: the loan desk. Typer only: options are parsed here, the rules live in gmctl.loans,
rows and documents go out through gmctl.output. Nothing heavy is imported at module level, so
`gmctl loans --help` stays light.

- read: list, show, stats;
- decide: review, approve, reject, withdraw, and the cron job expire;
- terms: quote, schedule, key-facts.
"""

from __future__ import annotations

# Each registers its commands on app, in the order --help lists them.
from gmctl.cli.loans import read  # noqa: F401, I001
from gmctl.cli.loans import decide, terms  # noqa: F401, I001
from gmctl.cli.loans.group import app

__all__ = ["app"]
