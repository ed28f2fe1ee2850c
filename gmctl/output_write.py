"""Writing machine formats and files: csv/tsv lines, JSON text, encodings, refused writes.

Re-exported by gmctl.output (stream_rows, write_delimited, raw_cells, writing, write_file, ...).
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from gmctl.errors import GmctlError
from gmctl.output_cells import neutralise_formula, tsv_field
from gmctl.output_values import as_text, is_number, to_plain

if TYPE_CHECKING:
    from pathlib import Path

    from gmctl.context import Env


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



_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _dumps(value: Any, indent: int | None, ascii_only: bool) -> str:
    # json escapes C0 controls itself; C1 controls, bidi overrides and the line separators are valid
    # raw in JSON but act on terminals and JavaScript: written as \\u escapes, the text stays exact.
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    return text if ascii_only else _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
                from gmctl.output import warn

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


# errno values that mean "this write was refused" when no file name comes with them (stdout).
WRITE_ERRNOS = frozenset({5, 27, 28, 30, 122})  # EIO, EFBIG, ENOSPC, EROFS, EDQUOT


def refused_write(exc: BaseException) -> GmctlError | None:
    """The clear error for an OSError that is a refused write to stdout, else None."""
    if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError) and exc.filename is None \
            and exc.errno in WRITE_ERRNOS:
        return output_failed(exc, "the output")
    return None


def finish_stdout(stdout: Any, stderr: Any, refused: OSError | None = None) -> None:
    """The last flush of a gmctl process: text a command wrote straight to stdout and --version or
    --help output. A refused write (`refused`, or this flush failing) becomes one clear error and
    exit 1, not a traceback or Python's "Exception ignored" at shutdown; a closed pipe stays quiet.
    Any other OSError in `refused` is left to propagate."""
    import os

    if stdout is None or stderr is None:  # started with a closed stdout (`>&-`): nothing to flush
        return
    try:
        stdout.flush()
    except BrokenPipeError:
        _point_at_devnull(stdout)
        return
    except OSError as exc:
        refused = refused or exc
    failure = refused_write(refused) if refused is not None else None
    if failure is None:
        return
    _point_at_devnull(stdout)
    stderr.write(f"error: {failure.message}\nhint: {failure.hint}\n")
    stderr.flush()
    os._exit(1)


def _point_at_devnull(stream: Any) -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass
