"""Every row that reaches a person or a script goes through here.

- table on a terminal: a rich table, times shown relative ("3h ago"), money with separators;
- table when piped (asked for explicitly): plain text via tabulate, never truncated;
- json / csv / tsv: ISO-8601 times, exact decimals as strings in JSON, nothing truncated.
Data goes to stdout; notes, warnings and errors go to stderr.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

if TYPE_CHECKING:
    from gmctl.context import Env

Row = Mapping[str, Any]


# -- values -------------------------------------------------------------------------
def to_plain(value: Any) -> Any:
    """A JSON-safe value: exact decimals as strings, times in ISO-8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
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


def relative_time(moment: datetime, now: datetime) -> str:
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


def human_cell(value: Any, now: datetime) -> str:
    """A cell for a person at a terminal."""
    if isinstance(value, datetime):
        return relative_time(value, now)
    if isinstance(value, Decimal):
        from gmctl.money import Naira, format_naira

        return format_naira(value) if isinstance(value, Naira) else f"{value:,}"
    if value is None:
        return "-"
    return as_text(value)


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
) -> None:
    """Print rows in the chosen format. An empty result is [] in json, a note on stderr otherwise.

    `terminal_columns`: the columns a person sees in a table on a terminal, chosen for reading (about 6
    to 8, as gh and kubectl do); `env.wide` (--wide) shows all of them. Machine formats (json, csv, tsv)
    and piped tables always carry every column.
    """
    data = normalise_rows(rows)
    columns = list(columns) if columns else (list(data[0].keys()) if data else [])
    fmt = env.output_format
    if terminal_columns and fmt == "table" and env.stdout_is_tty and not env.wide:
        columns = [c for c in columns if c in terminal_columns]
    if fmt == "json":
        env.stdout.write(json.dumps([{c: to_plain(r.get(c)) for c in columns} for r in data], indent=2,
                                    ensure_ascii=False) + "\n")
        return
    if not data:
        note(env, empty)
        return
    if fmt in ("csv", "tsv"):
        _write_delimited(env, data, columns, "," if fmt == "csv" else "\t")
    elif env.stdout_is_tty:
        _write_rich_table(env, data, columns, title)
    else:
        _write_plain_table(env, data, columns)


def render_document(env: "Env", document: Mapping[str, Any], *, title: str | None = None) -> None:
    """One record (a `show`): one JSON object, or field/value lines for a person."""
    fmt = env.output_format
    if fmt == "json":
        env.stdout.write(json.dumps(to_plain(document), indent=2, ensure_ascii=False) + "\n")
        return
    rows = [{"field": k, "value": v} for k, v in document.items() if not isinstance(v, list)]
    if fmt in ("csv", "tsv"):
        _write_delimited(env, rows, ["field", "value"], "," if fmt == "csv" else "\t")
    elif env.stdout_is_tty:
        _write_rich_table(env, rows, ["field", "value"], title)
    else:
        _write_plain_table(env, rows, ["field", "value"])
    for key, value in document.items():
        if isinstance(value, list):
            env.stdout.write(f"\n{key}:\n")
            if value and isinstance(value[0], Mapping):
                render_rows(env, value, empty=f"no {key}")
            else:
                for item in value:
                    env.stdout.write(f"  {as_text(item)}\n")


def _write_delimited(env: "Env", data: list[dict[str, Any]], columns: list[str], delimiter: str) -> None:
    writer = csv.writer(env.stdout, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in data:
        writer.writerow([as_text(row.get(c)) for c in columns])


def _write_plain_table(env: "Env", data: list[dict[str, Any]], columns: list[str]) -> None:
    from tabulate import tabulate  # only here: ~70 ms to import, and only piped tables need it

    body = [[as_text(row.get(c)) for c in columns] for row in data]
    env.stdout.write(tabulate(body, headers=columns, tablefmt="simple", disable_numparse=True) + "\n")


def _write_rich_table(env: "Env", data: list[dict[str, Any]], columns: list[str], title: str | None) -> None:
    from rich.table import Table
    from rich.text import Text

    now = env.clock()
    table = Table(title=title, header_style="bold", box=None, pad_edge=False)
    for column in columns:
        numeric = all(isinstance(r.get(column), (int, float, Decimal)) and not isinstance(r.get(column), bool)
                      for r in data if r.get(column) is not None)
        # Money never wraps (a folded ₦4,380,000.0|0 misreads): the other columns fold instead.
        money = numeric and any(type(r.get(column)).__name__ == "Naira" for r in data)
        table.add_column(column.replace("_", " "), justify="right" if numeric else "left", overflow="fold",
                         no_wrap=money)
    for row in data:
        # Text, not str: rich would read "[/]" or "[bold]" in the data as markup (and fail on the first).
        table.add_row(*[Text(human_cell(row.get(c), now)) for c in columns])
    console(env).print(table)


# -- messages -----------------------------------------------------------------------------
def console(env: "Env", *, stderr: bool = False):  # -> rich.console.Console
    from rich.console import Console

    stream = env.stderr if stderr else env.stdout
    return Console(file=stream, no_color=not env.color, highlight=False, soft_wrap=False,
                   force_terminal=env.stdout_is_tty if not stderr else None)


def note(env: "Env", text: str) -> None:
    """Information for a person, on stderr so it never mixes with data."""
    env.stderr.write(text + "\n")


def success(env: "Env", text: str) -> None:
    env.stderr.write(("✓ " if env.color else "") + text + "\n")


def warn(env: "Env", text: str) -> None:
    env.stderr.write(f"warning: {text}\n")


def error(env: "Env", text: str, hint: str | None = None) -> None:
    env.stderr.write(f"error: {text}\n")
    if hint:
        env.stderr.write(f"hint: {hint}\n")


def emit_json(env: "Env", value: Any) -> None:
    env.stdout.write(json.dumps(to_plain(value), indent=2, ensure_ascii=False) + "\n")
