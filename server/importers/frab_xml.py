"""``schedule.xml`` in its frab/pretalx flavour and its pentabarf (FOSDEM) ancestor.

Both share ``schedule/day/room/event``; they differ in what pins an event in time. frab
writes ``<date>`` with a UTC offset per event; pentabarf writes only the day's date and a
wall-clock ``<start>``, with ``<day_change>`` saying when the night ends (a 01:00 event
belongs to the next calendar day) and no timezone at all — so the caller must name one.
Files are parsed with defusedxml with DTDs forbidden: no entity expansion, no external
fetches. Errors name ``day 2 / room 'Janson' / event id 123 (line 456)``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from server.domain.programme import ProgrammeRecord, ScheduleFormatError, TalkRecord
from server.importers._common import (
    Draft,
    OrderedNames,
    SpeakerBook,
    TrackList,
    aware,
    check_span,
    clean_color,
    clean_language,
    clean_line,
    clean_text,
    clean_type,
    collapsed_name,
    finish_talks,
    link_records,
    load_zone,
    normalize_url,
    parse_clock,
    parse_date,
    parse_datetime,
    parse_duration,
    speaker_key,
    zone_name_for_offset,
)

UNSAFE_XML = "unsafe XML (entities/DTD are not allowed)"


class _LineTreeBuilder(ET.TreeBuilder):
    """A tree builder that remembers the source line of each element."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


@dataclass(frozen=True)
class XmlDocument:
    """A parsed XML tree plus the line of each element (for messages)."""

    root: ET.Element
    lines: dict[int, int]

    def line(self, element: ET.Element) -> int | None:
        return self.lines.get(id(element))


def load(data: bytes) -> XmlDocument:
    """Parse safely; DTDs, entities and external references are refused."""
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        line = parser.parser.CurrentLineNumber
        raise ScheduleFormatError(UNSAFE_XML, f"line {line} (document type declaration)") from None
    except ET.ParseError as exc:
        row, column = exc.position
        raise ScheduleFormatError(
            f"malformed XML: {exc.msg}", f"line {row}, column {column}"
        ) from None
    return XmlDocument(root=root, lines=builder.lines)


def parse(document: XmlDocument, *, default_timezone: str | None = None) -> ProgrammeRecord:
    """Turn a parsed schedule.xml (either flavour) into a ProgrammeRecord."""
    root = document.root
    if root.tag != "schedule":
        raise ScheduleFormatError(
            f"expected a <schedule> root element, found <{root.tag}>", "line 1"
        )
    conference = root.find("conference")
    if conference is None:
        raise ScheduleFormatError("missing <conference>", "schedule")
    flavour = _flavour(root)
    zone_name = _zone_name(root, conference, default_timezone, flavour)
    reader = _Reader(document, conference, load_zone(zone_name, "schedule/conference"))
    drafts = [draft for day in root.findall("day") for draft in reader.day(day)]
    return ProgrammeRecord(
        format=flavour,
        title=clean_line(conference.findtext("title")) or "",
        timezone=zone_name,
        talks=finish_talks(drafts, reader.book),
        acronym=clean_line(conference.findtext("acronym")),
        start=_date_of(conference, "start"),
        end=_date_of(conference, "end"),
        url=normalize_url(conference.findtext("url")) or reader.base_url,
        rooms=reader.rooms.as_tuple(),
        tracks=reader.tracks.as_tuple(),
    )


def _flavour(root: ET.Element) -> str:
    """frab/pretalx files have ``<version>``, event guids or ``<date>``; pentabarf has none."""
    if root.find("version") is not None:
        return "frab-xml"
    for event in root.iter("event"):
        if event.get("guid") or event.find("date") is not None:
            return "frab-xml"
    return "pentabarf-xml"


def _zone_name(root: ET.Element, conference: ET.Element, default: str | None, flavour: str) -> str:
    named = clean_line(conference.findtext("time_zone_name"))
    if named:
        return named
    if default:
        return default
    for text in (e.findtext("date") for e in root.iter("event")):
        moment = _try_datetime(text)
        if moment is not None and moment.tzinfo is not None:
            return zone_name_for_offset(moment)
    raise ScheduleFormatError(
        f"this {flavour} file names no timezone; pass default_timezone "
        "(an IANA name such as 'Europe/Brussels')",
        "schedule/conference/time_zone_name",
    )


def _try_datetime(text: str | None) -> datetime | None:
    if not text or len(text.strip()) <= 10:
        return None
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def _date_of(conference: ET.Element, name: str) -> date | None:
    text = clean_line(conference.findtext(name))
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise ScheduleFormatError(str(exc), f"schedule/conference/{name}") from None


@dataclass(frozen=True)
class _DayContext:
    date: date
    rollover: time | None
    label: str


