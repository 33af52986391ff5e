"""Organizer edits to a conference and its programme; each bumps the programme version."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from server.domain.handles import normalize_handle
from server.domain.schedule import valid_tag
from server.errors import Conflict, NotFound, ValidationFailed
from server.extensions import db
from server.models import Conference, Speaker, Talk, Track
from server.models.base import utcnow
from server.services.programme import MAX_YEAR, MIN_YEAR, valid_id
from server.services.programme_import import check_slug


def _touch(conference: Conference) -> None:
    conference.programme_version += 1
    conference.updated_at = utcnow()


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(
            f"Unknown timezone {name!r}; use an IANA name such as Europe/Berlin.",
            code="invalid_timezone",
            field="timezone",
        ) from exc
    return name


def check_hashtag(raw: str, field: str = "hashtag") -> str:
    tag = raw.strip().removeprefix("#")
    if not valid_tag(tag):
        raise ValidationFailed(
            f"{raw!r} is not a usable hashtag: letters, digits and '_' only, not all digits.",
            code="invalid_hashtag",
            field=field,
        )
    return tag


def do_create_conference(
    *,
    slug: str,
    title: str,
    hashtag: str | None = None,
    timezone: str = "UTC",
    description: str | None = None,
    venue: str | None = None,
) -> Conference:
    check_slug(slug)
    check_timezone(timezone)
    tag = check_hashtag(hashtag) if hashtag else None
    if db.session.scalar(select(Conference.id).where(Conference.slug == slug)) is not None:
        raise Conflict(f"A conference {slug!r} exists already.", code="slug_taken", field="slug")
    conference = Conference(
        slug=slug,
        title=title.strip(),
        hashtag=tag,
        timezone=timezone,
        description=description,
        venue=venue,
        programme_version=1,
    )
    db.session.add(conference)
    db.session.commit()
    return conference


def do_update_conference(conference: Conference, changes: dict[str, Any]) -> Conference:
    if "timezone" in changes:
        check_timezone(changes["timezone"])
    if "hashtag" in changes:
        changes = {**changes, "hashtag": check_hashtag(changes["hashtag"])}
    for name, value in changes.items():
        setattr(conference, name, value)
    _touch(conference)
    db.session.commit()
    return conference


def do_set_track_hashtags(conference: Conference, track_id: int, hashtags: list[str]) -> Track:
    track = db.session.get(Track, track_id) if valid_id(track_id) else None
    if track is None or track.conference_id != conference.id:
        raise NotFound(f"There is no track {track_id} in this conference.")
    cleaned = [check_hashtag(h, "hashtags") for h in hashtags]
    track.hashtags = list(dict.fromkeys(cleaned))
    _touch(conference)
    db.session.commit()
    return track


def do_update_talk(talk: Talk, changes: dict[str, Any]) -> Talk:
    """Override the session tag or set the social-media policy of a session."""
    conference = talk.conference
    if "tag" in changes:
        tag = check_hashtag(changes["tag"], "tag")
        clash = db.session.scalar(
            select(Talk.id).where(
                Talk.conference_id == conference.id,
                Talk.tag_key == tag.casefold(),
                Talk.id != talk.id,
            )
        )
        if clash is not None:
            raise Conflict(
                f"#{tag} is already the tag of session {clash}.", code="tag_taken", field="tag"
            )
        talk.tag, talk.tag_key, talk.tag_overridden = tag, tag.casefold(), True
    policy = changes.get("policy", talk.policy)
    embargo: datetime | None = changes.get("embargo_until", talk.embargo_until)
    if embargo is not None and not MIN_YEAR <= embargo.year <= MAX_YEAR:
        raise ValidationFailed(
            f"embargo_until must fall between the years {MIN_YEAR} and {MAX_YEAR}.",
            code="invalid_datetime",
            field="embargo_until",
        )
    if policy == "embargoed" and embargo is None:
        raise ValidationFailed(
            "An embargoed session needs 'embargo_until'.",
            code="embargo_needs_time",
            field="embargo_until",
        )
    if "policy" in changes:
        talk.policy = policy
        if policy != "embargoed" and "embargo_until" not in changes:
            embargo = None
    talk.embargo_until = embargo if policy == "embargoed" else None
    if "policy_note" in changes:
        talk.policy_note = changes["policy_note"]
    talk.revision += 1
    talk.updated_at = utcnow()
    _touch(conference)
    db.session.commit()
    return talk


def do_set_speaker_handles(speaker: Speaker, handles: dict[str, str]) -> Speaker:
    """Organizer overrides: a handle replaces the file's, ``""`` hides the file's."""
    overrides = dict(speaker.handle_overrides)
    for network, raw in handles.items():
        if not raw.strip():
            overrides[network] = ""
            continue
        try:
            overrides[network] = normalize_handle(network, raw)
        except ValueError as exc:
            raise ValidationFailed(str(exc), code="invalid_handle", field="handles") from exc
    speaker.handle_overrides = overrides
    conference = db.session.get(Conference, speaker.conference_id)
    assert conference is not None
    _touch(conference)
    db.session.commit()
    return speaker
