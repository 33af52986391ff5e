"""iCalendar (RFC 5545) for a personal agenda and for single sessions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from server.clock import now
from server.models import Conference, Talk, Tweetup

PRODID = "-//Backchannel//Programme//EN"


def _uid(talk: Talk, domain: str) -> str:
    return f"session-{talk.id}@{domain}"


def build_calendar(
    talks: Iterable[tuple[Talk, Conference]],
    *,
    name: str,
    public_url: str,
    tweetups: Iterable[tuple[Tweetup, Conference, str]] = (),
) -> bytes:
    """A VCALENDAR with one VEVENT per session (and per tweetup I RSVP'd to), times in the
    conference's zone with VTIMEZONE."""
    domain = public_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "backchannel"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = now()
    for talk, conference in talks:
        tz = ZoneInfo(conference.timezone)
        event = Event()
        event.add("uid", _uid(talk, domain))
        event.add("dtstamp", stamp)
        event.add("dtstart", _local(talk.start_at, tz))
        event.add("dtend", _local(talk.end_at, tz))
        event.add("summary", f"{talk.title} #{talk.tag}")
        event.add("sequence", talk.revision)
        event.add("last-modified", talk.updated_at)
        if talk.room:
            event.add("location", talk.room.name)
        event.add("url", f"{public_url}/sessions/{talk.id}")
        names = ", ".join(ts.speaker.name for ts in talk.talk_speakers)
        lines = [f"{conference.title}" + (f" #{conference.hashtag}" if conference.hashtag else "")]
        if names:
            lines.append(f"Speakers: {names}")
        if talk.abstract:
            lines.append("")
            lines.append(talk.abstract)
        event.add("description", "\n".join(lines))
        if talk.track:
            event.add("categories", [talk.track.name])
        event.add("status", "CANCELLED" if talk.status == "cancelled" else "CONFIRMED")
        cal.add_component(event)
    for tweetup, conference, rsvp in tweetups:
        cal.add_component(_tweetup_event(tweetup, conference, rsvp, domain, public_url, stamp))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _local(when: datetime, tz: ZoneInfo) -> datetime:
    return when.astimezone(tz)


def _tweetup_event(
    tweetup: Tweetup, conference: Conference, rsvp: str, domain: str, public_url: str,
    stamp: datetime,
) -> Event:
    """A tweetup: TENTATIVE while I am "maybe" or on the waitlist, CANCELLED when it is."""
    tz = ZoneInfo(conference.timezone)
    event = Event()
    event.add("uid", f"tweetup-{tweetup.id}@{domain}")
    event.add("dtstamp", stamp)
    event.add("dtstart", _local(tweetup.start_at, tz))
    event.add("dtend", _local(tweetup.end_at, tz))
    tag = f" #{tweetup.hashtag}" if tweetup.hashtag else ""
    event.add("summary", f"Tweetup: {tweetup.title}{tag}")
    event.add("sequence", tweetup.revision)
    event.add("last-modified", tweetup.updated_at)
    event.add("location", tweetup.place)
    event.add("url", f"{public_url}/tweetups/{tweetup.id}")
    lines = [conference.title, f"My RSVP: {rsvp.replace('_', ' ')}"]
    if tweetup.description:
        lines += ["", tweetup.description]
    event.add("description", "\n".join(lines))
    event.add("categories", ["Tweetup"])
    if tweetup.cancelled or tweetup.hidden:
        status = "CANCELLED"
    else:
        status = "CONFIRMED" if rsvp == "going" else "TENTATIVE"
    event.add("status", status)
    return event
