"""Read-only programme listings over HTTP, checked against the real schedule files.

The programmes are imported once for the module (34C3: 661 sessions; DemoCon with one
session later dropped from the file, so cancelled) and only read here; tests that change
data live in ``test_sessions.py``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from server.extensions import db
from server.models import Speaker, Talk
from server.schemas.programme import TalkPageSchema
from server.services.programme_import import do_import_programme
from tests.conftest import _empty_tables
from tests.shared_data import schedule_bytes

pytestmark = pytest.mark.db

C34 = "pyfahrplan-34c3-schedule.json"
DEMOCON = "voc-pretalx-democon.json"
DROPPED_TITLE = "Managed stable function"  # removed from the DemoCon file on re-import


def raw_events(name: str) -> list[dict[str, Any]]:
    """Every event of a frab JSON file, with the day's date added (the independent oracle)."""
    conference = json.loads(schedule_bytes(name))["schedule"]["conference"]
    events = []
    for day in conference["days"]:
        for room, items in day["rooms"].items():
            for item in items:
                hours, minutes = item["duration"].split(":")
                start = datetime.fromisoformat(item["date"])
                events.append(
                    {
                        **item,
                        "room": room,
                        "day": day["date"],
                        "start_at": start,
                        "end_at": start + timedelta(hours=int(hours), minutes=int(minutes)),
                    }
                )
    return events


def democon_without_one_event() -> bytes:
    data = json.loads(schedule_bytes(DEMOCON))
    for day in data["schedule"]["conference"]["days"]:
        for room, items in day["rooms"].items():
            day["rooms"][room] = [e for e in items if e["title"] != DROPPED_TITLE]
    return json.dumps(data).encode()


@pytest.fixture(scope="module")
def reader(app: Flask) -> Iterator[FlaskClient]:
    _empty_tables(app)
    with app.app_context():
        do_import_programme(schedule_bytes(C34), slug="c34", source="cli")
        do_import_programme(schedule_bytes(DEMOCON), slug="democon", source="cli")
        do_import_programme(democon_without_one_event(), slug="democon", source="cli")
        db.session.remove()
    yield app.test_client()
    _empty_tables(app)


def get_json(client: FlaskClient, path: str, status: int = 200, **kw: Any) -> Any:
    response = client.get(path, **kw)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def all_items(client: FlaskClient, path: str) -> list[dict[str, Any]]:
    sep = "&" if "?" in path else "?"
    body = get_json(client, f"{path}{sep}limit=500")
    assert body["next"] is None
    return body["items"]


def titles(items: list[dict[str, Any]]) -> list[str]:
    return sorted(item["title"] for item in items)


def talk_id(app: Flask, title: str) -> int:
    with app.app_context():
        ident = db.session.scalar(select(Talk.id).where(Talk.title == title))
        db.session.remove()
    assert ident is not None
    return ident


# --- conferences ----------------------------------------------------------------------------


def test_conference_list(reader: FlaskClient) -> None:
    body = get_json(reader, "/api/v1/conferences")

    by_slug = {c["slug"]: c for c in body["items"]}
    assert sorted(by_slug) == ["c34", "democon"]
    assert by_slug["c34"]["title"] == "34th Chaos Communication Congress"
    assert by_slug["c34"]["hashtag"] == "34c3"
    assert by_slug["democon"]["timezone"] == "UTC"
    assert "days" not in by_slug["c34"]


def test_conference_detail_lists_its_days(reader: FlaskClient) -> None:
    body = get_json(reader, "/api/v1/conferences/c34")

    assert body["slug"] == "c34"
    assert body["start_date"] == "2017-12-27"
    assert body["end_date"] == "2017-12-31"
    assert body["days"] == ["2017-12-27", "2017-12-28", "2017-12-29", "2017-12-30"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conferences/nope",
        "/api/v1/conferences/nope/sessions",
        "/api/v1/conferences/nope/rooms",
        "/api/v1/conferences/nope/tracks",
        "/api/v1/conferences/nope/speakers",
        "/api/v1/conferences/nope/now-next",
        "/api/v1/sessions/999999",
        "/api/v1/sessions/999999/calendar.ics",
        "/api/v1/speakers/999999",
    ],
)
def test_unknown_things_are_404(reader: FlaskClient, path: str) -> None:
    body = get_json(reader, path, status=404)

    assert body["error"]["code"] == "not_found"
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


