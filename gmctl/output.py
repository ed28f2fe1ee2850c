"""Every row that reaches a person or a script goes through here (guarantees: docs/output.md).

- table on a terminal: one line per row fitted to the terminal's width (gmctl.output_table), times
  relative ("3h ago"), money with separators, control characters in data shown escaped;
- table when piped (asked for explicitly): plain text via tabulate, never truncated, escaped alike;
- json: exact text (control and bidi characters as \\u escapes), decimals as strings, ISO-8601 times;
- csv: RFC 4180 (CRLF, quotes where needed), read back by Python's csv module to the same cells;
- tsv: one record per line, PostgreSQL text COPY escaping, no quoting;
- csv and tsv neutralise spreadsheet formulas (OWASP) unless --raw-cells or [output] raw_cells.
Data goes to stdout; notes, warnings and errors go to stderr. A stream that cannot encode a
character gets an escape instead (and one warning); a stream that refuses writes is a clear error.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from gmctl.output_cells import for_terminal
from gmctl.output_values import (  # noqa: F401 - the output layer's public names, used by commands
    as_text, human_cell, is_number, lagos_time, relative_time, terminal_text, to_plain,
)
from gmctl.output_write import (  # noqa: F401
    _dumps, _Encoding, _utf_stream, output_failed, raw_cells, refused_write, stream_rows, write_delimited,
    write_file, writing,
)

if TYPE_CHECKING:
    from gmctl.context import Env

Row = Mapping[str, Any]
MACHINE_FORMATS = ("json", "csv", "tsv")


# -- rows -----------------------------------------------------------------------------
def normalise_rows(rows: Iterable[Any]) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        if dataclasses.is_dataclass(row) and not isinstance(row, type):
            result.append({f.name: getattr(row, f.name) for f in dataclasses.fields(row)})
        elif isinstance(row, Mapping):
            result.append(dict(row))
        else:
            result.append(dict(row._mapping))  # a SQLAlchemy Row
    return result


def render_rows(
    env: "Env",
    rows: Iterable[Any],
    columns: Sequence[str] | None = None,
    *,
    empty: str = "No rows.",
    title: str | None = None,
    terminal_columns: Sequence[str] | None = None,
    flexible: Sequence[str] | None = None,
    wrap: bool = False,
) -> None:
    """Print rows in the chosen format. An empty result is [] in json, a note on stderr otherwise.

    `terminal_columns`: the columns a person sees in a table on a terminal, in order of importance,
    chosen for reading (about 6 to 8, as gh and kubectl do); `env.wide` (--wide, -o wide) shows all
    of them. Machine formats (json, csv, tsv) and piped tables always carry every column.
    `flexible`: the columns that may be shortened with … to fit the terminal; by default the text
    columns gmctl.output_table.is_flexible picks (titles, names, emails, prose). Every other column
    (ids, statuses, enum values, times, numbers) and every header is shown whole.
    `wrap=True`: for reports where every word matters (db doctor), flexible cells wrap by words
    within their column instead of being shortened (a row may then take several lines).
    Raises GmctlError (exit 1) when the output cannot be written (a full disk, /dev/full).
    """
    data = normalise_rows(rows)
    columns = list(columns) if columns else (list(data[0].keys()) if data else [])
    fmt = env.output_format
    person = fmt == "table" and env.stdout_is_tty
    if terminal_columns and person and not env.wide:
        columns = [c for c in terminal_columns if c in columns]
    with writing(env):
        if fmt == "json":
            emit_json(env, [{c: r.get(c) for c in columns} for r in data])
            return
        if not data:
            note(env, empty)
            return
        if fmt in ("csv", "tsv"):
            write_delimited(env, data, columns, fmt)
        elif person:
            _write_terminal_table(env, data, columns, title, flexible, wrap)
        else:
            _write_plain_table(env, data, columns)


def render_document(env: "Env", document: Mapping[str, Any], *, title: str | None = None) -> None:
    """One record (a `show`): one JSON object, or field/value lines for a person.

    On a terminal the values wrap under themselves within the terminal's width (never folded into
    the field names); lists of records follow as tables of their own.
    """
    fmt = env.output_format
    with writing(env):
        if fmt == "json":
            emit_json(env, document)
            return
        rows = [{"field": k, "value": v} for k, v in document.items() if not isinstance(v, list)]
        if fmt in ("csv", "tsv"):
            write_delimited(env, rows, ["field", "value"], fmt)
        elif env.stdout_is_tty:
            _write_terminal_document(env, rows, title)
        else:
            _write_plain_table(env, rows, ["field", "value"])
        for key, value in document.items():
            if isinstance(value, list):
                env.stdout.write(f"\n{for_terminal(str(key))}:\n")
                if value and isinstance(value[0], Mapping):
                    render_rows(env, value, empty=f"no {key}")
                else:
                    for item in value:
                        text = as_text(item) if fmt in MACHINE_FORMATS else for_terminal(as_text(item))
                        env.stdout.write(f"  {text}\n")


def _write_plain_table(env: "Env", data: list[dict[str, Any]], columns: list[str]) -> None:
    from tabulate import tabulate  # only here: ~70 ms to import, and only piped tables need it

    body = [[for_terminal(as_text(row.get(c))) for c in columns] for row in data]
    text = tabulate(body, headers=columns, tablefmt="simple", disable_numparse=True) + "\n"
    env.stdout.write(_Encoding(env).check(text))


def _write_terminal_table(env: "Env", data: list[dict[str, Any]], columns: list[str], title: str | None,
                          flexible: Sequence[str] | None, wrap: bool = False) -> None:
    from gmctl import output_table

    now = env.clock()
    headers = [for_terminal(c.replace("_", " ")) for c in columns]
    cells = [[human_cell(row.get(c), now) for c in columns] for row in data]
    numeric = [all(is_number(r.get(c)) for r in data if r.get(c) is not None) and
               any(r.get(c) is not None for r in data) for c in columns]
    if flexible is None:
        bendable = [output_table.is_flexible(c, (r.get(c) for r in data)) for c in columns]
    else:
        bendable = [c in flexible for c in columns]
    width = env.terminal_width
    layout = output_table.plan(headers, cells, bendable, width, wide=env.wide)
    if wrap and not env.wide:
        shown = output_table.wrapped_lines(headers, cells, numeric, bendable, layout, bold=env.color)
    else:
        shown = output_table.lines(headers, cells, numeric, layout, bold=env.color)
    text = "\n".join(shown) + "\n"
    if title:
        text = (f"\x1b[1m{for_terminal(title)}\x1b[0m" if env.color else for_terminal(title)) + "\n" + text
    env.stdout.write(_Encoding(env).check(text))
    if layout.hidden:
        names = ", ".join(columns[i] for i in layout.hidden)
        note(env, f"left out to fit {width} columns: {names} (--wide shows every column)")



def _write_terminal_document(env: "Env", rows: list[dict[str, Any]], title: str | None) -> None:
    from rich.table import Table
    from rich.text import Text

    now = env.clock()
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    for row in rows:
        value = row["value"]
        shown = lagos_time(value, now) if isinstance(value, datetime) else human_cell(value, now)
        table.add_row(Text(for_terminal(str(row["field"]))), Text(shown))
    printer = console(env)
    if title:
        printer.print(Text(for_terminal(title), style="bold"))
    printer.print(table)


def emit_json(env: "Env", value: Any) -> None:
    """One JSON document on stdout: exact text; pure ASCII (\\u escapes) when stdout is not UTF-8."""
    with writing(env):
        env.stdout.write(_dumps(to_plain(value), 2, not _utf_stream(env.stdout)) + "\n")


# -- messages -----------------------------------------------------------------------------
_CONSOLE_CLASS: Any = None


def _safe_console_class() -> Any:
    """rich's Console, with every text segment it writes passed through for_terminal: whatever a
    command prints through it (tables, show screens, progress lines) cannot carry control codes
    from the data. Styles and cursor moves are rich's own control segments and pass untouched."""
    global _CONSOLE_CLASS
    if _CONSOLE_CLASS is None:
        from rich.console import Console
        from rich.segment import Segment

        class SafeConsole(Console):
            def _render_buffer(self, buffer: Iterable[Segment]) -> str:
                return super()._render_buffer(
                    Segment(for_terminal(s.text, keep_newlines=True), s.style, s.control)
                    if s.text and not s.control else s
                    for s in buffer
                )

        _CONSOLE_CLASS = SafeConsole
    return _CONSOLE_CLASS


