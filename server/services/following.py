"""Following from afar: follows of sessions, tracks and people, what is new for each, the
live page's now/next context, and the digest of a session after it ends.

Reading needs no account (every conference here is public); following needs one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, func, select

from server.clock import now
from server.domain.accounts import username_key
from server.domain.connecting import (
    DigestPost,
    SpeakerRef,
    collect_links,
    rank_shared,
    speaker_mentions,
)
from server.domain.schedule import Slot, now_and_next
from server.errors import Conflict, NotFound, ValidationFailed
from server.extensions import db
from server.models import Conference, Follow, Post, Talk, Track, User
from server.models.connecting import FOLLOW_KINDS
from server.services.programme import get_talk, valid_id
from server.services.tweetups import person_wire

LATEST_PER_FOLLOW = 3
_HORIZON = timedelta(hours=18)
MAX_FOLLOWS = 500
DIGEST_POSTS = 10_000


def _local(conference: Conference, when: datetime) -> str:
    return when.astimezone(ZoneInfo(conference.timezone)).isoformat()


# ---------------------------------------------------------------------------------------
# Follows


def _target(kind: str, target: int | str) -> tuple[int, dict[str, Any]]:
    """The followed thing's id and how it is shown; NotFound for what does not exist."""
    if kind == "session":
        if not isinstance(target, int):
            raise ValidationFailed("Follow a session by its id.", field="target")
        talk = get_talk(target)
        return talk.id, {"title": talk.title, "conference": talk.conference.slug}
    if kind == "track":
        track = (
            db.session.get(Track, target) if isinstance(target, int) and valid_id(target) else None
        )
        if track is None:
            raise NotFound(f"There is no track {target}.")
        conference = db.session.get_one(Conference, track.conference_id)
        return track.id, {"title": track.name, "conference": conference.slug}
    if kind == "person":
        user = (
            db.session.get(User, target)
            if isinstance(target, int) and valid_id(target)
            else db.session.scalar(
                select(User).where(User.username_key == username_key(str(target)))
            )
        )
        if user is None:
            raise NotFound(f"There is nobody called {target!r}.")
        return user.id, {"title": user.display_name, "person": person_wire(user)}
    raise ValidationFailed(f"Follow one of: {', '.join(FOLLOW_KINDS)}.", field="kind")


def do_follow(user: User, kind: str, target: int | str) -> tuple[Follow, bool]:
    """Follow (idempotent): ``(follow, created)``. What is new counts from now on."""
    target_id, _ = _target(kind, target)
    existing = db.session.scalar(
        select(Follow).where(
            Follow.user_id == user.id, Follow.kind == kind, Follow.target_id == target_id
        )
    )
    if existing is not None:
        return existing, False
    count = db.session.scalar(select(func.count()).where(Follow.user_id == user.id)) or 0
    if count >= MAX_FOLLOWS:
        raise Conflict(f"You follow {MAX_FOLLOWS} things already.", code="too_many_follows")
    follow = Follow(user_id=user.id, kind=kind, target_id=target_id, seen_at=now(),
                    created_at=now())
    db.session.add(follow)
    db.session.commit()
    return follow, True


def do_unfollow(user: User, follow_id: int) -> None:
    db.session.execute(delete(Follow).where(Follow.id == follow_id, Follow.user_id == user.id))
    db.session.commit()


def get_follow(user: User, follow_id: int) -> Follow:
    follow = db.session.get(Follow, follow_id) if valid_id(follow_id) else None
    if follow is None or follow.user_id != user.id:
        raise NotFound(f"You follow nothing with id {follow_id}.")
    return follow


def do_mark_seen(user: User, follow_id: int) -> Follow:
    follow = get_follow(user, follow_id)
    follow.seen_at = now()
    db.session.commit()
    return follow


def _posts_of(follow: Follow) -> Select[Post]:
    query = select(Post).where(Post.status == "visible")
    if follow.kind == "session":
        return query.where(Post.talk_id == follow.target_id)
    if follow.kind == "track":
        return query.join(Talk, Talk.id == Post.talk_id).where(Talk.track_id == follow.target_id)
    return query.where(Post.author_id == follow.target_id)


def following(user: User) -> list[dict[str, Any]]:
    """What I follow, each with the number of posts since I last looked and the latest few."""
    follows = db.session.scalars(
        select(Follow).where(Follow.user_id == user.id).order_by(Follow.created_at, Follow.id)
    )
    items = []
    for follow in follows:
        item = follow_wire(follow)
        if item is not None:  # None: the session, track or person is gone
            items.append(item)
    return items


def follow_wire_of(follow: Follow) -> dict[str, Any]:
    """One follow as listed (its target was just checked to exist)."""
    item = follow_wire(follow)
    if item is None:
        raise NotFound("What you follow no longer exists.")
    return item


