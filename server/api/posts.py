"""Posting to a wall over HTTP (with ``Idempotency-Key``) and reading it page by page."""

from __future__ import annotations

from typing import Any

from flask import request

from server.api.common import Blueprint, cap_body, query_args
from server.api.security import current_user, require_user
from server.errors import NotFound
from server.extensions import limiter
from server.ratelimit import POST_LIMIT
from server.schemas.posts import PostCreateSchema, PostPageSchema, PostQuerySchema, PostSchema
from server.services import connecting, posts, programme

blp = Blueprint("posts", __name__, url_prefix="/api/v1", description="Live wall posts")

MAX_POST_BODY = 64 * 1024


cap_body(blp, MAX_POST_BODY, f"Posts are at most {MAX_POST_BODY // 1024} KiB.")


@blp.route("/conferences/<slug>/posts", methods=["POST"])
@limiter.limit(POST_LIMIT)
@blp.arguments(PostCreateSchema)
@blp.response(201, PostSchema)
@blp.doc(
    parameters=[
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": True,
            "schema": {"type": "string", "maxLength": 255},
        }
    ]
)
def create(body: dict[str, Any], slug: str) -> Any:
    """Post to the conference's wall (and the session's, with ``session_id``).

    Answered only after the post is committed. Retrying with the same ``Idempotency-Key``
    returns the same post (header ``Idempotent-Replayed: true``).
    """
    user = require_user()
    conference = programme.get_conference(slug)
    created = posts.do_create_post(
        user,
        conference,
        posts.PostRequest(
            text=body["text"],
            talk_id=body.get("session_id"),
            confirm_findings=body["confirm_findings"],
            allow_duplicate=body["allow_duplicate"],
            image_ids=tuple(body["image_ids"]),
            tweetup_id=body.get("tweetup_id"),
            chat_id=body.get("chat_id"),
            question=body.get("question"),
            reply_to_id=body.get("reply_to_id"),
        ),
        request.headers.get("Idempotency-Key"),  # type: ignore[arg-type]
    )
    headers = {"Idempotent-Replayed": "true"} if created.replayed else {}
    return created.wire, 201, headers


@blp.route("/conferences/<slug>/posts", methods=["GET"])
@query_args(blp, PostQuerySchema)
@blp.response(200, PostPageSchema)
def list_posts(args: dict[str, Any], slug: str) -> dict[str, Any]:
    """Visible posts after a sequence number, oldest first; page with ``next``"""
    conference = programme.get_conference(slug)
    talk_id = args.get("session_id")
    if talk_id is not None:
        talk = programme.get_talk(talk_id)
        if talk.conference_id != conference.id:
            raise NotFound(f"There is no session {talk_id} in this conference.")
    rooms = connecting.room_filters(conference, args, current_user())
    items = posts.visible_posts(
        conference, talk_id, after=args["after"], limit=args["limit"] + 1, **rooms
    )
    more = len(items) > args["limit"]
    items = items[: args["limit"]]
    removed = (
        posts.catch_up(
            conference, talk_id, min(args["after"], conference.post_seq), limit=10**9, **rooms
        ).removed
        if args["after"]
        else []
    )
    return {
        "items": [posts.post_wire(p) for p in items],
        "removed": [pid for pid, _ in removed],
        "seq": conference.post_seq,
        "next": items[-1].seq if more and items else None,
    }


@blp.route("/posts/<int:post_id>", methods=["GET"])
@blp.response(200, PostSchema)
def get_post(post_id: int) -> dict[str, Any]:
    """One visible post"""
    post = posts.get_post(post_id)
    if post.status != "visible":
        raise NotFound(f"There is no post {post_id}.")
    return posts.post_wire(post)


@blp.route("/posts/<int:post_id>", methods=["DELETE"])
@blp.response(204)
def delete_post(post_id: int) -> None:
    """Delete my post; viewers see it go live and on catch-up"""
    posts.do_delete_own_post(require_user(), post_id)
