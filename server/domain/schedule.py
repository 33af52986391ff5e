"""Schedule logic over plain values: now/next, overlaps, search keys, session tags."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import regex

NEXT_HORIZON = timedelta(hours=18)


@dataclass(frozen=True)
class Slot:
    """The part of a session that now/next and overlap checks need."""

    id: int
    start: datetime
    end: datetime
    room: str | None


S = TypeVar("S", bound=Slot)


def now_and_next(slots: Iterable[S], at: datetime) -> tuple[list[S], list[S]]:
    """Sessions running at ``at``, and for each room the first one that starts after it.

    ``next`` looks at most :data:`NEXT_HORIZON` ahead so that the last evening session does
    not announce tomorrow's breakfast as "next". Both lists are ordered by start, then room.
    """
    now: list[S] = []
    upcoming: dict[str | None, S] = {}
    for slot in slots:
        if slot.start <= at < slot.end:
            now.append(slot)
        elif at < slot.start <= at + NEXT_HORIZON:
            best = upcoming.get(slot.room)
            if best is None or (slot.start, slot.id) < (best.start, best.id):
                upcoming[slot.room] = slot
    def order(s: Slot) -> tuple[datetime, str, int]:
        return (s.start, s.room or "", s.id)

    return sorted(now, key=order), sorted(upcoming.values(), key=order)


def overlapping_ids(slots: Sequence[Slot]) -> set[int]:
    """Ids of slots that overlap at least one other slot (touching ends do not overlap)."""
    ordered = sorted(slots, key=lambda s: (s.start, s.end, s.id))
    clashing: set[int] = set()
    running: list[Slot] = []
    for slot in ordered:
        running = [r for r in running if r.end > slot.start]
        if running:
            clashing.add(slot.id)
            clashing.update(r.id for r in running)
        running.append(slot)
    return clashing


def search_key(text: str) -> str:
    """Case-folded text without accents, so "Müller" is found by "muller"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def search_terms(query: str) -> list[str]:
    """The words of a free-text query, normalised like :func:`search_key`; at most 8."""
    return [term for term in search_key(query).split(" ") if term][:8]


_TAG_CHARS = regex.compile(r"[^\p{L}\p{N}_]+")
_STOPWORDS = frozenset(
    "a an and as at by de der die for from in into is of on or the to vs with".split()
)
MAX_TAG = 24


def tag_from_code(code: str | None) -> str | None:
    """A session code as a hashtag body (``MSRO21``), or ``None`` if it cannot be one."""
    if not code:
        return None
    body = _TAG_CHARS.sub("", code)[:MAX_TAG]
    if not body or body.isdigit():
        return None
    return body


def _ascii_letters(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def derive_tag(title: str, taken: Collection[str]) -> str:
    """A short unique tag from a title: initials of its main words plus a number.

    ``taken`` holds case-folded tags already in use in the conference.
    """
    words = [_ascii_letters(w) for w in title.split()]
    words = [w for w in words if w and w.casefold() not in _STOPWORDS]
    initials = "".join(w[0] for w in words[:4]).upper()
    if len(initials) < 2:
        initials = ("".join(words) or "S")[:3].upper()
    if initials[0].isdigit():
        initials = "S" + initials
    number = 1
    while f"{initials}{number}".casefold() in taken:
        number += 1
    return f"{initials}{number}"


def unique_tag(preferred: str, taken: Collection[str]) -> str:
    """``preferred`` if free, else ``preferred_2``, ``preferred_3``..."""
    if preferred.casefold() not in taken:
        return preferred
    number = 2
    while f"{preferred}_{number}".casefold() in taken:
        number += 1
    return f"{preferred}_{number}"


def valid_tag(tag: str) -> bool:
    """Whether ``tag`` (without ``#``) works as a hashtag on every network."""
    return 0 < len(tag) <= MAX_TAG and not _TAG_CHARS.search(tag) and not tag.isdigit()
