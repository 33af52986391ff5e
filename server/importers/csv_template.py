"""Backchannel's own CSV programme template (see ``docs/import.md``).

For conferences without frab or pretalx: organisers keep the programme in a spreadsheet,
so the template follows spreadsheet habits — a header row in any column order, comma or
semicolon (or tab) delimiters, UTF-8 with or without a BOM. Speakers carry their handles
inline (``Ada Lovelace (x:@ada; mastodon:@ada@med.social) | Grace Hopper``). Because a
person typed it, handles and times are checked strictly and errors name
``line 14, column 'start'``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TypeVar

from server.domain.programme import LinkRecord, ProgrammeRecord, ScheduleFormatError, TalkRecord
from server.importers._common import (
    Draft,
    OrderedNames,
    SpeakerBook,
    TrackList,
    clean_language,
    clean_line,
    clean_text,
    clean_type,
    collapsed_name,
    finish_talks,
    load_zone,
    normalize_url,
    parse_clock,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_handle_spec,
    speaker_key,
)

T = TypeVar("T")

FORMAT = "csv"
DELIMITERS = (",", ";", "\t")

#: Template columns; only ``title``, ``start`` and one of ``end``/``duration`` are required.
COLUMNS = (
    "code",
    "title",
    "subtitle",
    "date",
    "day",
    "start",
    "end",
    "duration",
    "room",
    "track",
    "type",
    "language",
    "abstract",
    "description",
    "url",
    "speakers",
    "links",
)
_ALIASES = {
    "id": "code",
    "session": "title",
    "speaker": "speakers",
    "link": "links",
    "summary": "abstract",
    "location": "room",
    "lang": "language",
    "length": "duration",
}
_SPEAKER = re.compile(r"(?P<name>[^()]*?)\s*(?:\((?P<handles>[^()]*)\))?\s*")
_LINK = re.compile(r"(?P<title>.*?)[\s:\-\u2013]*(?P<url>https?://\S+)\s*", re.IGNORECASE)


def header_columns(text: str) -> tuple[str, list[str]] | None:
    """The delimiter and normalised column names if ``text`` starts with our header."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    for delimiter in DELIMITERS:
        names = [_column_name(c) for c in next(csv.reader([first_line], delimiter=delimiter))]
        if "title" in names and "start" in names:
            return delimiter, names
    return None


def _column_name(raw: str) -> str:
    name = re.sub(r"[\s_\-]+", "_", raw.strip().casefold())
    return _ALIASES.get(name, name)


def parse(text: str, *, default_timezone: str | None = None) -> ProgrammeRecord:
    """Turn the CSV template into a ProgrammeRecord (all times in ``default_timezone``)."""
    found = header_columns(text)
    if found is None:
        raise ScheduleFormatError(
            "the CSV header must name at least the columns 'title' and 'start'", "line 1"
        )
    delimiter, names = found
    _check_columns(names)
    if not default_timezone:
        raise ScheduleFormatError(
            "a CSV programme has no timezone; pass default_timezone "
            "(an IANA name such as 'Europe/Berlin')",
            "default_timezone argument",
        )
    zone = load_zone(default_timezone, "default_timezone argument")
    reader = _Reader(zone)
    drafts = [reader.row(row) for row in _rows(text.lstrip("\ufeff"), delimiter, names)]
    if not drafts:
        raise ScheduleFormatError("the CSV file has a header but no sessions", "line 2")
    talks = finish_talks(drafts, reader.book)
    return ProgrammeRecord(
        format=FORMAT,
        title="",
        timezone=default_timezone,
        talks=talks,
        start=min(t.day for t in talks),
        end=max(t.day for t in talks),
        rooms=reader.rooms.as_tuple(),
        tracks=reader.tracks.as_tuple(),
    )


def _check_columns(names: list[str]) -> None:
    duplicates = sorted({n for n in names if n and names.count(n) > 1})
    if duplicates:
        raise ScheduleFormatError(f"column {duplicates[0]!r} appears twice", "line 1")
    if "end" not in names and "duration" not in names:
        raise ScheduleFormatError("the CSV header needs an 'end' or a 'duration' column", "line 1")


