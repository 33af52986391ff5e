"""Lenient helpers shared by the schedule importers.

Real schedule files disagree on small things (``"0:30"`` vs ``"00:30:00"`` vs ``"PT30M"``,
links as strings or objects, ``""`` for "unknown", escaped HTML in abstracts). Each quirk is
absorbed here once, so the format modules only walk their structure. Anything that would
make a wrong slot (a time we cannot read, an end before its start) raises ``ValueError``
here and the caller turns it into a ``ScheduleFormatError`` that names the place.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.domain.handles import canonical_network, handle_from_url, normalize_handle
from server.domain.programme import (
    LinkRecord,
    ScheduleFormatError,
    SpeakerRecord,
    TalkRecord,
    TrackRecord,
)

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_HOURS_MINUTES = re.compile(r"(\d+):(\d{2})(?::(\d{2}))?")
_ISO_DURATION = re.compile(
    r"P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)
_HTML_TAG = re.compile(
    r"</?(?:p|br|ul|ol|li|a|em|strong|b|i|u|code|pre|h[1-6]|div|span|blockquote|tt|hr)\b[^>]*>",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "br",
        "div",
        "ul",
        "ol",
        "li",
        "pre",
        "blockquote",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_LIST_GAP = re.compile(r"\n\s*\n(?=- )")

#: Language names some producers write instead of ISO 639-1 codes.
LANGUAGE_NAMES: dict[str, str] = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "dutch": "nl",
    "nederlands": "nl",
    "spanish": "es",
    "español": "es",
    "italian": "it",
    "italiano": "it",
    "portuguese": "pt",
    "português": "pt",
    "russian": "ru",
    "polish": "pl",
    "czech": "cs",
    "swedish": "sv",
    "danish": "da",
    "norwegian": "no",
    "finnish": "fi",
    "japanese": "ja",
    "chinese": "zh",
    "korean": "ko",
}

#: Names of v2 ``service`` values and similar fields mapped to our networks.
SERVICE_NETWORKS: dict[str, str] = {
    "twitter": "x",
    "x": "x",
    "mastodon": "mastodon",
    "bluesky": "bluesky",
    "threads": "threads",
    "linkedin": "linkedin",
}


# --- times -------------------------------------------------------------------------------


def parse_clock(text: str) -> time:
    """Read a wall-clock time: ``"9:05"``, ``"09:05"``, ``"09:05:30"``."""
    match = _CLOCK.fullmatch(text.strip())
    if not match:
        raise ValueError(f"invalid time {text!r}: expected HH:MM or HH:MM:SS")
    hour, minute, second = (int(g) if g else 0 for g in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"invalid time {text!r}: out of range")
    return time(hour, minute, second)


def parse_duration(text: str) -> timedelta:
    """Read a duration: ``"1:30"``, ``"01:30:00"``, ``"PT1H30M"``, ``"P1DT2H"``.

    Hours may exceed 24 (``"55:23"`` exists in the wild). Negative values raise.
    """
    value = text.strip()
    if value.startswith("-"):
        raise ValueError(f"negative duration {text!r}")
    match = _HOURS_MINUTES.fullmatch(value)
    if match:
        hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
        if minutes > 59 or seconds > 59:
            raise ValueError(f"invalid duration {text!r}: minutes/seconds out of range")
        return timedelta(hours=hours, minutes=minutes, seconds=seconds)
    iso = _ISO_DURATION.fullmatch(value)
    if iso and value.upper() not in ("P", "PT") and not value.upper().endswith("T"):
        parts = {k: float(v) if v else 0.0 for k, v in iso.groupdict().items()}
        return timedelta(**parts)
    raise ValueError(f"invalid duration {text!r}: expected H:MM, HH:MM:SS or PT…H…M")


def parse_datetime(text: str) -> datetime:
    """Read an ISO-8601 date-time; may be naive (caller attaches the zone)."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid date-time {text!r}: expected ISO 8601") from None


