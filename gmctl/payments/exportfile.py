"""Reading a gateway export: streamed line by line, checked, converted, never held in memory whole.

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

import csv
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Iterator

from gmctl.errors import InvalidInput
from gmctl.money import from_kobo
from gmctl.payments.layouts import COLUMNS_HINT, FIELDS, REQUIRED, Layout
from gmctl.payments.statuses import STATUS_MAP, map_status

BOM = b"\xef\xbb\xbf"
# One converted row: line, reference, transaction_id, amount (NGN), currency, gateway status,
# ledger status, paid_at (UTC), fees (NGN), channel, message.
Row = tuple[int, str, str | None, Decimal, str, str, str, datetime | None, Decimal | None, str | None, str | None]


class BadExportFile(InvalidInput):
    """The export cannot be read as the layout says (exit 2); `line` is the 1-based line number."""

    def __init__(self, path: Path | str, line: int, problem: str, hint: str | None = None) -> None:
        super().__init__(f"{path}: line {line}: {problem}; nothing was applied",
                         hint=hint or "fix or export the file again, then run reconcile again")
        self.line = line


def _lines(stream: IO[bytes], path: Path | str, counter: list[int], ends: list[bool]) -> Iterator[str]:
    for raw in stream:
        counter[0] += 1
        if counter[0] == 1 and raw.startswith(BOM):
            raise BadExportFile(path, 1, "the file starts with a byte-order mark (BOM)",
                                hint="export it again as plain UTF-8, or strip the BOM (e.g. `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`)")
        ends[0] = raw.endswith(b"\n")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadExportFile(path, counter[0], f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
                                hint="export the file again as UTF-8 (or convert it with iconv)") from None


def _amount(text: str, unit: str, path: Path | str, line: int, what: str) -> Decimal:
    value = text.strip().replace(",", "")
    for marker in ("₦", "NGN"):
        value = value.removeprefix(marker).strip()
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise BadExportFile(path, line, f"{what} {text!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise BadExportFile(path, line, f"{what} {text!r} is not an amount")
    if unit == "kobo":
        if number != number.to_integral_value():
            raise BadExportFile(path, line, f"{what} {text!r} has a fraction, but the amounts are in kobo",
                                hint="pass --amount-unit naira if this file counts naira")
        return from_kobo(int(number))
    if number.as_tuple().exponent < -2 and number != number.quantize(Decimal("0.01")):  # type: ignore[operator]
        raise BadExportFile(path, line, f"{what} {text!r} has more than 2 decimals for naira")
    return number.quantize(Decimal("0.01"))


def _moment(text: str, path: Path | str, line: int) -> datetime | None:
    value = text.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace(" UTC", "").replace(" GMT", ""))
    except ValueError:
        raise BadExportFile(path, line, f"paid-at time {text!r} is not an ISO-8601 time",
                            hint="times look like 2026-11-20T14:05:00Z or 2026-11-20 14:05:00") from None
    # Both gateways export GMT/UTC: a time without a zone is UTC, not Lagos.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def read_export(path: Path | str, layout: Layout, unit: str) -> Iterator[Row]:
    """The export's data rows, converted (amounts to NGN Decimals, statuses mapped), one at a time.
    Raises BadExportFile (exit 2) at the first problem, naming its line."""
    counter, ends = [0], [True]
    with open(path, "rb") as stream:
        reader = csv.reader(_lines(stream, path, counter, ends), strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise BadExportFile(path, 1, "the file is empty") from None
        except csv.Error as exc:
            raise BadExportFile(path, counter[0], f"not CSV ({exc})") from None
        names = [h.strip().lower() for h in header]
        where = {name: i for i, name in reversed(list(enumerate(names)))}
        missing = [f"{f} ({layout.headers[f]!r})" for f in REQUIRED if layout.headers.get(f) not in where]
        if missing:
            raise BadExportFile(
                path, 1, f"the header has no column for {', '.join(missing)}: this is not a {layout.name} "
                f"export (its columns: {', '.join(names[:12])}{'…' if len(names) > 12 else ''})",
                hint=f"check --gateway, or {COLUMNS_HINT}")
        index = {f: where.get(layout.headers[f]) if f in layout.headers else None for f in FIELDS}
        width = len(names)
        words = sorted(STATUS_MAP[layout.gateway]) if not layout.generic_statuses else None
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise BadExportFile(path, counter[0], f"not valid CSV ({exc}); the line may be cut short") from None
            line = counter[0]
            if not fields or all(not f.strip() for f in fields) and len(fields) <= 1:
                raise BadExportFile(path, line, "blank line", hint="remove blank lines, or export the file again")
            if not ends[0]:  # the last line has no line break: the download or copy was cut short
                raise BadExportFile(path, line, f"the last line is truncated (no line break at its end; "
                                    f"{len(fields)} of {width} fields)",
                                    hint="the file was cut short: download the export again")
            if len(fields) != width:
                if len(fields) < width and not ends[0]:
                    raise BadExportFile(path, line, f"the last line is truncated: {len(fields)} of {width} fields",
                                        hint="the file was cut short: download the export again")
                raise BadExportFile(path, line, f"{len(fields)} fields where the header has {width}")

            def get(field: str) -> str:
                i = index[field]
                return fields[i] if i is not None else ""

            reference = get("reference").strip()
            if not reference:
                raise BadExportFile(path, line, "the reference is empty")
            raw_status = get("status").strip().lower()
            mapped = map_status(layout.gateway, raw_status, generic=layout.generic_statuses)
            if mapped is None:
                known = ", ".join(words) if words else "either gateway's words or the ledger's statuses"
                raise BadExportFile(path, line, f"status {get('status')!r} is not in the {layout.gateway} table ({known})",
                                    hint="docs/payments.md lists the status mapping")
            fees = get("fees")
            yield (line, reference, get("transaction_id").strip() or None,
                   _amount(get("amount"), unit, path, line, "amount"),
                   (get("currency").strip().upper() or "NGN"), raw_status, mapped,
                   _moment(get("paid_at"), path, line),
                   _amount(fees, unit, path, line, "fees") if fees.strip() else None,
                   get("channel").strip() or None, get("message").strip()[:500] or None)
