"""Hashtags, mentions and URLs in a post, found the way the networks find them.

The drafter must not add ``#RSNA24`` when the note already says ``#rsna24``, the thread
splitter must never cut through a link, handle or hashtag, and Mastodon counts
``@user@domain`` as ``@user``. All three need the same answer to "where are the entities?",
so it lives here. twitter-text-parser only extracts URLs, so hashtags and mentions follow
twitter-text's published rules (checked against the official conformance suite,
``extract.yml``); URLs come from twitter-text-parser itself.

Indices are code-point offsets into the given string (Python ``str`` indices), end exclusive,
as in the conformance suite.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Final, Literal

import regex
from twitter_text import (
    extract_urls_with_indices as _tt_extract_urls_with_indices,
)

EntityKind = Literal["hashtag", "mention", "url", "handle"]


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity: ``value`` is the hashtag without ``#``, the name without ``@``, or the URL.

    ``list_slug`` is set only for X list references (``@user/list``), with its leading ``/``.
    """

    kind: EntityKind
    value: str
    start: int
    end: int
    list_slug: str = ""


# --------------------------------------------------------------------------------------------
# Character classes (facts from twitter-text's regexp definitions)

_HASH_SIGNS: Final = "#\uff03"
_AT_SIGNS: Final = "@\uff20"
# Letters and marks, plus the characters twitter-text allows inside a hashtag.
_HASHTAG_SPECIAL: Final = (
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb"
    "\u3003\u0f0b\u0f0c\u00b7"
)
_HASHTAG_ALNUM: Final = rf"\p{{L}}\p{{M}}\p{{Nd}}{_HASHTAG_SPECIAL}"
_LATIN_ACCENTS: Final = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    "\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)

# A hashtag: something that is not part of a word before it (or the start, or a variation
# selector), a hash sign not starting a keycap/emoji, then a run of hashtag characters. The run
# is matched possessively and checked for a letter afterwards: the textbook form
# ``alnum* letter alnum*`` backtracks quadratically on long digit runs.
_HASHTAG = regex.compile(
    rf"(?:^|[\uFE0E\uFE0F]|[^&{_HASHTAG_ALNUM}])"
    rf"([{_HASH_SIGNS}])(?![\uFE0F\u20E3])([{_HASHTAG_ALNUM}]++)"
)
_HAS_LETTER = regex.compile(r"[\p{L}\p{M}]")
_AFTER_HASHTAG = regex.compile(rf"[{_HASH_SIGNS}]|://")

_MENTION = regex.compile(
    r"(?:^|[^a-zA-Z0-9_!#$%&*@\uff20]|(?:^|[^a-zA-Z0-9_+~.\-])(?:rt|RT|rT|Rt):?)"
    rf"([{_AT_SIGNS}])([a-zA-Z0-9_]{{1,20}})(/[a-zA-Z][a-zA-Z0-9_\-]{{0,24}})?"
)
_AFTER_MENTION = regex.compile(rf"[{_AT_SIGNS}{_LATIN_ACCENTS}]|://")

# Mastodon: ``@user`` or ``@user@domain``, not inside a word, URL path or query value.
_FEDIVERSE_MENTION = regex.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.\-]+[a-z0-9_]+)*(?:@\w+(?:[.\-]+\w+)*)?)",
    regex.IGNORECASE,
)

# Any handle-looking token (X, Bluesky ``name.bsky.social``, Mastodon ``user@host``), for
# "do not cut here" purposes only: generous on purpose.
_HANDLE = regex.compile(r"(?<![\w@])[@\uff20][\w](?:[\w.\-]*\w)?(?:@\w(?:[\w.\-]*\w)?)?")


# --------------------------------------------------------------------------------------------
# Hashtags


def extract_hashtags(text: str) -> list[str]:
    """Hashtags in ``text`` without their ``#``, in order (duplicates kept)."""
    return [entity.value for entity in extract_hashtags_with_indices(text)]


def extract_hashtags_with_indices(text: str, *, check_url_overlap: bool = True) -> list[Entity]:
    """Hashtags with their indices; hashtags inside a URL (``example.com/#top``) are dropped."""
    if not any(sign in text for sign in _HASH_SIGNS):
        return []
    found: list[Entity] = []
    for match in _HASHTAG.finditer(text):
        body = match.group(2)
        if not _HAS_LETTER.search(body):
            continue
        if _AFTER_HASHTAG.match(text, match.end()):
            continue
        found.append(Entity("hashtag", body, match.start(1), match.end(2)))
    if check_url_overlap and found:
        urls = extract_urls_with_indices(text)
        if urls:
            found = [
                entity for entity in _without_overlaps([*urls, *found]) if entity.kind == "hashtag"
            ]
    return found


