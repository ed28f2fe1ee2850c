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
import json
import re
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from gmctl.errors import GmctlError
from gmctl.output_cells import for_terminal, neutralise_formula, tsv_field

if TYPE_CHECKING:
    from pathlib import Path

    from gmctl.context import Env

Row = Mapping[str, Any]
MACHINE_FORMATS = ("json", "csv", "tsv")


# -- values -------------------------------------------------------------------------
def to_plain(value: Any) -> Any:
    """A JSON-safe value: exact decimals as strings, times in ISO-8601.

    A time PostgreSQL holds but Python cannot (year 294276, `infinity`; gmctl.db.loaders) is the
    server's own text of it.
    """
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        beyond = getattr(value, "pg_text", None)
        return beyond if beyond is not None else value.isoformat()
    if isinstance(value, timedelta):
        beyond = getattr(value, "pg_text", None)
        return beyond if beyond is not None else value.total_seconds()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: to_plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_plain(v) for v in value]
    return value


def as_text(value: Any) -> str:
    """A cell for csv/tsv/plain tables: exact and complete."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(to_plain(value), ensure_ascii=False, sort_keys=True)
    plain = to_plain(value)
    return str(plain)


def is_number(value: Any) -> bool:
    """Numbers stay numbers in every format: ints, Decimals (amounts) and floats, never booleans."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def relative_time(moment: datetime, now: datetime) -> str:
    beyond = getattr(moment, "pg_text", None)
    if beyond is not None:
        return beyond
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = (now - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for limit, unit, size in ((60, "s", 1), (3600, "m", 60), (86400, "h", 3600), (86400 * 45, "d", 86400)):
        if seconds < limit:
            amount = f"{int(seconds // size)}{unit}"
            break
    else:
        return moment.astimezone(timezone.utc).date().isoformat()
    return f"in {amount}" if future else f"{amount} ago"


def lagos_time(value: datetime, now: datetime, *, relative: bool = True) -> str:
    """`2026-11-25 10:00` in Africa/Lagos, with "(3h ago)" when recent; the server's text when the
    time is beyond Python's range."""
    beyond = getattr(value, "pg_text", None)
    if beyond is not None:
        return beyond
    from gmctl.when import LAGOS

    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    shown = f"{value.astimezone(LAGOS):%Y-%m-%d %H:%M}"
    if not relative:
        return shown
    ago = relative_time(value, now)
    return shown + (f" ({ago})" if ago.endswith(" ago") or ago.startswith("in ") else "")


def human_cell(value: Any, now: datetime) -> str:
    """A cell for a person at a terminal, control characters escaped (one line, always)."""
    if isinstance(value, datetime):
        return relative_time(value, now)
    if isinstance(value, Decimal):
        from gmctl.money import Naira, format_naira

        return format_naira(value) if isinstance(value, Naira) else f"{value:,}"
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return for_terminal(", ".join(value))
    return for_terminal(as_text(value))


def terminal_text(text: str) -> str:
    """Free text (a description, a message) for a terminal: line breaks kept, other controls escaped."""
    return for_terminal(text, keep_newlines=True)


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
) -> None:
    """Print rows in the chosen format. An empty result is [] in json, a note on stderr otherwise.

    `terminal_columns`: the columns a person sees in a table on a terminal, in order of importance,
    chosen for reading (about 6 to 8, as gh and kubectl do); `env.wide` (--wide, -o wide) shows all
    of them. Machine formats (json, csv, tsv) and piped tables always carry every column.
    `flexible`: the columns that may be shortened with … to fit the terminal; by default the text
    columns gmctl.output_table.is_flexible picks (titles, names, emails, prose). Every other column
    (ids, statuses, enum values, times, numbers) and every header is shown whole.
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
            _write_terminal_table(env, data, columns, title, flexible)
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


def stream_rows(env: "Env", rows: Iterable[Mapping[str, Any]], columns: Sequence[str], fmt: str) -> int:
    """Write rows as they arrive (exports): csv/tsv lines or one JSON array, never all in memory.

    The same cells as render_rows in the same format. Returns the number of rows written.
    """
    out = env.stdout
    count = 0
    with writing(env):
        if fmt == "json":
            ascii_only = not _utf_stream(out)
            out.write("[")
            for row in rows:
                item = _dumps({c: to_plain(row.get(c)) for c in columns}, None, ascii_only)
                out.write(("\n  " if count == 0 else ",\n  ") + item)
                count += 1
            out.write("\n]\n" if count else "]\n")
            return count
        encode = _Encoding(env)
        line = _line_maker(env, fmt)
        out.write(encode.check(line(columns, header=True)))
        for row in rows:
            out.write(encode.check(line([row.get(c) for c in columns])))
            count += 1
    return count


def write_delimited(env: "Env", data: list[dict[str, Any]], columns: Sequence[str], fmt: str) -> None:
    """csv (RFC 4180) or tsv (one line per record, COPY escaping) of `data`, header first."""
    stream_rows(env, data, columns, fmt)


def _line_maker(env: "Env", fmt: str):
    raw = raw_cells(env)

    def cell(value: Any, header: bool) -> str:
        text = as_text(value)
        if not (raw or header or is_number(value) or value is None or isinstance(value, (bool, datetime, date))):
            text = neutralise_formula(text)
        return text

    if fmt == "tsv":
        def tsv(values: Sequence[Any], header: bool = False) -> str:
            return "\t".join(tsv_field(cell(v, header)) for v in values) + "\n"

        return tsv

    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180: CRLF, QUOTE_MINIMAL, "" inside quotes

    def csv_line(values: Sequence[Any], header: bool = False) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([cell(v, header) for v in values])
        return buffer.getvalue()

    return csv_line


def raw_cells(env: "Env") -> bool:
    """--raw-cells, or `raw_cells = true` in config.toml's [output]: csv/tsv cells exactly as stored."""
    if getattr(env, "raw_cells", False):
        return True
    try:
        return env.config.section("output").get("raw_cells") is True
    except GmctlError:
        return False  # an unreadable config.toml is reported by the commands that need it


