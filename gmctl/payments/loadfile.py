"""Loading a gateway export fast: a byte-level scan in Python, CSV parsing by the server's COPY,
the value checks and conversions in SQL (1M lines in seconds, in bounded memory).

1. `scan` streams the file in 1 MiB chunks: it refuses a BOM, bytes that are not UTF-8, a blank
   line and a last line without a line break (truncated), each with its line number, and passes
   every chunk on, so nothing is held in memory;
2. the chunks go to `COPY recon_raw FROM STDIN (FORMAT csv)` into a temporary table of text
   columns, one per header column, numbered in file order (a bigserial). COPY itself refuses a
   line with more or fewer fields than the header and an unterminated quote; its line number is
   turned into the file's;
3. one SQL pass finds the first line whose reference is empty, whose status is not in the mapping
   table, whose amount, fees or paid-at time cannot be read (a kobo amount with a fraction, naira
   with more than 2 decimals); another converts every line into recon_file (amounts to NGN,
   statuses mapped, times to UTC: a time without a zone is UTC, as both gateways export).
Any problem is BadExportFile (exit 2, naming the line), raised before anything is compared.
Line numbers count physical lines; a quoted field holding a line break would shift the later ones.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import text

from gmctl.payments.exportfile import BOM, BadExportFile
from gmctl.payments.layouts import COLUMNS_HINT, FIELDS, REQUIRED, Layout
from gmctl.payments.statuses import GENERIC_MAP, STATUS_MAP

CHUNK = 1 << 20
AMOUNT = r"^(₦|NGN)?\s*[0-9][0-9,]*(\.[0-9]+)?$"
MOMENT = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?|UTC|GMT)?$"
_COPY_LINE = re.compile(r"line (\d+)")


def _header(stream: Any, path: Path | str) -> tuple[list[str], bytes]:
    """The header's names (lower case) and its raw bytes; refuses an empty file, a BOM, non-UTF-8."""
    raw = stream.readline()
    if not raw:
        raise BadExportFile(path, 1, "the file is empty")
    if raw.startswith(BOM):
        raise BadExportFile(path, 1, "the file starts with a byte-order mark (BOM)",
                            hint="export it again as plain UTF-8, or strip the BOM "
                                 "(e.g. `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`)")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadExportFile(path, 1, f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
                            hint="export the file again as UTF-8 (or convert it with iconv)") from None
    if not raw.endswith(b"\n"):
        raise BadExportFile(path, 1, "the file holds only a header, and no line break after it",
                            hint="the file was cut short: download the export again")
    names = [h.strip().lower() for h in next(csv.reader(io.StringIO(line)))]
    return names, raw


