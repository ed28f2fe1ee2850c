"""What a bad gateway export is (the reading itself is `loadfile`: a byte scan, COPY and SQL).

A file is refused (BadExportFile, exit 2, naming the line) when:
- it starts with a byte-order mark (an editor re-saved it; export it again or strip the BOM),
- a line is not UTF-8,
- the header lacks a column the layout needs (wrong layout: the message lists what it found),
- a line is blank, or has another number of fields than the header, or an unterminated quote,
- the last line has no line break at its end: the file was cut short (a truncated last line can
  still hold the right number of fields, its last one cut: exports end every line with a break),
- a value cannot be read: an amount that is not a number (a kobo amount with a fraction), a status
  outside the mapping table, a time that is not ISO-8601.
Nothing is applied from a refused file: the reader runs to the end before any change is made.
"""

from __future__ import annotations

from pathlib import Path

from gmctl.errors import InvalidInput

BOM = b"\xef\xbb\xbf"


class BadExportFile(InvalidInput):
    """The export cannot be read as the layout says (exit 2); `line` is the 1-based line number."""

    def __init__(self, path: Path | str, line: int, problem: str, hint: str | None = None) -> None:
        super().__init__(f"{path}: line {line}: {problem}; nothing was applied",
                         hint=hint or "fix or export the file again, then run reconcile again")
        self.line = line
