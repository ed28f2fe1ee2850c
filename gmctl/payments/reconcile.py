"""`payments reconcile FILE --gateway G`: match a gateway's transaction export against the ledger.

How (streaming, so a 1M-row export against 5M payments stays in bounded memory):
1. the file is streamed into a temporary table by COPY, checked and converted in SQL (`loadfile`);
   a bad file stops the run there with its line number, before anything is compared;
2. in SQL: each line is matched on reference = payments.gateway_reference among the payments of
   that gateway; a line that finds none is matched on its transaction id (or, without that column,
   its reference) = payments.gateway_transaction_id;
3. every line lands in one category, tested in this order:
   duplicate_reference (the reference is on several lines, or matches several payments, or two
   lines match one payment), missing_in_ledger, currency_mismatch, amount_mismatch (exact Decimal),
   status_mismatch (through `statuses.STATUS_MAP`; pending ~ processing; a Flutterwave charge stays
   `successful` after a refund, which Flutterwave reports as a record of its own), matched;
4. the ledger's payments of that gateway created in the window (--since/--until Lagos days; by
   default the Lagos days the file's paid-at times span) that no line matched are
   missing_in_gateway, except pending payments with no gateway transaction id (never sent there).
The 100x check: when every matched line's amount (or all but a few: UNIT_SHARE, 95% of them, so
that one real mismatch does not hide the mistake) is exactly 100 times the ledger's, or a
hundredth, the unit is wrong, and the run stops (exit 2) saying which --amount-unit to pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from gmctl.errors import InvalidInput
from gmctl.payments.loadfile import load_export
from gmctl.payments.layouts import choose_layout
from gmctl.when import LAGOS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

UNIT_SHARE = 0.95
CATEGORIES = ("matched", "amount_mismatch", "currency_mismatch", "status_mismatch",
              "missing_in_gateway", "missing_in_ledger", "duplicate_reference")
COLUMNS = ["category", "line", "reference", "payment_id", "ledger_status", "gateway_status",
           "ledger_amount", "gateway_amount", "ledger_currency", "gateway_currency", "paid_at", "applied"]
# On a terminal the rows come grouped by category, each with the columns that say what is wrong.
TERMINAL_COLUMNS: dict[str, list[str]] = {
    "matched": ["line", "reference", "payment_id", "ledger_status", "gateway_amount", "applied"],
    "amount_mismatch": ["line", "reference", "payment_id", "ledger_amount", "gateway_amount"],
    "currency_mismatch": ["line", "reference", "payment_id", "ledger_currency", "gateway_currency"],
    "status_mismatch": ["line", "reference", "payment_id", "ledger_status", "gateway_status", "applied"],
    "missing_in_gateway": ["reference", "payment_id", "ledger_status", "ledger_amount"],
    "missing_in_ledger": ["line", "reference", "gateway_status", "gateway_amount"],
    "duplicate_reference": ["line", "reference", "payment_id", "gateway_status", "gateway_amount"],
}

TEMP_FILE = """
CREATE TEMPORARY TABLE recon_file (
    line integer PRIMARY KEY, reference text NOT NULL, transaction_id text, amount numeric NOT NULL,
    currency text NOT NULL, gateway_status text NOT NULL, mapped_status text NOT NULL,
    paid_at timestamptz, fees numeric, channel text, message text
) ON COMMIT DROP"""
# Matching reads payments once: by our reference (one hash join), then by the gateway's id only
# for the few lines the reference did not find. The ledger's values travel with the match, so
# nothing after this joins payments again.
MATCHES = """
CREATE TEMPORARY TABLE recon_match ON COMMIT DROP AS
SELECT f.line, p.id AS payment_id, p.status, p.amount, p.currency
FROM recon_file f JOIN payments p ON p.gateway_reference = f.reference
WHERE p.gateway = :gateway"""
MATCH_BY_ID = """
INSERT INTO recon_match
SELECT f.line, p.id, p.status, p.amount, p.currency
FROM recon_file f JOIN payments p ON p.gateway_transaction_id = f.{column}
WHERE p.gateway = :gateway AND f.{column} IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM recon_match m WHERE m.line = f.line)"""
HUNDRED = """
SELECT count(*) AS joined,
       count(*) FILTER (WHERE f.amount = m.amount * 100) AS times_100,
       count(*) FILTER (WHERE f.amount * 100 = m.amount) AS hundredth
