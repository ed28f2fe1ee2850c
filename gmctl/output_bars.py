"""A bar chart of one numeric column beside the rows, for a person at a terminal (payments summary).

Part of the output layer: the cells pass through the same terminal sanitiser as every table, and
piped or machine formats are exactly render_rows (no bars).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from gmctl.output import console, normalise_rows, render_rows
from gmctl.output_cells import for_terminal
from gmctl.output_values import human_cell

if TYPE_CHECKING:
    from gmctl.context import Env


def render_rows_with_bars(
    env: "Env",
    rows: Iterable[Any],
    columns: Sequence[str],
    *,
    bar_column: str,
    empty: str = "No rows.",
    title: str | None = None,
    width: int = 28,
) -> None:
    """Rows with a bar chart of `bar_column` beside the numbers, for a person at a terminal (rich);
    every other case (piped, csv, tsv, json) is exactly render_rows: plain data, no bars.

    Bars are proportional to the largest value (non-numeric and negative values draw nothing); the
    chart column takes `width` cells at most, fewer on a narrow terminal.
    """
    data = normalise_rows(rows)
    if not (env.output_format == "table" and env.stdout_is_tty) or not data:
        render_rows(env, data, columns, empty=empty, title=title)
        return
    from rich.table import Table
    from rich.text import Text

    values = [r.get(bar_column) for r in data]
    numbers = [float(v) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) else 0.0
               for v in values]
    top = max(numbers) if numbers and max(numbers) > 0 else 1.0
    out = console(env)
    now = env.clock()
    cells = [[for_terminal(human_cell(row.get(c), now)) for c in columns] for row in data]
    widths = [max([len(c.replace("_", " "))] + [len(line[i]) for line in cells]) for i, c in enumerate(columns)]
    used = sum(widths) + 2 * len(columns) + 1  # rich pads every column by one space each side
    size = max(4, min(width, (out.width or 80) - used - 1))
    table = Table(title=for_terminal(title) if title else None, header_style="bold", box=None, pad_edge=False)
    for i, column in enumerate(columns):
        numeric = all(isinstance(r.get(column), (int, float, Decimal)) and not isinstance(r.get(column), bool)
                      for r in data if r.get(column) is not None)
        table.add_column(column.replace("_", " "), justify="right" if numeric else "left", no_wrap=True,
                         min_width=widths[i])
    table.add_column("", no_wrap=True)  # the bars speak for themselves
    for line, number in zip(cells, numbers):
        length = max(0.0, number) / top * size
        whole = int(length)
        bar = "█" * whole + ("▌" if length - whole >= 0.5 else "")
        table.add_row(*[Text(cell) for cell in line], Text(bar, style="cyan"))
    out.print(table)
