"""Split a long note into a numbered thread that each network will accept part by part.

Live posters write one long note during a talk and want it out as a thread. The rules:

* Every part is measured with :func:`~server.domain.text.measure.measure_one` for the chosen
  network, with its tags and numbering, so "fits" means what the counter says, not an
  estimate (X weighs CJK double and URLs as 23; Mastodon shortens remote mentions...).
* Parts break at whitespace, preferring the end of a sentence (or a line break) when that
  still fills at least half of the part; a URL, handle or hashtag contains no whitespace,
  so it is never cut. Only a single word longer than a whole part is cut, at grapheme
  cluster boundaries and never inside a URL, handle or hashtag; if such an entity alone
  cannot fit, :class:`ThreadSplitError` says so rather than breaking the link.
* Tags: ``every_tags`` (the conference hashtag: it is what puts a post on the conference's
  wall and in hashtag searches, so each part carries it) are appended to every part;
  ``first_tags`` (the session tag, topic tags) to the first part only, which is the one
  people reshare. A tag already in that part's text (any case) is not added again.
* Numbering ``" i/n"`` goes at the very end of each part; a note that fits in one post is
  returned as one unnumbered part.

Text inside a part keeps its original spacing and line breaks; whitespace at the cuts is
dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import regex

from server.domain.text.entities import (
    extract_entities,
    extract_hashtags,
    hashtag_key,
    normalize_hashtag,
)
from server.domain.text.measure import Measurement, Network, is_network, measure_one

ThreadErrorCode = Literal["empty_text", "unsplittable", "tags_too_long", "too_many_parts"]

MAX_PARTS: Final = 100

_WORD = re.compile(r"\S+")
_GRAPHEME = regex.compile(r"\X")
# A sentence ends with . ! ? … (or the ideographic full stop, full-width ! ?), possibly
# followed by closing quotes or brackets.
_SENTENCE_END = regex.compile(r"[.!?\u2026\u3002\uff01\uff1f][\"'\u2019\u201d)\]\u300d]*$")


class ThreadSplitError(ValueError):
    """The note cannot be threaded; ``code`` is stable for API clients."""

    def __init__(self, code: ThreadErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: ThreadErrorCode = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ThreadPart:
    """One post of a thread: ``text`` is what to post; ``body`` is the slice of the note."""

    index: int  # 1-based
    total: int
    text: str
    body: str
    tags: tuple[str, ...]  # tags appended to this part (not those already in the body)
    measurement: Measurement


@dataclass(frozen=True, slots=True)
class Thread:
    network: Network
    limit: int
    parts: tuple[ThreadPart, ...]

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(part.text for part in self.parts)


def split_thread(
    text: str,
    network: Network,
    *,
    first_tags: Sequence[str] = (),
    every_tags: Sequence[str] = (),
    mastodon_limit: int = 500,
    max_parts: int = MAX_PARTS,
) -> Thread:
    """Split ``text`` into posts that each fit ``network`` (see the module docstring).

    Tags may be given with or without ``#``; an invalid hashtag raises ``ValueError``.
    """
    if not is_network(network):
        raise ValueError(f"unknown network {network!r}")
    splitter = _Splitter(
        text,
        network,
        _clean_tags(first_tags),
        _clean_tags(every_tags),
        mastodon_limit,
    )
    return splitter.split(max_parts)


def _clean_tags(tags: Sequence[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for tag in tags:
        normal = normalize_hashtag(tag)
        if normal is None:
            raise ValueError(f"{tag!r} is not a valid hashtag")
        cleaned.append(normal)
    return tuple(cleaned)


class _Splitter:
    def __init__(
        self,
        text: str,
        network: Network,
        first_tags: tuple[str, ...],
        every_tags: tuple[str, ...],
        mastodon_limit: int,
    ) -> None:
        self.text = text
        self.network = network
        self.first_tags = first_tags
        self.every_tags = every_tags
        self.mastodon_limit = mastodon_limit
        self.words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        # Spans that must stay whole if a word has to be cut.
        self.protected = [(e.start, e.end) for e in extract_entities(text)]

    # -- rendering ---------------------------------------------------------------------------

    def tags_for(self, body: str, first: bool) -> tuple[str, ...]:
        present = {hashtag_key(tag) for tag in extract_hashtags(body)}
        chosen: list[str] = []
        for tag in (*self.every_tags, *self.first_tags) if first else self.every_tags:
            key = hashtag_key(tag)
            if key not in present:
                present.add(key)
                chosen.append(tag)
        return tuple(chosen)

    def render(self, body: str, first: bool, suffix: str) -> tuple[str, tuple[str, ...]]:
        tags = self.tags_for(body, first)
        pieces = [body, *tags] if body else list(tags)
        return " ".join(pieces) + suffix, tags

    def fits(self, body: str, first: bool, suffix: str) -> bool:
        rendered, _ = self.render(body, first, suffix)
        return measure_one(rendered, self.network, mastodon_limit=self.mastodon_limit).valid

    def body(self, spans: list[tuple[int, int]], first: int, last: int) -> str:
        return self.text[spans[first][0] : spans[last][1]]

    # -- splitting ---------------------------------------------------------------------------

    def split(self, max_parts: int) -> Thread:
        if not self.words:
            raise ThreadSplitError("empty_text", "there is nothing to post")
        whole = self.body(self.words, 0, len(self.words) - 1)
        rendered, _ = self.render(whole, True, "")
        overall = measure_one(rendered, self.network, mastodon_limit=self.mastodon_limit)
        if overall.valid:
            return self.finish([whole], "")
        # Start numbering at the width the part count will probably need (saves a repack).
        width = len(str(max(1, -(-overall.length // overall.limit))))
        while width <= len(str(max_parts)):
            placeholder = f" {'9' * width}/{'9' * width}"
            bodies = self.pack(placeholder, max_parts)
            if len(str(len(bodies))) <= width:
                thread = self.finish(bodies, "numbered")
                if all(part.measurement.valid for part in thread.parts):
                    return thread
            width += 1
        raise ThreadSplitError(
            "too_many_parts", f"the note needs more than {max_parts} posts on {self.network}"
        )

    def pack(self, suffix: str, max_parts: int) -> list[str]:
        spans = list(self.words)
        bodies: list[str] = []
        start = 0
        while start < len(spans):
            if len(bodies) >= max_parts:
                raise ThreadSplitError(
                    "too_many_parts",
                    f"the note needs more than {max_parts} posts on {self.network}",
                )
            first = not bodies
            if not self.fits(self.body(spans, start, start), first, suffix):
                self.cut_word(spans, start, first, suffix)
                if not self.fits(self.body(spans, start, start), first, suffix):
                    raise ThreadSplitError(
                        "unsplittable", "the tags and numbering alone do not fit in one post"
                    )
            end = self.last_fitting(spans, start, first, suffix)
            bodies.append(self.body(spans, start, end))
            start = end + 1
        return bodies

    def last_fitting(
        self, spans: list[tuple[int, int]], start: int, first: bool, suffix: str
    ) -> int:
        """Index of the last word of the part starting at ``start`` (which fits alone)."""
        # Gallop (1, 2, 4... words) so that no probe is much longer than a post, then bisect.
        last = len(spans) - 1
        low, step = start, 1  # low fits
        while True:
            probe = min(start + step, last)
            if probe == low:
                return last
            if not self.fits(self.body(spans, start, probe), first, suffix):
                high = probe
                break
            low = probe
            step *= 2
        while high - low > 1:
            middle = (low + high) // 2
            if self.fits(self.body(spans, start, middle), first, suffix):
                low = middle
            else:
                high = middle
        # Prefer ending at a sentence or line end if that keeps at least half the words.
        floor = start + (low - start) // 2
        for candidate in range(low, floor - 1, -1):
            if candidate == low:
                if self.ends_sentence(spans, candidate):
                    return low
                continue
            if self.ends_sentence(spans, candidate) and self.fits(
                self.body(spans, start, candidate), first, suffix
            ):
                return candidate
        return low

    def ends_sentence(self, spans: list[tuple[int, int]], index: int) -> bool:
        word_end = spans[index][1]
        if _SENTENCE_END.search(self.text, spans[index][0], word_end):
            return True
        following = spans[index + 1][0] if index + 1 < len(spans) else len(self.text)
        return "\n" in self.text[word_end:following]

    def cut_word(self, spans: list[tuple[int, int]], index: int, first: bool, suffix: str) -> None:
        """Replace the word at ``index`` by its longest fitting head and the rest."""
        word_start, word_end = spans[index]
        cuts: list[int] = []
        position = word_start
        for cluster in _GRAPHEME.findall(self.text, word_start, word_end):
            position += len(cluster)
            if position < word_end and not self.inside_entity(position):
                cuts.append(position)
        low, high = -1, len(cuts)  # cuts[low] fits (or none), cuts[high] does not
        while high - low > 1:
            middle = (low + high) // 2
            if self.fits(self.text[word_start : cuts[middle]], first, suffix):
                low = middle
            else:
                high = middle
        if low < 0:
            raise ThreadSplitError(
                "unsplittable",
                f"{self.text[word_start:word_end][:40]!r} cannot be split without cutting a "
                f"link, handle or hashtag, and does not fit in one {self.network} post",
            )
        spans[index : index + 1] = [(word_start, cuts[low]), (cuts[low], word_end)]

    def inside_entity(self, position: int) -> bool:
        return any(start < position < end for start, end in self.protected)

    def finish(self, bodies: list[str], numbering: str) -> Thread:
        total = len(bodies)
        parts: list[ThreadPart] = []
        for number, body in enumerate(bodies, start=1):
            suffix = f" {number}/{total}" if numbering else ""
            rendered, tags = self.render(body, number == 1, suffix)
            measurement = measure_one(rendered, self.network, mastodon_limit=self.mastodon_limit)
            parts.append(ThreadPart(number, total, rendered, body, tags, measurement))
        return Thread(self.network, parts[0].measurement.limit, tuple(parts))
