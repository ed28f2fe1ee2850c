"""Writing rows as they arrive (export): csv/tsv lines or one JSON array, never all in memory.

Values go through gmctl.output's own converters (as_text for csv/tsv, to_plain for JSON), so an
export reads exactly like `requests list` in the same format: ISO times, exact decimals.
"""

from __future__ import annotations

import csv
import json
from typing import Any, Iterable, Mapping, Sequence

from gmctl import output
from gmctl.context import Env


def stream_rows(env: Env, rows: Iterable[Mapping[str, Any]], columns: Sequence[str], fmt: str) -> int:
    out = env.stdout
    count = 0
    if fmt == "json":
        out.write("[")
        for row in rows:
            item = json.dumps({c: output.to_plain(row.get(c)) for c in columns}, ensure_ascii=False)
            out.write(("\n  " if count == 0 else ",\n  ") + item)
            count += 1
        out.write("\n]\n" if count else "]\n")
        return count
    writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([output.as_text(row.get(c)) for c in columns])
        count += 1
    return count
