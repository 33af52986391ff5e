"""Model -> wire dictionaries (validated and documented by ``server.schemas``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from server.models import Conference, Room, Speaker, Talk, Track, User
from server.services.programme_import import conference_days


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def user_view(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "handles": [
            {"network": h.network, "handle": h.handle, "followers": h.followers}
            for h in sorted(user.handles, key=lambda h: h.network)
        ],
        "mastodon_limit": user.mastodon_limit,
    }


def conference_view(conference: Conference, *, with_days: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "slug": conference.slug,
        "title": conference.title,
        "acronym": conference.acronym,
        "hashtag": conference.hashtag,
        "timezone": conference.timezone,
        "start_date": conference.start_date,
        "end_date": conference.end_date,
        "description": conference.description,
        "venue": conference.venue,
        "url": conference.url,
        "programme_version": conference.programme_version,
    }
    if with_days:
        view["days"] = conference_days(conference)
    return view


def room_view(room: Room | None) -> dict[str, Any] | None:
    return None if room is None else {"id": room.id, "name": room.name}


def track_view(track: Track | None) -> dict[str, Any] | None:
    if track is None:
        return None
    return {"id": track.id, "name": track.name, "color": track.color, "hashtags": track.hashtags}


def speaker_ref(speaker: Speaker) -> dict[str, Any]:
    return {"id": speaker.id, "name": speaker.name, "handles": speaker.handles}


def talk_summary(talk: Talk, conference: Conference) -> dict[str, Any]:
    tz = _zone(conference.timezone)
    return {
        "id": talk.id,
        "conference": conference.slug,
        "tag": talk.tag,
        "code": talk.code,
        "title": talk.title,
        "subtitle": talk.subtitle,
        "start": talk.start_at.astimezone(tz).isoformat(),
        "end": talk.end_at.astimezone(tz).isoformat(),
        "day": talk.day,
        "room": room_view(talk.room),
        "track": track_view(talk.track),
        "type": talk.type,
        "language": talk.language,
        "status": talk.status,
        "policy": talk.policy,
        "embargo_until": (
            talk.embargo_until.astimezone(tz).isoformat() if talk.embargo_until else None
        ),
        "speakers": [speaker_ref(ts.speaker) for ts in talk.talk_speakers],
    }


def talk_detail(talk: Talk, conference: Conference) -> dict[str, Any]:
    return {
        **talk_summary(talk, conference),
        "abstract": talk.abstract,
        "description": talk.description,
        "url": talk.url,
        "links": talk.links,
        "policy_note": talk.policy_note,
        "hashtag": conference.hashtag,
        "revision": talk.revision,
    }
