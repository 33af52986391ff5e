"""frab / pretalx ``schedule.json`` (v1): days -> rooms -> events.

The c3voc schema is stricter than what producers emit (34C3: guids reused for several
slots, links as bare strings, ``""`` for type and language, no ``time_zone_name``), so this
reader takes each field the way real files write it and refuses only what would put a
wrong slot on the programme. Every error names its place as a JSON path such as
``schedule.conference.days[1].rooms['Saal 1'][3] (guid …)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from server.domain.programme import ProgrammeRecord, ScheduleFormatError, TalkRecord
from server.importers._common import (
    Draft,
    OrderedNames,
    SpeakerBook,
    TrackList,
    as_list,
    as_mapping,
    aware,
    check_span,
    clean_color,
    clean_language,
    clean_line,
    clean_text,
    clean_type,
    collapsed_name,
    event_label,
    finish_talks,
    link_records,
    load_zone,
    normalize_url,
    optional_list,
    parse_clock,
    parse_date,
    parse_datetime,
    parse_duration,
    person_handles,
    person_name,
    speaker_key,
    zone_name_for_offset,
)

FORMAT = "frab-json"
_ROOT = "schedule.conference"


def parse(doc: Mapping[str, Any], *, default_timezone: str | None = None) -> ProgrammeRecord:
    """Turn a decoded schedule.json v1 document into a ProgrammeRecord."""
    schedule = as_mapping(doc.get("schedule"), "schedule")
    conference = as_mapping(schedule.get("conference"), _ROOT)
    days = as_list(conference.get("days"), f"{_ROOT}.days")
    base_url = normalize_url(schedule.get("base_url")) or normalize_url(conference.get("url"))
    zone_name = _zone_name(conference, days, default_timezone)
    reader = _Reader(load_zone(zone_name, f"{_ROOT}.time_zone_name"), base_url)
    reader.declare(conference)
    drafts = [
        draft
        for index, day in enumerate(days)
        for draft in reader.day(as_mapping(day, f"{_ROOT}.days[{index}]"), index)
    ]
    return ProgrammeRecord(
        format=FORMAT,
        title=clean_line(conference.get("title")) or clean_line(conference.get("acronym")) or "",
        timezone=zone_name,
        talks=finish_talks(drafts, reader.book),
        acronym=clean_line(conference.get("acronym")),
        start=_conference_date(conference, "start"),
        end=_conference_date(conference, "end"),
        url=normalize_url(conference.get("url")) or base_url,
        rooms=reader.rooms.as_tuple(),
        tracks=reader.tracks.as_tuple(),
    )


def _zone_name(conference: Mapping[str, Any], days: list[Any], default_timezone: str | None) -> str:
    """The file's zone, else the caller's, else one matching the events' UTC offset."""
    named = clean_line(conference.get("time_zone_name"))
    if named:
        return named
    if default_timezone:
        return default_timezone
    for day in days:
        rooms = day.get("rooms") if isinstance(day, Mapping) else None
        for events in (rooms or {}).values() if isinstance(rooms, Mapping) else ():
            for event in events if isinstance(events, list) else ():
                moment = _try_datetime(event.get("date") if isinstance(event, Mapping) else None)
                if moment is not None and moment.tzinfo is not None:
                    return zone_name_for_offset(moment)
    raise ScheduleFormatError(
        "the file names no timezone and its events carry no UTC offset; "
        "pass default_timezone (an IANA name such as 'Europe/Berlin')",
        f"{_ROOT}.time_zone_name",
    )


