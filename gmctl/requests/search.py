"""Full-text search over service_requests.search_vector (title A, description B, type C).

Whatever is typed is safe: it is passed as a bound parameter to websearch_to_tsquery, which
accepts any text (quotes make phrases, `or` and `-word` work as on web search engines, stray
operators are ignored) and never raises a syntax error. NUL bytes and other control characters
(which PostgreSQL text cannot hold) are dropped first; empty input is refused (exit 2); input
with no searchable words (only stop words or punctuation) matches nothing.

Ranking is ts_rank, newest first among equals, over the newest CANDIDATES matches (see
search_requests); only the page's rows get a ts_headline snippet. Matched words are marked
«like this».
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, bindparam, func, literal_column, select, text

from gmctl.errors import InvalidInput
from gmctl.requests.columns import service_requests as sr
from gmctl.requests.columns import users

MAX_LIMIT = 200
MAX_CHARS = 10_000
CANDIDATES = 1_000
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
    capped: bool  # more requests matched than CANDIDATES: the hits are the best of the newest ones


def search_requests(
    session: Any, raw: str, *, limit: int = 20, statuses: tuple[str, ...] = (), candidates: int = CANDIDATES
) -> SearchResult:
    """The best `limit` matches among the newest `candidates` matching requests.

    Ranking every match of a common word would read every one of them (a word in 10% of 5M
    requests is 500k rows): the newest `candidates` matches are taken first, which the planner
    serves either from the GIN index (few matches) or by walking the primary key backwards until
    enough rows match (many matches), and only those are ranked and given a snippet."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"--limit {limit} is out of range", hint=f"give 1 to {MAX_LIMIT}")
    query_text = clean_query(raw)
    tsquery = func.websearch_to_tsquery(literal_column("'english'"), bindparam("q", query_text))
    conditions = [sr.c.search_vector.op("@@")(tsquery)]
    if statuses:
        conditions.append(
            text("service_requests.status IN ({})".format(", ".join(f"'{s}'" for s in statuses)))
        )
    newest = (
        select(
            sr.c.id,
            sr.c.search_vector,
            sr.c.status,
            sr.c.service_type,
            sr.c.title,
            sr.c.description,
            sr.c.user_id,
            sr.c.created_at,
        )
        .where(*conditions)
        .order_by(sr.c.id.desc())
        .limit(candidates)
        .subquery("newest")
    )
    rank = func.ts_rank(newest.c.search_vector, tsquery, type_=Float)
    top = (
        select(
            newest.c.id,
            rank.label("rank"),
            newest.c.status,
            newest.c.service_type,
            newest.c.title,
            newest.c.description,
            newest.c.user_id,
            newest.c.created_at,
            func.count().over().label("matched"),
        )
        .order_by(rank.desc(), newest.c.created_at.desc(), newest.c.id.desc())
        .limit(limit)
        .subquery("top")
    )
    snippet = func.ts_headline(
        literal_column("'english'"),
        top.c.title + " — " + top.c.description,
        tsquery,
        literal_column(f"'{HEADLINE_OPTIONS}'"),
    )
    rows = session.execute(
        select(
            top.c.id,
            top.c.rank,
            top.c.status,
            top.c.service_type,
            top.c.title,
            top.c.matched,
            users.c.username.label("customer"),
            top.c.created_at,
            snippet.label("snippet"),
        )
        .select_from(top.outerjoin(users, users.c.id == top.c.user_id))
        .order_by(top.c.rank.desc(), top.c.created_at.desc(), top.c.id.desc())
    ).all()
    hits = [
        SearchHit(
            r.id,
            round(float(r.rank), 6),
            r.status,
            r.service_type,
            r.title,
            r.customer,
            r.created_at,
            " ".join(r.snippet.split()),
        )
        for r in rows
    ]
    return SearchResult(hits, bool(rows) and rows[0].matched >= candidates)


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
