"""Conferences and their programme listings: sessions, now/next, rooms, tracks, speakers."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.views import MethodView

from server.api.common import Blueprint, not_modified, query_args, weak_etag, with_etag
from server.api.presenters import (
    conference_view,
    room_view,
    speaker_ref,
    talk_summary,
    track_view,
)
from server.api.security import current_user, require_role
from server.errors import ValidationFailed
from server.schemas.programme import (
    ConferenceCreateSchema,
    ConferenceListSchema,
    ConferenceSchema,
    ConferenceUpdateSchema,
    NowNextQuerySchema,
    NowNextSchema,
    RoomListSchema,
    SpeakerListSchema,
    SpeakerQuerySchema,
    TalkPageSchema,
    TalkQuerySchema,
    TrackListSchema,
    TrackSchema,
    TrackUpdateSchema,
)
from server.services import conferences as conference_service
from server.services import programme
from server.services.agenda import agenda_fingerprint, starred_ids

blp = Blueprint(
    "conferences", __name__, url_prefix="/api/v1/conferences", description="Programme listings"
)


def _etag_or_304(conference_version: int, *parts: object) -> tuple[str, Any]:
    etag = weak_etag(conference_version, *parts)
    return etag, not_modified(etag)


@blp.route("")
class Conferences(MethodView):
    @blp.response(200, ConferenceListSchema)
    def get(self) -> dict[str, Any]:
        """All conferences"""
        return {"items": [conference_view(c) for c in programme.list_conferences()]}

    @blp.arguments(ConferenceCreateSchema)
    @blp.response(201, ConferenceSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a conference (organizers)"""
        require_role("organizer")
        return conference_view(conference_service.do_create_conference(**body), with_days=True)


@blp.route("/<slug>")
class ConferenceDetail(MethodView):
    @blp.response(200, ConferenceSchema)
    def get(self, slug: str) -> Any:
        """One conference, with the days of its programme"""
        conference = programme.get_conference(slug)
        etag, early = _etag_or_304(conference.programme_version, "conf", conference.updated_at)
        if early:
            return early
        return conference_view(conference, with_days=True), 200, {"ETag": etag}

    @blp.arguments(ConferenceUpdateSchema)
    @blp.response(200, ConferenceSchema)
    def patch(self, body: dict[str, Any], slug: str) -> dict[str, Any]:
        """Change the title, hashtag, timezone, description or venue (organizers)"""
        require_role("organizer")
        conference = conference_service.do_update_conference(programme.get_conference(slug), body)
        return conference_view(conference, with_days=True)


def _filters(args: dict[str, Any]) -> programme.TalkFilters:
    return programme.TalkFilters(
        day=args.get("day"),
        track=args.get("track"),
        room=args.get("room"),
        type=args.get("type"),
        speaker=args.get("speaker"),
        q=args.get("q"),
        include_cancelled=args.get("include_cancelled", False),
    )


def _summaries(talks: list[Any], conference: Any, when: str | None = None) -> list[dict[str, Any]]:
    user = current_user()
    stars = starred_ids(user, [t.id for t in talks]) if user else set()
    items = []
    for talk in talks:
        item = talk_summary(talk, conference)
        if user:
            item["starred"] = talk.id in stars
        if when:
            item["when"] = when
        items.append(item)
    return items


@blp.route("/<slug>/sessions")
@query_args(blp, TalkQuerySchema)
@blp.response(200, TalkPageSchema)
def list_sessions(args: dict[str, Any], slug: str) -> Any:
    """Sessions, filtered and paged by cursor; with ``at``, the ones on now and next"""
    conference = programme.get_conference(slug)
    user = current_user()
    etag, early = _etag_or_304(
        conference.programme_version, sorted(args.items()), agenda_fingerprint(user)
    )
    if early:
        return early
    filters = _filters(args)
    if args.get("at"):
        if args.get("cursor"):
            raise ValidationFailed("'at' listings are not paged; drop 'cursor'.", field="cursor")
        at = programme.resolve_instant(conference, args["at"])
        now, upcoming = programme.now_next(conference, at, filters)
        items = _summaries(now, conference, "now") + _summaries(upcoming, conference, "next")
        return with_etag(jsonify({"items": items[: args["limit"]], "next": None}), etag)
    page = programme.list_talks(conference, filters, limit=args["limit"], cursor=args.get("cursor"))
    # The hot path answers with the presenter's dicts directly (TalkPageSchema documents them;
    # tests/api check that the two agree) to skip a second serialisation pass.
    body = {"items": _summaries(page.items, conference), "next": page.next_cursor}
    return with_etag(jsonify(body), etag)


@blp.route("/<slug>/now-next")
@query_args(blp, NowNextQuerySchema)
@blp.response(200, NowNextSchema)
def now_next(args: dict[str, Any], slug: str) -> dict[str, Any]:
    """What is on at an instant (default: now) and what comes next in each room"""
    conference = programme.get_conference(slug)
    at = programme.resolve_instant(conference, args["at"])
    filters = programme.TalkFilters(track=args.get("track"), room=args.get("room"))
    now, upcoming = programme.now_next(conference, at, filters)
    return {
        "at": programme.local_time(conference, at).isoformat(),
        "now": _summaries(now, conference, "now"),
        "next": _summaries(upcoming, conference, "next"),
    }


@blp.route("/<slug>/rooms")
@blp.response(200, RoomListSchema)
def rooms(slug: str) -> Any:
    """Rooms in programme order"""
    conference = programme.get_conference(slug)
    etag, early = _etag_or_304(conference.programme_version, "rooms")
    if early:
        return early
    return {"items": [room_view(r) for r in programme.list_rooms(conference)]}, 200, {"ETag": etag}


@blp.route("/<slug>/tracks")
@blp.response(200, TrackListSchema)
def tracks(slug: str) -> Any:
    """Tracks with their colours and topic hashtags"""
    conference = programme.get_conference(slug)
    etag, early = _etag_or_304(conference.programme_version, "tracks", conference.updated_at)
    if early:
        return early
    items = [track_view(t) for t in programme.list_tracks(conference)]
    return {"items": items}, 200, {"ETag": etag}


@blp.route("/<slug>/tracks/<int:track_id>", methods=["PATCH"])
@blp.arguments(TrackUpdateSchema)
@blp.response(200, TrackSchema)
def update_track(body: dict[str, Any], slug: str, track_id: int) -> Any:
    """Set a track's topic hashtags for the drafter (organizers)"""
    require_role("organizer")
    conference = programme.get_conference(slug)
    track = conference_service.do_set_track_hashtags(conference, track_id, body["hashtags"])
    return track_view(track)


@blp.route("/<slug>/speakers")
@query_args(blp, SpeakerQuerySchema)
@blp.response(200, SpeakerListSchema)
def speakers(args: dict[str, Any], slug: str) -> Any:
    """Speakers by name, with their handles"""
    conference = programme.get_conference(slug)
    etag, early = _etag_or_304(conference.programme_version, "speakers", sorted(args.items()))
    if early:
        return early
    rows = programme.list_speakers(
        conference, args.get("q"), limit=args["limit"] + 1, offset=args["offset"]
    )
    more = len(rows) > args["limit"]
    body = {
        "items": [speaker_ref(s) for s in rows[: args["limit"]]],
        "next": args["offset"] + args["limit"] if more else None,
    }
    return body, 200, {"ETag": etag}