def _try_datetime(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _conference_date(conference: Mapping[str, Any], name: str) -> date | None:
    value = conference.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ScheduleFormatError(str(exc), f"{_ROOT}.{name}") from None


class _Reader:
    """Walks days, rooms and events, collecting rooms, tracks and speakers on the way."""

    def __init__(self, zone: tzinfo, base_url: str | None) -> None:
        self.zone = zone
        self.base_url = base_url
        self.book = SpeakerBook()
        self.rooms = OrderedNames()
        self.tracks = TrackList()

    def declare(self, conference: Mapping[str, Any]) -> None:
        """Rooms and tracks the conference lists up front (with track colours)."""
        for room in optional_list(conference.get("rooms")):
            if isinstance(room, Mapping):
                self.rooms.add(clean_line(room.get("name")))
        for track in optional_list(conference.get("tracks")):
            if isinstance(track, Mapping):
                self.tracks.declare(clean_line(track.get("name")), clean_color(track.get("color")))

    def day(self, day: Mapping[str, Any], index: int) -> list[Draft]:
        where = f"{_ROOT}.days[{index}]"
        day_date = _required_date(day.get("date"), f"{where}.date")
        rollover = self._day_change(day.get("day_start"), f"{where}.day_start")
        rooms = as_mapping(day.get("rooms"), f"{where}.rooms")
        drafts: list[Draft] = []
        for room_name, events in rooms.items():
            self.rooms.add(clean_line(room_name))
            for position, event in enumerate(as_list(events, f"{where}.rooms[{room_name!r}]")):
                location = f"{where}.rooms[{room_name!r}][{position}]"
                event = as_mapping(event, location)
                location += event_label(event)
                context = _Slot(day_date, rollover, str(room_name), location)
                drafts.append(self._event(event, context))
        return drafts

    def _day_change(self, value: object, location: str) -> time | None:
        if not isinstance(value, str) or not value.strip():
            return None
        try:
            return parse_datetime(value).time()
        except ValueError as exc:
            raise ScheduleFormatError(str(exc), location) from None

    def _event(self, event: Mapping[str, Any], slot: _Slot) -> Draft:
        try:
            return self._draft(event, slot)
        except ScheduleFormatError:
            raise
        except ValueError as exc:
            raise ScheduleFormatError(str(exc), slot.location) from None

    def _draft(self, event: Mapping[str, Any], slot: _Slot) -> Draft:
        title = clean_line(event.get("title"))
        if not title:
            raise ValueError("event has no title")
        start = self._start(event, slot)
        end = self._end(event, start)
        check_span(start, end)
        track = _track_name(event.get("track"))
        self.tracks.use(track)
        room = clean_line(event.get("room")) or clean_line(slot.room)
        self.rooms.add(room)
        talk = TalkRecord(
            key=_event_key(event, title),
            title=title,
            start=start,
            end=end,
            day=slot.day,
            source_ref=slot.location,
            code=clean_line(event.get("code")) or clean_line(event.get("id")),
            subtitle=clean_line(event.get("subtitle")),
            abstract=clean_text(event.get("abstract")),
            description=clean_text(event.get("description")),
            room=room,
            track=track,
            type=clean_type(event.get("type")),
            language=clean_language(event.get("language")),
            url=normalize_url(event.get("url"), self.base_url),
            links=link_records(
                optional_list(event.get("links")) + optional_list(event.get("attachments")),
                self.base_url,
            ),
        )
        return Draft(talk=talk, speaker_keys=self._speakers(event.get("persons")))

    def _start(self, event: Mapping[str, Any], slot: _Slot) -> datetime:
        raw_date = event.get("date")
        raw_start = event.get("start")
        if isinstance(raw_date, str) and len(raw_date.strip()) > 10:
            return aware(parse_datetime(raw_date), self.zone)
        if isinstance(raw_start, str) and raw_start.strip():
            day = parse_date(raw_date) if isinstance(raw_date, str) and raw_date else slot.day
            clock = parse_clock(raw_start)
            if not raw_date and slot.rollover is not None and clock < slot.rollover:
                day += timedelta(days=1)
            return datetime.combine(day, clock, tzinfo=self.zone)
        raise ValueError("event has neither 'date' nor 'start': cannot tell when it starts")

    def _end(self, event: Mapping[str, Any], start: datetime) -> datetime:
        raw_end = event.get("end")
        if isinstance(raw_end, str) and raw_end.strip():
            return aware(parse_datetime(raw_end), self.zone)
        raw_duration = event.get("duration")
        if isinstance(raw_duration, str) and raw_duration.strip():
            return start + parse_duration(raw_duration)
        raise ValueError("event has neither 'end' nor 'duration'")

    def _speakers(self, persons: object) -> tuple[str, ...]:
        keys: list[str] = []
        for person in optional_list(persons):
            if isinstance(person, str):
                person = {"name": person}
            if not isinstance(person, Mapping):
                continue
            name = person_name(person)
            if not name:
                continue
            key = speaker_key(
                guid=person.get("guid"),
                code=person.get("code"),
                ident=person.get("id"),
                name=name,
            )
            keys.append(
                self.book.add(
                    key, name, clean_text(person.get("biography")), person_handles(person)
                )
            )
        return tuple(keys)


class _Slot:
    """Where an event sits: its day, the day's rollover time, room key and location."""

    __slots__ = ("day", "location", "rollover", "room")

    def __init__(self, day: date, rollover: time | None, room: str, location: str) -> None:
        self.day = day
        self.rollover = rollover
        self.room = room
        self.location = location


def _required_date(value: object, location: str) -> date:
    if not isinstance(value, str):
        raise ScheduleFormatError("missing date (YYYY-MM-DD)", location)
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ScheduleFormatError(str(exc), location) from None


def _track_name(value: object) -> str | None:
    if isinstance(value, Mapping):
        return clean_line(value.get("name")) or clean_line(value.get("slug"))
    return clean_line(value)


def _event_key(event: Mapping[str, Any], title: str) -> str:
    """guid, else pretalx code, else ``id:<id>``, else ``title:<collapsed title>``."""
    for name, prefix in (("guid", ""), ("code", ""), ("id", "id:")):
        value = clean_line(event.get(name))
        if value:
            return prefix + value
    return f"title:{collapsed_name(title)}"
