"""gmctl loans: Loan applications."""

from __future__ import annotations

from gmctl.cli.base import new_group

app = new_group("Loan applications. Commands arrive with a later issue: for now, see a loan with `gmctl requests show ID`.")
