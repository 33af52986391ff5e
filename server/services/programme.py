"""Reading the programme: conferences, sessions with filters and cursors, speakers, now/next."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from server.clock import now as clock_now
from server.domain.schedule import NEXT_HORIZON, Slot, now_and_next, search_terms
from server.errors import AppError, NotFound, ValidationFailed
from server.extensions import db
from server.models import Conference, Room, Speaker, Talk, TalkSpeaker, Track

MAX_PAGE = 500
#: Ids are 32-bit in PostgreSQL; a larger number names nothing (and must not reach the driver).
MAX_ID = 2**31 - 1
#: Instants outside these years are typos, and near the ends of datetime they overflow.
MIN_YEAR, MAX_YEAR = 1970, 2999


def valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def get_conference(slug: str) -> Conference:
    conference = db.session.scalar(select(Conference).where(Conference.slug == slug))
    if conference is None:
        raise NotFound(f"There is no conference {slug!r}.")
    return conference


def list_conferences() -> list[Conference]:
    return list(
        db.session.scalars(select(Conference).order_by(Conference.start_date.desc(), Conference.id))
    )


def get_talk(talk_id: int) -> Talk:
    talk = db.session.get(Talk, talk_id) if valid_id(talk_id) else None
    if talk is None:
        raise NotFound(f"There is no session {talk_id}.")
    return talk


def get_speaker(speaker_id: int) -> Speaker:
    speaker = db.session.get(Speaker, speaker_id) if valid_id(speaker_id) else None
    if speaker is None:
        raise NotFound(f"There is no speaker {speaker_id}.")
    return speaker


@dataclass(frozen=True)
class TalkFilters:
    day: date | None = None
    track: str | None = None
    room: str | None = None
    type: str | None = None
    speaker: int | None = None
    q: str | None = None
    include_cancelled: bool = False


@dataclass(frozen=True)
class Page:
    items: list[Talk]
    next_cursor: str | None


def encode_cursor(talk: Talk) -> str:
    raw = f"{talk.start_at.isoformat()}|{talk.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        start, _, ident = base64.urlsafe_b64decode(padded.encode()).decode().partition("|")
        when = datetime.fromisoformat(start)
        if when.tzinfo is None:
            raise ValueError("naive")
        number = int(ident)
        if not valid_id(number):
            raise ValueError("id out of range")
        return when, number
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            "That cursor is not one this server gave out.", code="invalid_cursor", field="cursor"
        ) from exc


def _named(model: type[Room] | type[Track], conference: Conference, value: str) -> Any:
    """A room or track condition from an id or a name (case-insensitive)."""
    if value.isascii() and value.isdigit() and valid_id(int(value)):
        return model.id == int(value)
    return func.lower(model.name) == value.casefold()


def filtered_talks(conference: Conference, filters: TalkFilters) -> Select[Talk]:
    query = select(Talk).where(Talk.conference_id == conference.id)
    if not filters.include_cancelled:
        query = query.where(Talk.status == "scheduled")
    if filters.day:
        query = query.where(Talk.day == filters.day)
    if filters.track:
        query = query.join(Track, Talk.track_id == Track.id).where(
            _named(Track, conference, filters.track)
        )
    if filters.room:
        query = query.join(Room, Talk.room_id == Room.id).where(
            _named(Room, conference, filters.room)
        )
    if filters.type:
        query = query.where(func.lower(Talk.type) == filters.type.casefold())
    if filters.speaker is not None:
        query = query.where(
            Talk.id.in_(
                select(TalkSpeaker.talk_id).where(TalkSpeaker.speaker_id == filters.speaker)
            )
        )
    if filters.q:
        for term in search_terms(filters.q):
            escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Talk.search_text.like(f"%{escaped}%", escape="\\"))
    return query


def list_talks(
    conference: Conference, filters: TalkFilters, *, limit: int, cursor: str | None
) -> Page:
    """One page of sessions ordered by start then id (stable across pages)."""
    query = filtered_talks(conference, filters)
    if cursor:
        start, ident = decode_cursor(cursor)
        query = query.where(
            or_(Talk.start_at > start, and_(Talk.start_at == start, Talk.id > ident))
        )
    rows = list(db.session.scalars(query.order_by(Talk.start_at, Talk.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1]) if more and rows else None)


def now_next(
    conference: Conference, at: datetime, filters: TalkFilters
) -> tuple[list[Talk], list[Talk]]:
    """Sessions on at ``at`` and the next one per room, within the filters."""
    window = (
        filtered_talks(conference, filters)
        .where(Talk.end_at > at, Talk.start_at <= at + NEXT_HORIZON)
        .with_only_columns(Talk.id, Talk.start_at, Talk.end_at, Talk.room_id)
    )
    # Decide on the light columns first, then load only the sessions that are shown.
    slots = [
        Slot(ident, start, end, str(room) if room is not None else None)
        for ident, start, end, room in db.session.execute(window)
    ]
    now, upcoming = now_and_next(slots, at)
    wanted = [s.id for s in now + upcoming]
    talks = {t.id: t for t in db.session.scalars(select(Talk).where(Talk.id.in_(wanted)))}
    return [talks[s.id] for s in now], [talks[s.id] for s in upcoming]


def list_rooms(conference: Conference) -> list[Room]:
    return list(
        db.session.scalars(
            select(Room).where(Room.conference_id == conference.id).order_by(Room.position, Room.id)
        )
    )


def list_tracks(conference: Conference) -> list[Track]:
    return list(
        db.session.scalars(
            select(Track)
            .where(Track.conference_id == conference.id)
            .order_by(Track.position, Track.id)
        )
    )


def list_speakers(
    conference: Conference, q: str | None, *, limit: int, offset: int
) -> list[Speaker]:
    query = select(Speaker).where(Speaker.conference_id == conference.id)
    if q:
        for term in search_terms(q):
            query = query.where(func.lower(Speaker.name).contains(term, autoescape=True))
    return list(
        db.session.scalars(query.order_by(Speaker.name, Speaker.id).limit(limit).offset(offset))
    )


def talks_of_speaker(speaker: Speaker) -> list[Talk]:
    return list(
        db.session.scalars(
            select(Talk)
            .join(TalkSpeaker, TalkSpeaker.talk_id == Talk.id)
            .where(TalkSpeaker.speaker_id == speaker.id)
            .order_by(Talk.start_at, Talk.id)
            .options(selectinload(Talk.talk_speakers))
        )
    )


def resolve_instant(conference: Conference, value: str) -> datetime:
    """``now``, an aware ISO instant, or a naive one read in the conference's timezone."""
    if value == "now":
        return clock_now()
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(
            "Give 'at' as 'now' or an ISO 8601 date-time such as 2026-12-01T10:30.",
            code="invalid_datetime",
            field="at",
        ) from exc
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise ValidationFailed(
            f"'at' must fall between the years {MIN_YEAR} and {MAX_YEAR}.",
            code="invalid_datetime",
            field="at",
        )
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(conference.timezone))
    return when


def local_time(conference: Conference, when: datetime) -> datetime:
    return when.astimezone(ZoneInfo(conference.timezone))


def day_bounds(conference: Conference, day: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(conference.timezone)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    return start, start + timedelta(days=1)


def check_page_size(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise AppError(
            f"limit must be between 1 and {MAX_PAGE}.",
            code="validation_error",
            status=422,
            field="limit",
        )
    return limit
