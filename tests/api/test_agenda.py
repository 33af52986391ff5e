"""My agenda over HTTP: stars, overlaps, the private iCalendar feed and per-session .ics."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import icalendar
import pytest
from flask import Flask
from sqlalchemy import func, select

from server.extensions import db
from server.models import AgendaItem, Talk
from server.services.programme_import import do_import_programme
from tests.conftest import Api
from tests.shared_data import schedule_bytes

pytestmark = pytest.mark.db

DEMOCON = "voc-pretalx-democon.json"
HUB = "voc-hub-schedule2.json"
C34 = "pyfahrplan-34c3-schedule.json"


def talk_ids(app: Flask, *titles: str) -> list[int]:
    with app.app_context():
        found = []
        for title in titles:
            ident = db.session.scalar(select(Talk.id).where(Talk.title == title))
            assert ident is not None, title
            found.append(ident)
        db.session.remove()
    return found


def agenda_rows(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(AgendaItem))
        db.session.remove()
    return int(count or 0)


@pytest.fixture()
def democon(clean_app: Flask, import_file: Callable[..., Any]) -> Flask:
    import_file(DEMOCON, slug="democon")
    return clean_app


# --- stars ----------------------------------------------------------------------------------


def test_star_is_idempotent(democon: Flask, attendee: Api) -> None:
    (talk,) = talk_ids(democon, "Focused 5thgeneration hardware")

    first = attendee.put(f"/api/v1/me/agenda/{talk}")
    second = attendee.put(f"/api/v1/me/agenda/{talk}")

    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert first.get_json()["starred"] is True
    assert first.get_json()["id"] == talk
    assert agenda_rows(democon) == 1
    items = attendee.get("/api/v1/me/agenda").get_json()["items"]
    assert [i["id"] for i in items] == [talk]


def test_unstar_is_idempotent(democon: Flask, attendee: Api) -> None:
    (talk,) = talk_ids(democon, "Focused 5thgeneration hardware")
    attendee.put(f"/api/v1/me/agenda/{talk}")

    first = attendee.delete(f"/api/v1/me/agenda/{talk}")
    second = attendee.delete(f"/api/v1/me/agenda/{talk}")

    assert first.status_code == second.status_code == 204
    assert first.data == second.data == b""
    assert agenda_rows(democon) == 0
    assert attendee.get("/api/v1/me/agenda").get_json() == {"items": [], "tweetups": []}


def test_stars_are_per_user(democon: Flask, make_user: Callable[..., Api]) -> None:
    alice, bob = make_user("attendee"), make_user("attendee")
    (talk,) = talk_ids(democon, "Focused 5thgeneration hardware")

    alice.put(f"/api/v1/me/agenda/{talk}")
    bob.delete(f"/api/v1/me/agenda/{talk}")

    assert [i["id"] for i in alice.get("/api/v1/me/agenda").get_json()["items"]] == [talk]
    assert bob.get("/api/v1/me/agenda").get_json()["items"] == []
    listed = bob.get("/api/v1/conferences/democon/sessions").get_json()["items"]
    assert not any(i["starred"] for i in listed)
    listed = alice.get("/api/v1/conferences/democon/sessions").get_json()["items"]
    assert [i["id"] for i in listed if i["starred"]] == [talk]


@pytest.mark.parametrize("method", ["put", "delete"])
def test_unknown_session_is_404(democon: Flask, attendee: Api, method: str) -> None:
    response = getattr(attendee, method)("/api/v1/me/agenda/999999")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert agenda_rows(democon) == 0


def test_agenda_needs_sign_in(democon: Flask, anon: Api) -> None:
    (talk,) = talk_ids(democon, "Focused 5thgeneration hardware")

    assert anon.get("/api/v1/me/agenda").status_code == 401
    assert anon.put(f"/api/v1/me/agenda/{talk}").status_code == 401
    assert anon.delete(f"/api/v1/me/agenda/{talk}").status_code == 401
    assert agenda_rows(democon) == 0


# --- overlaps -------------------------------------------------------------------------------


def test_overlapping_sessions_are_both_flagged(democon: Flask, attendee: Api) -> None:
    # Gray Room 09:00-09:30 and Tan Room 09:00-10:30 (+01:00) overlap; the Gray Room 09:30
    # session touches the first one's end and overlaps only the Tan Room one.
    gray1, gray2, tan, later = talk_ids(
        democon,
        "Focused 5thgeneration hardware",
        "Quality-focused 6thgeneration website",
        "Managed stable function",
        "Networked modular help-desk",
    )
    for talk in (gray1, gray2, tan, later):
        attendee.put(f"/api/v1/me/agenda/{talk}")

    items = attendee.get("/api/v1/me/agenda").get_json()["items"]

    assert {i["id"]: i["overlaps"] for i in items} == {
        gray1: True, gray2: True, tan: True, later: False,
    }
    assert all(i["starred"] for i in items)
    keys = [(datetime.fromisoformat(i["start"]), i["id"]) for i in items]
    assert keys == sorted(keys)


def test_touching_sessions_do_not_overlap(democon: Flask, attendee: Api) -> None:
    gray1, gray2 = talk_ids(
        democon, "Focused 5thgeneration hardware", "Quality-focused 6thgeneration website"
    )
    attendee.put(f"/api/v1/me/agenda/{gray1}")
    attendee.put(f"/api/v1/me/agenda/{gray2}")

    items = attendee.get("/api/v1/me/agenda").get_json()["items"]

    assert [(i["id"], i["overlaps"]) for i in items] == [(gray1, False), (gray2, False)]


def test_agenda_filtered_by_conference(
    democon: Flask, attendee: Api, import_file: Callable[..., Any]
) -> None:
    import_file(HUB, slug="hub")
    demo, hub = talk_ids(democon, "Focused 5thgeneration hardware", "38C3: Opening Ceremony")
    attendee.put(f"/api/v1/me/agenda/{demo}")
    attendee.put(f"/api/v1/me/agenda/{hub}")

    only_hub = attendee.get("/api/v1/me/agenda?conference=hub").get_json()["items"]
    unknown = attendee.get("/api/v1/me/agenda?conference=nope")
    bad = attendee.get("/api/v1/me/agenda?conference=hub&sort=start")

    assert [i["id"] for i in only_hub] == [hub]
    assert len(attendee.get("/api/v1/me/agenda").get_json()["items"]) == 2
    assert unknown.status_code == 404
    assert bad.status_code == 422
    assert bad.get_json()["error"]["field"] == "sort"


def test_stars_survive_a_reimport(
    democon: Flask, attendee: Api, import_file: Callable[..., Any]
) -> None:
    (talk,) = talk_ids(democon, "Focused 5thgeneration hardware")
    attendee.put(f"/api/v1/me/agenda/{talk}")

    import_file(DEMOCON, slug="democon")

    assert [i["id"] for i in attendee.get("/api/v1/me/agenda").get_json()["items"]] == [talk]


# --- iCalendar ------------------------------------------------------------------------------


def check_rfc5545_text(body: bytes) -> None:
    """CRLF line endings everywhere and content lines folded at 75 octets."""
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines)
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)


def parse_calendar(body: bytes) -> icalendar.Calendar:
    check_rfc5545_text(body)
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar.name == "VCALENDAR"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Backchannel//Programme//EN"
    return calendar


def check_event(event: Any, calendar: icalendar.Calendar, raw_body: bytes) -> None:
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert str(event["UID"]).startswith("session-")
    stamp = event["DTSTAMP"].dt
    assert stamp.tzinfo is not None and stamp.utcoffset() == timedelta(0)
    start_param = event["DTSTART"].params.get("TZID")
    assert start_param in zones
    assert event["DTEND"].params.get("TZID") == start_param
    assert event["DTSTART"].dt < event["DTEND"].dt
    assert str(event["LOCATION"])
    assert str(event["URL"]).startswith("http://127.0.0.1:5000/sessions/")
    assert f"DTSTART;TZID={start_param}:".encode() in raw_body
    assert b"DTSTAMP:" in raw_body and raw_body.split(b"DTSTAMP:")[1][15:16] == b"Z"


def feed_path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://127.0.0.1:5000"
    return parts.path


def test_private_feed_is_valid_icalendar(
    clean_app: Flask, attendee: Api, anon: Api, import_file: Callable[..., Any]
) -> None:
    import_file(HUB, slug="hub")
    import_file(C34, slug="c34")
    stars = talk_ids(
        clean_app, "38C3: Opening Ceremony", "Eröffnung: tuwat", "42birds: Taskwarrior For Dummies"
    )
    for talk in stars:
        attendee.put(f"/api/v1/me/agenda/{talk}")

    created = attendee.post("/api/v1/me/agenda/feed")
    assert created.status_code == 201
    response = anon.get(feed_path(created.get_json()["url"]))

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "no-cache" in response.headers["Cache-Control"]
    calendar = parse_calendar(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) == 3
    assert sorted(str(e["UID"]).split("@")[0] for e in events) == sorted(
        f"session-{t}" for t in stars
    )
    assert len({str(e["UID"]) for e in events}) == 3
    for event in events:
        check_event(event, calendar, response.data)
    opening = next(e for e in events if "Opening Ceremony" in str(e["SUMMARY"]))
    assert opening["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert opening["DTSTART"].dt.astimezone(UTC) == datetime(2024, 12, 27, 9, 30, tzinfo=UTC)
    assert str(opening["LOCATION"]) == "Saal 1"
    tuwat = next(e for e in events if "tuwat" in str(e["SUMMARY"]))
    assert tuwat["DTSTART"].dt.astimezone(UTC) == datetime(2017, 12, 27, 10, 0, tzinfo=UTC)


def test_feed_with_no_stars_is_an_empty_calendar(clean_app: Flask, attendee: Api) -> None:
    url = attendee.post("/api/v1/me/agenda/feed").get_json()["url"]

    response = attendee.client.get(feed_path(url))

    assert response.status_code == 200
    assert parse_calendar(response.data).walk("VEVENT") == []


def test_rotating_the_feed_kills_the_old_url(democon: Flask, attendee: Api, anon: Api) -> None:
    old = feed_path(attendee.post("/api/v1/me/agenda/feed").get_json()["url"])

    new = feed_path(attendee.post("/api/v1/me/agenda/feed").get_json()["url"])

    assert new != old
    assert anon.get(new).status_code == 200
    gone = anon.get(old)
    assert gone.status_code == 404
    assert gone.get_json()["error"]["code"] == "not_found"


def test_revoking_the_feed(democon: Flask, attendee: Api, anon: Api) -> None:
    url = feed_path(attendee.post("/api/v1/me/agenda/feed").get_json()["url"])

    response = attendee.delete("/api/v1/me/agenda/feed")

    assert response.status_code == 204
    assert anon.get(url).status_code == 404
    assert attendee.delete("/api/v1/me/agenda/feed").status_code == 204


@pytest.mark.parametrize("secret", ["nope", "x" * 200, "..%2F..%2Fetc"])
def test_made_up_feed_secret_is_404(democon: Flask, anon: Api, secret: str) -> None:
    assert anon.get(f"/api/v1/agenda/{secret}.ics").status_code == 404


def test_feed_needs_sign_in_to_create(democon: Flask, anon: Api) -> None:
    assert anon.post("/api/v1/me/agenda/feed").status_code == 401
    assert anon.delete("/api/v1/me/agenda/feed").status_code == 401


def test_public_session_ics(clean_app: Flask, anon: Api, import_file: Callable[..., Any]) -> None:
    import_file(HUB, slug="hub")
    (talk,) = talk_ids(clean_app, "38C3: Opening Ceremony")

    response = anon.get(f"/api/v1/sessions/{talk}/calendar.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="session-{talk}.ics"'
    )
    calendar = parse_calendar(response.data)
    (event,) = calendar.walk("VEVENT")
    check_event(event, calendar, response.data)
    assert str(event["UID"]) == f"session-{talk}@127.0.0.1"
    assert "#38c3" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_cancelled_session_is_marked_in_the_feed(democon: Flask, attendee: Api) -> None:
    title = "Managed stable function"
    (talk,) = talk_ids(democon, title)
    attendee.put(f"/api/v1/me/agenda/{talk}")
    data = json.loads(schedule_bytes(DEMOCON))
    for day in data["schedule"]["conference"]["days"]:
        for room, items in day["rooms"].items():
            day["rooms"][room] = [e for e in items if e["title"] != title]
    with democon.app_context():
        do_import_programme(json.dumps(data).encode(), slug="democon", source="cli")
        db.session.remove()

    url = attendee.post("/api/v1/me/agenda/feed").get_json()["url"]
    calendar = parse_calendar(attendee.client.get(feed_path(url)).data)

    (event,) = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    listed = attendee.get("/api/v1/me/agenda").get_json()["items"]
    assert [(i["status"], i["overlaps"]) for i in listed] == [("cancelled", False)]