def parse_date(text: str) -> date:
    """Read ``YYYY-MM-DD`` (a longer ISO date-time is cut to its date)."""
    value = text.strip()
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"invalid date {text!r}: expected YYYY-MM-DD") from None


def aware(moment: datetime, zone: tzinfo) -> datetime:
    """Attach ``zone`` to a naive date-time; leave an aware one alone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def load_zone(name: str, location: str) -> ZoneInfo:
    """Return the IANA zone ``name`` or raise a ScheduleFormatError at ``location``."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ScheduleFormatError(
            f"unknown timezone {name!r}: expected an IANA name such as 'Europe/Berlin'",
            location,
        ) from None


def zone_name_for_offset(moment: datetime) -> str:
    """An IANA name for a fixed offset (``+01:00`` -> ``Etc/GMT-1``), else ``UTC``."""
    offset = moment.utcoffset()
    if offset is None or offset % timedelta(hours=1):
        return "UTC"
    hours = int(offset / timedelta(hours=1))
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{-hours:+d}"


def check_span(start: datetime, end: datetime) -> None:
    """Refuse a slot that ends before it starts."""
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")


# --- text ----------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML fragment, turning block tags into line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n- " if tag == "li" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (tags dropped, entities decoded)."""
    extractor = _TextExtractor()
    extractor.feed(fragment)
    extractor.close()
    return _LIST_GAP.sub("\n", "".join(extractor.parts))


