"""Following from afar: Atom feeds, a session's live context and digest (no account needed),
and with an account, follows of sessions, tracks and people with what is new."""

from __future__ import annotations

from typing import Any

from flask import Response

from server.api.common import Blueprint, not_modified, public_url, weak_etag, with_etag
from server.api.security import require_user
from server.extensions import limiter
from server.models import Conference
from server.schemas.connecting import (
    DigestSchema,
    FollowCreateSchema,
    FollowingListSchema,
    FollowSchema,
    LiveContextSchema,
)
from server.services import feeds, following, programme

blp = Blueprint(
    "following", __name__, url_prefix="/api/v1", description="Following from afar: feeds, digests"
)

WRITE_LIMIT = "60 per minute;600 per hour"
ATOM = "application/atom+xml"
ATOM_DOC = {"responses": {"200": {"content": {ATOM: {"schema": {"type": "string"}}}}}}


def _atom(conference: Conference, spec: feeds.FeedSpec, posts_of: Any, *key: object) -> Response:
    """The feed, or 304 when the conference's wall has not moved (its sequence number)."""
    etag = weak_etag("atom", spec.path, conference.post_seq, conference.title, *key)
    cached = not_modified(etag)
    if cached is not None:
        return cached
    body = feeds.build_feed(spec, conference, posts_of(), public_url=public_url())
    response = Response(body, mimetype=ATOM)
    return with_etag(response, etag)


@blp.route("/conferences/<slug>/feed.atom")
@blp.response(200, content_type=ATOM)
@blp.doc(**ATOM_DOC)
def conference_feed(slug: str) -> Response:
    """Atom feed of the conference's wall (latest 50 posts)"""
    conference = programme.get_conference(slug)
    tag = f" #{conference.hashtag}" if conference.hashtag else ""
    spec = feeds.FeedSpec(
        "conference",
        f"conference/{conference.slug}",
        f"{conference.title}{tag}: live wall",
        f"Posts made with Backchannel at {conference.title}.",
        f"/api/v1/conferences/{conference.slug}/feed.atom",
        f"/wall/{conference.slug}",
    )
    return _atom(conference, spec, lambda: feeds.conference_posts(conference))


@blp.route("/sessions/<int:talk_id>/feed.atom")
@blp.response(200, content_type=ATOM)
@blp.doc(**ATOM_DOC)
def session_feed(talk_id: int) -> Response:
    """Atom feed of a session's wall (latest 50 posts)"""
    talk = programme.get_talk(talk_id)
    conference = talk.conference
    spec = feeds.FeedSpec(
        "session",
        f"session/{talk.id}",
        f"{talk.title} #{talk.tag}",
        f"Posts about this session of {conference.title}.",
        f"/api/v1/sessions/{talk.id}/feed.atom",
        f"/sessions/{talk.id}/live",
    )
    return _atom(conference, spec, lambda: feeds.session_posts(talk), talk.title, talk.tag)


@blp.route("/conferences/<slug>/hashtags/<tag>/feed.atom")
@blp.response(200, content_type=ATOM)
@blp.doc(**ATOM_DOC)
def hashtag_feed(slug: str, tag: str) -> Response:
    """Atom feed of the conference's posts carrying a hashtag (any case, without '#')"""
    conference = programme.get_conference(slug)
    tag = feeds.check_hashtag(tag)
    spec = feeds.FeedSpec(
        "hashtag",
        f"conference/{conference.slug}/hashtag/{tag.casefold()}",
        f"#{tag} at {conference.title}",
        f"Posts with #{tag} made with Backchannel at {conference.title}.",
        f"/api/v1/conferences/{conference.slug}/hashtags/{tag}/feed.atom",
        f"/wall/{conference.slug}",
    )
    return _atom(conference, spec, lambda: feeds.hashtag_posts(conference, tag), tag)


@blp.route("/sessions/<int:talk_id>/live")
@blp.response(200, LiveContextSchema)
def live_context(talk_id: int) -> dict[str, Any]:
    """A session's live page context: its state, what follows in its room, now/next"""
    return following.live_context(programme.get_talk(talk_id))


@blp.route("/sessions/<int:talk_id>/digest")
@blp.response(200, DigestSchema)
def digest(talk_id: int) -> dict[str, Any]:
    """After the session: most-shared posts, links and slides mentioned, speakers, posters.

    "Most shared" scores a post by its replies plus its echoes (posts by others repeating its
    text, "RT @..." copies included, or linking to it); 409 ``session_not_over`` before the
    session ends.
    """
    return following.digest(programme.get_talk(talk_id), public_url())


@blp.route("/me/following")
@blp.response(200, FollowingListSchema)
def my_following() -> dict[str, Any]:
    """What I follow, each with how many posts are new since I last looked"""
    return {"items": following.following(require_user())}


@blp.route("/me/following", methods=["POST"])
@limiter.limit(WRITE_LIMIT)
@blp.arguments(FollowCreateSchema)
@blp.response(201, FollowSchema)
@blp.alt_response(200, schema=FollowSchema, description="Already followed")
def follow(body: dict[str, Any]) -> Any:
    """Follow a session, a track (by id) or a person (by id or username); idempotent"""
    user = require_user()
    target: int | str = body["id"] if "id" in body else body["username"]
    item, created = following.do_follow(user, body["kind"], target)
    return following.follow_wire_of(item), 201 if created else 200


@blp.route("/me/following/<int:follow_id>", methods=["DELETE"])
@limiter.limit(WRITE_LIMIT)
@blp.response(204)
def unfollow(follow_id: int) -> None:
    """Stop following (idempotent)"""
    following.do_unfollow(require_user(), follow_id)


@blp.route("/me/following/<int:follow_id>/seen", methods=["POST"])
@limiter.limit(WRITE_LIMIT)
@blp.response(200, FollowSchema)
def mark_seen(follow_id: int) -> dict[str, Any]:
    """I have read what is new: the count starts again from now"""
    return following.follow_wire_of(following.do_mark_seen(require_user(), follow_id))
