"""Apply a parsed programme to a conference: all or nothing, updating in place.

Sessions are matched by their stable key, so agenda stars (and later posts and drafts)
stay attached across re-imports. Sessions that vanish from the file are marked cancelled,
never deleted. The report lists what was added, changed, moved, cancelled and restored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import regex
from sqlalchemy import select

from server.domain.programme import ProgrammeRecord, ScheduleFormatError, TalkRecord
from server.domain.schedule import derive_tag, search_key, tag_from_code, unique_tag
from server.errors import AppError, ValidationFailed
from server.extensions import db
from server.importers import parse_schedule
from server.models import Conference, ImportRun, Room, Speaker, Talk, TalkSpeaker, Track
from server.models.base import utcnow

Progress = Callable[[int, int], None]

_SLUG_RE = regex.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")


class ImportFailed(AppError):
    status = 422
    code = "invalid_schedule"


@dataclass
class ImportReport:
    format: str
    conference: str
    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)
    cancelled: list[dict[str, Any]] = field(default_factory=list)
    restored: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    sessions: int = 0
    speakers: int = 0
    rooms: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.moved or self.cancelled or self.restored)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "conference": self.conference,
            "summary": {
                "sessions": self.sessions,
                "speakers": self.speakers,
                "rooms": self.rooms,
                "added": len(self.added),
                "changed": len(self.changed),
                "moved": len(self.moved),
                "cancelled": len(self.cancelled),
                "restored": len(self.restored),
                "unchanged": self.unchanged,
            },
            "added": self.added,
            "changed": self.changed,
            "moved": self.moved,
            "cancelled": self.cancelled,
            "restored": self.restored,
        }


def check_slug(slug: str) -> None:
    if not _SLUG_RE.fullmatch(slug):
        raise ValidationFailed(
            "Conference slugs are 3-64 lower-case letters, digits and '-'.",
            code="invalid_slug",
            field="slug",
        )


def parse_or_fail(data: bytes, default_timezone: str | None) -> ProgrammeRecord:
    try:
        return parse_schedule(data, default_timezone=default_timezone)
    except ScheduleFormatError as exc:
        details = {"location": exc.location} if exc.location else {}
        raise ImportFailed(str(exc), details=details) from exc


def _zone_hint(conference: Conference | None) -> str | None:
    """The conference's zone as a hint for files that name none (pentabarf XML, CSV).

    Only when it means something: a programme was imported before, or an organizer chose a
    zone. A new conference's default "UTC" is no statement, and guessing it would shift every
    session of a Brussels programme by an hour, so such a file must name its zone.
    """
    if conference is None:
        return None
    if conference.start_date is not None or conference.timezone != "UTC":
        return conference.timezone
    return None


def _default_hashtag(record: ProgrammeRecord, slug: str) -> str:
    base = record.acronym or slug
    return regex.sub(r"[^\p{L}\p{N}_]", "", base) or slug.replace("-", "")


def do_import_programme(
    data: bytes,
    *,
    slug: str,
    source: str,
    user_id: int | None = None,
    default_timezone: str | None = None,
    create: bool = True,
    progress: Progress | None = None,
    transform: Callable[[ProgrammeRecord], ProgrammeRecord] | None = None,
) -> ImportReport:
    """Parse ``data`` and apply it to conference ``slug`` in one transaction.

    Raises :class:`ImportFailed` (nothing written) when the file cannot be imported.
    """
    check_slug(slug)
    conference = db.session.scalar(select(Conference).where(Conference.slug == slug))
    if conference is None and not create:
        raise AppError(f"No conference {slug!r}.", code="not_found", status=404)
    tz_hint = default_timezone or _zone_hint(conference)
    record = parse_or_fail(data, tz_hint)
    if transform is not None:
        record = transform(record)
    try:
        ZoneInfo(record.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImportFailed(f"Unknown timezone {record.timezone!r} in the file.") from exc
    try:
        if conference is None:
            conference = Conference(
                slug=slug,
                title=record.title or slug,
                acronym=record.acronym,
                hashtag=_default_hashtag(record, slug),
                timezone=record.timezone,
                url=record.url,
                programme_version=1,
            )
            db.session.add(conference)
            db.session.flush()
        report = _apply(conference, record, progress)
        if report.changed_anything:
            conference.programme_version += 1
            conference.updated_at = utcnow()
        db.session.add(
            ImportRun(
                conference_id=conference.id,
                user_id=user_id,
                source=source,
                format=record.format,
                status="succeeded" if report.changed_anything else "unchanged",
                report=report.to_dict()["summary"],
            )
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _apply(
    conference: Conference, record: ProgrammeRecord, progress: Progress | None
) -> ImportReport:
    report = ImportReport(format=record.format, conference=conference.slug)
    conference.timezone = record.timezone
    days = [t.day for t in record.talks]
    conference.start_date = record.start or (min(days) if days else conference.start_date)
    conference.end_date = record.end or (max(days) if days else conference.end_date)

    rooms = _sync_rooms(conference, record)
    tracks = _sync_tracks(conference, record)
    speakers = _sync_speakers(conference, record)
    report.rooms, report.speakers = len(rooms), len(speakers)

    existing = {
        t.key: t
        for t in db.session.scalars(select(Talk).where(Talk.conference_id == conference.id))
    }
    taken = {t.tag_key for t in existing.values()}
    seen: set[str] = set()
    total = len(record.talks)
    for index, item in enumerate(record.talks, start=1):
        seen.add(item.key)
        talk = existing.get(item.key)
        if talk is None:
            talk = _new_talk(conference, item, taken)
            db.session.add(talk)
            _fill(talk, item, rooms, tracks, speakers)
            db.session.flush()
            report.added.append(_ref(talk))
        else:
            _update(talk, item, rooms, tracks, speakers, report)
        if progress:
            progress(index, total)
    for key, talk in existing.items():
        if key not in seen and talk.status != "cancelled":
            talk.status = "cancelled"
            talk.revision += 1
            talk.updated_at = utcnow()
            report.cancelled.append(_ref(talk))
    report.sessions = total
    db.session.flush()
    return report


def _ref(talk: Talk) -> dict[str, Any]:
    return {"id": talk.id, "key": talk.key, "tag": talk.tag, "title": talk.title}


def _sync_rooms(conference: Conference, record: ProgrammeRecord) -> dict[str, Room]:
    rooms = {
        r.name: r
        for r in db.session.scalars(select(Room).where(Room.conference_id == conference.id))
    }
    names = list(record.rooms) + [t.room for t in record.talks if t.room]
    for position, name in enumerate(dict.fromkeys(names)):
        room = rooms.get(name)
        if room is None:
            room = rooms[name] = Room(conference_id=conference.id, name=name)
            db.session.add(room)
        room.position = position
    return rooms


def _sync_tracks(conference: Conference, record: ProgrammeRecord) -> dict[str, Track]:
    tracks = {
        t.name: t
        for t in db.session.scalars(select(Track).where(Track.conference_id == conference.id))
    }
    colors = {t.name: t.color for t in record.tracks}
    names = [t.name for t in record.tracks] + [t.track for t in record.talks if t.track]
    for position, name in enumerate(dict.fromkeys(names)):
        track = tracks.get(name)
        if track is None:
            track = tracks[name] = Track(conference_id=conference.id, name=name, hashtags=[])
            db.session.add(track)
        track.position = position
        if colors.get(name):
            track.color = colors[name]
    return tracks


def _sync_speakers(conference: Conference, record: ProgrammeRecord) -> dict[str, Speaker]:
    speakers = {
        s.key: s
        for s in db.session.scalars(select(Speaker).where(Speaker.conference_id == conference.id))
    }
    for talk in record.talks:
        for person in talk.speakers:
            speaker = speakers.get(person.key)
            if speaker is None:
                speaker = speakers[person.key] = Speaker(
                    conference_id=conference.id,
                    key=person.key,
                    name=person.name,
                    file_handles={},
                    handle_overrides={},
                )
                db.session.add(speaker)
            speaker.name = person.name
            if person.biography:
                speaker.biography = person.biography
            if person.handles and speaker.file_handles != person.handles:
                speaker.file_handles = {**speaker.file_handles, **person.handles}
    db.session.flush()
    return speakers


def _new_talk(conference: Conference, item: TalkRecord, taken: set[str]) -> Talk:
    preferred = tag_from_code(item.code)
    tag = unique_tag(preferred, taken) if preferred else derive_tag(item.title, taken)
    taken.add(tag.casefold())
    return Talk(
        conference_id=conference.id,
        key=item.key,
        tag=tag,
        tag_key=tag.casefold(),
        title=item.title,
        start_at=item.start,
        end_at=item.end,
        day=item.day,
        links=[],
    )


def _values(item: TalkRecord, rooms: dict[str, Room], tracks: dict[str, Track]) -> dict[str, Any]:
    return {
        "code": item.code,
        "title": item.title,
        "subtitle": item.subtitle,
        "abstract": item.abstract,
        "description": item.description,
        "type": item.type,
        "language": item.language,
        "url": item.url,
        "links": [{"url": link.url, "title": link.title, "kind": link.kind} for link in item.links],
        "track_id": tracks[item.track].id if item.track else None,
    }


def _placement(item: TalkRecord, rooms: dict[str, Room]) -> dict[str, Any]:
    return {
        "start_at": item.start,
        "end_at": item.end,
        "day": item.day,
        "room_id": rooms[item.room].id if item.room else None,
    }


def _fill(
    talk: Talk,
    item: TalkRecord,
    rooms: dict[str, Room],
    tracks: dict[str, Track],
    speakers: dict[str, Speaker],
) -> None:
    for name, value in {**_values(item, rooms, tracks), **_placement(item, rooms)}.items():
        setattr(talk, name, value)
    wanted = list(dict.fromkeys(speakers[p.key].id for p in item.speakers))
    if [ts.speaker_id for ts in talk.talk_speakers] != wanted:
        if talk.talk_speakers:
            talk.talk_speakers.clear()
            db.session.flush()  # delete before insert: (talk, speaker) is unique
        talk.talk_speakers = [
            TalkSpeaker(speaker_id=sid, position=i) for i, sid in enumerate(wanted)
        ]
    talk.search_text = _search_text(item)


def _search_text(item: TalkRecord) -> str:
    parts = [item.title, item.subtitle or "", item.abstract or ""]
    parts += [p.name for p in item.speakers]
    return search_key(" ".join(parts))


def _update(
    talk: Talk,
    item: TalkRecord,
    rooms: dict[str, Room],
    tracks: dict[str, Track],
    speakers: dict[str, Speaker],
    report: ImportReport,
) -> None:
    values = _values(item, rooms, tracks)
    placement = _placement(item, rooms)
    changed = [name for name, value in values.items() if getattr(talk, name) != value]
    moved = [name for name, value in placement.items() if getattr(talk, name) != value]
    speaker_ids = list(dict.fromkeys(speakers[p.key].id for p in item.speakers))
    if [ts.speaker_id for ts in talk.talk_speakers] != speaker_ids:
        changed.append("speakers")
    restored = talk.status == "cancelled"
    if not (changed or moved or restored):
        report.unchanged += 1
        return
    before = {"start": talk.start_at.isoformat(), "room_id": talk.room_id}
    _fill(talk, item, rooms, tracks, speakers)
    talk.status = "scheduled"
    talk.revision += 1
    talk.updated_at = utcnow()
    if restored:
        report.restored.append(_ref(talk))
    if moved:
        report.moved.append(
            {
                **_ref(talk),
                "from": before,
                "to": {"start": talk.start_at.isoformat(), "room_id": talk.room_id},
                "fields": [m.removesuffix("_at").removesuffix("_id") for m in moved],
            }
        )
    if changed:
        report.changed.append({**_ref(talk), "fields": changed})


def conference_days(conference: Conference) -> list[date]:
    days = db.session.scalars(
        select(Talk.day).where(Talk.conference_id == conference.id).distinct().order_by(Talk.day)
    )
    return list(days)