FROM recon_match m JOIN recon_file f USING (line)"""
RESULT = """
CREATE TEMPORARY TABLE recon_result ON COMMIT DROP AS
WITH lines AS (SELECT line, count(*) AS n, min(payment_id) AS payment_id, min(status) AS status,
                      min(amount) AS amount, min(currency) AS currency
               FROM recon_match GROUP BY line),
     shared AS (SELECT payment_id FROM recon_match GROUP BY payment_id HAVING count(*) > 1),
     repeated AS (SELECT reference FROM recon_file GROUP BY reference HAVING count(*) > 1)
SELECT CASE
         WHEN f.reference IN (SELECT reference FROM repeated) OR l.n > 1
              OR l.payment_id IN (SELECT payment_id FROM shared) THEN 'duplicate_reference'
         WHEN l.payment_id IS NULL THEN 'missing_in_ledger'
         WHEN upper(coalesce(l.currency, 'NGN')) <> f.currency THEN 'currency_mismatch'
         WHEN l.amount <> f.amount THEN 'amount_mismatch'
         WHEN NOT (l.status = f.mapped_status OR (l.status IN ('pending', 'processing')
                   AND f.mapped_status IN ('pending', 'processing'))
                  OR (:gateway = 'flutterwave' AND l.status = 'refunded' AND f.mapped_status = 'completed'))
              THEN 'status_mismatch'
         ELSE 'matched' END AS category,
       f.line, f.reference, l.payment_id, l.status AS ledger_status, f.gateway_status, f.mapped_status,
       l.amount AS ledger_amount, f.amount AS gateway_amount, l.currency AS ledger_currency,
       f.currency AS gateway_currency, f.paid_at, f.message, NULL::text AS applied
FROM recon_file f LEFT JOIN lines l USING (line)"""
MISSING = """
INSERT INTO recon_result (category, reference, payment_id, ledger_status, ledger_amount, ledger_currency)
SELECT 'missing_in_gateway', coalesce(p.gateway_reference, p.gateway_transaction_id), p.id, p.status,
       p.amount, p.currency
