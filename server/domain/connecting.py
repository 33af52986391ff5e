"""Rules for tweetups, tweetchats and following from afar, over plain values.

* Tweetchat answers: "A1 ...", "A1: ...", "a1. ..." (after any leading @mentions or
  hashtags) answer question 1; :func:`parse_answer` finds the number.
* Tweetup times: the gaps in a day's programme (before the first session, the breaks, the
  evening) that are long enough to meet in (:func:`programme_gaps`).
* Session digests: which posts were most shared (replies plus echoes, see
  :func:`rank_shared`), the links and slides mentioned, and which speakers were talked about.
* Transcripts as Markdown, with the people's text escaped so it reads as written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from urllib.parse import urlsplit

import regex

from server.domain.text import extract_urls_with_indices, hashtag_key
from server.domain.text.entities import extract_hashtags

MAX_QUESTIONS = 20

# Leading @mentions (a reply) and hashtags ("#NRC26chat A1 ...") come before the answer mark.
_LEAD = regex.compile(r"^(?:\s*(?:[@\uff20][\w.@-]+|[#\uff03][\p{L}\p{N}_]+)[,:]?)*\s*")
_ANSWER = regex.compile(r"[Aa](\d{1,2})(?=$|[\s:.)\]\-\u2013\u2014,;!?/])")


def parse_answer(text: str) -> int | None:
    """The question number an answer is marked with ("A2: ..." -> 2), or None.

    The mark must open the post (after any leading mentions or hashtags) and be followed by
    the end, a space or punctuation: "A1", "A1:", "A1.", "a1 -"; "A1c levels" or "AI" are not
    answers. Numbers are 1..:data:`MAX_QUESTIONS`.
    """
    lead = _LEAD.match(text)
    start = lead.end() if lead else 0
    found = _ANSWER.match(text, start)
    if not found:
        return None
    number = int(found.group(1))
    return number if 1 <= number <= MAX_QUESTIONS else None


def has_hashtag(text: str, hashtag: str | None) -> bool:
    """Whether ``text`` carries ``hashtag`` (any case, with or without the ``#``)."""
    if not hashtag:
        return False
    key = hashtag_key(hashtag)
    return any(hashtag_key(tag) == key for tag in extract_hashtags(text))


def question_text(number: int, text: str) -> str:
    """The question as posted: "Q2: ..." (a "Q2" the host already wrote is kept, not doubled)."""
    stripped = text.strip()
    if regex.match(rf"[Qq]{number}(?:$|[\s:.)\-])", stripped):
        return stripped
    return f"Q{number}: {stripped}"


# ---------------------------------------------------------------------------------------
# Gaps in the programme


@dataclass(frozen=True)
class Gap:
    """A stretch of a day with no session: ``kind`` is morning, break or evening."""

    start: datetime
    end: datetime
    kind: str

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def programme_gaps(
    busy: Iterable[tuple[datetime, datetime]],
    *,
    day_start: datetime,
    day_end: datetime,
    min_length: timedelta,
) -> list[Gap]:
    """Free stretches of one day between ``day_start`` and ``day_end``, at least ``min_length``.

    ``busy`` are the day's sessions (any order, overlapping or not). Before the first session
    is "morning", between sessions "break", after the last "evening". A day without sessions
    has no gaps here: there is no programme to fit around.
    """
    intervals = sorted(
        (max(start, day_start), min(end, day_end))
        for start, end in busy
        if end > day_start and start < day_end and end > start
    )
    if not intervals:
        return []
    merged: list[list[datetime]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    candidates = [Gap(day_start, merged[0][0], "morning")]
    candidates += [
        Gap(before[1], after[0], "break") for before, after in pairwise(merged)
    ]
    candidates.append(Gap(merged[-1][1], day_end, "evening"))
    return [gap for gap in candidates if gap.end - gap.start >= min_length]


# ---------------------------------------------------------------------------------------
# Digests


@dataclass(frozen=True)
class DigestPost:
    id: int
    seq: int
    author_id: int
    text: str
    reply_to_id: int | None = None


@dataclass(frozen=True)
class Shared:
    """How much a post was shared: replies to it plus echoes (see :func:`rank_shared`)."""

    post_id: int
    replies: int
    echoes: int

    @property
    def score(self) -> int:
        return self.replies + self.echoes


_RETWEET = regex.compile(r"^\s*(?:RT|MT)\s+[@\uff20][\w.@-]+:?\s*", regex.IGNORECASE)
_POST_LINK = regex.compile(r"/posts/(\d{1,10})\b")


def echo_key(text: str) -> str:
    """Text as compared for echoes: no "RT @x:" prefix, case, width or spacing differences."""
    while True:
        stripped = _RETWEET.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def rank_shared(posts: Sequence[DigestPost], limit: int = 10) -> list[Shared]:
    """The most-shared posts, best first (ties: earlier first); only posts shared at all.

    Backchannel has no likes or reposts, so sharing is what people did with a post on the
    wall: replies to it (``reply_to_id``), and echoes: posts by *other* people that repeat
    its text (an "RT @author:" copy or the same words, credited to the earliest post with
    that text) or link to it (``/posts/<id>``).
    """
    by_id = {p.id: p for p in posts}
    replies: dict[int, int] = {}
    echoes: dict[int, int] = {}
    first_with: dict[str, DigestPost] = {}
    for post in sorted(posts, key=lambda p: p.seq):
        if post.reply_to_id is not None and post.reply_to_id in by_id:
            replies[post.reply_to_id] = replies.get(post.reply_to_id, 0) + 1
        key = echo_key(post.text)
        original = first_with.get(key)
        if original is None:
            if key:
                first_with[key] = post
        elif original.author_id != post.author_id:
            echoes[original.id] = echoes.get(original.id, 0) + 1
        for match in _POST_LINK.finditer(post.text):
            target = by_id.get(int(match.group(1)))
            if target is not None and target.id != post.id and target.author_id != post.author_id:
                echoes[target.id] = echoes.get(target.id, 0) + 1
    ranked = [
        Shared(pid, replies.get(pid, 0), echoes.get(pid, 0))
        for pid in set(replies) | set(echoes)
    ]
    ranked.sort(key=lambda s: (-s.score, by_id[s.post_id].seq))
    return ranked[:limit]


_SLIDE_HOSTS = frozenset(
    {"slideshare.net", "speakerdeck.com", "slides.com", "prezi.com", "slideslive.com"}
)
_SLIDE_SUFFIXES = (".pdf", ".ppt", ".pptx", ".key", ".odp")


def link_kind(url: str) -> str:
    """"slides" for decks (slide hosts, Google Slides, .pdf/.pptx files, /slides paths), else
    "link"."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = (parts.hostname or "").casefold().removeprefix("www.")
    path = parts.path.casefold()
    if host in _SLIDE_HOSTS or any(host.endswith("." + h) for h in _SLIDE_HOSTS):
        return "slides"
    if host == "docs.google.com" and path.startswith("/presentation"):
        return "slides"
    if path.endswith(_SLIDE_SUFFIXES) or "/slides" in path:
        return "slides"
    return "link"


@dataclass
class LinkCount:
    url: str
    kind: str
    posts: int
    first_post_id: int


def collect_links(
    posts: Sequence[DigestPost], *, skip_hosts: Sequence[str] = ()
) -> list[LinkCount]:
    """Links mentioned in posts (http(s), or bare domains made https), most-posted first.

    One post naming a link twice counts once; ``skip_hosts`` (Backchannel's own) are left out.
    """
    found: dict[str, LinkCount] = {}
    skipped = {h.casefold() for h in skip_hosts}
    for post in sorted(posts, key=lambda p: p.seq):
        seen: set[str] = set()
        for entity in extract_urls_with_indices(post.text):
            url = entity.value if "://" in entity.value else f"https://{entity.value}"
            host = (urlsplit(url).hostname or "").casefold()
            if host in skipped or url in seen:
                continue
            seen.add(url)
            item = found.get(url)
            if item is None:
                found[url] = LinkCount(url, link_kind(url), 1, post.id)
            else:
                item.posts += 1
    return sorted(found.values(), key=lambda link: (link.kind != "slides", -link.posts))


@dataclass(frozen=True)
class SpeakerRef:
    id: int
    name: str
    handles: tuple[str, ...] = ()


def speaker_mentions(speakers: Sequence[SpeakerRef], texts: Iterable[str]) -> dict[int, int]:
    """Posts naming each speaker, by full name or by one of their handles (any case)."""
    keys = {
        s.id: [k for k in (_mention_key(s.name), *(_mention_key(h) for h in s.handles)) if k]
        for s in speakers
    }
    counts = {s.id: 0 for s in speakers}
    for text in texts:
        folded = _mention_key(text)
        for speaker_id, needles in keys.items():
            if any(needle in folded for needle in needles):
                counts[speaker_id] += 1
    return counts


def _mention_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().lstrip("@\uff20").split())


# ---------------------------------------------------------------------------------------
# Transcripts

_MD_SPECIAL = regex.compile(r"([\\`*_{}\[\]<>|#!~])")


def markdown_escape(text: str) -> str:
    """User text that Markdown shows literally: no emphasis, links, HTML or headings."""
    return _MD_SPECIAL.sub(r"\\\1", text)


# What opens a block at the start of a line once markdown_escape has run: a list item
# ("- ", "+ ", "1. ", "1) ") or a heading's underline ("===", "---").
_MD_LINE_START = regex.compile(r"^(?:([-+=])|(\d{1,9})([.)]))")


def _escape_line_start(match: regex.Match[str]) -> str:
    if match[1]:
        return "\\" + match[1]
    return f"{match[2]}\\{match[3]}"


def markdown_paragraphs(text: str) -> str:
    """Free text (a chat's description) as Markdown that shows it as written.

    Besides :func:`markdown_escape`, ``&`` is escaped (no entity is read) and so is whatever
    would open a block at the start of a line (a list item, a heading underline); lines lose
    their indentation (no code block). Line breaks stay (hard breaks), blank lines separate
    paragraphs.
    """
    paragraphs: list[list[str]] = [[]]
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        escaped = markdown_escape(line).replace("&", "\\&")
        paragraphs[-1].append(_MD_LINE_START.sub(_escape_line_start, escaped))
    return "\n\n".join("\\\n".join(lines) for lines in paragraphs if lines)


@dataclass(frozen=True)
class TranscriptLine:
    author: str
    handle: str
    time: str
    text: str
    depth: int = 0


@dataclass(frozen=True)
class TranscriptSection:
    title: str
    lines: Sequence[TranscriptLine] = field(default_factory=tuple)


def transcript_markdown(
    title: str,
    subtitle: str,
    sections: Sequence[TranscriptSection],
    description: str | None = None,
) -> str:
    """The transcript as Markdown: the title, the subtitle and the description, then a
    heading per question, a list item per answer (replies indented under what they reply
    to)."""
    out = [f"# {markdown_escape(title)}", "", markdown_escape(subtitle), ""]
    about = markdown_paragraphs(description or "")
    if about:
        out += [about, ""]
    for section in sections:
        out += [f"## {markdown_escape(section.title)}", ""]
        if not section.lines:
            out += ["_No answers._", ""]
            continue
        for line in section.lines:
            indent = "  " * line.depth
            body = markdown_escape(line.text).replace("\n", "\n" + indent + "  ")
            out.append(
                f"{indent}- **{markdown_escape(line.author)}** ({markdown_escape(line.handle)}, "
                f"{line.time}): {body}"
            )
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
