"""schedule v2 JSON (38C3 hub sample): flat events, references, social services."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from server.domain.programme import LinkRecord, ProgrammeRecord, ScheduleFormatError, TrackRecord
from server.importers import parse_schedule
from tests.shared_data import schedule_bytes

pytestmark = pytest.mark.unit

CET = timezone(timedelta(hours=1))


@pytest.fixture(scope="module")
def hub() -> ProgrammeRecord:
    return parse_schedule(schedule_bytes("voc-hub-schedule2.json"))


def test_hub_conference(hub: ProgrammeRecord) -> None:
    assert hub.format == "schedule-v2-json"
    assert (hub.title, hub.acronym, hub.timezone) == ("38C3", "38c3", "Europe/Berlin")
    assert (hub.start, hub.end) == (date(2024, 12, 27), date(2024, 12, 30))
    assert len(hub.talks) == 2
    assert hub.rooms == ("Saal 1", "Saal GLITCH", "Saal ZIGZAG", "Stage HUFF", "Stage YELL")
    assert hub.tracks[0] == TrackRecord("Art & Beauty", "#f9b000")
    assert hub.tracks[-1] == TrackRecord("CCC", "#f2f006")


def test_hub_opening(hub: ProgrammeRecord) -> None:
    talk = hub.talks[0]
    assert talk.key == "270fa44c-821a-577f-8ca3-33e8d4a8c2a7"
    assert talk.code == "HQCCYH"
    assert talk.title == "38C3: Opening Ceremony"
    assert talk.start == datetime(2024, 12, 27, 10, 30, tzinfo=CET)
    assert talk.end == datetime(2024, 12, 27, 11, 0, tzinfo=CET)
    assert talk.day == date(2024, 12, 27)
    assert (talk.room, talk.track, talk.type, talk.language) == ("Saal 1", "CCC", "other", "en")
    assert talk.links == (
        LinkRecord("https://example.net/", "foo bar"),
        LinkRecord(
            "https://fahrplan.events.ccc.de/congress/2024/fahrplan/talk/HQCCYH/", kind="origin"
        ),
        LinkRecord(
            "https://fahrplan.events.ccc.de/congress/2024/fahrplan/talk/HQCCYH/feedback/",
            kind="feedback",
        ),
        LinkRecord("https://example.net/foo/bar/1235.pdf", kind="slides"),
    )
    assert [s.name for s in talk.speakers] == ["Gabriela Bogk", "Aline Blankertz", "Senficon"]


def test_hub_speaker_handles_from_person_links(hub: ProgrammeRecord) -> None:
    gabriela = hub.talks[0].speakers[0]
    assert gabriela.key == "0c16ffaa-709d-599f-959f-9a38b911361a"
    # service MASTODON + https://example.net/@handle/123456 -> handle@example.net
    assert gabriela.handles == {"mastodon": "handle@example.net"}
    assert gabriela.biography is not None and gabriela.biography.startswith("Gabriela, the hacker")


def test_hub_service_that_contradicts_url_is_ignored(hub: ProgrammeRecord) -> None:
    # service BLUESKY but a Mastodon-style URL: no safe Bluesky handle to mention
    (sebastian,) = hub.talks[1].speakers
    assert sebastian.name == "Sebastian Schwarz"
    assert sebastian.handles == {}


def test_hub_after_midnight_belongs_to_previous_day(hub: ProgrammeRecord) -> None:
    talk = hub.talks[1]
    assert talk.start == datetime(2024, 12, 28, 0, 15, tzinfo=CET)
    assert talk.end - talk.start == timedelta(minutes=40)
    assert talk.day == date(2024, 12, 27)
    assert talk.room == "Saal ZIGZAG"  # room given by name+guid
    assert talk.track == "Hardware & Making"  # track given by slug only
    assert talk.subtitle == "Most Wanted Using Deep Reinforcement Learning"


def _v2(event: dict[str, Any], persons: list[dict[str, Any]] | None = None) -> bytes:
    base = {
        "guid": "e-1",
        "title": "Talk",
        "start": "2025-03-05T09:00:00+01:00",
        "duration": "PT45M",
        "room": "Hall A",
    }
    doc = {
        "schedule": {
            "version": "1",
            "conference": {"time_zone_name": "Europe/Paris"},
            "events": [{**base, **event}],
            "persons": persons or [],
        }
    }
    return json.dumps(doc).encode()


def test_duration_iso_and_participant_services() -> None:
    persons = [
        {
            "guid": "p-1",
            "name": "Ada",
            "links": [
                {"url": "https://bsky.app/profile/ada.example.org", "service": "BLUESKY"},
                {"url": "@ada", "service": "TWITTER"},
                {"url": "https://www.threads.net/@ada.l", "service": "THREADS"},
                {"url": "https://instagram.com/ada", "service": "INSTAGRAM"},
            ],
        }
    ]
    (talk,) = parse_schedule(_v2({"participants": [{"guid": "p-1", "name": "Ada"}]}, persons)).talks
    assert talk.end == datetime(2025, 3, 5, 9, 45, tzinfo=CET)
    assert talk.speakers[0].handles == {
        "bluesky": "ada.example.org",
        "x": "ada",
        "threads": "ada.l",
    }


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"title": ""}, "event has no title"),
        ({"start": None}, "cannot tell when it starts"),
        ({"start": "yesterday"}, "invalid date-time 'yesterday'"),
        ({"duration": "PT-5M"}, "invalid duration"),
        ({"duration": None}, "neither 'end' nor 'duration'"),
        ({"end": "2025-03-05T08:59:00+01:00"}, "is before start"),
    ],
)
def test_strict_event_errors(event: dict[str, Any], message: str) -> None:
    with pytest.raises(ScheduleFormatError, match=message) as info:
        parse_schedule(_v2(event))
    assert info.value.location == "schedule.events[0] (guid e-1)"


def test_events_must_be_objects() -> None:
    doc = {"schedule": {"conference": {"time_zone_name": "UTC"}, "events": ["talk"]}}
    with pytest.raises(ScheduleFormatError, match="expected an object, found a string") as info:
        parse_schedule(json.dumps(doc).encode())
    assert info.value.location == "schedule.events[0]"
