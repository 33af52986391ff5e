"""frab/pretalx schedule.json v1 against the real 34C3 and pretalx DemoCon files."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from server.domain.programme import LinkRecord, ProgrammeRecord, ScheduleFormatError, TalkRecord
from server.importers import parse_schedule
from tests.shared_data import schedule_bytes

pytestmark = pytest.mark.unit

CET = timezone(timedelta(hours=1))


@pytest.fixture(scope="module")
def congress() -> ProgrammeRecord:
    return parse_schedule(schedule_bytes("pyfahrplan-34c3-schedule.json"))


@pytest.fixture(scope="module")
def democon() -> ProgrammeRecord:
    return parse_schedule(schedule_bytes("voc-pretalx-democon.json"))


def _by_title(programme: ProgrammeRecord, title: str) -> TalkRecord:
    (talk,) = [t for t in programme.talks if t.title == title]
    return talk


def _raw_34c3_events() -> list[dict[str, Any]]:
    doc = json.loads(schedule_bytes("pyfahrplan-34c3-schedule.json"))
    return [
        event
        for day in doc["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


def test_34c3_every_event_becomes_a_talk(congress: ProgrammeRecord) -> None:
    assert congress.format == "frab-json"
    assert len(congress.talks) == len(_raw_34c3_events()) == 661
    assert len({t.key for t in congress.talks}) == 661


def test_34c3_conference_fields(congress: ProgrammeRecord) -> None:
    assert (congress.title, congress.acronym) == ("34th Chaos Communication Congress", "34c3")
    assert (congress.start, congress.end) == (date(2017, 12, 27), date(2017, 12, 31))
    # no time_zone_name in the file: the zone follows the events' +01:00 offset
    assert congress.timezone == "Etc/GMT-1"
    assert congress.rooms[:4] == ("Saal Adams", "Saal Borg", "Saal Clarke", "Saal Dijkstra")
    assert len(congress.rooms) == 49  # 50 room keys, one of them ""


def test_34c3_zone_from_argument_when_file_has_none() -> None:
    programme = parse_schedule(
        schedule_bytes("pyfahrplan-34c3-schedule.json"), default_timezone="Europe/Berlin"
    )
    assert programme.timezone == "Europe/Berlin"


def test_34c3_opening_matches_file(congress: ProgrammeRecord) -> None:
    talk = _by_title(congress, "Eröffnung: tuwat")
    assert talk.key == "b036385c-ec1a-44e5-ae48-af703ce9b5d3"
    assert talk.start == datetime(2017, 12, 27, 11, 0, tzinfo=CET)
    assert talk.start.utcoffset() == timedelta(hours=1)
    assert talk.end == datetime(2017, 12, 27, 11, 30, tzinfo=CET)
    assert talk.day == date(2017, 12, 27)
    assert (talk.room, talk.track, talk.type, talk.language) == (
        "Saal Adams",
        "CCC",
        "lecture",
        "de",
    )
    assert talk.code == "9292"
    assert talk.url == "https://fahrplan.events.ccc.de/congress/2017/Fahrplan/events/9292.html"
    assert [(s.key, s.name) for s in talk.speakers] == [("id:1817", "Tim Pritlove")]
    assert talk.abstract is not None and talk.abstract.startswith("Daß sich mit Kleinkomputern")
    assert talk.description is not None and "\r" not in talk.description
    assert talk.source_ref == (
        "schedule.conference.days[0].rooms['Saal Adams'][0] "
        "(guid b036385c-ec1a-44e5-ae48-af703ce9b5d3)"
    )


def test_34c3_links_objects_and_relative_attachments(congress: ProgrammeRecord) -> None:
    talk = _by_title(congress, "KRACKing WPA2 by Forcing Nonce Reuse")
    assert talk.start == datetime(2017, 12, 27, 23, 30, tzinfo=CET)
    assert talk.end == datetime(2017, 12, 28, 0, 30, tzinfo=CET)
    assert talk.links == (
        LinkRecord("https://www.krackattacks.com/", "Website about the research"),
        LinkRecord("https://papers.mathyvanhoef.com/ccs2017.pdf", "The research paper"),
        LinkRecord(
            "https://github.com/vanhoefm/krackattacks-scripts", "Vulnerability detection scripts"
        ),
        LinkRecord(
            "https://fahrplan.events.ccc.de/system/event_attachments/attachments/000/003/382/"
            "original/34c3-krack-slides.pdf?1514471832",
            "Slides of presentation at 34c3",
        ),
    )


def test_34c3_string_links(congress: ProgrammeRecord) -> None:
    talk = next(t for t in congress.talks if t.title == "Bitmask/LEAP workshop")
    assert talk.links == (
        LinkRecord("https://leap.se"),
        LinkRecord(
            "https://events.ccc.de/congress/2017/wiki/index.php/Session:Bitmask/LEAP_workshop"
        ),
    )


def test_34c3_after_midnight_belongs_to_previous_day(congress: ProgrammeRecord) -> None:
    talk = _by_title(congress, "Hacker Jeopardy")
    assert talk.start == datetime(2017, 12, 29, 0, 45, tzinfo=CET)
    assert talk.end == datetime(2017, 12, 29, 2, 45, tzinfo=CET)
    assert talk.day == date(2017, 12, 28)
    assert [s.name for s in talk.speakers] == ["Sec", "Ray"]


def test_34c3_repeated_guids_get_start_suffix(congress: ProgrammeRecord) -> None:
    guid = "7b07e29a-77f7-492d-9633-ed5c0fd10b9a"
    keys = sorted(t.key for t in congress.talks if t.key.startswith(guid))
    assert keys == [
        f"{guid}@2017-12-27T17:00:00+01:00",
        f"{guid}@2017-12-28T11:00:00+01:00",
        f"{guid}@2017-12-29T11:00:00+01:00",
        f"{guid}@2017-12-29T17:30:00+01:00",
        f"{guid}@2017-12-29T19:30:00+01:00",
    ]
    repeated = [g for g, n in Counter(e["guid"] for e in _raw_34c3_events()).items() if n > 1]
    assert len(repeated) == 16
    assert not any(t.key in repeated for t in congress.talks)


def test_34c3_same_guid_and_start_get_ordinal(congress: ProgrammeRecord) -> None:
    base = "c1bfe6b4-68b4-40a4-b76b-b88d600286a0@2017-12-27T17:30:00+01:00"
    pair = {t.key: t.title for t in congress.talks if t.key.startswith(base)}
    assert pair == {base: "Bitmask/LEAP workshop", f"{base}#2": "LEAP"}


def test_34c3_keys_are_stable_across_imports(congress: ProgrammeRecord) -> None:
    again = parse_schedule(schedule_bytes("pyfahrplan-34c3-schedule.json"))
    assert [t.key for t in again.talks] == [t.key for t in congress.talks]


def test_34c3_empty_type_language_room_become_none(congress: ProgrammeRecord) -> None:
    raw = _raw_34c3_events()
    assert sum(t.type is None for t in congress.talks) == sum(e["type"] == "" for e in raw) == 67
    assert sum(t.language is None for t in congress.talks) == 57
    assert all(t.room != "" for t in congress.talks)


def test_34c3_placeholder_person_ids_do_not_merge_people(congress: ProgrammeRecord) -> None:
    names_by_key: dict[str, set[str]] = {}
    for talk in congress.talks:
        for speaker in talk.speakers:
            names_by_key.setdefault(speaker.key, set()).add(speaker.name)
    assert all(len(names) == 1 for names in names_by_key.values())
    assert "id:0" not in names_by_key
    assert names_by_key["name:sanpi"] == {"Sanpi"}


def test_34c3_all_times_aware_and_ordered(congress: ProgrammeRecord) -> None:
    for talk in congress.talks:
        assert talk.start.tzinfo is not None and talk.end.tzinfo is not None
        assert talk.end >= talk.start


def test_democon_counts_and_fields(democon: ProgrammeRecord) -> None:
    assert democon.format == "frab-json"
    assert len(democon.talks) == 36
    assert democon.timezone == "UTC"
    assert democon.rooms == ("Gray Room", "Tan Room")
    talk = democon.talks[0]
    assert talk.key == "8079583e-8321-506c-95af-fd2903a5f075"
    assert talk.title == "Focused 5thgeneration hardware"
    assert talk.start == datetime(2020, 12, 14, 9, 0, tzinfo=CET)
    assert talk.end - talk.start == timedelta(minutes=30)
    assert (talk.room, talk.track, talk.type, talk.language) == (
        "Gray Room",
        "Phased",
        "talk",
        "en",
    )
    assert talk.subtitle is None  # "" in the file
    (speaker,) = talk.speakers
    assert (speaker.key, speaker.name) == ("NQTF8Y", "Brian Robinson")
    assert speaker.biography is not None and speaker.biography.startswith("Break through")


def test_democon_same_speaker_same_record(democon: ProgrammeRecord) -> None:
    records: dict[str, set[object]] = {}
    for talk in democon.talks:
        for speaker in talk.speakers:
            records.setdefault(speaker.key, set()).add(
                (speaker.name, speaker.biography, tuple(sorted(speaker.handles.items())))
            )
    assert records and all(len(r) == 1 for r in records.values())


# --- strictness ----------------------------------------------------------------------------


def _v1(event: dict[str, Any], **conference: Any) -> bytes:
    base_event = {
        "guid": "g-1",
        "id": 1,
        "date": "2025-03-05T09:00:00+01:00",
        "start": "09:00",
        "duration": "00:30",
        "room": "Hall A",
        "title": "Keynote",
        "persons": [],
        "links": [],
    }
    doc = {
        "schedule": {
            "version": "1",
            "conference": {
                "title": "MedConf",
                "acronym": "medconf",
                "time_zone_name": "Europe/Berlin",
                **conference,
                "days": [
                    {
                        "index": 1,
                        "date": "2025-03-05",
                        "rooms": {"Hall A": [{**base_event, **event}]},
                    }
                ],
            },
        }
    }
    return json.dumps(doc).encode()


EVENT_AT = "schedule.conference.days[0].rooms['Hall A'][0] (guid g-1)"


def test_minimal_v1_document_parses() -> None:
    (talk,) = parse_schedule(_v1({})).talks
    assert (talk.key, talk.title, talk.day) == ("g-1", "Keynote", date(2025, 3, 5))
    assert talk.end == datetime(2025, 3, 5, 9, 30, tzinfo=CET)


def test_start_from_start_field_without_date() -> None:
    (talk,) = parse_schedule(_v1({"date": None, "start": "10:15"})).talks
    assert talk.start.isoformat() == "2025-03-05T10:15:00+01:00"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"title": "  "}, "event has no title"),
        ({"title": None}, "event has no title"),
        ({"date": None, "start": None}, "cannot tell when it starts"),
        ({"date": "2025-13-05T09:00:00+01:00"}, "invalid date-time"),
        ({"date": None, "start": "9h"}, "invalid time '9h'"),
        ({"duration": "half an hour"}, "invalid duration 'half an hour'"),
        ({"duration": "-0:30"}, "negative duration"),
        ({"duration": None}, "neither 'end' nor 'duration'"),
        ({"end": "2025-03-05T08:00:00+01:00"}, "is before start"),
    ],
)
def test_strict_event_errors_name_the_event(event: dict[str, Any], message: str) -> None:
    with pytest.raises(ScheduleFormatError, match=message) as info:
        parse_schedule(_v1(event))
    assert info.value.location == EVENT_AT


def test_invalid_timezone_in_file() -> None:
    with pytest.raises(ScheduleFormatError, match="unknown timezone 'Mars/Olympus'") as info:
        parse_schedule(_v1({}, time_zone_name="Mars/Olympus"))
    assert info.value.location == "schedule.conference.time_zone_name"


def test_event_listed_twice_is_refused() -> None:
    event = {
        "guid": "g-1",
        "id": 1,
        "date": "2025-03-05T09:00:00+01:00",
        "duration": "0:30",
        "room": "Hall A",
        "title": "Keynote",
    }
    doc = {
        "schedule": {
            "conference": {
                "time_zone_name": "UTC",
                "days": [{"date": "2025-03-05", "rooms": {"Hall A": [event, event]}}],
            }
        }
    }
    with pytest.raises(ScheduleFormatError, match="listed twice") as info:
        parse_schedule(json.dumps(doc).encode())
    assert info.value.location == "schedule.conference.days[0].rooms['Hall A'][1] (guid g-1)"


def test_rooms_must_be_an_object() -> None:
    doc = {"schedule": {"conference": {"days": [{"date": "2025-03-05", "rooms": []}]}}}
    with pytest.raises(ScheduleFormatError, match="expected an object, found a list") as info:
        parse_schedule(json.dumps(doc).encode(), default_timezone="UTC")
    assert info.value.location == "schedule.conference.days[0].rooms"


def test_person_links_and_social_fields_become_handles() -> None:
    persons = [
        {
            "code": "ADA1",
            "name": "Ada",
            "twitter": "@ada",
            "links": [{"url": "https://med.social/@ada", "title": "Mastodon"}],
        }
    ]
    (talk,) = parse_schedule(_v1({"persons": persons})).talks
    assert talk.speakers[0].handles == {"mastodon": "ada@med.social", "x": "ada"}
