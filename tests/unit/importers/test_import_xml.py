"""schedule.xml: pentabarf (real FOSDEM 2010 file) and frab/pretalx flavour, parsed safely."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from server.domain.programme import LinkRecord, ProgrammeRecord, ScheduleFormatError
from server.importers import parse_schedule
from server.importers.frab_xml import UNSAFE_XML
from tests.shared_data import schedule_bytes

pytestmark = pytest.mark.unit

BRUSSELS = ZoneInfo("Europe/Brussels")
FOSDEM = "confclerk-fosdem2010-pentabarf.xml"


@pytest.fixture(scope="module")
def fosdem() -> ProgrammeRecord:
    return parse_schedule(schedule_bytes(FOSDEM), default_timezone="Europe/Brussels")


def test_fosdem_every_event(fosdem: ProgrammeRecord) -> None:
    root = ET.fromstring(schedule_bytes(FOSDEM))  # trusted fixture, only for counting
    assert len(fosdem.talks) == len(root.findall("day/room/event")) == 300
    assert fosdem.format == "pentabarf-xml"
    assert (fosdem.title, fosdem.timezone) == ("FOSDEM 2010", "Europe/Brussels")
    assert (fosdem.start, fosdem.end) == (date(2010, 2, 6), date(2010, 2, 7))
    assert Counter(t.day for t in fosdem.talks) == {date(2010, 2, 6): 124, date(2010, 2, 7): 176}
    assert len(fosdem.rooms) == 22 and fosdem.rooms[:3] == ("Janson", "Chavanne", "Ferrer")
    assert len({t.key for t in fosdem.talks}) == 300


def test_fosdem_systemtap_matches_file(fosdem: ProgrammeRecord) -> None:
    (talk,) = [t for t in fosdem.talks if t.key == "id:809"]
    assert talk.title == "What is my system doing - Full System Observability with SystemTap"
    assert talk.start == datetime(2010, 2, 6, 14, 0, tzinfo=BRUSSELS)
    assert talk.start.utcoffset() == timedelta(hours=1)
    assert talk.end == datetime(2010, 2, 6, 14, 45, tzinfo=BRUSSELS)
    assert (talk.room, talk.track, talk.type, talk.language) == (
        "Janson",
        "Monitoring",
        "podium",
        "en",
    )
    assert [(s.key, s.name) for s in talk.speakers] == [("id:194", "Mark Wielaard")]
    assert talk.links == (LinkRecord("http://sourceware.org/systemtap/", "Homepage"),)
    assert talk.source_ref == "day 1 / room 'Janson' / event id 809 (line 90)"


def test_fosdem_escaped_html_becomes_text(fosdem: ProgrammeRecord) -> None:
    (talk,) = [t for t in fosdem.talks if t.key == "id:853"]
    assert talk.title == "Wt::Dbo: a C++ ORM (Object Relational Mapping) library"
    assert talk.day == date(2010, 2, 7)
    assert talk.description is not None
    assert "<li>" not in talk.description and "&lt;" not in talk.description
    assert "following functionality:\n- Automatic schema creation\n- Mapping of 1-N" in (
        talk.description
    )


def test_fosdem_needs_a_timezone() -> None:
    with pytest.raises(ScheduleFormatError, match="pass default_timezone") as info:
        parse_schedule(schedule_bytes(FOSDEM))
    assert info.value.location == "schedule/conference/time_zone_name"


def test_fosdem_invalid_default_timezone() -> None:
    with pytest.raises(ScheduleFormatError, match="unknown timezone 'Europe/Bruxelles'") as info:
        parse_schedule(schedule_bytes(FOSDEM), default_timezone="Europe/Bruxelles")
    assert info.value.location == "default_timezone argument"


PENTABARF_NIGHT = b"""<?xml version="1.0"?>
<schedule>
 <conference><title>Night</title><day_change>06:00</day_change></conference>
 <day date="2025-03-05" index="1">
  <room name="Bar">
   <event id="7"><start>23:30</start><duration>01:00</duration><title>Late</title></event>
   <event id="8"><start>01:15</start><duration>00:45</duration><title>Later</title></event>
  </room>
 </day>
