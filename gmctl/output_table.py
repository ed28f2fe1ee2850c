"""Terminal tables that fit the terminal: one line per row, as gh and kubectl print them.

A column is *fixed* (ids, statuses, enum values, times, numbers: never shortened, never broken) or
*flexible* (titles, names, emails, free text: shortened with `…` to fit). Headers are never broken:
a flexible column is never narrower than its header. When even the fixed columns and the flexible
ones at their narrowest do not fit, columns are left out from the right (the caller lists them in
order of importance) and the caller says so on stderr; `--wide` shows every column in full.

Cells arrive already made safe for a terminal (gmctl.output_cells.for_terminal): one line each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

# Column names whose text is shortened to fit (exact names, or names ending in one of the suffixes).
# Shared by every group: loans, payments and files inherit it by naming their columns this way.
FLEXIBLE_NAMES = frozenset({
    "title", "name", "email", "description", "customer", "assignee", "subject", "content", "message",
    "notes", "note", "reason", "detail", "hint", "snippet", "address", "display_name", "full_name",
    "roles", "permissions", "difference", "sql", "summary", "comment", "location", "property_name",
    "filename", "original_filename", "file_name", "path", "target", "purpose", "borrower", "payer",
    "recipient", "sender", "assigned_by", "value", "file", "query",
})
FLEXIBLE_SUFFIXES = ("_name", "_title", "_email", "_description", "_notes", "_address", "_reason",
                     "_message", "_text", "_path")
# Free text in a column with another name: a value this long with a space in it is prose.
PROSE_LENGTH = 30
# A flexible column is never narrower than its header, nor than this (unless its text is shorter).
MIN_FLEXIBLE = 8
GAP = 2
ELLIPSIS = "…"


def is_flexible(column: str, values: Iterable[Any]) -> bool:
    """The default rule: a column of text (str values) whose name is in FLEXIBLE_NAMES or ends in
    one of FLEXIBLE_SUFFIXES, or whose text holds prose (a space, longer than PROSE_LENGTH).
    Columns of numbers, booleans, times and identifiers without spaces are fixed."""
    texts = [v for v in values if v is not None]
    if any(not isinstance(v, (str, list, tuple)) for v in texts):
        return False
    if column in FLEXIBLE_NAMES or column.endswith(FLEXIBLE_SUFFIXES):
        return True
    return any(isinstance(v, str) and " " in v and len(v) > PROSE_LENGTH for v in texts)


def cell_width(text: str) -> int:
    """Terminal cells `text` takes (wide characters 2, combining marks 0)."""
    from rich.cells import cell_len

    return cell_len(text)


def shorten(text: str, width: int) -> str:
    """`text` in at most `width` terminal cells, with … where it was cut (wide characters count 2).

    Text is cut at the end, except a path (a `/` and no space), which is cut in the middle: its file
    name and extension are what tell two paths apart (`uploads/2026/…/a8f3.pdf`).
    """
    if cell_width(text) <= width:
        return text
    if "/" in text and " " not in text and width > 8:
        tail_width = (width - 1) * 2 // 3
        head = _first_cells(text, width - 1 - tail_width)
        tail = _first_cells(text[::-1], tail_width)[::-1]
        return head + ELLIPSIS + tail
    return _first_cells(text, width - 1) + ELLIPSIS


def _first_cells(text: str, width: int) -> str:
    """The longest start of `text` that fits `width` terminal cells."""
    from rich.cells import get_character_cell_size

    kept, used = [], 0
    for char in text:
        size = get_character_cell_size(char)
        if used + size > width:
            break
        kept.append(char)
        used += size
    return "".join(kept)


@dataclass
class Layout:
    shown: list[int]  # indexes of the columns shown, in order
    widths: dict[int, int]  # column index -> cells
    hidden: list[int]  # columns left out to fit


def plan(headers: Sequence[str], cells: Sequence[Sequence[str]], flexible: Sequence[bool], width: int,
         *, wide: bool = False) -> Layout:
    """Which columns to show and how wide, for a terminal `width` cells wide."""
    count = len(headers)
    natural = [max([cell_width(headers[i]), *(cell_width(row[i]) for row in cells)]) for i in range(count)]
    if wide:
        return Layout(list(range(count)), dict(enumerate(natural)), [])
    narrowest = [
        max(cell_width(headers[i]), min(natural[i], MIN_FLEXIBLE)) if flexible[i] else natural[i]
        for i in range(count)
    ]
    shown = list(range(count))
    while len(shown) > 1 and sum(narrowest[i] for i in shown) + GAP * (len(shown) - 1) > width:
        shown.pop()
    widths = {i: narrowest[i] for i in shown}
    spare = width - sum(widths.values()) - GAP * (len(shown) - 1)
    # Share what is left among the flexible columns, the narrowest wants first (water filling).
    wanting = sorted((i for i in shown if flexible[i] and natural[i] > widths[i]),
                     key=lambda i: natural[i] - widths[i])
    for position, i in enumerate(wanting):
        if spare <= 0:
            break
        share = spare // (len(wanting) - position)
        extra = min(natural[i] - widths[i], max(share, 0))
        widths[i] += extra
        spare -= extra
    return Layout(shown, widths, [i for i in range(count) if i not in shown])


def lines(headers: Sequence[str], cells: Sequence[Sequence[str]], numeric: Sequence[bool],
          layout: Layout, *, bold: bool = False) -> list[str]:
    """The table's text lines: a header, then one line per row; no trailing spaces."""

    def line(values: Sequence[str]) -> str:
        parts = []
        last = layout.shown[-1]
        for i in layout.shown:
            text = shorten(values[i], layout.widths[i])
            pad = " " * (layout.widths[i] - cell_width(text))
            if numeric[i]:
                parts.append(pad + text)
            else:
                parts.append(text if i == last else text + pad)
        return (" " * GAP).join(parts).rstrip()

    header = line(headers)
    out = [f"\x1b[1m{header}\x1b[0m" if bold else header]
    out.extend(line(row) for row in cells)
    return out


def wrap_cell(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken at spaces (a longer word is cut)."""
    from rich.cells import get_character_cell_size

    result: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if cell_width(candidate) <= width:
            current = candidate
            continue
        if current:
            result.append(current)
        current = ""
        piece, used = "", 0
        for char in word:
            size = get_character_cell_size(char)
            if used + size > width:
                result.append(piece)
                piece, used = "", 0
            piece += char
            used += size
        current = piece
    result.append(current)
    return result


def wrapped_lines(headers: Sequence[str], cells: Sequence[Sequence[str]], numeric: Sequence[bool],
                  flexible: Sequence[bool], layout: Layout, *, bold: bool = False) -> list[str]:
    """Like `lines`, for reports where every word matters (db doctor): a flexible cell wraps by words
    within its column, under itself, instead of being shortened; fixed cells stay on the first line."""
    out = lines(headers, [], numeric, layout, bold=bold)
    for row in cells:
        parts = {i: wrap_cell(row[i], layout.widths[i]) if flexible[i] else [row[i]] for i in layout.shown}
        height = max(len(p) for p in parts.values())
        for n in range(height):
            physical = [""] * len(headers)
            for i in layout.shown:
                physical[i] = parts[i][n] if n < len(parts[i]) else ""
            out.extend(lines(headers, [physical], numeric, layout)[1:])
    return out
