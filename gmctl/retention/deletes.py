"""The two deleting policies: old status history, and old temporary file records.

Nothing references either table, so a batch is one statement: take up to N rows in primary-key
order, delete them, report how many and where to go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection

from gmctl.retention.archive import CANDIDATE, bound
from gmctl.retention.batches import BatchResult
from gmctl.retention.policies import HISTORY, TEMP_FILES


@dataclass(frozen=True)
class DeleteRule:
    policy: str
    table: str
    kind: str  # the name in counts and JSON
    where: str  # a template with a {cutoff} slot

    def batch_template(self, into: str | None = None) -> str:
        """One batch; it returns (deleted, taken, first id, last id), or with `into` (PL/pgSQL) stores
        the number deleted there.

        No row locks: nobody changes old history or expired temporary records, so a lock would only
        double the writes. Rows are deleted by ctid (no second index lookup); the keyset moves past
        the whole batch, so a row changed meanwhile is simply left for the next run.
        """
        result = (f"SELECT count(*) INTO {into} FROM gone" if into else
                  "SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM batch),"
                  " (SELECT COALESCE(min(id), 0) FROM batch), (SELECT COALESCE(max(id), 0) FROM batch)")
        return (
            f"WITH batch AS MATERIALIZED (SELECT ctid, id FROM {self.table} WHERE {self.where}"
            " AND id > {after} AND id <= {last} ORDER BY id LIMIT {size}),"
            f" gone AS (DELETE FROM {self.table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM batch))"
            f" AND {self.where} RETURNING id) " + result
        )

    @property
    def scope_template(self) -> str:
        return f"SELECT count(*), COALESCE(max(id), 0) FROM {self.table} WHERE {self.where}"


HISTORY_RULE = DeleteRule(HISTORY, "service_status_history", "status_history", "created_at < {cutoff}")
TEMP_FILES_RULE = DeleteRule(TEMP_FILES, "file_uploads", "file_uploads",
                             "is_temporary = true AND created_at < {cutoff}")
RULES = {HISTORY: HISTORY_RULE, TEMP_FILES: TEMP_FILES_RULE}

# When the archive runs first, the history of the requests it takes moves rather than being deleted.
NOT_DUE_FOR_ARCHIVE = (
    " AND service_request_id NOT IN (SELECT id FROM service_requests WHERE "
    + CANDIDATE.replace("{cutoff}", "CAST(:archive_cutoff AS timestamptz)") + ")"
)


@dataclass
class DeleteBatches:
    rule: DeleteRule
    cutoff: datetime

    @property
    def policy(self) -> str:
        return self.rule.policy

    def batch(self, conn: Connection, after: int, last: int, size: int) -> BatchResult:
        params = {"cutoff": self.cutoff, "after": after, "last": last, "size": size}
        deleted, taken, first, highest = conn.execute(bound(self.rule.batch_template()), params).one()
        return BatchResult(int(taken), int(highest), {self.rule.kind: int(deleted)}, int(first))


def delete_scope(conn: Connection, rule: DeleteRule, cutoff: datetime) -> tuple[int, int]:
    count, last = conn.execute(bound(rule.scope_template), {"cutoff": cutoff}).one()
    return int(count), int(last)


def delete_plan(conn: Connection, rule: DeleteRule, cutoff: datetime, archive_cutoff: datetime | None) -> int:
    """Exactly what the policy would delete, after an archive run with `archive_cutoff` if given."""
    sql = rule.scope_template.replace("count(*), COALESCE(max(id), 0)", "count(*)")
    params: dict[str, object] = {"cutoff": cutoff}
    if archive_cutoff is not None and rule.policy == HISTORY:
        sql += NOT_DUE_FOR_ARCHIVE
        params["archive_cutoff"] = archive_cutoff
    return int(conn.execute(bound(sql), params).scalar_one())
