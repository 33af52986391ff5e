"""The lenient helpers: times, durations, text and links."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.programme import LinkRecord
from server.importers._common import (
    clean_language,
    clean_text,
    clean_type,
    link_records,
    parse_clock,
    parse_duration,
    zone_name_for_offset,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9:05", time(9, 5)), ("09:05", time(9, 5)), ("23:59:30", time(23, 59, 30))],
)
def test_parse_clock(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["24:00", "9", "09:60", "9h30", ""])
def test_parse_clock_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid time"):
        parse_clock(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0:30", timedelta(minutes=30)),
        ("01:30", timedelta(hours=1, minutes=30)),
        ("00:45:30", timedelta(minutes=45, seconds=30)),
        ("55:23", timedelta(hours=55, minutes=23)),  # in the 34C3 file
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("PT45M", timedelta(minutes=45)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("pt10s", timedelta(seconds=10)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-0:30", "negative"),
        ("PT", "invalid"),
        ("P1DT", "invalid"),
        ("1:75", "out of range"),
        ("ninety", "invalid"),
        ("PT-5M", "invalid"),
    ],
)
def test_parse_duration_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


def _iso(delta: timedelta) -> str:
    hours, rest = divmod(int(delta.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{seconds}S"


def _clock(delta: timedelta) -> str:
    hours, rest = divmod(int(delta.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


@given(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)).map(
        lambda d: timedelta(seconds=int(d.total_seconds()))
    )
)
def test_duration_round_trips_in_both_notations(delta: timedelta) -> None:
    assert parse_duration(_iso(delta)) == delta
    assert parse_duration(_clock(delta)) == delta


@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_clock_round_trip(hour: int, minute: int) -> None:
    assert parse_clock(f"{hour}:{minute:02d}") == time(hour, minute)


def test_clean_text() -> None:
    assert clean_text("  a\r\n\r\n\r\n\r\nb  ") == "a\n\nb"
    assert clean_text("") is None
    assert clean_text(None) is None
    assert clean_text("<p>Hi &amp; <b>bye</b></p>") == "Hi & bye"
    assert clean_text("x < y &amp; z") == "x < y & z"


def test_clean_type_and_language() -> None:
    assert (clean_type("TALK"), clean_type(""), clean_type("Lightning-Talk")) == (
        "talk",
        None,
        "lightning-talk",
    )
    assert (clean_language("English"), clean_language("DE"), clean_language("")) == (
        "en",
        "de",
        None,
    )


def test_link_records_accept_strings_and_objects() -> None:
    links = link_records(
        [
            "https://a.example/",
            {"url": "https://b.example/", "title": "B", "type": "SLIDES"},
            {"href": "/files/c.pdf", "title": ""},
            {"title": "no url"},
            "javascript:alert(1)",
            "https://a.example/",
            42,
        ],
        base_url="https://conf.example/2025/",
    )
    assert links == (
        LinkRecord("https://a.example/"),
        LinkRecord("https://b.example/", "B", "slides"),
        LinkRecord("https://conf.example/files/c.pdf"),
    )


def test_zone_name_for_offset() -> None:
    from datetime import datetime, timezone

    def at(hours: float) -> datetime:
        return datetime(2025, 1, 1, tzinfo=timezone(timedelta(hours=hours)))

    assert [zone_name_for_offset(at(h)) for h in (1, -5, 0, 5.5)] == [
        "Etc/GMT-1",
        "Etc/GMT+5",
        "UTC",
        "UTC",
    ]
