"""Post length as each network counts it, so "valid" here means "the network will accept it".

A draft that Backchannel calls valid and the network then rejects (or silently truncates) is
the failure this module exists to prevent, so each counter follows the network's own rule,
and where the public rule is ambiguous we pick the stricter reading and say so.

* ``x``: twitter-text v3 weighted length (``twitter-text-parser``'s configuration, URL
  extractor and emoji list). See :func:`count_x` for why we do not call ``parse_tweet``
  directly on the hot path.
* ``bluesky``: 300 grapheme clusters *and* at most 3,000 UTF-8 bytes (the lexicon's
  ``maxGraphemes``/``maxLength``); links count as typed.
* ``mastodon``: grapheme clusters of the text after every ``http(s)://`` URL is replaced by 23
  characters and every ``@user@domain`` by ``@user`` (``StatusLengthValidator``); the limit is
  per instance (default 500).
* ``threads``: 500 "characters", emoji counted as their UTF-8 bytes (see
  :func:`count_threads`).
* ``linkedin``: 3,000 characters, counted as UTF-16 code units (see :func:`count_linkedin`).

Every counter is pure and total over ``str``: it never raises on odd input (lone surrogates,
control characters); rejecting such input is :mod:`server.domain.text.validation`'s job.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeGuard

import regex
from twitter_text import (
    extract_emojis_with_indices,
    extract_urls_with_indices,
)
from twitter_text.config import (
    config as _twitter_text_configs,
)

from server.domain.text.entities import extract_fediverse_mentions_with_indices

Network = Literal["x", "bluesky", "mastodon", "threads", "linkedin"]

#: Stable network ids, in display order (the API and the browser use the same ids).
NETWORKS: Final[tuple[Network, ...]] = ("x", "bluesky", "mastodon", "threads", "linkedin")

#: Default limit per network (Mastodon's is per instance; 500 is the upstream default).
DEFAULT_LIMITS: Final[Mapping[Network, int]] = {
    "x": 280,
    "bluesky": 300,
    "mastodon": 500,
    "threads": 500,
    "linkedin": 3000,
}
BLUESKY_MAX_BYTES: Final = 3000
MASTODON_URL_LENGTH: Final = 23


@dataclass(frozen=True, slots=True)
class Measurement:
    """How long a text is on one network, against which limit, and whether it fits."""

    length: int
    limit: int
    valid: bool

    def as_dict(self) -> dict[str, int | bool]:
        return {"length": self.length, "limit": self.limit, "valid": self.valid}


def is_network(value: object) -> TypeGuard[Network]:
    """True when ``value`` is one of :data:`NETWORKS` (narrows untrusted input)."""
    return isinstance(value, str) and value in DEFAULT_LIMITS


def measure(text: str, *, mastodon_limit: int = 500) -> dict[Network, Measurement]:
    """Measure ``text`` on every network; keys are :data:`NETWORKS` in order.

    An empty text is never valid: no network accepts an empty text post.
    """
    _check_limit(mastodon_limit)
    facts = _Facts(text)
    return {network: _measure(facts, network, mastodon_limit) for network in NETWORKS}


def measure_one(text: str, network: Network, *, mastodon_limit: int = 500) -> Measurement:
    """Measure ``text`` on a single network (cheaper than :func:`measure` when you know it)."""
    if not is_network(network):
        raise ValueError(f"unknown network {network!r}; expected one of {', '.join(NETWORKS)}")
    _check_limit(mastodon_limit)
    return _measure(_Facts(text), network, mastodon_limit)


def _measure(facts: _Facts, network: Network, mastodon_limit: int) -> Measurement:
    if network == "x":
        counted = _count_x(facts.text, X_V3, facts.urls)
        return Measurement(counted.weighted_length, counted.max_length, counted.valid)
    if network == "bluesky":
        length = facts.graphemes
        limit = DEFAULT_LIMITS["bluesky"]
        fits = 0 < length <= limit and utf8_length(facts.text) <= BLUESKY_MAX_BYTES
        return Measurement(length, limit, fits)
    if network == "mastodon":
        length = _count_mastodon(facts)
        return Measurement(length, mastodon_limit, 0 < length <= mastodon_limit)
    if network == "threads":
        length = _count_threads(facts)
        limit = DEFAULT_LIMITS["threads"]
        return Measurement(length, limit, 0 < length <= limit)
    length = count_linkedin(facts.text)
    limit = DEFAULT_LIMITS["linkedin"]
    return Measurement(length, limit, 0 < length <= limit)


def _check_limit(limit: object) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"mastodon_limit must be a positive integer, not {limit!r}")


class _Facts:
    """What several counters need from one text, each computed at most once."""

    __slots__ = ("_clusters", "_graphemes", "_urls", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._urls: list[tuple[int, int, str]] | None = None
        self._clusters: list[str] | None = None
        self._graphemes: int | None = None

    @property
    def urls(self) -> list[tuple[int, int, str]]:
        """(start, end, url) of every URL twitter-text finds, protocol-less ones included."""
        if self._urls is None:
            self._urls = _find_urls(self.text)
        return self._urls

    @property
    def clusters(self) -> list[str]:
        if self._clusters is None:
            self._clusters = _GRAPHEME.findall(self.text)
        return self._clusters

    @property
    def graphemes(self) -> int:
        if self._graphemes is None:
            if self.text.isascii():
                self._graphemes = len(self.text) - self.text.count("\r\n")
            else:
                self._graphemes = len(self.clusters)
        return self._graphemes


# --------------------------------------------------------------------------------------------
# Graphemes, bytes, URLs

_GRAPHEME = regex.compile(r"\X")
# Every URL twitter-text accepts has a dot followed by a letter (TLDs start with a letter);
# skipping the costly extractor when there is none keeps link-free posts cheap.
_MAYBE_URL = regex.compile(r"\S\.\p{L}")


def count_graphemes(text: str) -> int:
    """Extended grapheme clusters (UAX #29), as Bluesky, Mastodon and ``Intl.Segmenter`` count."""
    return _Facts(text).graphemes


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _find_urls(text: str) -> list[tuple[int, int, str]]:
    if not _MAYBE_URL.search(text):
        return []
    found: list[dict[str, Any]] = extract_urls_with_indices(text)
    return [(item["indices"][0], item["indices"][1], item["url"]) for item in found]


# --------------------------------------------------------------------------------------------
# X: twitter-text weighted length


@dataclass(frozen=True, slots=True)
class XConfig:
    """A twitter-text configuration (``config/v2.json``, ``v3.json``) in typed form."""

    version: int
    max_weighted_length: int
    scale: int
    default_weight: int
    transformed_url_length: int
    emoji_parsing_enabled: bool
    ranges: tuple[tuple[int, int, int], ...]  # (first code point, last code point, weight)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> XConfig:
        """Build from twitter-text-parser's snake_case dict or the suite's camelCase JSON."""

        def get(snake: str, camel: str, default: Any = None) -> Any:
            if snake in data:
                return data[snake]
            if camel in data:
                return data[camel]
            if default is None:
                raise KeyError(snake)
            return default

        return cls(
            version=int(get("version", "version")),
            max_weighted_length=int(get("max_weighted_tweet_length", "maxWeightedTweetLength")),
            scale=int(get("scale", "scale")),
            default_weight=int(get("default_weight", "defaultWeight")),
            transformed_url_length=int(get("transformed_url_length", "transformedURLLength")),
            emoji_parsing_enabled=bool(get("emoji_parsing_enabled", "emojiParsingEnabled", False)),
            ranges=tuple(
                (int(r["start"]), int(r["end"]), int(r["weight"])) for r in get("ranges", "ranges")
            ),
        )

    def weight(self, char: str) -> int:
        code = ord(char)
        for first, last, weight in self.ranges:
            if first <= code <= last:
                return weight
        return self.default_weight

    def text_weight(self, text: str) -> int:
        """Sum of the code points' weights (no URL or emoji handling)."""
        if text.isascii():
            first_range = self.ranges[0] if self.ranges else None
            if first_range is not None and first_range[0] == 0 and first_range[1] >= 0x7F:
                return len(text) * first_range[2]
        return sum(self.weight(char) for char in text)


#: Configuration v2 (no emoji parsing) and v3 (what X uses today).
X_V2: Final = XConfig.from_mapping(
    {**_twitter_text_configs["version2"], "emoji_parsing_enabled": False}
)
X_V3: Final = XConfig.from_mapping(_twitter_text_configs["version3"])


@dataclass(frozen=True, slots=True)
class XCount:
    """The fields of twitter-text's ``parseTweet`` (range indices are UTF-16, inclusive)."""

    weighted_length: int
    max_length: int
    valid: bool
    permillage: int
    valid_range_start: int
    valid_range_end: int
    display_range_start: int
    display_range_end: int


_X_INVALID: Final = frozenset("\ufffe\ufeff\uffff")
_X_INVALID_RE = re.compile("[\ufffe\ufeff\uffff]")
_LINE_ENDINGS = re.compile(r"\r\n|\r")

# Every code point of every emoji in twitter-text's list is in this class (asserted in the
# tests), so an emoji match can never extend past a maximal run of these characters. All of
# them but the keycap bases are beyond U+00A8, which makes a cheap first test.
_EMOJI_RUN = regex.compile(
    r"[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}"
    r"\uFE0E\uFE0F\u200D\u20E3#*0-9\U000E0020-\U000E007F]+"
)
_BEYOND_LATIN1_PUNCT = re.compile(r"[^\x00-\xa8]")
_KEYCAP_BASES_ONLY = re.compile(r"[#*0-9]+")


def count_x(text: str, config: XConfig = X_V3) -> XCount:
    """twitter-text's weighted length of ``text`` under ``config``.

    Same algorithm and results as ``twitter_text.parse_tweet`` (the conformance suite and a
    property test against ``parse_tweet`` check this): NFC-normalise, fold CR LF/CR to LF,
    each URL costs ``transformed_url_length``, each emoji sequence ``default_weight`` when
    emoji parsing is on, every other code point its range weight. It exists because
    ``parse_tweet`` runs the library's 90 kB emoji regex over the whole text, which costs about
    1 ms for a 200-character post; we run the library's emoji extractor only over the short
    runs of characters that can be part of an emoji, and sum plain stretches at once.
    """
    return _count_x(text, config, None)


def _count_x(text: str, config: XConfig, raw_urls: list[tuple[int, int, str]] | None) -> XCount:
    normalized = text
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        normalized = unicodedata.normalize("NFC", text)
    if "\r" in normalized:
        normalized = _LINE_ENDINGS.sub("\n", normalized)
    urls = raw_urls if raw_urls is not None and normalized is text else _find_urls(normalized)

    # (start, length in code points, weight); at equal starts a URL wins, as in twitter-text.
    entities = [
        (start, len(url), 0, config.transformed_url_length * config.scale)
        for start, _end, url in urls
    ]
    if config.emoji_parsing_enabled:
        entities.extend(
            (start, size, 1, config.default_weight) for start, size in _emoji_spans(normalized)
        )
        entities.sort()

    total = 0
    cursor = 0
    for start, size, _priority, weight in entities:
        if start < cursor:
            continue  # starts inside an entity already counted
        total += config.text_weight(normalized[cursor:start]) + weight
        cursor = start + size
    total += config.text_weight(normalized[cursor:])

    weighted = total // config.scale
    valid_chars = _X_INVALID_RE.search(normalized) is None
    if valid_chars and weighted <= config.max_weighted_length:
        valid_index = max(len(normalized) - 1, 0)
    else:
        valid_index = _last_valid_index(normalized, config, entities)
    original_units = _utf16_units(text)
    valid_end = (
        _utf16_units(normalized[: valid_index + 1]) - 1 + original_units - _utf16_units(normalized)
    )
    return XCount(
        weighted_length=weighted,
        max_length=config.max_weighted_length,
        valid=valid_chars and 0 < weighted <= config.max_weighted_length,
        permillage=math.floor(weighted / config.max_weighted_length * 1000),  # as twitter-text
        valid_range_start=0,
        valid_range_end=valid_end,
        display_range_start=0,
        display_range_end=max(original_units - 1, 0),
    )


def _last_valid_index(
    normalized: str, config: XConfig, entities: list[tuple[int, int, int, int]]
) -> int:
    """Index of the last character of the longest prefix that is still a valid post.

    Walks the text one position at a time as twitter-text does (an entity is counted at its
    first character, then the walk resumes after its last); only needed for invalid texts.
    """
    starts: dict[int, tuple[int, int]] = {}
    for start, size, _priority, weight in entities:
        starts.setdefault(start, (size, weight))
    limit = config.max_weighted_length * config.scale
    total = 0
    index = 0
    last_valid = 0
    still_valid = True
    while index < len(normalized):
        if index in starts:
            size, weight = starts[index]
            total += weight
            index += size - 1
        else:
            total += config.weight(normalized[index])
        if still_valid and normalized[index] in _X_INVALID:
            still_valid = False
        if still_valid and total <= limit:
            last_valid = index
        index += 1
    return last_valid


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if text.isascii() or not _BEYOND_LATIN1_PUNCT.search(text):
        return spans
    for run in _EMOJI_RUN.finditer(text):
        if _KEYCAP_BASES_ONLY.fullmatch(run.group()):
            continue
        found: list[dict[str, Any]] = extract_emojis_with_indices(run.group())
        spans.extend((run.start() + item["indices"][0], len(item["emoji"])) for item in found)
    return spans


def _utf16_units(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# --------------------------------------------------------------------------------------------
# Mastodon


def count_mastodon(text: str) -> int:
    """Mastodon's countable length: graphemes after URL and remote-mention substitution.

    Only URLs with a protocol are replaced (``extract_url_without_protocol: false``); a
    mention ``@user@domain`` counts as ``@user`` because the remote domain is not shown.
    """
    return _count_mastodon(_Facts(text))


def _count_mastodon(facts: _Facts) -> int:
    text = facts.text
    spans: list[tuple[int, int, str]] = [
        (start, end, "x" * MASTODON_URL_LENGTH)
        for start, end, url in facts.urls
        if url[:8].lower().startswith(("http://", "https://"))
    ]
    if "@" in text:
        spans.extend(
            (m.start, m.end, "@" + m.value.split("@", 1)[0])
            for m in extract_fediverse_mentions_with_indices(text)
        )
    if not spans:
        return facts.graphemes
    spans.sort()
    pieces: list[str] = []
    cursor = 0
    for start, end, replacement in spans:
        if start < cursor:
            continue  # overlapping entity: the earlier one wins
        pieces.append(text[cursor:start])
        pieces.append(replacement)
        cursor = end
    pieces.append(text[cursor:])
    return _Facts("".join(pieces)).graphemes


# --------------------------------------------------------------------------------------------
# Threads and LinkedIn

_EMOJI_CHAR = regex.compile(r"[\p{Emoji_Presentation}\p{Regional_Indicator}\uFE0F\u20E3]")


def count_threads(text: str) -> int:
    """Threads' length: "Emojis are counted as the number of UTF-8 bytes" (Threads API docs).

    Meta documents the limit (500 characters) and the emoji rule, not the unit for other
    text. We count each grapheme cluster that is an emoji (it contains an emoji-presentation
    character, a regional indicator, VS16 or the keycap mark) as the UTF-8 byte length of the
    whole cluster (so a ZWJ family costs 25, a thumbs-up 4), and any other cluster as its
    number of code points: the stricter of the plausible readings, so we never call a post
    valid that Threads would refuse. Implemented as documented; not verified against the live
    service.
    """
    return _count_threads(_Facts(text))


def _count_threads(facts: _Facts) -> int:
    text = facts.text
    if text.isascii() or not _EMOJI_CHAR.search(text):
        return len(text)
    extra = 0
    for cluster in facts.clusters:
        if not cluster.isascii() and _EMOJI_CHAR.search(cluster):
            extra += utf8_length(cluster) - len(cluster)
    return len(text) + extra


def count_linkedin(text: str) -> int:
    """LinkedIn's 3,000 "characters", counted as UTF-16 code units.

    LinkedIn does not publish its unit; UTF-16 units (JavaScript's ``string.length``) are the
    largest plausible count (an astral emoji is 2), so a text we accept is never too long.
    """
    return _utf16_units(text)