def hashtag_key(tag: str) -> str:
    """Comparison key for hashtags: ``#RSNA24``, ``rsna24`` and the full-width sign are one tag."""
    body = tag.lstrip(_HASH_SIGNS)
    return unicodedata.normalize("NFC", body).casefold()


def normalize_hashtag(tag: str) -> str | None:
    """``"#Tag"`` if ``tag`` (with or without its ``#``) is one whole valid hashtag, else None.

    ``RSNA24`` -> ``#RSNA24``; ``#SSA01-3`` -> None (the hyphen would end the hashtag, so
    posting it would tag ``#SSA01``); ``#2024`` -> None (a hashtag needs a letter).
    """
    body = tag.strip().lstrip(_HASH_SIGNS)
    if not body:
        return None
    candidate = "#" + body
    found = extract_hashtags_with_indices(candidate, check_url_overlap=False)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(candidate):
        return candidate
    return None


def hashtag_from_code(code: str) -> str | None:
    """A hashtag made from a session code by dropping what a hashtag cannot hold.

    ``SSA01-3`` -> ``#SSA013``; ``T 12.4`` -> ``#T124``; ``1234`` -> None (no letter).
    """
    body = "".join(char for char in code if regex.match(rf"[{_HASHTAG_ALNUM}]", char))
    return normalize_hashtag(body) if body else None


# --------------------------------------------------------------------------------------------
# Mentions


def extract_mentions(text: str) -> list[str]:
    """X mentions (screen names without ``@``), in order; list references are not mentions."""
    return [entity.value for entity in extract_mentions_with_indices(text)]


def extract_mentions_with_indices(text: str) -> list[Entity]:
    return [
        entity for entity in extract_mentions_or_lists_with_indices(text) if not entity.list_slug
    ]


def extract_mentions_or_lists_with_indices(text: str) -> list[Entity]:
    """X mentions and list references (``@user/list``) as twitter-text finds them.

    Like twitter-text, an over-long name yields its first 20 characters, and a name followed by
    another ``@``, an accented Latin letter or ``://`` is not a mention (``@_@``, ``@http://``).
    """
    if not any(sign in text for sign in _AT_SIGNS):
        return []
    found: list[Entity] = []
    for match in _MENTION.finditer(text):
        if _AFTER_MENTION.match(text, match.end()):
            continue
        slug = match.group(3) or ""
        found.append(Entity("mention", match.group(2), match.start(1), match.end(), slug))
    return found


def extract_fediverse_mentions_with_indices(text: str) -> list[Entity]:
    """Mastodon mentions: ``value`` is ``user`` or ``user@domain`` (kind ``"mention"``)."""
    if "@" not in text:
        return []
    found: list[Entity] = []
    for match in _FEDIVERSE_MENTION.finditer(text):
        if _AFTER_MENTION.match(text, match.end()):
            continue
        found.append(Entity("mention", match.group(1), match.start(), match.end()))
    return found


# --------------------------------------------------------------------------------------------
# URLs and everything together


def extract_urls_with_indices(text: str, *, require_protocol: bool = False) -> list[Entity]:
    """URLs as twitter-text finds them (protocol-less ``example.com`` too unless told not to)."""
    if "." not in text:
        return []
    items: list[dict[str, Any]] = _tt_extract_urls_with_indices(text, not require_protocol)
    return [Entity("url", item["url"], item["indices"][0], item["indices"][1]) for item in items]


def extract_entities(text: str) -> list[Entity]:
    """URLs, hashtags and handles of any network, sorted and without overlaps.

    Handles here are generous (X, Bluesky and Mastodon shapes, kind ``"handle"``): the
    result marks the spans the thread splitter must keep whole.
    """
    urls = extract_urls_with_indices(text)
    hashtags = extract_hashtags_with_indices(text, check_url_overlap=False)
    handles = (
        [
            Entity("handle", match.group()[1:], match.start(), match.end())
            for match in _HANDLE.finditer(text)
        ]
        if "@" in text or "\uff20" in text
        else []
    )
    return _without_overlaps([*urls, *hashtags, *handles])


def _without_overlaps(entities: list[Entity]) -> list[Entity]:
    """Sort by start (longer first on ties) and drop every entity overlapping a kept one."""
    kept: list[Entity] = []
    for entity in sorted(entities, key=lambda e: (e.start, -e.end)):
        if kept and entity.start < kept[-1].end:
            continue
        kept.append(entity)
    return kept
