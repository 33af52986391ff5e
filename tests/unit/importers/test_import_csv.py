"""The Backchannel CSV template, starting from the documented example file."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.domain.programme import LinkRecord, ProgrammeRecord, ScheduleFormatError
from server.importers import parse_schedule
from tests.shared_data import REPO

pytestmark = pytest.mark.unit

PARIS = ZoneInfo("Europe/Paris")
EXAMPLE = REPO / "docs" / "examples" / "programme-template.csv"
HEADER = "code,title,date,start,end,duration,room,speakers,links\n"


@pytest.fixture(scope="module")
def example() -> ProgrammeRecord:
    return parse_schedule(EXAMPLE.read_bytes(), default_timezone="Europe/Paris")


def test_example_file(example: ProgrammeRecord) -> None:
    assert example.format == "csv"
    assert example.timezone == "Europe/Paris"
    assert [t.key for t in example.talks] == ["KEY1", "AI-07", "TW-01"]
    assert example.rooms == ("Hall A", "Room 2", "Lobby bar")
    assert [t.name for t in example.tracks] == ["Plenary", "AI & Imaging", "Social"]
    assert (example.start, example.end) == (date(2025, 3, 5), date(2025, 3, 5))


def test_example_keynote(example: ProgrammeRecord) -> None:
    talk = example.talks[0]
    assert talk.title == "Opening keynote: imaging in 2030"
    assert talk.start == datetime(2025, 3, 5, 9, 0, tzinfo=PARIS)
    assert talk.end == datetime(2025, 3, 5, 9, 45, tzinfo=PARIS)
    assert (talk.type, talk.language, talk.source_ref) == ("keynote", "en", "line 2")
    ada, grace = talk.speakers
    assert ada.key == "name:ada lovelace"
    assert ada.handles == {"x": "ada", "bluesky": "ada.bsky.social", "mastodon": "ada@med.social"}
    # handles given for Grace in two rows are merged into one record
    assert grace.handles == {"linkedin": "in/grace-hopper", "threads": "grace.hopper"}
    assert talk.links == (
        LinkRecord("https://example.org/slides/key1.pdf", "Slides", "slides"),
        LinkRecord("https://example.org/key1"),
    )


def test_example_iso_duration_multiline_abstract(example: ProgrammeRecord) -> None:
    talk = example.talks[1]
    assert talk.end - talk.start == timedelta(hours=1, minutes=30)
    assert talk.language == "en"  # "English"
    assert talk.abstract == (
        "Hands-on: checking model output against the images.\n\nBring a laptop."
    )
    assert talk.speakers[0] == example.talks[0].speakers[1]


def test_example_night_slot_keeps_its_conference_day(example: ProgrammeRecord) -> None:
    talk = example.talks[2]
    assert talk.start == datetime(2025, 3, 6, 0, 30, tzinfo=PARIS)
    assert talk.end == datetime(2025, 3, 6, 1, 30, tzinfo=PARIS)  # "60" minutes
    assert talk.day == date(2025, 3, 5)
    assert talk.type is None and talk.language is None
    assert talk.source_ref == "line 6"  # the abstract of line 3 spans two lines
    assert talk.speakers[0] == example.talks[0].speakers[0]


def test_semicolon_delimiter_and_bom() -> None:
    data = "\ufefftitle;date;start;duration;room\nBonjour;2025-03-05;9:00;0:30;Salle 1\n"
    (talk,) = parse_schedule(data.encode(), default_timezone="Europe/Paris").talks
    assert (talk.title, talk.room, talk.key) == ("Bonjour", "Salle 1", "title:bonjour")
    assert talk.end == datetime(2025, 3, 5, 9, 30, tzinfo=PARIS)


def test_iso_start_with_offset() -> None:
    data = HEADER + "A1,Talk,,2025-03-05T09:00:00+00:00,2025-03-05T10:00:00+00:00,,,,\n"
    (talk,) = parse_schedule(data.encode(), default_timezone="Europe/Paris").talks
    assert talk.start == datetime(2025, 3, 5, 10, 0, tzinfo=PARIS)


def _error(rows: str, tz: str | None = "Europe/Paris") -> ScheduleFormatError:
    with pytest.raises(ScheduleFormatError) as info:
        parse_schedule((HEADER + rows).encode(), default_timezone=tz)
    return info.value


@pytest.mark.parametrize(
    ("rows", "message", "location"),
    [
        ("A1,,2025-03-05,09:00,10:00,,,,\n", "missing title", "line 2, column 'title'"),
        ("A1,T,2025-03-05,,10:00,,,,\n", "missing start", "line 2, column 'start'"),
        ("A1,T,,09:00,10:00,,,,\n", "needs a 'date'", "line 2, column 'date'"),
        ("A1,T,2025-02-30,09:00,10:00,,,,\n", "invalid date", "line 2, column 'date'"),
        ("A1,T,2025-03-05,9.00,10:00,,,,\n", "invalid time '9.00'", "line 2, column 'start'"),
        ("A1,T,2025-03-05,09:00,08:00,,,,\n", "is before start", "line 2, column 'end'"),
        ("A1,T,2025-03-05,09:00,,-30,,,\n", "negative duration", "line 2, column 'duration'"),
        ("A1,T,2025-03-05,09:00,,,,,\n", "missing end or duration", "line 2, column 'end'"),
        (
            "A1,T,2025-03-05,09:00,10:00,,,Ada (x:@not valid),\n",
            "invalid x handle",
            "line 2, column 'speakers'",
        ),
        (
            "A1,T,2025-03-05,09:00,10:00,,,Ada (myspace:ada),\n",
            "unknown network",
            "line 2, column 'speakers'",
        ),
        (
            "A1,T,2025-03-05,09:00,10:00,,,,ftp://example.org/x\n",
            "cannot read link",
            "line 2, column 'links'",
        ),
        ("A1,T,2025-03-05,09:00,10:00,,,,,,,extra\n", "header has 9 columns", "line 2"),
    ],
)
def test_strict_rows(rows: str, message: str, location: str) -> None:
    error = _error("\n" + rows)
    assert message in error.message
    assert error.location == location.replace("line 2", "line 3")


def test_csv_needs_a_timezone() -> None:
    error = _error("A1,T,2025-03-05,09:00,10:00,,,,\n", tz=None)
    assert "pass default_timezone" in error.message
    assert error.location == "default_timezone argument"


def test_same_row_twice_is_refused() -> None:
    row = "A1,T,2025-03-05,09:00,10:00,,Hall,,\n"
    error = _error(row + row)
    assert "listed twice" in error.message
    assert error.location == "line 3"


def test_header_without_end_or_duration() -> None:
    with pytest.raises(ScheduleFormatError, match="'end' or a 'duration'") as info:
        parse_schedule(b"title,date,start\nT,2025-03-05,09:00\n", default_timezone="UTC")
    assert info.value.location == "line 1"


def test_windows_line_endings_and_tab_delimiter() -> None:
    data = (
        "title\tdate\tstart\tend\r\nA\t2025-03-05\t09:00\t09:20\r\nB\t2025-03-05\t09:20\t9:40\r\n"
    )
    first, second = parse_schedule(data.encode(), default_timezone="UTC").talks
    assert (first.title, second.title, second.source_ref) == ("A", "B", "line 3")
    assert second.end.isoformat() == "2025-03-05T09:40:00+00:00"