@dataclass(frozen=True)
class _Row:
    line: int
    values: Mapping[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def where(self, column: str) -> str:
        return f"line {self.line}, column {column!r}"


def _rows(text: str, delimiter: str, names: list[str]) -> Iterator[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
                raise ScheduleFormatError(
                    f"{len(cells)} cells but the header has {len(names)} columns",
                    f"line {line}",
                )
            yield _Row(line, dict(zip(names, cells, strict=False)))
        line = reader.line_num + 1


class _Reader:
    """Turns rows into drafts, collecting rooms, tracks and speakers."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.book = SpeakerBook()
        self.rooms = OrderedNames()
        self.tracks = TrackList()

    def row(self, row: _Row) -> Draft:
        title = clean_line(row.get("title"))
        if not title:
            raise ScheduleFormatError("missing title", row.where("title"))
        start = self._start(row)
        end = self._end(row, start)
        day = _field(row, "day", parse_date) if row.get("day") else start.date()
        room, track = clean_line(row.get("room")), clean_line(row.get("track"))
        self.rooms.add(room)
        self.tracks.use(track)
        code = clean_line(row.get("code"))
        talk = TalkRecord(
            key=code or f"title:{collapsed_name(title)}",
            title=title,
            start=start,
            end=end,
            day=day,
            source_ref=f"line {row.line}",
            code=code,
            subtitle=clean_line(row.get("subtitle")),
            abstract=clean_text(row.get("abstract")),
            description=clean_text(row.get("description")),
            room=room,
            track=track,
            type=clean_type(row.get("type")),
            language=clean_language(row.get("language")),
            url=self._url(row),
            links=_links(row),
        )
        return Draft(talk=talk, speaker_keys=self._speakers(row))

    def _start(self, row: _Row) -> datetime:
        raw = row.get("start")
        if not raw:
            raise ScheduleFormatError("missing start time", row.where("start"))
        if len(raw) > 8:
            return self._moment(row, "start")
        if not row.get("date"):
            raise ScheduleFormatError(
                "a start time needs a 'date' (or write the start as 2025-03-01T09:30)",
                row.where("date"),
            )
        day = _field(row, "date", parse_date)
        return datetime.combine(day, _field(row, "start", parse_clock), tzinfo=self.zone)

    def _moment(self, row: _Row, column: str) -> datetime:
        moment = _field(row, column, parse_datetime)
        return moment if moment.tzinfo else moment.replace(tzinfo=self.zone)

    def _end(self, row: _Row, start: datetime) -> datetime:
        raw_end = row.get("end")
        if raw_end:
            if len(raw_end) > 8:
                end = self._moment(row, "end")
            else:
                clock = _field(row, "end", parse_clock)
                local = start.astimezone(self.zone)
                end = datetime.combine(local.date(), clock, tzinfo=self.zone)
            if end < start:
                raise ScheduleFormatError(
                    f"end {raw_end} is before start {row.get('start')} "
                    "(for a session past midnight give a duration)",
                    row.where("end"),
                )
            return end
        if row.get("duration"):
            return start + _field(row, "duration", _minutes_or_duration)
        raise ScheduleFormatError("missing end or duration", row.where("end"))

    def _url(self, row: _Row) -> str | None:
        raw = row.get("url")
        url = normalize_url(raw)
        if raw and url is None:
            raise ScheduleFormatError(f"not an http(s) URL: {raw!r}", row.where("url"))
        return url

    def _speakers(self, row: _Row) -> tuple[str, ...]:
        keys: list[str] = []
        for entry in _split(row.get("speakers")):
            match = _SPEAKER.fullmatch(entry)
            name = clean_line(match.group("name")) if match else None
            if match is None or not name:
                raise ScheduleFormatError(
                    f"cannot read speaker {entry!r}: expected 'Name (network:handle; …)'",
                    row.where("speakers"),
                )
            handles: dict[str, str] = {}
            for spec in (match.group("handles") or "").split(";"):
                if spec.strip():
                    try:
                        network, handle = parse_handle_spec(spec)
                    except ValueError as exc:
                        raise ScheduleFormatError(str(exc), row.where("speakers")) from None
                    handles[network] = handle
            key = speaker_key(name=name)
            keys.append(self.book.add(key, name, handles=handles))
        return tuple(keys)


def _links(row: _Row) -> tuple[LinkRecord, ...]:
    links: list[LinkRecord] = []
    for entry in _split(row.get("links")):
        match = _LINK.fullmatch(entry)
        url = normalize_url(match.group("url")) if match else None
        if match is None or url is None:
            raise ScheduleFormatError(
                f"cannot read link {entry!r}: expected 'Title https://…' or a URL",
                row.where("links"),
            )
        title = clean_line(match.group("title"))
        kind = title.casefold() if title and title.casefold() in _LINK_KINDS else None
        if all(link.url != url for link in links):
            links.append(LinkRecord(url=url, title=title, kind=kind))
    return tuple(links)


_LINK_KINDS = frozenset(
    {"slides", "paper", "web", "blog", "article", "media", "video", "recording", "related", "code"}
)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def _minutes_or_duration(text: str) -> timedelta:
    """``90`` (minutes), ``1:30`` or ``PT1H30M``."""
    value = text.strip()
    if value.isdigit():
        return timedelta(minutes=int(value))
    return parse_duration(value)


def _field(row: _Row, column: str, reader: Callable[[str], T]) -> T:
    try:
        return reader(row.get(column))
    except ValueError as exc:
        raise ScheduleFormatError(str(exc), row.where(column)) from None
