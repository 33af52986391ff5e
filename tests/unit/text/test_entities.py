"""Entity helpers beyond the conformance suite: tag keys, Mastodon mentions, protected spans."""

from __future__ import annotations

import time

import pytest

from server.domain.text.entities import (
    Entity,
    extract_entities,
    extract_fediverse_mentions_with_indices,
    extract_hashtags,
    extract_urls_with_indices,
    hashtag_from_code,
    hashtag_key,
    normalize_hashtag,
)

pytestmark = pytest.mark.unit


def test_hashtag_key_is_case_and_sign_insensitive() -> None:
    assert hashtag_key("#RSNA24") == hashtag_key("rsna24") == hashtag_key("\uff03Rsna24")
    assert hashtag_key("#Stra\u00dfe") == hashtag_key("#STRASSE")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("RSNA24", "#RSNA24"),
        ("#RSNA24", "#RSNA24"),
        ("  #caf\u00e9 ", "#caf\u00e9"),
        ("#SSA01-3", None),
        ("#2024", None),
        ("", None),
        ("#", None),
        ("two words", None),
        ("#\u65e5\u672c\u8a9e", "#\u65e5\u672c\u8a9e"),
    ],
)
def test_normalize_hashtag(raw: str, expected: str | None) -> None:
    assert normalize_hashtag(raw) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("SSA01-3", "#SSA013"), ("T 12.4", "#T124"), ("1234", None), ("", None)],
)
def test_hashtag_from_code(code: str, expected: str | None) -> None:
    assert hashtag_from_code(code) == expected


def test_long_digit_run_is_linear_not_quadratic() -> None:
    text = "#" + "1" * 50_000 + " #ok"
    started = time.perf_counter()
    assert extract_hashtags(text) == ["ok"]
    assert time.perf_counter() - started < 1.0


def test_fediverse_mentions() -> None:
    text = "cc @alice@fosstodon.org, @bob and mail carol@example.org https://x.org/@dave"
    found = extract_fediverse_mentions_with_indices(text)
    assert [(m.value, text[m.start : m.end]) for m in found] == [
        ("alice@fosstodon.org", "@alice@fosstodon.org"),
        ("bob", "@bob"),
    ]


def test_urls_with_and_without_protocol() -> None:
    text = "see https://a.org/x and b.com"
    assert [u.value for u in extract_urls_with_indices(text)] == [
        "https://a.org/x",
        "b.com",
    ]
    assert [u.value for u in extract_urls_with_indices(text, require_protocol=True)] == [
        "https://a.org/x"
    ]


def test_extract_entities_marks_urls_tags_and_handles_without_overlap() -> None:
    text = "#RSNA24 @alice.bsky.social @bo@med.social https://ex.org/#frag"
    assert extract_entities(text) == [
        Entity("hashtag", "RSNA24", 0, 7),
        Entity("handle", "alice.bsky.social", 8, 26),
        Entity("handle", "bo@med.social", 27, 41),
        Entity("url", "https://ex.org/#frag", 42, 62),
    ]
