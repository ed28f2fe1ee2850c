"""The SQL that moves a batch of completed requests, and what hangs off them, into the archive tables.

What references service_requests at head, and what archiving does with it (read from pg_constraint):
- service_status_history (ON DELETE CASCADE)       -> moved to service_status_history_archive;
- messages (NO ACTION)                              -> moved to messages_archive, except a message
  that a live message outside the batch replies to (messages.thread_id, NO ACTION): it stays live,
  detached (service_request_id set NULL) and listed in archived_links["messages"];
- hotel_bookings, loan_applications, vehicle_services (NO ACTION) -> moved to their archives;
- payments, file_uploads (ON DELETE SET NULL since fix03) -> stay live, detached as that rule says
  (one UPDATE per batch, before the rule would do it row by row); their ids are kept in
  archived_links {"payments": [...], "file_uploads": [...]};
- notifications mention requests only inside action_data (no foreign key): they stay as they are.
Each move is `DELETE ... RETURNING` feeding `INSERT ... ON CONFLICT (id) DO NOTHING`, so a batch
repeated after a crash can neither duplicate nor lose a row. The requests are locked first (FOR
UPDATE SKIP LOCKED, a statement of its own), so no dependant row can appear between that lock and
the move: the CASCADE on the history never finds anything left to delete silently.

The statements are templates with {ids}, {now}, {cutoff}, {after}, {last} and {size} slots, so the
same text runs with bind parameters from Python and with PL/pgSQL variables under pg_cron.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import Table, TextClause, text
from sqlalchemy.engine import Connection

from gmctl.db.models import (
    HotelBooking,
    HotelBookingArchive,
    LoanApplication,
    LoanApplicationArchive,
    Message,
    MessageArchive,
    ServiceRequest,
    ServiceRequestArchive,
    StatusChange,
    StatusChangeArchive,
    VehicleService,
    VehicleServiceArchive,
)
from gmctl.retention.batches import BatchResult
from gmctl.retention.policies import ARCHIVE

CANDIDATE = "status = 'completed' AND completed_at < {cutoff}"


@dataclass(frozen=True)
class Move:
    kind: str  # the name in counts and JSON
    live: Table
    archive: Table


CHILD_MOVES = (
    Move("status_history", StatusChange.__table__, StatusChangeArchive.__table__),
    Move("messages", Message.__table__, MessageArchive.__table__),
    Move("hotel_bookings", HotelBooking.__table__, HotelBookingArchive.__table__),
    Move("loan_applications", LoanApplication.__table__, LoanApplicationArchive.__table__),
    Move("vehicle_services", VehicleService.__table__, VehicleServiceArchive.__table__),
)
REQUEST_MOVE = Move("requests", ServiceRequest.__table__, ServiceRequestArchive.__table__)
# Rows that stay live, detached by their own ON DELETE SET NULL: (archived_links key, table).
LINKED = (("payments", "payments"), ("file_uploads", "file_uploads"))
COUNT_KINDS = ("requests", *(m.kind for m in CHILD_MOVES), "payments_detached", "file_uploads_detached",
               "messages_detached", "already_archived")


def column_list(table: Table) -> str:
    return ", ".join(f'"{column.name}"' for column in table.columns)


def _quoted_list(table: Table, alias: str) -> str:
    return ", ".join(f'{alias}."{column.name}"' for column in table.columns)


# -- the batch: lock the requests ------------------------------------------------------------
LOCK_BATCH = (
    "SELECT id FROM service_requests"
    " WHERE " + CANDIDATE + " AND id > {after} AND id <= {last}"
    " ORDER BY id LIMIT {size} FOR UPDATE SKIP LOCKED"
)

# Candidate requests whose messages reply into the batch's threads join the batch, so a thread that
# is archived whole never has its root held back just because its replies come in a later batch.
# The LATERAL ... OFFSET 0 and EXISTS ... OFFSET 0 below keep the planner on idx_messages_thread
# (a probe per message of the batch) instead of hashing every message in the table.
LOCK_THREAD_PARTNERS = (
    "WITH RECURSIVE grp(id) AS ("
    " SELECT unnest({ids})"
    " UNION"
    " SELECT reply.service_request_id FROM grp"
    " CROSS JOIN LATERAL (SELECT p.id FROM messages p WHERE p.service_request_id = grp.id OFFSET 0) AS parent"
    " CROSS JOIN LATERAL (SELECT r.service_request_id FROM messages r"
    " WHERE r.thread_id = parent.id AND r.thread_id IS NOT NULL OFFSET 0) AS reply"
    " JOIN service_requests partner ON partner.id = reply.service_request_id"
    " WHERE partner.status = 'completed' AND partner.completed_at < {cutoff})"
    " SELECT r.id FROM service_requests r"
    " WHERE r.id IN (SELECT id FROM grp) AND r.id <> ALL({ids})"
    " AND r.status = 'completed' AND r.completed_at < {cutoff}"
    " ORDER BY r.id FOR UPDATE SKIP LOCKED"
)


def kept_messages(member: str = "= ANY({ids})", outsider: str = "<> ALL({ids})") -> str:
    """Messages of the batch that a message outside it replies to, directly or through a kept reply."""
    return (
        "kept(id) AS ("
        " SELECT parent.id FROM messages parent"
        f" WHERE parent.service_request_id {member}"
        " AND EXISTS (SELECT 1 FROM messages reply WHERE reply.thread_id = parent.id"
        f" AND reply.thread_id IS NOT NULL AND (reply.service_request_id IS NULL"
        f" OR reply.service_request_id {outsider}) OFFSET 0)"
        " UNION"
        " SELECT parent.id FROM kept"
        " JOIN messages child ON child.id = kept.id"
        " JOIN messages parent ON parent.id = child.thread_id"
        f" WHERE parent.service_request_id {member}"
        ")"
    )


def _child_ctes(move: Move) -> list[str]:
    where = "service_request_id = ANY({ids})"
    if move.kind == "messages":
        where += " AND id NOT IN (SELECT id FROM kept)"
    return [
        f"moved_{move.kind} AS (DELETE FROM {move.live.name} WHERE {where} RETURNING *)",
        f"archived_{move.kind} AS (INSERT INTO {move.archive.name} ({column_list(move.live)}, archived_at)"
        f" SELECT {_quoted_list(move.live, 'm')}, {{now}} FROM moved_{move.kind} m"
        " ON CONFLICT (id) DO NOTHING RETURNING id)",
    ]


def _link_ctes() -> list[str]:
    """The ids each request leaves live: payments and files (SET NULL), kept messages; one scan each."""
    ctes = [f"links_{key} AS (SELECT service_request_id AS request_id, jsonb_agg(id ORDER BY id) AS ids,"
            f" count(*) AS n FROM {table} WHERE service_request_id = ANY({{ids}})"
            " GROUP BY service_request_id)"
            for key, table in LINKED]
    ctes.append("links_messages AS (SELECT service_request_id AS request_id, jsonb_agg(id ORDER BY id) AS ids"
                " FROM messages WHERE id IN (SELECT id FROM kept) GROUP BY service_request_id)")
    return ctes


def _links_expression() -> str:
    listed = ", ".join(f"'{key}', COALESCE(l_{key}.ids, '[]'::jsonb)" for key, _table in LINKED)
    return (f"jsonb_build_object({listed}) || CASE WHEN l_messages.ids IS NULL THEN '{{{{}}}}'::jsonb"
            " ELSE jsonb_build_object('messages', l_messages.ids) END")


def _links_joins() -> str:
    return "".join(f" LEFT JOIN links_{key} l_{key} ON l_{key}.request_id = m.id"
                   for key in (*(k for k, _t in LINKED), "messages"))


@functools.cache
def move_statement(into: str | None = None) -> str:
    """One statement: detach kept messages, move every dependant, then the requests themselves.

    It returns the counts of COUNT_KINDS; with `into` (PL/pgSQL) it stores the number of requests there.
    """
    request = REQUEST_MOVE
    ctes = [
        kept_messages(),
        *_link_ctes(),
        "detached AS (UPDATE messages SET service_request_id = NULL"
        " WHERE id IN (SELECT id FROM kept) RETURNING id)",
        # What the ON DELETE SET NULL rule would do row by row, done in one UPDATE per table (faster);
        # the rule still runs after the statement and finds nothing left to change.
        *(f"detach_{key} AS (UPDATE {table} SET service_request_id = NULL"
          " WHERE service_request_id = ANY({ids}) RETURNING id)" for key, table in LINKED),
    ]
    for move in CHILD_MOVES:
        ctes.extend(_child_ctes(move))
    ctes.append("moved_requests AS (DELETE FROM service_requests WHERE id = ANY({ids}) RETURNING *)")
    ctes.append(
        f"archived_requests AS (INSERT INTO {request.archive.name}"
        f" ({column_list(request.live)}, archived_at, archived_links)"
        f" SELECT {_quoted_list(request.live, 'm')}, {{now}}, {_links_expression()}"
        f" FROM moved_requests m{_links_joins()}"
        " ON CONFLICT (id) DO NOTHING RETURNING id)"
    )
    counts = [
        "(SELECT count(*) FROM moved_requests) AS requests",
        *(f"(SELECT count(*) FROM moved_{m.kind}) AS {m.kind}" for m in CHILD_MOVES),
        *(f"(SELECT COALESCE(sum(n), 0) FROM links_{key}) AS {key}_detached" for key, _table in LINKED),
        "(SELECT count(*) FROM detached) AS messages_detached",
        "((SELECT count(*) FROM moved_requests) - (SELECT count(*) FROM archived_requests)"
        + "".join(f" + (SELECT count(*) FROM moved_{m.kind}) - (SELECT count(*) FROM archived_{m.kind})"
                  for m in CHILD_MOVES)
        + ") AS already_archived",
    ]
    if into is not None:
        counts = [f"count(*) INTO {into} FROM moved_requests"]
    return "WITH RECURSIVE " + ",\n".join(ctes) + "\nSELECT " + ", ".join(counts)


# -- the dry run: the same counts over every candidate at once ---------------------------------
@functools.cache
def plan_statement() -> str:
    """What a full archive run would move, with the same rules as the batches."""
    candidates = f"candidates AS (SELECT id FROM service_requests WHERE {CANDIDATE})"
    kept = kept_messages("IN (SELECT id FROM candidates)", "NOT IN (SELECT id FROM candidates)")
    counts = [
        "(SELECT count(*) FROM candidates) AS requests",
        "(SELECT count(*) FROM service_status_history"
        " WHERE service_request_id IN (SELECT id FROM candidates)) AS status_history",
        "(SELECT count(*) FROM messages WHERE service_request_id IN (SELECT id FROM candidates)"
        " AND id NOT IN (SELECT id FROM kept)) AS messages",
        *(f"(SELECT count(*) FROM {m.live.name} WHERE service_request_id IN (SELECT id FROM candidates))"
          f" AS {m.kind}" for m in CHILD_MOVES[2:]),
        *(f"(SELECT count(*) FROM {table} WHERE service_request_id IN (SELECT id FROM candidates))"
          f" AS {key}_detached" for key, table in LINKED),
        "(SELECT count(*) FROM kept) AS messages_detached",
        "((SELECT count(*) FROM service_requests_archive WHERE id IN (SELECT id FROM candidates))"
        + "".join(f" + (SELECT count(*) FROM {m.archive.name} WHERE id IN (SELECT id FROM {m.live.name}"
                  f" WHERE service_request_id IN (SELECT id FROM candidates)"
                  f"{' AND id NOT IN (SELECT id FROM kept)' if m.kind == 'messages' else ''}))"
                  for m in CHILD_MOVES)
        + ") AS already_archived",
    ]
    return f"WITH RECURSIVE {candidates}, {kept}\nSELECT " + ", ".join(counts)


SCOPE = "SELECT count(*), COALESCE(max(id), 0) FROM service_requests WHERE " + CANDIDATE


# -- running it -------------------------------------------------------------------------------
BINDS = {
    "ids": "CAST(:ids AS integer[])", "now": "CAST(:now AS timestamptz)",
    "cutoff": "CAST(:cutoff AS timestamptz)", "after": ":after", "last": ":last", "size": ":size",
}


@functools.cache
def bound(template: str) -> TextClause:
    """A template with bind parameters in its slots, compiled once."""
    return text(template.format(**BINDS))


@dataclass
class ArchiveBatches:
    """The archive policy, one batch at a time."""

    cutoff: datetime
    clock: Callable[[], datetime]
    policy: str = ARCHIVE

    def batch(self, conn: Connection, after: int, last: int, size: int) -> BatchResult:
        ids = list(conn.execute(bound(LOCK_BATCH), {"cutoff": self.cutoff, "after": after, "last": last,
                                                    "size": size}).scalars())
        if not ids:
            return BatchResult(0, after, {})
        found = conn.execute(bound(LOCK_THREAD_PARTNERS), {"ids": ids, "cutoff": self.cutoff})
        partners = list(found.scalars())
        moved = conn.execute(bound(move_statement()), {"ids": ids + partners, "now": self.clock()})
        counts = moved.mappings().one()
        return BatchResult(len(ids) + len(partners), ids[-1], {k: int(v) for k, v in counts.items()}, ids[0])


def archive_scope(conn: Connection, cutoff: datetime) -> tuple[int, int]:
    """How many requests are due, and the highest id among them (where the batches stop)."""
    count, last = conn.execute(bound(SCOPE), {"cutoff": cutoff}).one()
    return int(count), int(last)


def archive_plan(conn: Connection, cutoff: datetime) -> dict[str, int]:
    counts = conn.execute(bound(plan_statement()), {"cutoff": cutoff}).mappings().one()
    return {k: int(v) for k, v in counts.items()}