def clean_text(value: object) -> str | None:
    """Trimmed text with normalised newlines; HTML turned into text; ``""`` -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if _HTML_TAG.search(text):
        text = html_to_text(text)
    elif "&" in text:
        text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text or None


def clean_line(value: object) -> str | None:
    """Like :func:`clean_text` but collapsed to one line (titles, names, rooms)."""
    text = clean_text(value)
    return " ".join(text.split()) if text else None


def clean_type(value: object) -> str | None:
    """Session type in lower case (``"TALK"`` -> ``"talk"``); ``""`` -> None."""
    text = clean_line(value)
    return text.casefold() if text else None


def clean_language(value: object) -> str | None:
    """An ISO 639-1 code where we can tell (``"English"`` -> ``"en"``); ``""`` -> None."""
    text = clean_line(value)
    if not text:
        return None
    lowered = text.casefold()
    return LANGUAGE_NAMES.get(lowered, lowered)


def collapsed_name(name: str) -> str:
    """Case-folded name with whitespace collapsed: the speaker key of last resort."""
    return " ".join(name.split()).casefold()


# --- links ---------------------------------------------------------------------------------


def normalize_url(value: object, base_url: str | None = None) -> str | None:
    """An absolute http(s) URL, resolving relative ones against ``base_url``; else None."""
    text = clean_line(value)
    if not text:
        return None
    if base_url and "://" not in text:
        text = urljoin(base_url, text)
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def link_record(item: object, base_url: str | None = None) -> LinkRecord | None:
    """A link from a string URL or an object ``{url|href, title, type}``; junk -> None."""
    if isinstance(item, str):
        url = normalize_url(item, base_url)
        return LinkRecord(url=url) if url else None
    if not isinstance(item, Mapping):
        return None
    url = normalize_url(item.get("url") or item.get("href"), base_url)
    if url is None:
        return None
    kind = clean_type(item.get("type"))
    return LinkRecord(url=url, title=clean_line(item.get("title")), kind=kind)


def link_records(items: Iterable[object], base_url: str | None = None) -> tuple[LinkRecord, ...]:
    """All usable links, first occurrence of each URL kept, file order."""
    seen: set[str] = set()
    out: list[LinkRecord] = []
    for item in items:
        link = link_record(item, base_url)
        if link is not None and link.url not in seen:
            seen.add(link.url)
            out.append(link)
    return tuple(out)


def handles_from_links(items: Iterable[object]) -> dict[str, str]:
    """Social handles found in a person's links (``service`` field or a profile URL).

    Entries whose service and URL disagree, or that do not normalise, are skipped: a
    wrong mention is worse than none.
    """
    found: dict[str, str] = {}
    for item in items:
        url = item if isinstance(item, str) else None
        service: str | None = None
        if isinstance(item, Mapping):
            url = item.get("url") or item.get("href")
            raw_service = item.get("service")
            service = SERVICE_NETWORKS.get(str(raw_service).casefold()) if raw_service else None
        if not isinstance(url, str):
            continue
        handle = _handle_for(service, url)
        if handle is not None:
            found.setdefault(*handle)
    return found


def handles_from_fields(person: Mapping[str, Any]) -> dict[str, str]:
    """Handles from flat person fields such as ``"twitter": "@ada"`` or ``"mastodon"``."""
    found: dict[str, str] = {}
    for name, value in person.items():
        if not isinstance(value, str) or not value.strip():
            continue
        network = SERVICE_NETWORKS.get(name.casefold())
        if network is None:
            continue
        handle = _handle_for(network, value)
        if handle is not None:
            found.setdefault(*handle)
    return found


def _handle_for(network: str | None, value: str) -> tuple[str, str] | None:
    if network is None:
        return handle_from_url(value)
    try:
        return network, normalize_handle(network, value)
    except ValueError:
        return None


def parse_handle_spec(spec: str) -> tuple[str, str]:
    """``"x:@ada"`` or a profile URL -> ``(network, handle)``; ValueError if neither."""
    text = spec.strip()
    network, sep, raw = text.partition(":")
    if sep and not raw.startswith("//"):
        return canonical_network(network), normalize_handle(network, raw)
    found = handle_from_url(text)
    if found is None:
        raise ValueError(f"{text!r} is neither network:handle nor a known profile URL")
    return found


# --- speakers ------------------------------------------------------------------------------


def speaker_key(
    *, guid: object = None, code: object = None, ident: object = None, name: str
) -> str:
    """Person guid, else pretalx code, else ``id:<frab id>``, else ``name:<collapsed>``.

    A placeholder id (``0``) is no identity, so such people fall back to their name.
    """
    for value in (guid, code):
        text = clean_line(value)
        if text:
            return text
    text = clean_line(ident)
    if text and text not in _PLACEHOLDER_IDS:
        return f"id:{text}"
    return f"name:{collapsed_name(name)}"


#: ids some producers write for "no id" (34C3 gives 148 different wiki users id 0).
_PLACEHOLDER_IDS = frozenset({"0", "-1"})


@dataclass
class _Person:
    name: str
    biography: str | None = None
    handles: dict[str, str] = field(default_factory=dict)


class SpeakerBook:
    """Speakers of one file, merged by key so each person has one record."""

    def __init__(self) -> None:
        self._people: dict[str, _Person] = {}

    def add(
        self,
        key: str,
        name: str,
        biography: str | None = None,
        handles: Mapping[str, str] | None = None,
    ) -> str:
        """Record (or complete) a person and return its key."""
        person = self._people.setdefault(key, _Person(name=name))
        if person.biography is None and biography:
            person.biography = biography
        for network, handle in (handles or {}).items():
            person.handles.setdefault(network, handle)
        return key

    def record(self, key: str) -> SpeakerRecord:
        person = self._people[key]
        return SpeakerRecord(
            key=key, name=person.name, handles=dict(person.handles), biography=person.biography
        )


# --- talks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A parsed slot before keys are made unique and speakers resolved."""

    talk: TalkRecord
    speaker_keys: tuple[str, ...] = ()


