"""Writing rows as they arrive (export): csv/tsv lines or one JSON array, never all in memory.

gmctl.output.stream_rows does it, so an export reads exactly like `requests list` in the same format:
ISO times, exact decimals, the same formula guard and TSV escaping.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from gmctl import output
from gmctl.context import Env


def stream_rows(env: Env, rows: Iterable[Mapping[str, Any]], columns: Sequence[str], fmt: str) -> int:
    """The number of rows written; see gmctl.output.stream_rows."""
    return output.stream_rows(env, rows, columns, fmt)
