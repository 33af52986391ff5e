"""c3voc schedule v2 JSON (38C3 hub): a flat ``schedule.events`` list.

v2 replaces v1's nesting with ISO ``start``/``end`` per event, ``room`` and ``track`` as
references into the conference's lists, ``participants`` joined to ``schedule.persons``,
and links that may carry a social ``service`` (MASTODON, BLUESKY, …) — the source of
speaker handles for the drafter. The conference day of a slot is the ``days`` entry
whose ``start``..``end`` holds it (a 00:15 talk belongs to the evening before).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
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
    parse_date,
    parse_datetime,
    parse_duration,
    person_handles,
    person_name,
    speaker_key,
    zone_name_for_offset,
)

FORMAT = "schedule-v2-json"
_CONF = "schedule.conference"


@dataclass(frozen=True)
class _Day:
    date: date
    start: datetime | None
    end: datetime | None


def parse(doc: Mapping[str, Any], *, default_timezone: str | None = None) -> ProgrammeRecord:
    """Turn a decoded schedule v2 document into a ProgrammeRecord."""
    schedule = as_mapping(doc.get("schedule"), "schedule")
    conference = as_mapping(schedule.get("conference", {}), _CONF)
    events = as_list(schedule.get("events"), "schedule.events")
    base_url = normalize_url(schedule.get("base_url")) or normalize_url(conference.get("url"))
    zone_name = _zone_name(conference, events, default_timezone)
    zone = load_zone(zone_name, f"{_CONF}.time_zone_name")
    reader = _Reader(conference, schedule, zone, base_url)
    drafts = [
        reader.event(as_mapping(event, f"schedule.events[{i}]"), i)
        for i, event in enumerate(events)
    ]
    return ProgrammeRecord(
        format=FORMAT,
        title=clean_line(conference.get("title")) or clean_line(conference.get("acronym")) or "",
        timezone=zone_name,
        talks=finish_talks(drafts, reader.book),
        acronym=clean_line(conference.get("acronym")),
        start=_date_of(conference.get("start"), f"{_CONF}.start"),
        end=_date_of(conference.get("end"), f"{_CONF}.end"),
        url=normalize_url(conference.get("url")) or base_url,
        rooms=reader.rooms.as_tuple(),
        tracks=reader.tracks.as_tuple(),
    )


def _zone_name(conference: Mapping[str, Any], events: list[Any], default: str | None) -> str:
    named = clean_line(conference.get("time_zone_name"))
    if named:
        return named
    if default:
        return default
    for event in events:
        raw = event.get("start") if isinstance(event, Mapping) else None
        if isinstance(raw, str):
            try:
                moment = parse_datetime(raw)
            except ValueError:
                continue
            if moment.tzinfo is not None:
                return zone_name_for_offset(moment)
    raise ScheduleFormatError(
        "the file names no timezone and its events carry no UTC offset; "
        "pass default_timezone (an IANA name such as 'Europe/Berlin')",
        f"{_CONF}.time_zone_name",
    )


def _date_of(value: object, location: str) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ScheduleFormatError(str(exc), location) from None


class _Reader:
    """Resolves references (rooms, tracks, persons, days) while reading events."""

    def __init__(
        self,
        conference: Mapping[str, Any],
        schedule: Mapping[str, Any],
        zone: tzinfo,
        base_url: str | None,
    ) -> None:
        self.zone = zone
        self.base_url = base_url
        self.book = SpeakerBook()
        self.rooms = OrderedNames()
        self.tracks = TrackList()
        self.room_names: dict[str, str] = {}
        self.track_names: dict[str, str] = {}
        self.persons: dict[str, Mapping[str, Any]] = {}
        self.days: list[_Day] = []
        self._declare(conference)
        self._index_persons(schedule.get("persons"))

    def _declare(self, conference: Mapping[str, Any]) -> None:
        for room in optional_list(conference.get("rooms")):
            name = clean_line(room.get("name")) if isinstance(room, Mapping) else None
            if name:
                self.rooms.add(name)
                for ref in ("guid", "slug"):
                    if room.get(ref):
                        self.room_names[str(room[ref])] = name
        for track in optional_list(conference.get("tracks")):
            name = clean_line(track.get("name")) if isinstance(track, Mapping) else None
            if name:
                self.tracks.declare(name, _track_color(track))
                for ref in ("guid", "slug"):
                    if track.get(ref):
                        self.track_names[str(track[ref])] = name
        for index, day in enumerate(optional_list(conference.get("days"))):
            self.days.append(self._day(as_mapping(day, f"{_CONF}.days[{index}]"), index))

    def _day(self, day: Mapping[str, Any], index: int) -> _Day:
        where = f"{_CONF}.days[{index}]"
        try:
            start = self._moment(day.get("start"))
            end = self._moment(day.get("end"))
            raw_date = day.get("date")
            if isinstance(raw_date, str):
                day_date = parse_date(raw_date)
            elif start is not None:
                day_date = start.astimezone(self.zone).date()
            else:
                raise ValueError("day has neither 'date' nor 'start'")
        except ValueError as exc:
            raise ScheduleFormatError(str(exc), where) from None
        return _Day(day_date, start, end)

    def _moment(self, value: object) -> datetime | None:
        if not isinstance(value, str) or not value.strip():
            return None
        return aware(parse_datetime(value), self.zone)

    def _index_persons(self, persons: object) -> None:
        for person in optional_list(persons):
            if isinstance(person, Mapping) and person.get("guid"):
                self.persons[str(person["guid"])] = person

    def event(self, event: Mapping[str, Any], index: int) -> Draft:
        location = f"schedule.events[{index}]{event_label(event)}"
        try:
            return self._draft(event, location)
        except ScheduleFormatError:
            raise
        except ValueError as exc:
            raise ScheduleFormatError(str(exc), location) from None

    def _draft(self, event: Mapping[str, Any], location: str) -> Draft:
        title = clean_line(event.get("title"))
        if not title:
            raise ValueError("event has no title")
        start = self._moment(event.get("start") or event.get("date"))
        if start is None:
            raise ValueError("event has no 'start': cannot tell when it starts")
        end = self._end(event, start)
        check_span(start, end)
        room = self._reference(event.get("room"), self.room_names)
        track = self._reference(event.get("track"), self.track_names)
        self.rooms.add(room)
        self.tracks.use(track)
        talk = TalkRecord(
            key=_event_key(event, title),
            title=title,
            start=start,
            end=end,
            day=self._day_of(start),
            source_ref=location,
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
        return Draft(talk=talk, speaker_keys=self._speakers(event))

    def _end(self, event: Mapping[str, Any], start: datetime) -> datetime:
        end = self._moment(event.get("end"))
        if end is not None:
            return end
        raw = event.get("duration")
        if isinstance(raw, str) and raw.strip():
            return start + parse_duration(raw)
        raise ValueError("event has neither 'end' nor 'duration'")

    def _day_of(self, start: datetime) -> date:
        for day in self.days:
            if day.start is not None and day.end is not None and day.start <= start < day.end:
                return day.date
        return start.astimezone(self.zone).date()

    @staticmethod
    def _reference(value: object, names: Mapping[str, str]) -> str | None:
        """A room/track given as a name, or as an object with name, guid or slug."""
        if isinstance(value, Mapping):
            name = clean_line(value.get("name"))
            if name:
                return name
            for ref in ("guid", "slug"):
                if value.get(ref) and str(value[ref]) in names:
                    return names[str(value[ref])]
            return clean_line(value.get("slug"))
        return clean_line(value)

    def _speakers(self, event: Mapping[str, Any]) -> tuple[str, ...]:
        people = optional_list(event.get("participants")) or optional_list(event.get("persons"))
        keys: list[str] = []
        for participant in people:
            if not isinstance(participant, Mapping):
                continue
            person = {**self.persons.get(str(participant.get("guid")), {}), **participant}
            name = person_name(person)
            if not name:
                continue
            key = speaker_key(
                guid=person.get("guid"),
                code=person.get("code"),
                ident=person.get("id"),
                name=name,
            )
            handles = person_handles(person)
            listed = self.persons.get(str(participant.get("guid")))
            if listed is not None:
                for network, handle in person_handles(listed).items():
                    handles.setdefault(network, handle)
            self.book.add(key, name, clean_text(person.get("biography")), handles)
            keys.append(key)
        return tuple(keys)


def _track_color(track: Mapping[str, Any]) -> str | None:
    colors = track.get("colors")
    if isinstance(colors, Mapping):
        return clean_color(colors.get("light")) or clean_color(colors.get("dark"))
    return clean_color(track.get("color"))


def _event_key(event: Mapping[str, Any], title: str) -> str:
    for name in ("guid", "code"):
        value = clean_line(event.get(name))
        if value:
            return value
    return f"title:{collapsed_name(title)}"
