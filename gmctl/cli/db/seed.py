"""gmctl db seed: demo data to look at, or scaled data to measure with."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Replaced by the seed implementation."""