def console(env: "Env", *, stderr: bool = False):  # -> rich.console.Console
    """A rich Console on stdout (or stderr), as wide as the terminal (COLUMNS=0 or absurd: 80)."""
    stream = env.stderr if stderr else env.stdout
    return _safe_console_class()(
        file=stream, no_color=not env.color, highlight=False, soft_wrap=False,
        force_terminal=env.stdout_is_tty if not stderr else None, width=env.terminal_width,
    )


def _message(text: str) -> str:
    return for_terminal(str(text), keep_newlines=True)


def more(env: "Env", cursor: object) -> None:
    """The one paging hint every list prints on stderr when another page follows."""
    note(env, f"more: add --after {cursor}")


def note(env: "Env", text: str) -> None:
    """Information for a person, on stderr so it never mixes with data (control characters escaped)."""
    env.stderr.write(_message(text) + "\n")


def success(env: "Env", text: str) -> None:
    env.stderr.write(("✓ " if env.color else "") + _message(text) + "\n")


def warn(env: "Env", text: str) -> None:
    env.stderr.write(f"warning: {_message(text)}\n")


def error(env: "Env", text: str, hint: str | None = None) -> None:
    env.stderr.write(f"error: {_message(text)}\n")
    if hint:
        env.stderr.write(f"hint: {_message(hint)}\n")


def render_rows_with_bars(env: "Env", rows: Iterable[Any], columns: Sequence[str], **options: Any) -> None:
    """Rows with a bar chart beside the numbers on a terminal; exactly render_rows otherwise.
    See gmctl.output_bars.render_rows_with_bars for the options."""
    from gmctl.output_bars import render_rows_with_bars as draw

    draw(env, rows, columns, **options)