# --- filters --------------------------------------------------------------------------------


def test_unfiltered_listing_has_every_scheduled_session_in_order(reader: FlaskClient) -> None:
    body = get_json(reader, "/api/v1/conferences/c34/sessions?limit=500")
    first_page = body["items"]

    assert len(first_page) == 500
    assert body["next"] is not None
    keys = [(i["start"], i["id"]) for i in first_page]
    assert keys == sorted(keys, key=lambda k: (datetime.fromisoformat(k[0]), k[1]))


def test_listing_matches_its_documented_schema(reader: FlaskClient) -> None:
    body = get_json(reader, "/api/v1/conferences/c34/sessions?limit=200")

    assert TalkPageSchema().validate(body) == {}
    sample = body["items"][0]
    assert set(sample) >= {
        "id", "conference", "tag", "title", "start", "end", "day", "room", "track",
        "type", "status", "policy", "speakers",
    }


def test_filter_by_day(reader: FlaskClient) -> None:
    expected = [e for e in raw_events(C34) if e["day"] == "2017-12-28"]

    items = all_items(reader, "/api/v1/conferences/c34/sessions?day=2017-12-28")

    assert len(items) == len(expected) == 209
    assert {i["day"] for i in items} == {"2017-12-28"}
    assert titles(items) == sorted(e["title"].strip() for e in expected)


@pytest.mark.parametrize("spelling", ["Security", "security", "SECURITY"])
def test_filter_by_track_name(reader: FlaskClient, spelling: str) -> None:
    expected = [e for e in raw_events(C34) if e["track"] == "Security"]

    items = all_items(reader, f"/api/v1/conferences/c34/sessions?track={spelling}")

    assert len(items) == len(expected) == 36
    assert {i["track"]["name"] for i in items} == {"Security"}


def test_filter_by_track_id_equals_filter_by_name(reader: FlaskClient) -> None:
    tracks = get_json(reader, "/api/v1/conferences/c34/tracks")["items"]
    security = next(t for t in tracks if t["name"] == "Security")

    by_id = all_items(reader, f"/api/v1/conferences/c34/sessions?track={security['id']}")
    by_name = all_items(reader, "/api/v1/conferences/c34/sessions?track=Security")

    assert [i["id"] for i in by_id] == [i["id"] for i in by_name]


def test_filter_by_room(reader: FlaskClient) -> None:
    expected = [e for e in raw_events(C34) if e["room"] == "Saal Adams"]

    items = all_items(reader, "/api/v1/conferences/c34/sessions?room=saal%20adams")

    assert len(items) == len(expected)
    assert {i["room"]["name"] for i in items} == {"Saal Adams"}


def test_filter_by_type_is_case_insensitive(reader: FlaskClient) -> None:
    expected = [e for e in raw_events(C34) if (e["type"] or "").casefold() == "workshop"]

    items = all_items(reader, "/api/v1/conferences/c34/sessions?type=Workshop")

    assert len(items) == len(expected) == 124
    assert {i["type"] for i in items} == {"workshop"}


def test_filters_combine(reader: FlaskClient) -> None:
    expected = [
        e for e in raw_events(C34) if e["day"] == "2017-12-27" and e["room"] == "Saal Adams"
    ]

    items = all_items(reader, "/api/v1/conferences/c34/sessions?day=2017-12-27&room=Saal+Adams")

    assert titles(items) == sorted(e["title"].strip() for e in expected)
    assert len(items) > 3


def test_filter_by_speaker(reader: FlaskClient, app: Flask) -> None:
    expected = [
        e for e in raw_events(C34) if any(p["public_name"] == "Tim Pritlove" for p in e["persons"])
    ]
    with app.app_context():
        speaker_id = db.session.scalar(select(Speaker.id).where(Speaker.name == "Tim Pritlove"))
        db.session.remove()

    items = all_items(reader, f"/api/v1/conferences/c34/sessions?speaker={speaker_id}")

    assert titles(items) == sorted(e["title"] for e in expected)
    assert all(
        "Tim Pritlove" in [s["name"] for s in i["speakers"]] for i in items
    )


