"""Full-text search over service_requests.search_vector (title A, description B, type C).

Whatever is typed is safe: it is passed as a bound parameter to websearch_to_tsquery, which
accepts any text (quotes make phrases, `or` and `-word` work as on web search engines, stray
operators are ignored) and never raises a syntax error. NUL bytes and other control characters
(which PostgreSQL text cannot hold) are dropped first; empty input is refused (exit 2); input
with no searchable words (only stop words or punctuation) matches nothing.

Ranking is ts_rank, newest first among equals. Ranking every match of a common word reads every
one of them (a word in 2% of 5M requests: 100k rows, about a second), and the planner cannot be
trusted to see that coming: it guesses an unknown word at half the rarest common word's frequency
and a phrase as if its words were unrelated. So the work is bounded by construction:
1. the matches among the newest WINDOW requests (a primary-key range of fixed size, read and
   matched row by row) are ranked; if there are at least `limit` of them, that is the answer
   (scope "recent": staff mostly look for recent work);
2. otherwise the words are rare lately: the GIN index alone (other scans switched off for that
   statement) fetches up to PROBE + 1 matches from all requests; at most PROBE are all ranked
   (scope "all"), more are a sample (scope "partial") and the caller says so.
   That lookup is itself bounded in time: a GIN bitmap reads every posting list of the query
   whole, so two common words that never meet (`service two`: 900k and 790k entries, no match)
   take 50 ms to prove empty, and no index here answers that faster. Like Elasticsearch's
   `timeout`, the lookup runs under a statement_timeout of what is left of BUDGET_MS, in a
   savepoint; if it is cut short, the answer is the window's matches (scope "time-limited") and
   the caller says so.
`everything=True` (--all) skips step 1 and the budget and ranks every match: exact, maybe slow.
Only the page's rows get a ts_headline snippet. Matched words are marked «like this».
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

from sqlalchemy import Float, bindparam, func, literal_column, select, text
from sqlalchemy.exc import OperationalError

from gmctl.errors import InvalidInput
from gmctl.requests.columns import service_requests as sr
from gmctl.requests.columns import users

MAX_LIMIT = 200
MAX_CHARS = 10_000
WINDOW = 10_000  # newest requests searched first
PROBE = 2_000  # matches fetched at most from all requests, when the window has too few
BUDGET_MS = 18  # server time a search may take, unless --all (issue 5: <= 20 ms per query)
MIN_PROBE_MS = 5  # the whole-table lookup gets at least this, however long the window took
HEADLINE_OPTIONS = (
    'StartSel=«, StopSel=», MaxWords=24, MinWords=8, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class SearchHit:
    id: int
    rank: float
    status: str
    service_type: str
    title: str
    customer: str | None
    created_at: datetime | None
    snippet: str


def search_budget(config_section: Any) -> int:
    """config.toml's [requests] search_budget_ms, else BUDGET_MS."""
    value = config_section.get("search_budget_ms", BUDGET_MS)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 60_000:
        raise InvalidInput(
            f"[requests] search_budget_ms = {value!r} in config.toml is not a number of milliseconds",
            hint=f"give a whole number from 1 to 60000 (default {BUDGET_MS})",
        )
    return value


def clean_query(raw: str) -> str:
    value = _CONTROL.sub(" ", raw)
    value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates from a bad terminal
    value = " ".join(value.split())
    if not value:
        raise InvalidInput(
            "nothing to search for", hint='give some words, e.g. gmctl requests search "toyota brake"'
        )
    if len(value) > MAX_CHARS:
        raise InvalidInput(
            f"the search text is {len(value):,} characters long", hint=f"keep it under {MAX_CHARS:,}"
        )
    return value


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    # "recent": the newest WINDOW requests held enough matches; "all": every match ranked;
    # "partial": a sample of PROBE matches ranked; "time-limited": the lookup in all requests ran
    # out of time, so only the newest WINDOW requests' matches (maybe none) are ranked.
    scope: str


def search_requests(
    session: Any,
    raw: str,
    *,
    limit: int = 20,
    statuses: tuple[str, ...] = (),
    everything: bool = False,
    window: int = WINDOW,
    probe: int = PROBE,
    budget_ms: int = BUDGET_MS,
) -> SearchResult:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"--limit {limit} is out of range", hint=f"give 1 to {MAX_LIMIT}")
    tsquery = func.websearch_to_tsquery(literal_column("'english'"), bindparam("q", clean_query(raw)))
    status_sql = (
        text("service_requests.status IN ({})".format(", ".join(f"'{s}'" for s in statuses)))
        if statuses
        else None
    )
    if everything:
        matches = _all_matches(session, tsquery, status_sql, None)
        return SearchResult(_hits(session, tsquery, _best(matches, limit)), "all")
    started = time.monotonic()
    recent, whole_table = _newest_matches(session, tsquery, status_sql, window)
    if len(recent) >= limit or whole_table:
        return SearchResult(
            _hits(session, tsquery, _best(recent, limit)), "all" if whole_table else "recent"
        )
    spent_ms = (time.monotonic() - started) * 1000
    allowed_ms = max(min(MIN_PROBE_MS, budget_ms), int(budget_ms - spent_ms))
    matches = _all_matches_in_time(session, tsquery, status_sql, probe + 1, allowed_ms)
    if matches is None:
        return SearchResult(_hits(session, tsquery, _best(recent, limit)), "time-limited")
    scope = "partial" if len(matches) > probe else "all"
    return SearchResult(_hits(session, tsquery, _best(matches, limit)), scope)