def finish_talks(drafts: Iterable[Draft], book: SpeakerBook) -> tuple[TalkRecord, ...]:
    """Unique stable keys and merged speakers; an event listed twice raises.

    A key used by several slots gets ``@<start ISO>``; slots that still share it (same
    guid and start, different titles or rooms) get ``#2``, ``#3`` in file order.
    """
    drafts = list(drafts)
    counts = Counter(d.talk.key for d in drafts)
    taken: dict[str, TalkRecord] = {}
    talks: list[TalkRecord] = []
    for draft in drafts:
        talk = draft.talk
        key = talk.key if counts[talk.key] == 1 else f"{talk.key}@{talk.start.isoformat()}"
        if key in taken:
            _refuse_duplicate(taken[key], talk, key)
            key = next(f"{key}#{n}" for n in range(2, len(drafts) + 2) if f"{key}#{n}" not in taken)
        speakers = tuple(book.record(k) for k in dict.fromkeys(draft.speaker_keys))
        final = replace(talk, key=key, speakers=speakers)
        taken[key] = final
        talks.append(final)
    return tuple(talks)


def _refuse_duplicate(first: TalkRecord, second: TalkRecord, key: str) -> None:
    same = (first.title, first.room, first.start, first.end) == (
        second.title,
        second.room,
        second.start,
        second.end,
    )
    if same:
        raise ScheduleFormatError(
            f"duplicate event key {key!r}: the same event is listed twice "
            f"(first at {first.source_ref})",
            second.source_ref,
        )


class OrderedNames:
    """Names in first-seen order, ignoring empties (rooms)."""

    def __init__(self) -> None:
        self._names: dict[str, None] = {}

    def add(self, name: str | None) -> None:
        if name:
            self._names.setdefault(name, None)

    def as_tuple(self) -> tuple[str, ...]:
        return tuple(self._names)


class TrackList:
    """Tracks the file declares (with colours), then those events use, in order."""

    def __init__(self) -> None:
        self._tracks: dict[str, str | None] = {}

    def declare(self, name: str | None, color: str | None) -> None:
        if name and (name not in self._tracks or self._tracks[name] is None):
            self._tracks[name] = color

    def use(self, name: str | None) -> None:
        if name:
            self._tracks.setdefault(name, None)

    def as_tuple(self) -> tuple[TrackRecord, ...]:
        return tuple(TrackRecord(name=n, color=c) for n, c in self._tracks.items())


def clean_color(value: object) -> str | None:
    """``#rrggbb`` (or ``#rgb``) in lower case, else None."""
    text = clean_line(value)
    if text and re.fullmatch(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})", text):
        return text.lower()
    return None


# --- JSON structure ------------------------------------------------------------------------


def as_mapping(value: object, location: str) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else a ScheduleFormatError at ``location``."""
    if not isinstance(value, Mapping):
        raise ScheduleFormatError(f"expected an object, found {_json_kind(value)}", location)
    return value


def as_list(value: object, location: str) -> list[Any]:
    """``value`` if it is a JSON array, else a ScheduleFormatError at ``location``."""
    if not isinstance(value, list):
        raise ScheduleFormatError(f"expected a list, found {_json_kind(value)}", location)
    return value


def optional_list(value: object) -> list[Any]:
    """A list, or ``[]`` for null/missing/other junk (lenient fields such as links)."""
    return value if isinstance(value, list) else []


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def event_label(event: Mapping[str, Any]) -> str:
    """`` (guid …)`` / `` (code …)`` / `` (id …)`` for locations, or ``""``."""
    for name in ("guid", "code", "id"):
        value = event.get(name)
        if value not in (None, ""):
            return f" ({name} {value})"
    return ""


def person_name(person: Mapping[str, Any]) -> str | None:
    """frab says ``public_name``, pretalx and v2 say ``name``."""
    return clean_line(person.get("public_name")) or clean_line(person.get("name"))


def person_handles(person: Mapping[str, Any]) -> dict[str, str]:
    """Handles from a person's ``links``, flat social fields and profile ``url``."""
    handles = handles_from_links(optional_list(person.get("links")))
    for network, handle in handles_from_fields(person).items():
        handles.setdefault(network, handle)
    url = person.get("url")
    found = handle_from_url(url) if isinstance(url, str) else None
    if found is not None:
        handles.setdefault(*found)
    return handles