@pytest.mark.parametrize(
    ("q", "title"),
    [
        ("eroffnung", "Eröffnung: tuwat"),  # title, accent-insensitive
        ("ERÖFFNUNG tuwat", "Eröffnung: tuwat"),  # several terms, case-insensitive
        ("Kleinkomputern", "Eröffnung: tuwat"),  # abstract
        ("grossorganisationen", None),  # abstract, ß folds to ss
        ("Pritlove", "Eröffnung: tuwat"),  # speaker name
        ("kuhnreich", None),  # accented speaker name
    ],
)
def test_free_text_search(reader: FlaskClient, q: str, title: str | None) -> None:
    items = all_items(reader, f"/api/v1/conferences/c34/sessions?q={q}")

    assert items, q
    if title is not None:
        assert title in [i["title"] for i in items]
    if q == "kuhnreich":
        assert all(
            any(s["name"] == "Katika Kühnreich" for s in i["speakers"]) for i in items
        )


def test_search_with_no_match_is_empty(reader: FlaskClient) -> None:
    body = get_json(reader, "/api/v1/conferences/c34/sessions?q=zzqqxxnotaword")

    assert body == {"items": [], "next": None}


@pytest.mark.parametrize("wildcard", ["%25", "_"])
def test_search_treats_like_wildcards_literally(reader: FlaskClient, wildcard: str) -> None:
    literal = wildcard.replace("%25", "%")
    items = all_items(reader, f"/api/v1/conferences/c34/sessions?q={wildcard}")

    assert len(items) < 100  # a wildcard would match all 661
    for item in items:
        detail = get_json(reader, f"/api/v1/sessions/{item['id']}")
        text = " ".join(
            [detail["title"], detail["subtitle"] or "", detail["abstract"] or ""]
            + [s["name"] for s in detail["speakers"]]
        )
        assert literal in text


def test_cancelled_sessions_only_with_include_cancelled(reader: FlaskClient) -> None:
    default = all_items(reader, "/api/v1/conferences/democon/sessions")
    everything = all_items(reader, "/api/v1/conferences/democon/sessions?include_cancelled=true")

    assert len(default) == 35
    assert len(everything) == 36
    assert DROPPED_TITLE not in [i["title"] for i in default]
    dropped = [i for i in everything if i["title"] == DROPPED_TITLE]
    assert [d["status"] for d in dropped] == ["cancelled"]


# --- now / next -----------------------------------------------------------------------------


def expected_now_next(at: datetime) -> tuple[list[str], list[str]]:
    events = [e for e in raw_events(DEMOCON) if e["title"] != DROPPED_TITLE]
    now = [e["title"] for e in events if e["start_at"] <= at < e["end_at"]]
    upcoming = {}
    for event in sorted(events, key=lambda e: e["start_at"]):
        if at < event["start_at"] <= at + timedelta(hours=18):
            upcoming.setdefault(event["room"], event["title"])
    return sorted(now), sorted(upcoming.values())


AT = "2020-12-14T12:10:00+01:00"


def test_at_instant_lists_now_and_next(reader: FlaskClient) -> None:
    now, upcoming = expected_now_next(datetime.fromisoformat(AT))
    assert now == ["Secured grid-enabled policy", "Triple-buffered methodical superstructure"]
    assert upcoming == ["Monitored 24hour customer loyalty", "Polarized object-oriented toolset"]

    items = get_json(reader, f"/api/v1/conferences/democon/sessions?at={AT.replace('+', '%2B')}")[
        "items"
    ]

    assert sorted(i["title"] for i in items if i["when"] == "now") == now
    assert sorted(i["title"] for i in items if i["when"] == "next") == upcoming
    assert {i["when"] for i in items} == {"now", "next"}


def test_naive_at_is_read_in_the_conference_timezone(reader: FlaskClient) -> None:
    # DemoCon's zone is UTC: 11:10 naive is the same instant as 12:10+01:00.
    aware = get_json(reader, f"/api/v1/conferences/democon/sessions?at={AT.replace('+', '%2B')}")
    naive = get_json(reader, "/api/v1/conferences/democon/sessions?at=2020-12-14T11:10")

    assert naive["items"] == aware["items"]


