"""Tweetups: propose, list, curate (organizers), RSVP with a waitlist, suggested times."""

from __future__ import annotations

from typing import Any

from server.api.common import WRITE_LIMIT, Blueprint, public_url, query_args
from server.api.security import current_user, require_user
from server.extensions import limiter
from server.schemas.connecting import (
    AttendeesSchema,
    RsvpRequestSchema,
    RsvpSchema,
    SuggestedTimeListSchema,
    SuggestedTimesQuerySchema,
    TweetupCreateSchema,
    TweetupListSchema,
    TweetupPatchSchema,
    TweetupQuerySchema,
    TweetupSchema,
)
from server.services import programme, tweetups
from server.services.connecting import visible_tweetup

blp = Blueprint("tweetups", __name__, url_prefix="/api/v1", description="Tweetups")


def _one(tweetup_id: int) -> dict[str, Any]:
    tweetup = visible_tweetup(tweetup_id, current_user())
    return tweetups.wires([tweetup], current_user(), public_url())[0]


@blp.route("/conferences/<slug>/tweetups")
@query_args(blp, TweetupQuerySchema)
@blp.response(200, TweetupListSchema)
def list_tweetups(args: dict[str, Any], slug: str) -> dict[str, Any]:
    """The conference's tweetups by start time (hidden ones only for organizers)"""
    conference = programme.get_conference(slug)
    user = current_user()
    items = tweetups.list_tweetups(conference, user, include_past=not args["upcoming"])
    return {"items": tweetups.wires(items, user, public_url())}


@blp.route("/conferences/<slug>/tweetups", methods=["POST"])
@limiter.limit(WRITE_LIMIT)
@blp.arguments(TweetupCreateSchema)
@blp.response(201, TweetupSchema)
def propose(body: dict[str, Any], slug: str) -> dict[str, Any]:
    """Propose a tweetup (anyone signed in); the proposer is going"""
    user = require_user()
    conference = programme.get_conference(slug)
    tweetup = tweetups.do_propose(user, conference, tweetups.TweetupInput(**body))
    return tweetups.wires([tweetup], user, public_url())[0]


@blp.route("/conferences/<slug>/tweetups/suggested-times")
@query_args(blp, SuggestedTimesQuerySchema)
@blp.response(200, SuggestedTimeListSchema)
def suggested_times(args: dict[str, Any], slug: str) -> dict[str, Any]:
    """Times without sessions (mornings, breaks, evenings) to put a tweetup in"""
    conference = programme.get_conference(slug)
    gaps = tweetups.suggested_times(
        conference, day=args.get("day"), min_minutes=args["min_minutes"]
    )
    return {
        "items": [
            {
                "day": day,
                "start": gap.start.isoformat(),
                "end": gap.end.isoformat(),
                "minutes": gap.minutes,
                "kind": gap.kind,
            }
            for day, gap in gaps
        ]
    }


@blp.route("/tweetups/<int:tweetup_id>")
@blp.response(200, TweetupSchema)
def get_tweetup(tweetup_id: int) -> dict[str, Any]:
    """One tweetup, with the counts and my RSVP"""
    return _one(tweetup_id)


@blp.route("/tweetups/<int:tweetup_id>", methods=["PATCH"])
@limiter.limit(WRITE_LIMIT)
@blp.arguments(TweetupPatchSchema)
@blp.response(200, TweetupSchema)
def update_tweetup(body: dict[str, Any], tweetup_id: int) -> dict[str, Any]:
    """Edit or cancel (the proposer or an organizer); feature or hide (organizers)"""
    user = require_user()
    tweetup = visible_tweetup(tweetup_id, user)
    tweetups.do_update(user, tweetup, body)
    return _one(tweetup_id)


@blp.route("/tweetups/<int:tweetup_id>/attendees")
@blp.response(200, AttendeesSchema)
def attendees(tweetup_id: int) -> dict[str, Any]:
    """Who is going, who might, and the waitlist in order, with their handles"""
    return tweetups.attendees(visible_tweetup(tweetup_id, current_user()))


@blp.route("/tweetups/<int:tweetup_id>/rsvp", methods=["PUT"])
@limiter.limit(WRITE_LIMIT)
@blp.arguments(RsvpRequestSchema)
@blp.response(200, RsvpSchema)
def rsvp(body: dict[str, Any], tweetup_id: int) -> dict[str, Any]:
    """RSVP going / maybe / not_going; "going" at capacity puts me on the waitlist"""
    result = tweetups.do_rsvp(require_user(), tweetup_id, body["status"])
    return {"status": result.status, "tweetup": _one(tweetup_id)}


@blp.route("/tweetups/<int:tweetup_id>/rsvp", methods=["DELETE"])
@limiter.limit(WRITE_LIMIT)
@blp.response(204)
def withdraw(tweetup_id: int) -> None:
    """Remove my RSVP (my place goes to the first person on the waitlist)"""
    tweetups.do_withdraw(require_user(), tweetup_id)