def scan(stream: Any, path: Path | str, first_line: int) -> Iterator[bytes]:
    """The data after the header, chunk by chunk, checked as the module text says."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = first_line  # the number of the line the next byte belongs to
    last = b"\n"
    while chunk := stream.read(CHUNK):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            at = line + chunk.count(b"\n", 0, max(0, exc.start))
            raise BadExportFile(path, at, f"not UTF-8 (byte 0x{chunk[exc.start]:02x})",
                                hint="export the file again as UTF-8 (or convert it with iconv)") from None
        joined = last + chunk
        for blank in (b"\n\n", b"\n\r\n"):
            found = joined.find(blank)
            if found >= 0:
                raise BadExportFile(path, line + joined.count(b"\n", 0, found + 1) - 1, "blank line",
                                    hint="remove blank lines, or export the file again")
        line += chunk.count(b"\n")
        last = chunk[-1:]
        yield chunk
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise BadExportFile(path, line, "not UTF-8 (the file ends inside a character)") from None
    if last != b"\n":
        raise BadExportFile(path, line, "the last line is truncated (no line break at its end)",
                            hint="the file was cut short: download the export again")


def _columns(names: list[str], layout: Layout, path: Path | str) -> dict[str, str | None]:
    where = {name: i for i, name in reversed(list(enumerate(names)))}
    missing = [f"{f} ({layout.headers[f]!r})" for f in REQUIRED if layout.headers.get(f) not in where]
    if missing:
        raise BadExportFile(
            path, 1, f"the header has no column for {', '.join(missing)}: this is not a {layout.name} "
            f"export (its columns: {', '.join(names[:12])}{'…' if len(names) > 12 else ''})",
            hint=f"check --gateway, or {COLUMNS_HINT}")
    return {f: (f"c{where[layout.headers[f]] + 1}" if layout.headers.get(f) in where else None) for f in FIELDS}


MAX_COLUMNS = 1_000  # PostgreSQL's tables stop at 1,600 columns; real exports have a few dozen


def load_export(connection: Any, path: Path | str, layout: Layout, unit: str) -> int:
    """Fill the temporary table recon_file (see reconcile.TEMP_FILE) from the export; returns the
    number of data lines. BadExportFile (exit 2) at the first problem, with its line number."""
    import psycopg

    with open(path, "rb") as stream:
        names, _ = _header(stream, path)
        cols = _columns(names, layout, path)
        width = len(names)
        if width > MAX_COLUMNS:
            raise BadExportFile(path, 1, f"the header has {width:,} columns; no gateway export has over {MAX_COLUMNS:,}",
                                hint=f"check the file, or {COLUMNS_HINT}")
        listed = ", ".join(f"c{i} text" for i in range(1, width + 1))
        connection.execute(text(f"CREATE TEMPORARY TABLE recon_raw (n bigserial, {listed}) ON COMMIT DROP"))
        raw = connection.connection.driver_connection
        copy_sql = f"COPY recon_raw ({', '.join(f'c{i}' for i in range(1, width + 1))}) FROM STDIN WITH (FORMAT csv)"
        try:
            with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for chunk in scan(stream, path, 2):
                    copy.write(chunk)
        except psycopg.Error as exc:
            context = (exc.diag.context or "") if getattr(exc, "diag", None) else ""
            found = _COPY_LINE.search(context)
            line = int(found.group(1)) + 1 if found else 0
            problem = (exc.diag.message_primary or str(exc)).split("\n")[0]
            problem = {"extra data after last expected column": f"more fields than the header's {width}",
                       "unterminated CSV quoted field": "a quote is never closed (the line may be cut short)",
                       }.get(problem, problem.replace("missing data for column", f"fewer fields than the header's {width}: no data for column"))
            raise BadExportFile(path, line, problem) from None
    _check_values(connection, path, cols, layout, unit)
    return _convert(connection, path, cols, layout, unit)


def _value(col: str | None) -> str:
    return f"trim(coalesce({col}, ''))" if col else "''"


def _status_table(layout: Layout) -> dict[str, str]:
    return GENERIC_MAP if layout.generic_statuses else STATUS_MAP[layout.gateway]


def _number(col: str | None) -> str:
    return f"replace(regexp_replace({_value(col)}, '^(₦|NGN)\\s*', ''), ',', '')"


def _check_values(connection: Any, path: Path | str, cols: dict[str, str | None], layout: Layout, unit: str) -> None:
    ref, status, amount = _value(cols["reference"]), f"lower({_value(cols['status'])})", _value(cols["amount"])
    fees, paid = _value(cols["fees"]), _value(cols["paid_at"])
    fraction = (f"{_number(c)} ~ '\\.[0-9]*[1-9]'" if unit == "kobo" else f"{_number(c)} ~ '\\.[0-9]{{3,}}'"
                for c in (cols["amount"], cols["fees"]))
    amount_fraction, fees_fraction = fraction
    checks = {
        "reference": (f"{ref} = ''", "the reference is empty", None),
        "status": (f"NOT ({status} = ANY(:words))", "status {value!r} is not in the {gateway} table ({known})",
                   _status_table(layout)),
        "amount": (f"{amount} !~ :amount_re", "amount {value!r} is not a number", None),
        "amount_fraction": (amount_fraction, "amount {value!r} has " + (
            "a fraction, but the amounts are in kobo" if unit == "kobo" else "more than 2 decimals for naira"), None),
        "fees": (f"{fees} <> '' AND {fees} !~ :amount_re", "fees {value!r} is not a number", None),
        "fees_fraction": (f"{fees} <> '' AND {fees_fraction}", "fees {value!r} has " + (
            "a fraction, but the amounts are in kobo" if unit == "kobo" else "more than 2 decimals for naira"), None),
        "paid_at": (f"{paid} <> '' AND {paid} !~ :moment_re", "paid-at time {value!r} is not an ISO-8601 time", None),
    }
    values = {"reference": ref, "status": _value(cols["status"]), "amount": amount, "amount_fraction": amount,
              "fees": fees, "fees_fraction": fees, "paid_at": paid}
    select = ", ".join(f"min(n) FILTER (WHERE {cond}) AS {name}" for name, (cond, _, _) in checks.items())
    params = {"words": list(_status_table(layout)), "amount_re": AMOUNT, "moment_re": MOMENT}
    first = connection.execute(text(f"SELECT {select} FROM recon_raw"), params).mappings().one()
    bad = [(n, name) for name, n in first.items() if n is not None]
    if not bad:
        return
    n, name = min(bad)
    value = connection.execute(text(f"SELECT {values[name]} FROM recon_raw WHERE n = :n"), {"n": n}).scalar_one()
    _, template, table = checks[name]
    known = ", ".join(sorted(table)) if table and not layout.generic_statuses else "either gateway's words or the ledger's statuses"
    hint = {"status": "docs/payments.md lists the status mapping",
            "paid_at": "times look like 2026-11-20T14:05:00Z or 2026-11-20 14:05:00",
            "amount_fraction": "pass --amount-unit naira if this file counts naira" if unit == "kobo" else None,
            }.get(name)
    raise BadExportFile(path, n + 1, template.format(value=value, gateway=layout.gateway, known=known), hint=hint)


def _convert(connection: Any, path: Path | str, cols: dict[str, str | None], layout: Layout, unit: str) -> int:
    """Checked values into recon_file. Kobo become naira by `* 0.01`: numeric multiplication is exact,
    where division keeps only about 16 significant digits. A time the pattern let through that the
    calendar has not (2026-02-30) is BadExportFile naming its line, not a database error."""
    from sqlalchemy.exc import DataError

    scale = "* 0.01" if unit == "kobo" else ""
    mapping = ", ".join(f"('{word}', '{status}')" for word, status in _status_table(layout).items())
    paid = _value(cols["paid_at"])
    fees = _value(cols["fees"])
    connection.execute(text("SET LOCAL timezone = 'UTC'"))  # a time without a zone is UTC (GMT exports)
    savepoint = connection.begin_nested()
    try:
        result = connection.execute(text(f"""
        INSERT INTO recon_file (line, reference, transaction_id, amount, currency, gateway_status, mapped_status,
                                paid_at, fees, channel, message)
        SELECT r.n + 1, {_value(cols['reference'])}, nullif({_value(cols['transaction_id'])}, ''),
               round(({_number(cols['amount'])})::numeric {scale}, 2),
               coalesce(nullif(upper({_value(cols['currency'])}), ''), 'NGN'),
               lower({_value(cols['status'])}), m.status,
               CASE WHEN {paid} = '' THEN NULL
                    ELSE regexp_replace({paid}, '\\s*(UTC|GMT)$', '')::timestamptz END,
               CASE WHEN {fees} = '' THEN NULL ELSE round(({_number(cols['fees'])})::numeric {scale}, 2) END,
               nullif({_value(cols['channel'])}, ''), nullif(left({_value(cols['message'])}, 500), '')
        FROM recon_raw r JOIN (VALUES {mapping}) AS m(word, status) ON m.word = lower({_value(cols['status'])})
    """))
    except DataError:
        savepoint.rollback()
        raise _impossible_time(connection, path, paid) from None
    savepoint.commit()
    return result.rowcount


def _impossible_time(connection: Any, path: Path | str, paid: str) -> BadExportFile:
    """The first line whose paid-at time PostgreSQL cannot read (checked one by one, on this error path only)."""
    connection.execute(text(r"""
        CREATE FUNCTION pg_temp.gmctl_reads_as_time(value text) RETURNS boolean LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM regexp_replace(value, '\s*(UTC|GMT)$', '')::timestamptz;
            RETURN true;
        EXCEPTION WHEN others THEN
            RETURN false;
        END $$"""))
    n, value = connection.execute(text(
        f"SELECT n, {paid} FROM recon_raw WHERE {paid} <> '' AND NOT pg_temp.gmctl_reads_as_time({paid}) "
        "ORDER BY n LIMIT 1")).one_or_none() or (None, None)
    if n is None:
        return BadExportFile(path, 0, "a value is out of range for the ledger", hint="check the amounts and times")
    return BadExportFile(path, n + 1, f"paid-at time {value!r} is not a date the calendar has",
                         hint="times look like 2026-11-20T14:05:00Z or 2026-11-20 14:05:00")
