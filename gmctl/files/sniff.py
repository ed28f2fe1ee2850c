"""`files types`: the type a file's content says (sniffed) against the recorded `mime_type`.

The sniffer is libmagic through python-magic, reading the file itself (`from_descriptor`, on the descriptor
that path containment opened). Why:
- libmagic is file(1)'s database, maintained with it for decades: it knows executables of every
  kind (ELF, PE, Mach-O, scripts), which is the mismatch that matters most (a `.pdf` that runs);
  and it tells text from binary, which puremagic (pure Python, no text types) and filetype
  (261 bytes, no text types) cannot;
- reading from the file rather than a buffer lets libmagic read as far as it needs: from a
  short buffer a docx reads as zip, and libmagic 5.46 reports zip from a buffer as octet-stream.
The cost is a system library (libmagic1, part of Debian's `file`); `.ci/run` installs it when missing
and gmctl says so clearly when it is absent.

The rules (`compare`):
- unknown is not a mismatch: no answer, application/octet-stream, inode/x-empty, data;
- equivalent types are not mismatches: aliases (image/jpg = image/jpeg), any text the sniffer calls
  text/plain against a recorded text type (text/csv, text/markdown, application/json, ...), and the
  container formats the sniffer stops at: Office Open XML and OpenDocument files sniff as zip,
  legacy Office files as CDFV2 (OLE).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from gmctl.errors import GmctlError

UNKNOWN_TYPES = frozenset({"", "application/octet-stream", "inode/x-empty", "application/x-empty", "data"})
ALIASES = {
    "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "application/x-pdf": "application/pdf",
    "application/x-zip-compressed": "application/zip", "application/x-zip": "application/zip",
    "image/x-png": "image/png", "audio/mp3": "audio/mpeg", "text/x-csv": "text/csv",
    "application/csv": "text/csv", "text/comma-separated-values": "text/csv",
}  # fmt: skip
# Recorded types that are text: a sniffed text/plain is equivalent to any of them.
TEXTUAL = frozenset({"application/json", "application/xml", "application/csv", "application/x-yaml",
                     "application/yaml", "application/rtf"})
ZIP_CONTAINERS = ("application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.",
                  "application/epub+zip", "application/java-archive", "application/vnd.android.package-archive")
OLE_CONTAINERS = frozenset({"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
                            "application/vnd.ms-outlook"})
OLE_SNIFFED = frozenset({"application/cdfv2", "application/x-ole-storage", "application/cdfv2-unknown"})


class SnifferUnavailable(GmctlError):
    """libmagic is not installed (exit 1)."""


def normal(mime: str | None) -> str:
    """Lower case, parameters dropped (`text/plain; charset=utf-8` -> text/plain), aliases resolved."""
    value = (mime or "").split(";", 1)[0].strip().lower()
    return ALIASES.get(value, value)


def is_unknown(sniffed: str | None) -> bool:
    return normal(sniffed) in UNKNOWN_TYPES


def equivalent(recorded: str | None, sniffed: str | None) -> bool:
    """Whether the sniffed type agrees with the recorded one under the rules in the module doc."""
    want, got = normal(recorded), normal(sniffed)
    if want == got:
        return True
    if got == "text/plain" and (want.startswith("text/") or want in TEXTUAL):
        return True
    if got == "application/zip" and (want.startswith(ZIP_CONTAINERS) or want.endswith("+zip")):
        return True
    if got in OLE_SNIFFED and want in OLE_CONTAINERS:
        return True
    if want == "application/xml" and got == "text/xml" or want == "text/xml" and got == "application/xml":
        return True
    return False


def compare(recorded: str | None, sniffed: str | None) -> str:
    """`match`, `unknown` (the sniffer could not tell) or `mismatch`."""
    if is_unknown(sniffed):
        return "unknown"
    return "match" if equivalent(recorded, sniffed) else "mismatch"


def sniffer() -> Callable[[int], str]:
    """A function: open descriptor -> MIME type, libmagic reading the file itself (magic_descriptor)."""
    try:
        import magic
    except (ImportError, OSError) as exc:
        raise SnifferUnavailable(
            f"libmagic is not available ({exc}), so no type can be sniffed",
            hint="install it: apt-get install libmagic1 (or `file`); pip has python-magic already",
        ) from None
    detector = magic.Magic(mime=True)
    return lambda fd: detector.from_descriptor(fd)


@dataclass(frozen=True)
class TypeCheck:
    id: int
    original_filename: str
    recorded: str
    sniffed: str | None
    verdict: str  # match, unknown, mismatch, or unreadable / missing (no file to sniff)
    detail: str = ""


def check_types(conn: Any, root: Path, *, since: Any = None, limit: int | None = None) -> Iterator[TypeCheck]:
    """Sniff every record's file in id order; yields one TypeCheck each."""
    import os

    from sqlalchemy import select

    from gmctl.files.columns import file_uploads as fu
    from gmctl.files.storage import PathRefused, open_contained

    sniff = sniffer()
    last, seen = 0, 0
    while True:
        query = select(fu.c.id, fu.c.original_filename, fu.c.file_path, fu.c.mime_type).where(fu.c.id > last)
        if since is not None:
            query = query.where(fu.c.created_at >= since)
        rows = conn.execute(query.order_by(fu.c.id).limit(500)).all()
        for row in rows:
            try:
                fd = open_contained(row.file_path, root)
            except PathRefused as exc:
                yield TypeCheck(row.id, row.original_filename, row.mime_type, None, "unreadable", exc.reason)
                continue
            except (FileNotFoundError, NotADirectoryError):
                yield TypeCheck(row.id, row.original_filename, row.mime_type, None, "missing", "no file at this path")
                continue
            except OSError as exc:
                yield TypeCheck(row.id, row.original_filename, row.mime_type, None, "unreadable", exc.strerror or "")
                continue
            try:
                sniffed = sniff(fd)
            finally:
                os.close(fd)
            yield TypeCheck(row.id, row.original_filename, row.mime_type, sniffed, compare(row.mime_type, sniffed))
            seen += 1
            if limit is not None and seen >= limit:
                return
        if len(rows) < 500:
            return
        last = rows[-1].id