class _Reader:
    """Walks days, rooms and events of one document."""

    def __init__(self, document: XmlDocument, conference: ET.Element, zone: tzinfo) -> None:
        self.document = document
        self.zone = zone
        self.base_url = normalize_url(conference.findtext("base_url"))
        self.book = SpeakerBook()
        self.rooms = OrderedNames()
        self.tracks = TrackList()
        self.day_change = self._clock(conference.findtext("day_change"), "day_change")
        for track in conference.findall("track"):
            self.tracks.declare(clean_line(track.get("name")), clean_color(track.get("color")))

    def _clock(self, text: str | None, name: str) -> time | None:
        if not text or not text.strip():
            return None
        try:
            return parse_clock(text)
        except ValueError as exc:
            raise ScheduleFormatError(str(exc), f"schedule/conference/{name}") from None

    def day(self, day: ET.Element) -> Iterator[Draft]:
        label = f"day {day.get('index') or '?'}"
        try:
            context = _DayContext(parse_date(day.get("date") or ""), self._rollover(day), label)
        except ValueError as exc:
            raise ScheduleFormatError(str(exc), self._where(label, day)) from None
        for room in day.findall("room"):
            room_name = clean_line(room.get("name"))
            self.rooms.add(room_name)
            for event in room.findall("event"):
                location = self._where(
                    f"{label} / room {room_name!r} / event id {event.get('id') or '?'}", event
                )
                yield self._event(event, context, room_name, location)

    def _rollover(self, day: ET.Element) -> time | None:
        """When the day's night ends: ``<day_change>``, else the day's own start time."""
        if self.day_change is not None:
            return self.day_change
        start = day.get("start")
        return parse_datetime(start).time() if start else None

    def _where(self, label: str, element: ET.Element) -> str:
        line = self.document.line(element)
        return f"{label} (line {line})" if line else label

    def _event(self, event: ET.Element, day: _DayContext, room: str | None, location: str) -> Draft:
        try:
            return self._draft(event, day, room, location)
        except ScheduleFormatError:
            raise
        except ValueError as exc:
            raise ScheduleFormatError(str(exc), location) from None

    def _draft(
        self, event: ET.Element, day: _DayContext, room_name: str | None, location: str
    ) -> Draft:
        title = clean_line(event.findtext("title"))
        if not title:
            raise ValueError("event has no title")
        start = self._start(event, day)
        duration = event.findtext("duration")
        if not duration or not duration.strip():
            raise ValueError("event has no <duration>")
        end = start + parse_duration(duration)
        check_span(start, end)
        room = clean_line(event.findtext("room")) or room_name
        track = clean_line(event.findtext("track"))
        self.rooms.add(room)
        self.tracks.use(track)
        talk = TalkRecord(
            key=_event_key(event, title),
            title=title,
            start=start,
            end=end,
            day=day.date,
            source_ref=location,
            code=clean_line(event.get("code")) or clean_line(event.get("id")),
            subtitle=clean_line(event.findtext("subtitle")),
            abstract=clean_text(event.findtext("abstract")),
            description=clean_text(event.findtext("description")),
            room=room,
            track=track,
            type=clean_type(event.findtext("type")),
            language=clean_language(event.findtext("language")),
            url=normalize_url(event.findtext("url"), self.base_url),
            links=link_records(self._links(event), self.base_url),
        )
        return Draft(talk=talk, speaker_keys=self._speakers(event))

    def _start(self, event: ET.Element, day: _DayContext) -> datetime:
        text = event.findtext("date")
        if text and len(text.strip()) > 10:
            return aware(parse_datetime(text), self.zone)
        clock_text = event.findtext("start")
        if not clock_text or not clock_text.strip():
            raise ValueError("event has neither <date> nor <start>: cannot tell when it starts")
        clock = parse_clock(clock_text)
        calendar_day = day.date
        if day.rollover is not None and clock < day.rollover:
            calendar_day += timedelta(days=1)
        return datetime.combine(calendar_day, clock, tzinfo=self.zone)

    @staticmethod
    def _links(event: ET.Element) -> list[dict[str, str | None]]:
        items: list[dict[str, str | None]] = []
        for path in ("links/link", "attachments/attachment"):
            for link in event.findall(path):
                items.append(
                    {"url": link.get("href"), "title": link.text, "type": link.get("type")}
                )
        return items

    def _speakers(self, event: ET.Element) -> tuple[str, ...]:
        keys: list[str] = []
        for person in event.findall("persons/person"):
            name = clean_line(person.text)
            if not name:
                continue
            key = speaker_key(
                guid=person.get("guid"),
                code=person.get("code"),
                ident=person.get("id"),
                name=name,
            )
            keys.append(self.book.add(key, name))
        return tuple(keys)


def _event_key(event: ET.Element, title: str) -> str:
    """guid, else pretalx code, else ``id:<id>``, else ``title:<collapsed title>``."""
    for name, prefix in (("guid", ""), ("code", ""), ("id", "id:")):
        value = clean_line(event.get(name))
        if value:
            return prefix + value
    return f"title:{collapsed_name(title)}"
