"""Value objects for a conference programme, independent of where it came from.

Importers turn a schedule file (frab/pretalx JSON, schedule v2 JSON, frab or pentabarf XML,
the CSV template) into a :class:`ProgrammeRecord`; the import service diffs it against the
database. Nothing here knows about Flask or SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

#: Social-media policies an organizer can set on a session.
POLICIES: tuple[str, ...] = ("open", "no_photos", "opted_out", "embargoed")

#: The networks Backchannel knows handles for, in display order.
NETWORKS: tuple[str, ...] = ("x", "bluesky", "mastodon", "threads", "linkedin")


class ScheduleFormatError(ValueError):
    """A schedule file that cannot be imported without corrupting data.

    ``location`` names the place in the file (``"day 2 / room 'Saal 1' / event 3 (id 1234)"``,
    ``"line 14"``, ``"$.schedule.conference.days"``) so a person can find and fix it.
    """

    def __init__(self, message: str, location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.message} (at {self.location})" if self.location else self.message


@dataclass(frozen=True)
class SpeakerRecord:
    """A person on the programme.

    ``key`` identifies the person within the file (guid, code or id; else the
    case-folded name) so re-imports update the same speaker. ``handles`` maps a network of
    :data:`NETWORKS` to the normalised handle (see ``server.domain.handles``).
    """

    key: str
    name: str
    handles: dict[str, str] = field(default_factory=dict)
    biography: str | None = None


@dataclass(frozen=True)
class LinkRecord:
    url: str
    title: str | None = None
    kind: str | None = None  # slides, paper, web, video, ... as the file says, lower case


@dataclass(frozen=True)
class TalkRecord:
    """One scheduled slot of a session ("Talk" in code; "session" in the UI).

    ``key`` is stable across re-imports of the same programme: the event guid, suffixed
    with the slot's start when the file reuses a guid for several slots.
    ``start``/``end`` are timezone-aware. ``day`` is the conference day the slot belongs
    to (a 01:00 slot after a late evening belongs to the previous day when the file says
    so). ``source_ref`` names the place in the file for messages.
    """

    key: str
    title: str
    start: datetime
    end: datetime
    day: date
    source_ref: str
    code: str | None = None
    subtitle: str | None = None
    abstract: str | None = None
    description: str | None = None
    room: str | None = None
    track: str | None = None
    type: str | None = None
    language: str | None = None
    url: str | None = None
    speakers: tuple[SpeakerRecord, ...] = ()
    links: tuple[LinkRecord, ...] = ()


@dataclass(frozen=True)
class TrackRecord:
    name: str
    color: str | None = None


@dataclass(frozen=True)
class ProgrammeRecord:
    """A whole parsed programme. ``timezone`` is an IANA name (``Europe/Berlin``)."""

    format: str  # "frab-json", "schedule-v2-json", "frab-xml", "pentabarf-xml", "csv"
    title: str
    timezone: str
    talks: tuple[TalkRecord, ...]
    acronym: str | None = None
    start: date | None = None
    end: date | None = None
    url: str | None = None
    rooms: tuple[str, ...] = ()
    tracks: tuple[TrackRecord, ...] = ()


def shift_days(record: ProgrammeRecord, days: int) -> ProgrammeRecord:
    """The same programme ``days`` later, keeping local wall-clock times across DST changes."""
    if days == 0:
        return record
    tz = ZoneInfo(record.timezone)
    delta = timedelta(days=days)

    def move(when: datetime) -> datetime:
        return when.astimezone(tz) + delta

    talks = tuple(
        replace(t, start=move(t.start), end=move(t.end), day=t.day + delta) for t in record.talks
    )
    return replace(
        record,
        talks=talks,
        start=record.start + delta if record.start else None,
        end=record.end + delta if record.end else None,
    )
