"""The shared length vectors file must equal what the Python counters say today."""

from __future__ import annotations

import json

import pytest

from server.domain.text.measure import NETWORKS
from server.domain.text.vectors import TRICKY_TEXTS, build_vectors, render
from tests.shared_data import REPO

pytestmark = pytest.mark.unit

FIXTURE = REPO / "tests" / "fixtures" / "length_vectors.json"


def test_fixture_matches_the_counters() -> None:
    """Regenerate: python -m server.domain.text.vectors > tests/fixtures/length_vectors.json"""
    assert json.loads(FIXTURE.read_text(encoding="utf-8")) == build_vectors()


def test_fixture_is_rendered_byte_for_byte() -> None:
    assert FIXTURE.read_text(encoding="utf-8") == render(build_vectors())


def test_vectors_cover_enough_cases_with_unique_descriptions() -> None:
    descriptions = [description for description, _ in TRICKY_TEXTS]
    assert len(descriptions) >= 60
    assert len(set(descriptions)) == len(descriptions)


def test_every_vector_has_every_network() -> None:
    document = build_vectors()
    assert document["networks"] == list(NETWORKS)
    for vector in document["vectors"]:
        assert list(vector["expected"]) == list(NETWORKS)
        for counted in vector["expected"].values():
            assert set(counted) == {"length", "limit", "valid"}


def test_limit_vectors_fit_and_overflow_at_limits_other_than_500() -> None:
    cases = build_vectors()["mastodon_limit_vectors"]
    descriptions = [case["description"] for case in cases]
    assert len(set(descriptions)) == len(descriptions)
    for case in cases:
        assert list(case["expected"]) == list(NETWORKS)
        assert case["expected"]["mastodon"]["limit"] == case["mastodon_limit"]
        assert len(case["text"]) <= 10_000  # the API measures them too
    at_limit = {(case["mastodon_limit"], case["expected"]["mastodon"]["valid"]) for case in cases}
    assert {(1000, True), (1000, False), (1, True), (1, False)} <= at_limit
    assert all(limit != 500 for limit, _ in at_limit)