def test_at_now_reads_the_clock(reader: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKCHANNEL_FAKE_NOW", AT)
    now, upcoming = expected_now_next(datetime.fromisoformat(AT))

    items = get_json(reader, "/api/v1/conferences/democon/sessions?at=now")["items"]
    detail = get_json(reader, "/api/v1/conferences/democon/now-next")

    assert sorted(i["title"] for i in items if i["when"] == "now") == now
    assert sorted(i["title"] for i in items if i["when"] == "next") == upcoming
    assert sorted(i["title"] for i in detail["now"]) == now
    assert sorted(i["title"] for i in detail["next"]) == upcoming
    assert detail["at"] == "2020-12-14T11:10:00+00:00"


def test_at_now_after_the_conference_is_empty(
    reader: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKCHANNEL_FAKE_NOW", "2030-01-01T12:00:00+00:00")

    body = get_json(reader, "/api/v1/conferences/democon/sessions?at=now")

    assert body == {"items": [], "next": None}


def test_now_next_in_34c3_at_the_opening(reader: FlaskClient) -> None:
    at = "2017-12-27T11:10:00%2B01:00"

    items = get_json(reader, f"/api/v1/conferences/c34/sessions?at={at}&room=Saal+Adams")["items"]

    assert [i["when"] for i in items] == ["now", "next"]
    assert items[0]["title"] == "Eröffnung: tuwat"


def test_malformed_at_is_422(reader: FlaskClient) -> None:
    body = get_json(reader, "/api/v1/conferences/democon/sessions?at=yesterday", status=422)

    assert body["error"]["code"] == "invalid_datetime"
    assert body["error"]["field"] == "at"


def test_at_with_cursor_is_422(reader: FlaskClient) -> None:
    body = get_json(reader, "/api/v1/conferences/democon/sessions?at=now&cursor=abc", status=422)

    assert body["error"]["field"] == "cursor"


# --- pagination -----------------------------------------------------------------------------


def test_cursor_walk_visits_every_session_once_in_order(reader: FlaskClient, app: Flask) -> None:
    seen: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        path = "/api/v1/conferences/c34/sessions?limit=50"
        if cursor:
            path += f"&cursor={cursor}"
        body = get_json(reader, path)
        pages += 1
        assert len(body["items"]) <= 50
        seen.extend(body["items"])
        cursor = body["next"]
        if cursor is None:
            break

    ids = [i["id"] for i in seen]
    assert len(ids) == 661
    assert len(set(ids)) == 661
    assert pages == 14
    keys = [(datetime.fromisoformat(i["start"]), i["id"]) for i in seen]
    assert keys == sorted(keys)
    with app.app_context():
        stored = set(db.session.scalars(select(Talk.id).where(Talk.conference.has(slug="c34"))))
        db.session.remove()
    assert set(ids) == stored


@pytest.mark.parametrize("cursor", ["garbage!!", "Zm9v", "MjAxNy0xMi0yN1QxMDowMDowMHxhYmM"])
def test_invalid_cursor_is_422(reader: FlaskClient, cursor: str) -> None:
    body = get_json(reader, f"/api/v1/conferences/c34/sessions?cursor={cursor}", status=422)

    assert body["error"]["code"] == "invalid_cursor"
    assert body["error"]["field"] == "cursor"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("colour=red", "colour"),
        ("day=2017-13-45", "day"),
        ("day=tomorrow", "day"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("speaker=abc", "speaker"),
        ("speaker=0", "speaker"),
        ("include_cancelled=maybe", "include_cancelled"),
        ("q=", "q"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_bad_query_parameters_are_422_naming_the_field(
    reader: FlaskClient, query: str, field: str
) -> None:
    body = get_json(reader, f"/api/v1/conferences/c34/sessions?{query}", status=422)

    assert body["error"]["code"] == "validation_error"
    assert body["error"]["field"] == field
    assert field in body["error"]["message"]


# --- conditional GET and compression --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conferences/c34",
        "/api/v1/conferences/c34/sessions?day=2017-12-28",
        "/api/v1/conferences/c34/rooms",
        "/api/v1/conferences/c34/tracks",
        "/api/v1/conferences/c34/speakers",
    ],
)
def test_etag_gives_304_with_an_empty_body(reader: FlaskClient, path: str) -> None:
    first = reader.get(path)
    etag = first.headers["ETag"]

    second = reader.get(path, headers={"If-None-Match": etag})

    assert first.status_code == 200
    assert second.status_code == 304
    assert second.data == b""
    assert second.headers["ETag"] == etag


def test_etag_differs_between_queries(reader: FlaskClient) -> None:
    a = reader.get("/api/v1/conferences/c34/sessions?day=2017-12-28").headers["ETag"]
    b = reader.get("/api/v1/conferences/c34/sessions?day=2017-12-29").headers["ETag"]

    assert a != b
    stale = reader.get(
        "/api/v1/conferences/c34/sessions?day=2017-12-29", headers={"If-None-Match": a}
    )
    assert stale.status_code == 200


@pytest.mark.parametrize(
    ("encoding", "decode"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_large_listing_is_compressed(reader: FlaskClient, encoding: str, decode: Any) -> None:
    plain = reader.get("/api/v1/conferences/c34/sessions?limit=200")

    response = reader.get(
        "/api/v1/conferences/c34/sessions?limit=200", headers={"Accept-Encoding": encoding}
    )

    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    assert len(response.data) < len(plain.data) / 3
    assert json.loads(decode(response.data)) == plain.get_json()


# --- rooms, tracks, speakers, details -------------------------------------------------------


def test_rooms_and_tracks(reader: FlaskClient) -> None:
    rooms = get_json(reader, "/api/v1/conferences/democon/rooms")["items"]
    tracks = get_json(reader, "/api/v1/conferences/democon/tracks")["items"]

    assert [r["name"] for r in rooms] == ["Gray Room", "Tan Room"]
    assert sorted(t["name"] for t in tracks) == ["Horizontal", "Phased"]
    assert all(t["hashtags"] == [] for t in tracks)
    assert all(isinstance(r["id"], int) for r in rooms)


def test_speakers_listing_search_and_paging(reader: FlaskClient) -> None:
    first = get_json(reader, "/api/v1/conferences/c34/speakers?limit=10")
    second = get_json(reader, f"/api/v1/conferences/c34/speakers?limit=10&offset={first['next']}")
    found = get_json(reader, "/api/v1/conferences/c34/speakers?q=pritlove")

    assert first["next"] == 10
    assert len(first["items"]) == len(second["items"]) == 10
    assert not {s["id"] for s in first["items"]} & {s["id"] for s in second["items"]}
    names = [s["name"] for s in first["items"] + second["items"]]
    assert names == sorted(names)
    assert [s["name"] for s in found["items"]] == ["Tim Pritlove"]
    assert found["next"] is None


def test_speaker_detail_lists_their_sessions(reader: FlaskClient) -> None:
    speaker = get_json(reader, "/api/v1/conferences/c34/speakers?q=pritlove")["items"][0]
    expected = [
        e["title"]
        for e in raw_events(C34)
        if any(p["public_name"] == "Tim Pritlove" for p in e["persons"])
    ]

    body = get_json(reader, f"/api/v1/speakers/{speaker['id']}")

    assert body["name"] == "Tim Pritlove"
    assert body["handles"] == {}
    assert sorted(s["title"] for s in body["sessions"]) == sorted(expected)


def test_session_detail_fields(reader: FlaskClient, app: Flask) -> None:
    raw = next(e for e in raw_events(C34) if e["title"] == "42birds: Hitchhiker's Towel-Yoga")
    ident = talk_id(app, raw["title"])

    body = get_json(reader, f"/api/v1/sessions/{ident}")

    assert body["id"] == ident
    assert body["conference"] == "c34"
    assert body["hashtag"] == "34c3"
    assert body["title"] == raw["title"]
    assert body["room"]["name"] == raw["room"]
    assert datetime.fromisoformat(body["start"]) == raw["start_at"]
    assert datetime.fromisoformat(body["end"]) == raw["end_at"]
    assert body["start"].endswith("+01:00")
    assert [s["name"] for s in body["speakers"]] == [p["public_name"] for p in raw["persons"]]
    raw_urls = [link if isinstance(link, str) else link["url"] for link in raw["links"]]
    assert raw_urls
    assert [link["url"] for link in body["links"]] == raw_urls
    assert body["status"] == "scheduled"
    assert body["policy"] == "open"
    assert body["tag"] == "S4HT1"
    assert "starred" not in body


def test_session_detail_abstract(reader: FlaskClient, app: Flask) -> None:
    raw = next(e for e in raw_events(C34) if e["title"] == "Eröffnung: tuwat")

    body = get_json(reader, f"/api/v1/sessions/{talk_id(app, raw['title'])}")

    assert body["abstract"] == raw["abstract"]
    assert body["url"] == raw["url"]
    assert body["track"]["name"] == "CCC"
    assert body["language"] == "de"
    assert body["type"] == "lecture"