def follow_wire(follow: Follow) -> dict[str, Any] | None:
    from server.services.posts import post_wire  # noqa: PLC0415 - posts imports this layer

    try:
        _, shown = _target(follow.kind, follow.target_id)
    except NotFound:
        return None
    posts = _posts_of(follow)
    new = db.session.scalar(
        select(func.count()).select_from(
            posts.where(Post.published_at > follow.seen_at).subquery()
        )
    )
    latest = db.session.scalars(
        posts.order_by(Post.published_at.desc(), Post.id.desc()).limit(LATEST_PER_FOLLOW)
    )
    item: dict[str, Any] = {
        "id": follow.id,
        "kind": follow.kind,
        "target_id": follow.target_id,
        **shown,
        "new_posts": int(new or 0),
        "seen_at": follow.seen_at.isoformat(),
        "latest": [post_wire(p) for p in latest],
    }
    if follow.kind == "session":
        item["session"] = session_status(db.session.get_one(Talk, follow.target_id))
    return item


# ---------------------------------------------------------------------------------------
# The live page


def session_status(talk: Talk, at: datetime | None = None) -> dict[str, Any]:
    at = at or now()
    state = "upcoming" if at < talk.start_at else "live" if at < talk.end_at else "ended"
    conference = talk.conference
    return {
        "id": talk.id,
        "title": talk.title,
        "start": _local(conference, talk.start_at),
        "end": _local(conference, talk.end_at),
        "room": talk.room.name if talk.room else None,
        "state": state,
    }


def live_context(talk: Talk) -> dict[str, Any]:
    """For the live page: this session's state, what follows it in its room, and what is on
    now and next across the conference."""
    at = now()
    conference = talk.conference
    after_in_room = None
    if talk.room_id is not None:
        after_in_room = db.session.scalar(
            select(Talk)
            .where(
                Talk.conference_id == conference.id,
                Talk.room_id == talk.room_id,
                Talk.start_at >= talk.end_at,
                Talk.status == "scheduled",
            )
            .order_by(Talk.start_at, Talk.id)
            .limit(1)
        )
    day_talks = list(
        db.session.scalars(
            select(Talk).where(
                Talk.conference_id == conference.id,
                Talk.status == "scheduled",
                Talk.end_at > at,
                Talk.start_at < at + _HORIZON,
            )
        )
    )
    by_id = {t.id: t for t in day_talks}
    now_slots, next_slots = now_and_next(
        [Slot(t.id, t.start_at, t.end_at, t.room.name if t.room else None) for t in day_talks],
        at,
    )
    return {
        "at": _local(conference, at),
        "session": session_status(talk, at),
        "next_in_room": session_status(after_in_room, at) if after_in_room else None,
        "now": [session_status(by_id[s.id], at) for s in now_slots][:20],
        "next": [session_status(by_id[s.id], at) for s in next_slots][:20],
        "feed": f"/api/v1/sessions/{talk.id}/feed.atom",
        "digest": f"/api/v1/sessions/{talk.id}/digest",
    }




# ---------------------------------------------------------------------------------------
# Digest


def digest(talk: Talk, public_url: str) -> dict[str, Any]:
    """After the session: most-shared posts, links and slides, who spoke and who posted."""
    from server.services.posts import post_wire  # noqa: PLC0415 - posts imports this layer

    if now() < talk.end_at:
        raise Conflict(
            "The digest is made when the session has ended; follow it live meanwhile.",
            code="session_not_over",
            details={"ends_at": talk.end_at.isoformat()},
        )
    posts = list(
        db.session.scalars(
            select(Post)
            .where(Post.talk_id == talk.id, Post.status == "visible")
            .order_by(Post.seq)
            .limit(DIGEST_POSTS)
        )
    )
    values = [DigestPost(p.id, p.seq or 0, p.author_id, p.text, p.reply_to_id) for p in posts]
    by_id = {p.id: p for p in posts}
    own_host = urlsplit(public_url).hostname or ""
    links = collect_links(values, skip_hosts=[own_host] if own_host else [])
    speakers = [ts.speaker for ts in talk.talk_speakers]
    mentions = speaker_mentions(
        [SpeakerRef(s.id, s.name, tuple(s.handles.values())) for s in speakers],
        (p.text for p in posts),
    )
    authors: dict[int, int] = {}
    for post in posts:
        authors[post.author_id] = authors.get(post.author_id, 0) + 1
    top_authors = sorted(authors.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return {
        "session": session_status(talk),
        "posts": len(posts),
        "participants": len(authors),
        "most_shared": [
            {
                "post": post_wire(by_id[s.post_id]),
                "replies": s.replies,
                "echoes": s.echoes,
                "score": s.score,
            }
            for s in rank_shared(values)
        ],
        "links": [
            {"url": link.url, "kind": link.kind, "posts": link.posts,
             "first_post_id": link.first_post_id}
            for link in links
        ][:30],
        "session_links": [
            {"url": str(link.get("url")), "title": link.get("title"), "kind": link.get("kind")}
            for link in talk.links
            if isinstance(link, dict) and link.get("url")
        ],
        "speakers": [
            {"id": s.id, "name": s.name, "handles": s.handles, "mentioned_in": mentions[s.id]}
            for s in speakers
        ],
        "contributors": [
            {**person_wire(db.session.get_one(User, uid)), "posts": n} for uid, n in top_authors
        ],
    }
