"""Atom feeds (RFC 4287) of a conference's wall, a session's and a hashtag's posts.

Ids are tag URIs (RFC 4151) that never change: ``tag:<host>,<date>:post/<id>``, with the host
of ``PUBLIC_URL`` and the day the post's conference was created, so a feed reader shows each
post once however often it polls, and the same post has the same id in every feed.
Text goes in as text (``type="text"``): lxml escapes it; characters XML cannot carry at all
(control characters) are dropped first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import regex
from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
from sqlalchemy import Select, func, select

from server.domain.connecting import has_hashtag
from server.domain.text import normalize_hashtag
from server.errors import ValidationFailed
from server.extensions import db
from server.models import Conference, Post, Talk

FEED_ENTRIES = 50
HASHTAG_SCAN = 1_000
_NOT_XML = regex.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class FeedSpec:
    kind: str  # conference, session, hashtag
    ident: str  # the stable part of the feed's id: conference/<slug>, session/<id>, ...
    title: str
    subtitle: str
    path: str  # the feed's own path
    page: str  # the page people open


def tag_id(public_url: str, conference: Conference, specific: str) -> str:
    host = urlsplit(public_url).hostname or "backchannel.invalid"
    return f"tag:{host},{conference.created_at:%Y-%m-%d}:{specific}"


def conference_posts(conference: Conference) -> list[Post]:
    return _latest(select(Post).where(Post.conference_id == conference.id))


def session_posts(talk: Talk) -> list[Post]:
    return _latest(select(Post).where(Post.talk_id == talk.id))


def check_hashtag(tag: str) -> str:
    normal = normalize_hashtag(tag)
    if normal is None:
        raise ValidationFailed(f"{tag!r} is not a hashtag.", code="invalid_hashtag", field="tag")
    return normal[1:]


def hashtag_posts(conference: Conference, tag: str) -> list[Post]:
    """Posts carrying ``#tag`` (any case): a LIKE narrows, the hashtag rules decide."""
    candidates = db.session.scalars(
        select(Post)
        .where(
            Post.conference_id == conference.id,
            Post.status == "visible",
            func.lower(Post.text).contains("#" + tag.casefold(), autoescape=True),
        )
        .order_by(Post.seq.desc())
        .limit(HASHTAG_SCAN)
    )
    return [p for p in candidates if has_hashtag(p.text, tag)][:FEED_ENTRIES]


def _latest(query: Select[Post]) -> list[Post]:
    return list(
        db.session.scalars(
            query.where(Post.status == "visible").order_by(Post.seq.desc()).limit(FEED_ENTRIES)
        )
    )


def _title(post: Post) -> str:
    line = " ".join(post.text.split())
    short = line if len(line) <= 80 else line[:79].rstrip() + "…"
    return f"{post.author.display_name}: {short}"


def build_feed(
    spec: FeedSpec, conference: Conference, posts: Sequence[Post], *, public_url: str
) -> bytes:
    """The Atom document: feed id/title/updated/author/links, an entry per post (newest first)."""
    feed = FeedGenerator()
    feed.id(tag_id(public_url, conference, spec.ident))
    feed.title(xml_text(spec.title))
    feed.subtitle(xml_text(spec.subtitle))
    feed.author({"name": xml_text(conference.title)})
    feed.link(href=f"{public_url}{spec.path}", rel="self", type="application/atom+xml")
    feed.link(href=f"{public_url}{spec.page}", rel="alternate", type="text/html")
    feed.language("en")
    updated: datetime = max(
        (p.published_at or p.created_at for p in posts), default=conference.created_at
    )
    feed.updated(updated)
    for post in reversed(posts):  # feedgen prepends: add oldest first, newest ends on top
        entry = feed.add_entry()
        entry.id(tag_id(public_url, conference, f"post/{post.id}"))
        entry.title(xml_text(_title(post)))
        stamp = post.published_at or post.created_at
        entry.published(stamp)
        entry.updated(stamp)
        entry.author({"name": xml_text(post.author.display_name),
                      "uri": f"{public_url}/wall/{conference.slug}"})
        entry.content(xml_text(post.text), type="text")
        page = f"/sessions/{post.talk_id}/live" if post.talk_id else f"/wall/{conference.slug}"
        entry.link(href=f"{public_url}{page}", rel="alternate", type="text/html")
    return bytes(feed.atom_str(pretty=True))
