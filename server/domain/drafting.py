"""Draft a post from a session: the right tags and the speakers' handles for the network.

Attendees post one-handed while a talk is running; what costs them the post is looking up
the conference hashtag, the session's tag and each speaker's handle on *their* network.
:func:`compose` assembles that from the programme: a short lead sentence per template, the
person's own note (never edited), a quote, a link, then the tags. Speakers are @-mentioned in
the target network's form (X ``@name``, Bluesky ``@name.bsky.social``, Mastodon
``@user@instance``, Threads ``@name``); a speaker with no handle there is named, never
guessed at, and LinkedIn always gets names because it cannot link a mention typed as text.
A tag the note already carries (in any case) is not added again. The result carries the
text, the pieces it was built from and its length on every network.

:func:`suggest_tags` ranks the tags worth adding, each with the reason, and
:func:`thread_for_session` splits a long note into a thread with the tags placed where they
belong (see :mod:`server.domain.text.threads`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, TypeGuard
from urllib.parse import urlsplit

from server.domain.text.entities import (
    extract_hashtags,
    hashtag_from_code,
    hashtag_key,
    normalize_hashtag,
)
from server.domain.text.measure import Measurement, Network, is_network, measure
from server.domain.text.threads import Thread, split_thread
from server.domain.text.validation import validate_text

Template = Literal["now", "quote", "takeaway", "slides", "tweetup", "speaking"]
TEMPLATES: Final[tuple[Template, ...]] = (
    "now",
    "quote",
    "takeaway",
    "slides",
    "tweetup",
    "speaking",
)
DraftErrorCode = Literal[
    "unknown_network",
    "unknown_template",
    "unknown_speaker",
    "missing_quote",
    "invalid_link",
    "invalid_tag",
]
SuggestionSource = Literal["conference", "session", "track", "trending"]

# Canonical handle shapes (see server.domain.handles); anything else is named, not mentioned.
_HANDLE_SHAPES: Final[Mapping[str, re.Pattern[str]]] = {
    "x": re.compile(r"[A-Za-z0-9_]{1,15}"),
    "bluesky": re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*", re.I),
    "mastodon": re.compile(
        r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?@(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*", re.I
    ),
    "threads": re.compile(r"[A-Za-z0-9._]{1,30}"),
}


class DraftError(ValueError):
    """Bad compose input; ``code`` is stable for API clients, ``field`` names the input."""

    def __init__(self, code: DraftErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code: DraftErrorCode = code
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Speaker:
    """A speaker: display name and canonical handles by network id."""

    name: str
    handles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What the drafter needs to know about a session (a Talk), independent of storage.

    ``session_tag`` is the organiser's tag; without one, a tag is derived from ``code`` when
    the code can be a hashtag (``SSA01-3`` -> ``#SSA013``).
    """

    title: str
    conference_tag: str | None = None
    session_tag: str | None = None
    code: str | None = None
    track: str | None = None
    track_tags: tuple[str, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    room: str | None = None


@dataclass(frozen=True, slots=True)
class DraftParts:
    """The pieces a draft was built from, for the UI to show and let the person adjust."""

    lead: str
    note: str | None
    quote: str | None
    link: str | None
    mentions: tuple[str, ...]  # as written, e.g. "@alice@med.social"
    named: tuple[str, ...]  # speakers named because they have no handle on this network
    tags: tuple[str, ...]  # tags appended
    tags_already_present: tuple[str, ...]  # tags not appended because the text has them


@dataclass(frozen=True, slots=True)
class Draft:
    network: Network
    template: Template
    text: str
    parts: DraftParts
    measurements: Mapping[Network, Measurement]

    @property
    def valid(self) -> bool:
        """Whether the text fits the target network."""
        return self.measurements[self.network].valid


@dataclass(frozen=True, slots=True)
class TagSuggestion:
    tag: str
    source: SuggestionSource
    reason: str
    in_text: bool  # already in the text being written (ranked last)


# ------------------------------------------------------------------------------------------
# Tags and speakers


def session_tags(session: SessionInfo) -> tuple[str | None, str | None]:
    """(conference tag, session tag) as ``#Tag``, None when absent or not a valid hashtag."""
    conference = normalize_hashtag(session.conference_tag) if session.conference_tag else None
    tag: str | None = None
    if session.session_tag:
        tag = normalize_hashtag(session.session_tag)
    elif session.code:
        tag = hashtag_from_code(session.code)
    return conference, tag


def speaker_reference(speaker: Speaker, network: Network) -> tuple[str, bool]:
    """How to refer to ``speaker`` on ``network``: (text, is_mention)."""
    shape = _HANDLE_SHAPES.get(network)
    handle = (speaker.handles.get(network) or "").strip().removeprefix("@")
    if shape is None or not handle or not shape.fullmatch(handle):
        return speaker.name.strip(), False
    return "@" + handle, True


def _join_names(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# ------------------------------------------------------------------------------------------
# Compose


def compose(
    session: SessionInfo,
    network: str,
    *,
    template: str = "now",
    note: str | None = None,
    quote: str | None = None,
    link: str | None = None,
    speaker: int | None = None,
    extra_tags: Sequence[str] = (),
    mastodon_limit: int = 500,
) -> Draft:
    """Build a post for ``network`` from ``session`` with ``template``.

    ``speaker`` indexes ``session.speakers``: the quoted speaker for ``quote`` (default the
    first), and the author for ``speaking`` (the others are the co-speakers). ``extra_tags``
    are tags the person picked from :func:`suggest_tags`. The note and quote are validated
    with :func:`validate_text` and never altered.
    """
    if not is_network(network):
        raise DraftError("unknown_network", f"unknown network {network!r}", field="network")
    target: Network = network
    if not _is_template(template):
        raise DraftError(
            "unknown_template",
            f"unknown template {template!r}; expected one of {', '.join(TEMPLATES)}",
            field="template",
        )
    chosen: Template = template
    note_text = _optional_text(note, "note")
    quote_text = _optional_text(quote, "quote")
    link_text = _check_link(link)
    if chosen == "quote" and quote_text is None:
        raise DraftError("missing_quote", "the quote template needs a quote", field="quote")
    if speaker is not None and not 0 <= speaker < len(session.speakers):
        raise DraftError("unknown_speaker", f"no speaker number {speaker}", field="speaker")

    refs = [speaker_reference(s, target) for s in session.speakers]
    lead, used = _lead(chosen, session, refs, quote_text, speaker)
    body = [lead]
    if note_text:
        body.append(note_text)
    if link_text and link_text not in " ".join(body):
        body.append(link_text)
    text_so_far = " ".join(body)

    conference, session_tag = session_tags(session)
    wanted: list[str] = [tag for tag in (conference, session_tag) if tag]
    for extra in extra_tags:
        normal = normalize_hashtag(extra)
        if normal is None:
            raise DraftError("invalid_tag", f"{extra!r} is not a valid hashtag", field="extra_tags")
        wanted.append(normal)
    present = {hashtag_key(tag) for tag in extract_hashtags(text_so_far)}
    added: list[str] = []
    skipped: list[str] = []
    for tag in wanted:
        key = hashtag_key(tag)
        if key in present:
            if tag not in skipped and key not in {hashtag_key(t) for t in added}:
                skipped.append(tag)
            continue
        present.add(key)
        added.append(tag)
    text = " ".join([text_so_far, *added])

    used_refs = [refs[i] for i in used]
    parts = DraftParts(
        lead=lead,
        note=note_text,
        quote=quote_text,
        link=link_text,
        mentions=tuple(ref for ref, is_mention in used_refs if is_mention),
        named=tuple(ref for ref, is_mention in used_refs if not is_mention),
        tags=tuple(added),
        tags_already_present=tuple(skipped),
    )
    return Draft(
        network=target,
        template=chosen,
        text=text,
        parts=parts,
        measurements=measure(text, mastodon_limit=mastodon_limit),
    )


def _lead(
    template: Template,
    session: SessionInfo,
    refs: list[tuple[str, bool]],
    quote: str | None,
    speaker: int | None,
) -> tuple[str, list[int]]:
    """The template's sentence and the indexes of the speakers it refers to."""
    title = f"\u201c{session.title.strip()}\u201d"
    everyone = list(range(len(refs)))
    names = _join_names([refs[i][0] for i in everyone])
    if template == "now":
        return (f"Now: {title} with {names}." if names else f"Now: {title}."), everyone
    if template == "quote":
        quoted = speaker if speaker is not None else (0 if refs else None)
        who = f" \u2014 {refs[quoted][0]}" if quoted is not None else ""
        return f"\u201c{quote}\u201d{who} at {title}", [quoted] if quoted is not None else []
    if template == "takeaway":
        by = f" by {names}" if names else ""
        return f"Key takeaway from {title}{by}:", everyone
    if template == "slides":
        by = f" by {names}" if names else ""
        return f"Slides for {title}{by}:", everyone
    if template == "tweetup":
        return f"Tweetup after {title}!", []
    others = [i for i in everyone if i != speaker] if speaker is not None else []
    with_others = f" with {_join_names([refs[i][0] for i in others])}" if others else ""
    room = f" in {session.room.strip()}" if session.room and session.room.strip() else ""
    return f"I'm speaking: {title}{with_others}{room}.", others


def _is_template(value: object) -> TypeGuard[Template]:
    return value in TEMPLATES


def _optional_text(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    validate_text(value, allow_empty=True, field=name)
    stripped = value.strip()
    return stripped or None


def _check_link(link: str | None) -> str | None:
    if link is None or not link.strip():
        return None
    value = link.strip()
    try:
        parts = urlsplit(value)
    except ValueError as error:
        raise DraftError("invalid_link", f"{value!r} is not a URL", field="link") from error
    if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", value):
        raise DraftError("invalid_link", f"{value!r} is not an http(s) URL", field="link")
    return value


# ------------------------------------------------------------------------------------------
# Suggestions and threads


def suggest_tags(
    session: SessionInfo,
    *,
    trending: Sequence[tuple[str, int]] = (),
    text: str = "",
    limit: int = 10,
) -> list[TagSuggestion]:
    """Tags worth adding, best first, each with a reason.

    Order: the conference tag, the session tag, the track's topic tags (organiser order),
    then tags trending on the session's wall (``(tag, post count)``, most used first).
    A tag found twice keeps its best place and both reasons. Tags already in ``text`` are
    still listed, marked ``in_text`` and moved to the end. Invalid tags are skipped.
    """
    conference, session_tag = session_tags(session)
    ranked: dict[str, tuple[str, SuggestionSource, list[str]]] = {}

    def offer(tag: str | None, source: SuggestionSource, reason: str) -> None:
        normal = normalize_hashtag(tag) if tag else None
        if normal is None:
            return
        key = hashtag_key(normal)
        if key in ranked:
            ranked[key][2].append(reason)
        else:
            ranked[key] = (normal, source, [reason])

    offer(conference, "conference", "The conference hashtag: puts the post on the wall")
    offer(session_tag, "session", "This session's tag: groups posts about this talk")
    track = f" \u201c{session.track}\u201d" if session.track else ""
    for tag in session.track_tags:
        offer(tag, "track", f"Topic tag for the{track} track")
    by_count = sorted(
        ((tag, count) for tag, count in trending if count > 0), key=lambda item: -item[1]
    )
    for tag, count in by_count:
        posts = "post" if count == 1 else "posts"
        offer(tag, "trending", f"Trending on this session's wall ({count} {posts})")

    present = {hashtag_key(tag) for tag in extract_hashtags(text)} if text else set()
    suggestions = [
        TagSuggestion(tag, source, "; ".join(reasons), key in present)
        for key, (tag, source, reasons) in ranked.items()
    ]
    suggestions.sort(key=lambda suggestion: suggestion.in_text)  # stable: keeps the ranking
    return suggestions[: max(limit, 0)]


def thread_for_session(
    session: SessionInfo,
    note: str,
    network: str,
    *,
    mastodon_limit: int = 500,
) -> Thread:
    """Split ``note`` into a thread: conference tag on every part, session tag on the first."""
    if not is_network(network):
        raise DraftError("unknown_network", f"unknown network {network!r}", field="network")
    target: Network = network
    validate_text(note, field="note")
    conference, session_tag = session_tags(session)
    return split_thread(
        note,
        target,
        first_tags=[session_tag] if session_tag else [],
        every_tags=[conference] if conference else [],
        mastodon_limit=mastodon_limit,
    )
