"""The official twitter-text conformance suite, loaded at test time from shared/ (never copied).

Covers validate.yml's weighted counting sections (with the configuration each section is
defined for) and extract.yml's hashtag and mention sections, every case, by description.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
import yaml
from twitter_text import parse_tweet

from server.domain.text.entities import (
    extract_hashtags,
    extract_hashtags_with_indices,
    extract_mentions,
    extract_mentions_or_lists_with_indices,
    extract_mentions_with_indices,
)
from server.domain.text.measure import X_V2, X_V3, XConfig, XCount, count_x
from tests.shared_data import SHARED

pytestmark = pytest.mark.unit

SUITE = SHARED / "data" / "twitter-text-conformance"


@cache
def _load(name: str) -> dict[str, list[dict[str, Any]]]:
    with (SUITE / name).open(encoding="utf-8") as handle:
        data: dict[str, list[dict[str, Any]]] = yaml.safe_load(handle)["tests"]
    return data


def _cases(name: str, section: str) -> list[Any]:
    return [
        pytest.param(case["text"], case["expected"], id=case["description"])
        for case in _load(name)[section]
    ]


def _config_json(version: int) -> XConfig:
    return XConfig.from_mapping(json.loads((SUITE / f"config-v{version}.json").read_text()))


def _as_parse_result(counted: XCount) -> dict[str, Any]:
    return {
        "weightedLength": counted.weighted_length,
        "valid": counted.valid,
        "permillage": counted.permillage,
        "displayRangeStart": counted.display_range_start,
        "displayRangeEnd": counted.display_range_end,
        "validRangeStart": counted.valid_range_start,
        "validRangeEnd": counted.valid_range_end,
    }


def test_bundled_configs_match_the_suite_configs() -> None:
    assert _config_json(3) == X_V3
    assert _config_json(2) == X_V2


@pytest.mark.parametrize(("text", "expected"), _cases("validate.yml", "WeightedTweetsCounterTest"))
def test_weighted_counter_v2(text: str, expected: dict[str, Any]) -> None:
    assert _as_parse_result(count_x(text, X_V2)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _cases("validate.yml", "WeightedTweetsWithDiscountedEmojiCounterTest"),
)
def test_weighted_counter_v3_discounted_emoji(text: str, expected: dict[str, Any]) -> None:
    assert _as_parse_result(count_x(text, X_V3)) == expected


@pytest.mark.parametrize(
    ("text", "expected"), _cases("validate.yml", "UnicodeDirectionalMarkerCounterTest")
)
def test_unicode_directional_markers(text: str, expected: dict[str, Any]) -> None:
    assert _as_parse_result(count_x(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    _cases("validate.yml", "WeightedTweetsWithDiscountedEmojiCounterTest")
    + _cases("validate.yml", "UnicodeDirectionalMarkerCounterTest"),
)
def test_the_library_parse_tweet_agrees(text: str, expected: dict[str, Any]) -> None:
    """The maintained implementation passes too, so our fast counter and it agree."""
    assert parse_tweet(text).asdict() == expected


@pytest.mark.parametrize(("text", "expected"), _cases("extract.yml", "hashtags"))
def test_hashtags(text: str, expected: list[str]) -> None:
    assert extract_hashtags(text) == expected


@pytest.mark.parametrize(("text", "expected"), _cases("extract.yml", "hashtags_from_astral"))
def test_hashtags_from_astral(text: str, expected: list[str]) -> None:
    assert extract_hashtags(text) == expected


@pytest.mark.parametrize(("text", "expected"), _cases("extract.yml", "hashtags_with_indices"))
def test_hashtags_with_indices(text: str, expected: list[dict[str, Any]]) -> None:
    found = [
        {"hashtag": e.value, "indices": [e.start, e.end]}
        for e in extract_hashtags_with_indices(text)
    ]
    assert found == expected


@pytest.mark.parametrize(("text", "expected"), _cases("extract.yml", "mentions"))
def test_mentions(text: str, expected: list[str]) -> None:
    assert extract_mentions(text) == expected


@pytest.mark.parametrize(("text", "expected"), _cases("extract.yml", "mentions_with_indices"))
def test_mentions_with_indices(text: str, expected: list[dict[str, Any]]) -> None:
    found = [
        {"screen_name": e.value, "indices": [e.start, e.end]}
        for e in extract_mentions_with_indices(text)
    ]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"), _cases("extract.yml", "mentions_or_lists_with_indices")
)
def test_mentions_or_lists_with_indices(text: str, expected: list[dict[str, Any]]) -> None:
    found = [
        {"screen_name": e.value, "list_slug": e.list_slug, "indices": [e.start, e.end]}
        for e in extract_mentions_or_lists_with_indices(text)
    ]
    assert found == expected
