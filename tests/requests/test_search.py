"""Full-text search: ranking, snippets, and input that tries to break it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from gmctl.errors import InvalidInput
from gmctl.requests.search import search_requests


def found(*args, **kw):
    return search_requests(*args, **kw).hits


@pytest.fixture
def corpus(make_request):
    return {
        "brakes_title": make_request(
            title="Toyota Camry brake pads", description="Squealing when stopping."
        ).id,
        "brakes_text": make_request(
            title="General service", description="Also check the brake fluid level."
        ).id,
        "hotel": make_request(
            title="Room in Abuja",
            description="Two nights near Wuse, quiet room please.",
            service_type="hotel",
            status="completed",
        ).id,
    }


def test_title_matches_rank_above_description_matches(session, corpus):
    hits = found(session, "brake")
    assert [h.id for h in hits] == [corpus["brakes_title"], corpus["brakes_text"]]
    assert hits[0].rank > hits[1].rank
    assert "«brake»" in hits[0].snippet and "«brake»" in hits[1].snippet


def test_phrases_or_and_exclusion_work_like_web_search(session, corpus):
    assert [h.id for h in found(session, '"brake pads"')] == [corpus["brakes_title"]]
    assert {h.id for h in found(session, "camry or abuja")} == {corpus["brakes_title"], corpus["hotel"]}
    assert [h.id for h in found(session, "brake -fluid")] == [corpus["brakes_title"]]


def test_status_filter(session, corpus):
    assert found(session, "room", statuses=("pending",)) == []
    assert [h.id for h in found(session, "room", statuses=("completed",))] == [corpus["hotel"]]


@pytest.mark.parametrize("hostile", [
    "'", '"', "''''", '"unclosed phrase', "brake & | ! <-> ( ) :* \\", "&&&", "!!!", "(((", "<->",
    "'; DROP TABLE service_requests; --", "brake:*", "a:b:c", "\\x00", "brake\x00pads", "ÿ\udcff", "🚗 brake",
    "the and of", "-", "or or or", "x" * 10_000, " ".join(["brake"] * 1_600),
])  # fmt: skip
def test_hostile_input_never_errors(session, corpus, hostile):
    hits = found(session, hostile)
    assert isinstance(hits, list)
    json.dumps([h.snippet for h in hits])  # snippets are clean text


@pytest.mark.parametrize("empty", ["", "   ", "\x00\x01", "\n\t"])
def test_empty_input_is_refused_with_a_hint(session, empty):
    with pytest.raises(InvalidInput, match="nothing to search for"):
        found(session, empty)


def test_over_long_input_is_refused_not_truncated(session):
    with pytest.raises(InvalidInput, match="characters long"):
        found(session, "brake " * 3_000)


def test_words_common_lately_are_ranked_among_the_newest_requests(session, make_request):
    older = make_request(title="Brake check", description="brake brake brake").id
    newer = [make_request(title="Fuel", description=f"brake note {i}").id for i in range(3)]
    make_request(title="Paint", description="no match here")
    recent = search_requests(session, "brake", limit=3, window=4)
    assert recent.scope == "recent" and [h.id for h in recent.hits] == newer[::-1]
    everything = search_requests(session, "brake", limit=3, window=4, everything=True)
    assert everything.scope == "all" and everything.hits[0].id == older  # most matches: ranked first


def test_words_rare_lately_are_looked_up_in_all_requests(session, make_request):
    old = [make_request(title="Generator service", description="generator").id for _ in range(3)]
    for _ in range(4):
        make_request(title="Paint", description="the gate")
    exact = search_requests(session, "generator", limit=5, window=4)
    assert exact.scope == "all" and {h.id for h in exact.hits} == set(old)
    sample = search_requests(session, "generator", limit=5, window=4, probe=2)
    assert sample.scope == "partial" and len(sample.hits) == 3


def test_a_lookup_of_all_requests_that_runs_out_of_time_answers_from_the_newest(
    vacuumed_afterwards, session, make_request
):
    make_request(title="Generator service", description="generator")
    # 40,000 older requests hold the word: ranking a probe of them takes well over 1 ms.
    session.execute(
        text(
            "INSERT INTO service_requests (user_id, service_type, title, description, status,"
            " priority, urgency_level, created_at, updated_at)"
            " SELECT user_id, service_type, 'Alternator ' || g, 'alternator whine', status, priority,"
            " urgency_level, created_at, updated_at FROM service_requests, generate_series(1, 40000) g"
            " WHERE title = 'Generator service'"
        )
    )
    newest = [make_request(title="Alternator belt", description="new alternator").id]
    newest += [make_request(title="Paint", description="the gate").id for _ in range(3)]
    result = search_requests(session, "alternator", limit=5, window=4, budget_ms=1)
    assert result.scope == "time-limited"
    assert [h.id for h in result.hits] == newest[:1]
    session.execute(text("SELECT 1"))  # the transaction is still usable after the cut
    # a budget no load can exhaust: without the cut the answer is the usual partial one
    assert search_requests(session, "alternator", limit=5, window=4, budget_ms=60_000).scope == "partial"


def test_a_small_table_is_searched_whole(session, make_request):
    make_request(title="Generator service", description="generator")
    assert search_requests(session, "generator").scope == "all"