FROM payments p
WHERE p.gateway = :gateway AND p.created_at >= :since AND p.created_at < :until
  AND NOT (p.status = 'pending' AND p.gateway_transaction_id IS NULL)
  AND NOT EXISTS (SELECT 1 FROM recon_match m WHERE m.payment_id = p.id)"""


@dataclass
class ReconcileReport:
    """What a run found: lines read, the window (UTC, half-open), counts per category, the rows to
    show (dicts; amounts NGN), and with --apply the changes made."""

    gateway: str
    layout: str
    amount_unit: str
    lines: int
    since: datetime | None
    until: datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    applied: dict[str, int] = field(default_factory=dict)

    @property
    def unmatched(self) -> int:
        """Lines and payments not matched, less those --apply settled (the exit code is 1 if > 0)."""
        return sum(n for c, n in self.counts.items() if c != "matched") - self.applied.get("status", 0)

    def summary_line(self) -> str:
        # Only the categories that occur (JSON carries every count, zeros included).
        parts = ", ".join(f"{self.counts[c]:,} {c}" for c in CATEGORIES if self.counts.get(c)) or "nothing"
        layout = "" if self.layout == self.gateway else f", {self.layout} columns"
        line = f"reconciled {self.lines:,} {self.gateway} line(s) ({self.amount_unit}{layout}): {parts}"
        if self.applied:
            line += (f"; applied {self.applied.get('status', 0):,} status change(s), "
                     f"{self.applied.get('refunds', 0):,} refund(s) processed")
        return line


def reconcile(session: "Session", path: Path | str, *, gateway: str, now: datetime, columns: str | None = None,
              amount_unit: str | None = None, since: datetime | None = None, until: datetime | None = None,
              apply: bool = False, operator: Any = None, show_matched: bool = False) -> ReconcileReport:
    """Reconcile the export at `path` in the caller's transaction (see the module text).

    `since`/`until`: aware moments bounding missing_in_gateway (until exclusive). With apply=True
    the proven statuses are moved and refunds marked (`gmctl.payments.apply`), under the
    payments-reconcile lock (Busy, exit 75, when another apply runs). Raises BadExportFile or
    InvalidInput (exit 2) before any change."""
    layout, unit = choose_layout(gateway, columns, amount_unit)
    if since and until and since >= until:
        raise InvalidInput("--since is not before --until", hint="give --since the earlier day")
    connection = session.connection()
    if apply:
        from gmctl.retention.lock import hold_for_transaction

        hold_for_transaction(connection, "payments-reconcile")
    # Hash joins and aggregates of a million lines fit in memory instead of spilling to disk in
    # batches (the server's memory, for this transaction only; not the gmctl process's).
    connection.execute(text("SET LOCAL work_mem = '128MB'"))
    for name in ("recon_result", "recon_match", "recon_file", "recon_raw"):
        connection.execute(text(f"DROP TABLE IF EXISTS pg_temp.{name}"))
    connection.execute(text(TEMP_FILE))
    lines = load_export(connection, path, layout, unit)
    connection.execute(text("ANALYZE recon_file"))
    connection.execute(text(MATCHES), {"gateway": layout.gateway})
    connection.execute(text("ANALYZE recon_match"))
    # A file without a transaction id column may carry the gateway's id in its reference column.
    for column in ("transaction_id",) if "transaction_id" in layout.headers else ("reference",):
        connection.execute(text(MATCH_BY_ID.format(column=column)), {"gateway": layout.gateway})
    _check_unit(connection, unit)
    connection.execute(text(RESULT), {"gateway": layout.gateway})
    if since is None or until is None:
        first, last = connection.execute(text("SELECT min(paid_at), max(paid_at) FROM recon_file")).one()
        if since is None and first is not None:
            since = _lagos_day_start(first)
        if until is None and last is not None:
            until = _lagos_day_start(last) + timedelta(days=1)
    if since is not None and until is not None:
        connection.execute(text(MISSING), {"gateway": layout.gateway, "since": since, "until": until})
    report = ReconcileReport(layout.gateway, layout.name, unit, lines, since, until)
    if apply:
        from gmctl.payments.apply import apply_proven

        report.applied = apply_proven(session, operator, now=now, gateway=layout.gateway)
    report.counts = {c: 0 for c in CATEGORIES}
    for category, count in connection.execute(text("SELECT category, count(*) FROM recon_result GROUP BY 1")):
        report.counts[category] = count
    report.rows = _rows(connection, show_matched)
    return report


def _lagos_day_start(moment: datetime) -> datetime:
    day = moment.astimezone(LAGOS).date()
    return datetime(day.year, day.month, day.day, tzinfo=LAGOS)


def _share(part: int, whole: int) -> str:
    return f"all {whole:,}" if part == whole else f"{part:,} of the {whole:,}"


def _check_unit(connection: Any, unit: str) -> None:
    joined, times_100, hundredth = connection.execute(text(HUNDRED)).one()
    if joined and times_100 >= UNIT_SHARE * joined:
        raise InvalidInput(
            f"{_share(times_100, joined)} matched amounts are exactly 100 times the ledger's: the file counts "
            f"kobo, but it was read as {unit}; nothing was applied", hint="pass --amount-unit kobo")
    if joined and hundredth >= UNIT_SHARE * joined:
        raise InvalidInput(
            f"{_share(hundredth, joined)} matched amounts are exactly a hundredth of the ledger's: the file counts "
            f"naira, but it was read as {unit}; nothing was applied", hint="pass --amount-unit naira")


def _rows(connection: Any, show_matched: bool) -> list[dict[str, Any]]:
    from gmctl.money import Naira

    where = "" if show_matched else "WHERE category <> 'matched'"
    order = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(CATEGORIES))
    result = connection.execute(text(
        f"SELECT {', '.join(COLUMNS)} FROM recon_result {where}"
        f" ORDER BY CASE category {order} END, line NULLS LAST, payment_id"
    )).mappings()
    rows = []
    for r in result:
        row = dict(r)
        for key in ("ledger_amount", "gateway_amount"):
            if row[key] is not None:
                row[key] = Naira(row[key])
        rows.append(row)
    return rows
