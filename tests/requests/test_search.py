"""Full-text search: ranking, snippets, and input that tries to break it."""

from __future__ import annotations

import json

import pytest

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


def test_a_search_matching_many_ranks_the_newest_candidates_and_says_so(session, make_request):
    older = make_request(title="Brake check", description="brake brake brake").id
    newer = [make_request(title="Fuel", description=f"brake note {i}").id for i in range(3)]
    result = search_requests(session, "brake", candidates=3)
    assert (
        result.capped
        and {h.id for h in result.hits} == set(newer)
        and older not in {h.id for h in result.hits}
    )
    assert not search_requests(session, "brake", candidates=10).capped