</schedule>
"""


def test_pentabarf_day_change_moves_night_slots_to_next_calendar_day() -> None:
    late, later = parse_schedule(PENTABARF_NIGHT, default_timezone="Europe/Brussels").talks
    assert late.start == datetime(2025, 3, 5, 23, 30, tzinfo=BRUSSELS)
    assert late.end == datetime(2025, 3, 6, 0, 30, tzinfo=BRUSSELS)
    assert later.start == datetime(2025, 3, 6, 1, 15, tzinfo=BRUSSELS)
    assert later.day == late.day == date(2025, 3, 5)
    assert later.room == "Bar"


FRAB_XML = """<?xml version="1.0" encoding="utf-8"?>
<schedule>
  <version>1.0</version>
  <conference>
    <title>MedConf 2025</title><acronym>medconf25</acronym>
    <start>2025-03-05</start><end>2025-03-06</end>
    <time_zone_name>Europe/Berlin</time_zone_name>
    <base_url>https://pretalx.example.org/medconf25/</base_url>
    <track name="Imaging" color="#1A2B3C"/>
  </conference>
  <day index="1" date="2025-03-05" start="2025-03-05T06:00:00+01:00"
       end="2025-03-06T05:59:00+01:00">
    <room name="Hall A" guid="1f0e8d12-0000-4000-8000-000000000001">
      <event guid="2f0e8d12-0000-4000-8000-000000000002" id="42" code="AB12CD">
        <date>2025-03-05T09:00:00+01:00</date><start>09:00</start><duration>00:45</duration>
        <room>Hall A</room><slug>medconf25-42-ai</slug><title>AI &amp; imaging</title>
        <subtitle/><track>Imaging</track><type>Talk</type><language>en</language>
        <abstract>Short &lt;b&gt;abstract&lt;/b&gt;</abstract><description/>
        <url>https://pretalx.example.org/medconf25/talk/AB12CD/</url>
        <persons><person id="5" guid="3f0e8d12-0000-4000-8000-000000000003">Ada Lovelace</person>
        </persons>
        <links><link href="/media/slides.pdf" type="slides">Slides</link></links>
        <attachments><attachment href="https://example.org/paper.pdf">Paper</attachment>
        </attachments>
      </event>
    </room>
  </day>
</schedule>
"""


def test_frab_xml_flavour() -> None:
    programme = parse_schedule(FRAB_XML.encode())
    assert programme.format == "frab-xml"
    assert (programme.title, programme.acronym, programme.timezone) == (
        "MedConf 2025",
        "medconf25",
        "Europe/Berlin",
    )
    assert programme.tracks[0].color == "#1a2b3c"
    (talk,) = programme.talks
    assert talk.key == "2f0e8d12-0000-4000-8000-000000000002"
    assert (talk.code, talk.title, talk.type) == ("AB12CD", "AI & imaging", "talk")
    assert talk.start == datetime(2025, 3, 5, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert talk.end - talk.start == timedelta(minutes=45)
    assert talk.abstract == "Short abstract"
    assert talk.subtitle is None
    assert talk.speakers[0].key == "3f0e8d12-0000-4000-8000-000000000003"
    assert talk.links == (
        LinkRecord("https://pretalx.example.org/media/slides.pdf", "Slides", "slides"),
        LinkRecord("https://example.org/paper.pdf", "Paper"),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("<title>AI &amp; imaging</title>", "<title></title>"), "event has no title"),
        (("<duration>00:45</duration>", "<duration>-00:45</duration>"), "negative duration"),
        (("<duration>00:45</duration>", "<duration>soon</duration>"), "invalid duration"),
        (
            ("<date>2025-03-05T09:00:00+01:00</date><start>09:00</start>", ""),
            "cannot tell when it starts",
        ),
        (
            ("<date>2025-03-05T09:00:00+01:00</date>", "<date>2025-03-05T25:00:00</date>"),
            "invalid date-time",
        ),
    ],
)
def test_frab_xml_strict_errors_name_day_room_event_line(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(ScheduleFormatError, match=message) as info:
        parse_schedule(FRAB_XML.replace(*change).encode())
    assert info.value.location == "day 1 / room 'Hall A' / event id 42 (line 14)"


def test_invalid_timezone_name_in_xml() -> None:
    data = FRAB_XML.replace("Europe/Berlin", "Berlin").encode()
    with pytest.raises(ScheduleFormatError, match="unknown timezone 'Berlin'") as info:
        parse_schedule(data)
    assert info.value.location == "schedule/conference"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE schedule [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<schedule><conference><title>&lol4;</title></conference></schedule>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE schedule [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<schedule><conference><title>&secret;</title></conference></schedule>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE schedule SYSTEM "http://attacker.example/schedule.dtd">
<schedule/>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_unsafe_xml_is_refused(data: bytes) -> None:
    with pytest.raises(ScheduleFormatError) as info:
        parse_schedule(data, default_timezone="UTC")
    assert info.value.message == UNSAFE_XML == "unsafe XML (entities/DTD are not allowed)"
    assert info.value.location == "line 2 (document type declaration)"


def test_malformed_xml() -> None:
    with pytest.raises(ScheduleFormatError, match="malformed XML: mismatched tag") as info:
        parse_schedule(b"<schedule>\n  <conference>\n</schedule>")
    assert info.value.location == "line 3, column 2"


def test_wrong_root_element() -> None:
    with pytest.raises(ScheduleFormatError, match="expected a <schedule> root") as info:
        parse_schedule(b"<html><body>schedule</body></html>")
    assert info.value.location == "line 1"