def _write_plain_table(env: "Env", data: list[dict[str, Any]], columns: list[str]) -> None:
    from tabulate import tabulate  # only here: ~70 ms to import, and only piped tables need it

    body = [[for_terminal(as_text(row.get(c))) for c in columns] for row in data]
    text = tabulate(body, headers=columns, tablefmt="simple", disable_numparse=True) + "\n"
    env.stdout.write(_Encoding(env).check(text))


def _write_terminal_table(env: "Env", data: list[dict[str, Any]], columns: list[str], title: str | None,
                          flexible: Sequence[str] | None) -> None:
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
    text = "\n".join(output_table.lines(headers, cells, numeric, layout, bold=env.color)) + "\n"
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


# -- writing ------------------------------------------------------------------------------
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _dumps(value: Any, indent: int | None, ascii_only: bool) -> str:
    # json escapes C0 controls itself; C1 controls, bidi overrides and the line separators are valid
    # raw in JSON but act on terminals and JavaScript: written as \\u escapes, the text stays exact.
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    return text if ascii_only else _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def emit_json(env: "Env", value: Any) -> None:
    """One JSON document on stdout: exact text; pure ASCII (\\u escapes) when stdout is not UTF-8."""
    with writing(env):
        env.stdout.write(_dumps(to_plain(value), 2, not _utf_stream(env.stdout)) + "\n")


def _utf_stream(stream: Any) -> bool:
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    return encoding.startswith("utf")


class _Encoding:
    """Warns once when stdout cannot encode some text (PYTHONIOENCODING=ascii, a latin-1 terminal):
    the stream writes escapes for those characters (gmctl.context makes it tolerant) and says so."""

    def __init__(self, env: "Env") -> None:
        self.env = env
        self.stream = env.stdout
        self.encoding = None if _utf_stream(self.stream) else self.stream.encoding

    def check(self, text: str) -> str:
        if self.encoding is not None and not getattr(self.env, "_encoding_warned", False):
            try:
                text.encode(self.encoding)
            except (UnicodeEncodeError, LookupError):
                self.env._encoding_warned = True  # type: ignore[attr-defined]
                warn(self.env, f"the output's encoding ({self.encoding}) cannot show every character; "
                               "those are written as \\x/\\u escapes (set PYTHONIOENCODING=utf-8 for exact "
                               "text, or use --format json, which stays exact in ASCII)")
        return text


@contextmanager
def writing(env: "Env") -> Iterator[None]:
    """Writes to stdout, flushed at the end; a refused write is GmctlError (exit 1), not a traceback.

    BrokenPipeError passes through untouched: the guarded command ends quietly when the reader left.
    """
    try:
        yield
        env.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise output_failed(exc, "the output") from None


def output_failed(exc: OSError, where: str) -> GmctlError:
    """The clear error for a write the system refused (ENOSPC, EIO, EROFS...)."""
    return GmctlError(f"cannot write {where}: {exc.strerror or exc}",
                      hint="check the disk or device it goes to has room and accepts writes; "
                           "nothing more was written")


def write_file(path: "Path", text: str, *, mode: int = 0o600) -> None:
    """Write `text` (UTF-8) to `path`, created with `mode`; any refusal is one clear GmctlError
    naming the path (exit 1), /dev/full and a full disk included."""
    import os

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise output_failed(exc, str(path)) from None


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
