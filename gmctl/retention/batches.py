"""Batches: keyed by primary key, each its own short transaction, sized by a time budget.

A batch locks the rows it takes with FOR UPDATE SKIP LOCKED, so a row a person is working on is
left for the next run instead of making that person wait. Between batches nothing is held but the
run's advisory lock, which is also where --max-runtime stops a run cleanly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Protocol

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from gmctl.errors import GmctlError

# A batch should be over well before anyone would notice a wait. The size is set so the next batch
# would take TARGET_SECONDS at the slowest per-row cost of the last few batches, and grows at most
# twofold at a time, so one surprise (a checkpoint, a busy disk) rarely takes a batch past 3x target.
TARGET_SECONDS = 0.3
GROWTH = 2.0
REMEMBERED = 4
LARGEST_BATCH = 50_000
LOCK_NOT_AVAILABLE = "55P03"


@dataclass
class BatchSizer:
    """Grows a batch while batches are quick, shrinks it as soon as one is slow."""

    size: int
    target: float = TARGET_SECONDS
    largest: int = LARGEST_BATCH
    costs: list[float] = field(default_factory=list)  # seconds per unit of recent batches

    def adapt(self, units: int, seconds: float) -> None:
        if units <= 0:
            return
        self.costs = (self.costs + [seconds / units])[-REMEMBERED:]
        if seconds <= self.target and units < self.size:
            return  # a short last batch says nothing about how big the next may be
        wanted = self.target / max(max(self.costs), 1e-6)
        self.size = max(1, min(self.largest, int(self.size * GROWTH), int(wanted)))


@dataclass(frozen=True)
class BatchResult:
    units: int  # requests or rows taken by the batch
    last_id: int
    counts: dict[str, int]
    first_id: int = 0


class PolicyBatches(Protocol):
    policy: str

    def batch(self, conn: Connection, after: int, last: int, size: int) -> BatchResult: ...


@dataclass
class PolicyOutcome:
    """What one policy did (or, in a dry run, would do)."""

    policy: str
    period: str
    cutoff: datetime
    counts: dict[str, int]
    planned: int = 0
    batches: int = 0
    longest_batch_seconds: float = 0.0
    seconds: float = 0.0
    complete: bool = False
    detail: list[float] = field(default_factory=list, repr=False)  # batch durations

    @property
    def rows(self) -> int:
        """Rows moved or deleted (rows only detached, or already archived, are not counted twice)."""
        return sum(n for kind, n in self.counts.items() if not kind.endswith("_detached")
                   and kind != "already_archived")

    def add(self, result: BatchResult, seconds: float) -> None:
        self.batches += 1
        self.longest_batch_seconds = max(self.longest_batch_seconds, seconds)
        self.detail.append(seconds)
        for kind, n in result.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n


class BatchFailed(GmctlError):
    """A batch was rolled back; the batches before it stay committed."""


def run_batches(conn: Connection, work: PolicyBatches, outcome: PolicyOutcome, sizer: BatchSizer,
                last: int, *, deadline: float | None, progress: Callable[[int], None]) -> None:
    """Run batches until nothing is left (complete) or the deadline passes between two batches."""
    after = 0
    while True:
        if deadline is not None and time.monotonic() >= deadline:
            return
        started = time.monotonic()
        result = _one_batch(conn, work, outcome, sizer, after, last)
        seconds = time.monotonic() - started
        if result.units == 0:
            outcome.complete = True
            return
        outcome.add(result, seconds)
        sizer.adapt(result.units, seconds)
        after = result.last_id
        progress(result.units)


def _one_batch(conn: Connection, work: PolicyBatches, outcome: PolicyOutcome, sizer: BatchSizer,
               after: int, last: int) -> BatchResult:
    for attempt in (1, 2):
        try:
            with conn.begin():
                return work.batch(conn, after, last, sizer.size)
        except DBAPIError as exc:
            sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
            if sqlstate == LOCK_NOT_AVAILABLE and attempt == 1:
                # Someone holds a row this batch must move: let them finish, then try a smaller batch.
                sizer.size = max(1, sizer.size // 2)
                time.sleep(0.5)
                continue
            raise _failed(work.policy, outcome.batches + 1, after, sizer.size, exc) from exc
    raise AssertionError("unreachable")


def _failed(policy: str, number: int, after: int, size: int, exc: DBAPIError) -> BatchFailed:
    detail = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0]
    committed = f"; the {number - 1} batch(es) before it are committed" if number > 1 else ""
    return BatchFailed(
        f"{policy} batch {number} (up to {size} rows with id > {after}) failed and was rolled back: "
        f"{detail}{committed}",
        hint="fix the cause and run again: finished batches are not repeated",
    )
