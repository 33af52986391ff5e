"""Per-network length rules, and agreement of the fast X counter with parse_tweet."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet
from twitter_text.config import config as tt_config
from twitter_text.regexp.emoji import emoji_list

from server.domain.text.measure import (
    _EMOJI_RUN,
    NETWORKS,
    X_V2,
    X_V3,
    Measurement,
    count_graphemes,
    count_linkedin,
    count_mastodon,
    count_threads,
    count_x,
    is_network,
    measure,
    measure_one,
)
from server.domain.text.vectors import TRICKY_TEXTS

pytestmark = pytest.mark.unit

REFERENCE = (
    "Great talk by @alice@fosstodon.org on #rustlang \U0001f469\U0001f3fd\u200d\U0001f4bb "
    "https://example.org/a/very/long/path?q=1"
)
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"


def test_reference_numbers_from_formats_md() -> None:
    counted = measure(REFERENCE)
    assert list(counted) == list(NETWORKS)
    assert counted["x"] == Measurement(74, 280, True)
    assert counted["mastodon"] == Measurement(59, 500, True)
    assert counted["bluesky"] == Measurement(90, 300, True)
    assert len(REFERENCE) == 93


def test_family_emoji_counts() -> None:
    counted = measure(FAMILY)
    assert counted["x"].length == 2
    assert counted["bluesky"].length == 1
    assert counted["mastodon"].length == 1
    assert counted["threads"].length == 25  # UTF-8 bytes of the whole sequence
    assert counted["linkedin"].length == 11  # UTF-16 code units


def test_empty_text_is_valid_nowhere() -> None:
    assert [m.valid for m in measure("").values()] == [False] * 5


def test_x_limits() -> None:
    assert measure_one("a" * 280, "x") == Measurement(280, 280, True)
    assert measure_one("a" * 281, "x") == Measurement(281, 280, False)
    assert measure_one("\u6f22" * 140, "x") == Measurement(280, 280, True)
    assert measure_one("https://example.org/" + "a" * 300, "x") == Measurement(23, 280, True)
    assert measure_one("see example.com", "x").length == 27  # protocol-less URL is 23 too


def test_x_rejects_invalid_characters() -> None:
    assert measure_one("abc\ufeffdef", "x").valid is False


def test_bluesky_graphemes_and_byte_cap() -> None:
    assert measure_one("a" * 300, "bluesky") == Measurement(300, 300, True)
    assert measure_one("a" * 301, "bluesky") == Measurement(301, 300, False)
    # 140 graphemes but 3,500 bytes: over the lexicon's maxLength.
    assert measure_one(FAMILY * 140, "bluesky") == Measurement(140, 300, False)
    assert measure_one(FAMILY * 120, "bluesky") == Measurement(120, 300, True)
    assert measure_one("https://example.org/" + "a" * 300, "bluesky").valid is False


def test_graphemes() -> None:
    assert count_graphemes("e\u0301") == 1
    assert count_graphemes("\r\n") == 1
    assert count_graphemes("\U0001f1eb\U0001f1f7\U0001f1e9") == 2
    assert count_graphemes("\u1112\u1161\u11ab") == 1


def test_mastodon_rules() -> None:
    assert count_mastodon("https://example.org/" + "a" * 100) == 23
    assert count_mastodon("example.org/" + "a" * 10) == 22  # no protocol: counted as typed
    assert count_mastodon("@alice@fosstodon.org") == len("@alice")
    assert count_mastodon("@alice") == 6
    assert count_mastodon("mail bob@example.org") == 20  # not a mention
    assert count_mastodon("https://med.social/@alice@other.org") == 23


def test_mastodon_limit_is_per_instance() -> None:
    text = "b" * 600
    assert measure_one(text, "mastodon") == Measurement(600, 500, False)
    assert measure_one(text, "mastodon", mastodon_limit=5000) == Measurement(600, 5000, True)
    assert measure(text, mastodon_limit=1000)["mastodon"] == Measurement(600, 1000, True)


@pytest.mark.parametrize("limit", [0, -1, True, 2.5])
def test_mastodon_limit_must_be_positive_int(limit: object) -> None:
    with pytest.raises(ValueError, match="mastodon_limit"):
        measure("x", mastodon_limit=limit)  # type: ignore[arg-type]


def test_threads_counts_emoji_as_utf8_bytes() -> None:
    assert count_threads("hello") == 5
    assert count_threads("\U0001f44d") == 4
    assert count_threads("\u2764\ufe0f") == 6
    assert count_threads("\u2764") == 1  # text presentation: not an emoji
    assert count_threads("caf\u00e9") == 4
    assert count_threads("\U0001f44d\U0001f3fd ok") == 11
    assert measure_one("a" * 500, "threads").valid is True
    assert measure_one("\U0001f44d" * 126, "threads") == Measurement(504, 500, False)


def test_linkedin_counts_utf16_units() -> None:
    assert count_linkedin("abc") == 3
    assert count_linkedin("\U0001f44d") == 2
    assert measure_one("a" * 3000, "linkedin") == Measurement(3000, 3000, True)
    assert measure_one("a" * 3001, "linkedin") == Measurement(3001, 3000, False)


def test_unknown_network() -> None:
    assert is_network("x") is True
    assert is_network("twitter") is False
    with pytest.raises(ValueError, match="unknown network"):
        measure_one("hi", "myspace")  # type: ignore[arg-type]


def test_emoji_run_class_covers_every_library_emoji() -> None:
    """The fast X counter is exact only if no emoji has a character outside the run class."""
    for emoji in emoji_list:
        assert _EMOJI_RUN.fullmatch(emoji.emoji) is not None, emoji.codepoint


def _parse_tweet_dict(text: str, version: str) -> dict[str, object]:
    options = dict(tt_config[version])
    options.setdefault("emoji_parsing_enabled", False)
    return dict(parse_tweet(text, options).asdict())


def _ours(text: str, version: str) -> dict[str, object]:
    counted = count_x(text, X_V3 if version == "version3" else X_V2)
    return {
        "weightedLength": counted.weighted_length,
        "valid": counted.valid,
        "permillage": counted.permillage,
        "validRangeStart": counted.valid_range_start,
        "validRangeEnd": counted.valid_range_end,
        "displayRangeStart": counted.display_range_start,
        "displayRangeEnd": counted.display_range_end,
    }


@pytest.mark.parametrize(("description", "text"), TRICKY_TEXTS, ids=[d for d, _ in TRICKY_TEXTS])
@pytest.mark.parametrize("version", ["version2", "version3"])
def test_fast_x_counter_equals_parse_tweet_on_vectors(
    description: str, text: str, version: str
) -> None:
    assert _ours(text, version) == _parse_tweet_dict(text, version)


_PIECES = st.sampled_from(
    [
        "a",
        "Z",
        " ",
        "\n",
        "\r\n",
        "\r",
        ".",
        "#",
        "@",
        "1",
        "\u00e9",
        "e\u0301",
        "\u6f22",
        "\U0001f44d",
        "\U0001f3fd",
        "\u200d",
        "\ufe0f",
        "\u20e3",
        "\U0001f1eb",
        "\U0001f1f7",
        FAMILY,
        "\u2764",
        "\u00a9",
        "\ufeff",
        "\u2066",
        "https://",
        "example.com",
        "t.co/abc",
        "/path?q=1",
        "\U00020021",
        "\u0627",
        "\U000e0067",
        "\U000e007f",
        "\U0001f3f4",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_fast_x_counter_equals_parse_tweet_property(text: str) -> None:
    assert _ours(text, "version3") == _parse_tweet_dict(text, "version3")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_fast_x_counter_equals_parse_tweet_on_any_text(text: str) -> None:
    assert _ours(text, "version3") == _parse_tweet_dict(text, "version3")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_measure_is_total(text: str) -> None:
    counted = measure(text)
    assert all(m.length >= 0 for m in counted.values())
    assert counted["linkedin"].length >= counted["bluesky"].length