def _best(matches: list[Any], limit: int) -> list[Any]:
    def order(m: Any) -> tuple[float, float, int]:
        return (-m.rank, -(m.created_at.timestamp() if m.created_at else 0.0), -m.id)

    return sorted(matches, key=order)[:limit]


@contextmanager
def _index_only_by_bitmap(session: Any) -> Iterator[None]:
    """For one statement, leave the planner no way but the GIN index (see the module's notes)."""
    switches = ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan")
    for name in switches:
        session.execute(text(f"SET LOCAL {name} = off"))
    yield
    # Not in a `finally`: after an error the transaction (or the savepoint) is rolled back anyway,
    # and that undoes SET LOCAL.
    for name in switches:
        session.execute(text(f"RESET {name}"))


def _all_matches(session: Any, tsquery: Any, status_sql: Any, at_most: int | None) -> list[Any]:
    rank = func.ts_rank(sr.c.search_vector, tsquery, type_=Float)
    query = select(sr.c.id, rank.label("rank"), sr.c.created_at).where(sr.c.search_vector.op("@@")(tsquery))
    if status_sql is not None:
        query = query.where(status_sql)
    with _index_only_by_bitmap(session):
        return session.execute(query.limit(at_most)).all()


def _all_matches_in_time(
    session: Any, tsquery: Any, status_sql: Any, at_most: int, allowed_ms: int
) -> list[Any] | None:
    """_all_matches, or None if it takes longer than `allowed_ms` (the transaction goes on)."""
    savepoint = session.begin_nested()
    try:
        session.execute(text(f"SET LOCAL statement_timeout = {int(allowed_ms)}"))
        matches = _all_matches(session, tsquery, status_sql, at_most)
        session.execute(text("RESET statement_timeout"))
    except OperationalError as exc:
        savepoint.rollback()  # also undoes the SET LOCAL
        if getattr(exc.orig, "sqlstate", None) == "57014" and "statement timeout" in str(exc.orig):
            return None
        raise
    savepoint.commit()
    return matches


def _newest_matches(session: Any, tsquery: Any, status_sql: Any, window: int) -> tuple[list[Any], bool]:
    """The matches among the newest `window` ids, and whether that window is the whole table."""
    oldest, newest = session.execute(select(func.min(sr.c.id), func.max(sr.c.id))).one()
    floor = (newest or 0) - window
    recent = select(sr.c.id, sr.c.search_vector, sr.c.created_at).where(sr.c.id > floor)
    if status_sql is not None:
        recent = recent.where(status_sql)
    # OFFSET 0 keeps the planner from pushing the text match down into an index scan: the window is
    # read by its primary-key range, a known number of rows, and matched as it goes.
    fenced = recent.offset(0).subquery("recent")
    rank = func.ts_rank(fenced.c.search_vector, tsquery, type_=Float)
    matches = session.execute(
        select(fenced.c.id, rank.label("rank"), fenced.c.created_at).where(
            fenced.c.search_vector.op("@@")(tsquery)
        )
    ).all()
    return matches, oldest is None or floor < oldest


def _hits(session: Any, tsquery: Any, best: list[Any]) -> list[SearchHit]:
    if not best:
        return []
    snippet = func.ts_headline(
        literal_column("'english'"),
        sr.c.title + " — " + sr.c.description,
        tsquery,
        literal_column(f"'{HEADLINE_OPTIONS}'"),
    )
    rows = session.execute(
        select(
            sr.c.id,
            sr.c.status,
            sr.c.service_type,
            sr.c.title,
            users.c.username.label("customer"),
            sr.c.created_at,
            snippet.label("snippet"),
        )
        .select_from(sr.outerjoin(users, users.c.id == sr.c.user_id))
        .where(sr.c.id.in_([m.id for m in best]))
    ).all()
    found = {r.id: r for r in rows}
    return [
        SearchHit(
            m.id,
            round(float(m.rank), 6),
            found[m.id].status,
            found[m.id].service_type,
            found[m.id].title,
            found[m.id].customer,
            found[m.id].created_at,
            " ".join(found[m.id].snippet.split()),
        )
        for m in best
        if m.id in found
    ]


def has_search_words(session: Any, raw: str) -> bool:
    """Whether the text holds any searchable word (else PostgreSQL would match nothing)."""
    return bool(
        session.execute(
            select(
                func.numnode(
                    func.websearch_to_tsquery(literal_column("'english'"), bindparam("q", clean_query(raw)))
                )
            )
        ).scalar()
    )
