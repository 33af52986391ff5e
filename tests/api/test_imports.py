"""Programme import through the API: uploads, bad files, and programmes fetched from a URL.

The URL imports fetch from a real HTTP server on 127.0.0.1 serving a temporary folder; it
answers ``If-None-Match`` with 304 when asked to (``etags=True``), like pretalx does.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.extensions import db
from server.importers import MAX_SCHEDULE_BYTES
from server.models import Conference, ImportRun
from server.services.remote_schedule import refresh_due
from tests.conftest import Api, table_counts
from tests.shared_data import schedule_bytes

pytestmark = pytest.mark.db

REAL_FILES = [
    ("pyfahrplan-34c3-schedule.json", None, 661, "frab-json"),
    ("confclerk-fosdem2010-pentabarf.xml", "Europe/Brussels", 300, None),
    ("voc-pretalx-democon.json", None, 36, None),
    ("voc-hub-schedule2.json", None, 2, None),
]


@pytest.fixture()
def conference(organizer: Api) -> str:
    response = organizer.post(
        "/api/v1/conferences",
        json={"slug": "radcon", "title": "RadCon 2026", "hashtag": "RadCon26",
              "timezone": "Europe/Brussels"},
    )
    assert response.status_code == 201, response.get_json()
    return "radcon"


def upload_multipart(api: Api, slug: str, data: bytes, query: str = "") -> Any:
    return api.client.post(
        f"/api/v1/conferences/{slug}/imports{query}",
        data={"file": (io.BytesIO(data), "schedule.bin")},
        content_type="multipart/form-data",
        headers=api._headers(None),
    )


def upload_raw(api: Api, slug: str, data: bytes, query: str = "",
               content_type: str = "application/octet-stream") -> Any:
    return api.client.post(
        f"/api/v1/conferences/{slug}/imports{query}",
        data=data,
        content_type=content_type,
        headers=api._headers(None),
    )


def check_report(body: dict[str, Any], sessions: int) -> None:
    summary = body["summary"]
    assert body["conference"] == "radcon"
    assert isinstance(body["format"], str) and body["format"]
    assert summary["sessions"] == sessions
    assert summary["added"] == sessions == len(body["added"])
    assert summary["changed"] == summary["moved"] == summary["cancelled"] == 0
    assert summary["unchanged"] == 0
    assert summary["speakers"] > 0 and summary["rooms"] > 0


# --- uploads --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "tz", "count", "_fmt"), REAL_FILES)
@pytest.mark.parametrize("how", ["multipart", "raw"])
def test_organizer_uploads_a_real_file(
    organizer: Api, conference: str, name: str, tz: str | None, count: int, _fmt: Any, how: str
) -> None:
    query = f"?timezone={tz}" if tz else ""
    send = upload_multipart if how == "multipart" else upload_raw

    response = send(organizer, conference, schedule_bytes(name), query)

    assert response.status_code == 201, response.get_json()
    check_report(response.get_json(), count)
    listed = organizer.get(f"/api/v1/conferences/{conference}/sessions?limit=500").get_json()
    assert len(listed["items"]) == min(count, 500)
    again = send(organizer, conference, schedule_bytes(name), query)
    assert again.status_code == 201
    assert again.get_json()["summary"]["unchanged"] == count
    assert again.get_json()["summary"]["added"] == 0


def test_json_body_with_json_content_type_is_accepted(organizer: Api, conference: str) -> None:
    response = upload_raw(
        organizer, conference, schedule_bytes("voc-pretalx-democon.json"),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.get_json()["summary"]["sessions"] == 36


def test_pentabarf_without_timezone_asks_for_one(clean_app: Flask, organizer: Api) -> None:
    # Created without a zone: the default UTC is no statement about the programme's zone.
    organizer.post("/api/v1/conferences", json={"slug": "fosdem", "title": "FOSDEM"})
    before = table_counts(clean_app)
    data = schedule_bytes("confclerk-fosdem2010-pentabarf.xml")

    response = upload_raw(organizer, "fosdem", data)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_schedule"
    assert "timezone" in error["message"]
    assert table_counts(clean_app) == before

    ok = upload_raw(organizer, "fosdem", data, "?timezone=Europe/Brussels")

    assert ok.status_code == 201
    assert ok.get_json()["summary"]["sessions"] == 300
    detail = organizer.get("/api/v1/conferences/fosdem").get_json()
    assert detail["timezone"] == "Europe/Brussels"
    # Once the programme has a zone, a re-import needs no argument.
    again = upload_raw(organizer, "fosdem", data)
    assert again.status_code == 201
    assert again.get_json()["summary"]["unchanged"] == 300


def test_pentabarf_uses_the_zone_an_organizer_chose(organizer: Api, conference: str) -> None:
    response = upload_raw(
        organizer, conference, schedule_bytes("confclerk-fosdem2010-pentabarf.xml")
    )

    assert response.status_code == 201
    first = organizer.get(f"/api/v1/conferences/{conference}/sessions?limit=1").get_json()
    assert first["items"][0]["start"].endswith("+01:00")  # Brussels in February


@pytest.mark.parametrize("tz", ["Mars/Olympus", "", "x" * 65])
def test_unknown_timezone_argument_is_422(
    clean_app: Flask, organizer: Api, conference: str, tz: str
) -> None:
    before = table_counts(clean_app)

    response = upload_raw(
        organizer, conference, schedule_bytes("confclerk-fosdem2010-pentabarf.xml"),
        f"?timezone={tz}",
    )

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] in {"invalid_schedule", "validation_error"}
    assert table_counts(clean_app) == before


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<schedule><conference><title>&lol9;</title></conference></schedule>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE schedule [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<schedule><conference><title>&xxe;</title></conference></schedule>
"""


def truncated(name: str) -> bytes:
    data = schedule_bytes(name)
    return data[: len(data) // 2]


BAD_FILES = {
    "malformed json": lambda: b'{"schedule": {"conference": ',
    "truncated json": lambda: truncated("voc-pretalx-democon.json"),
    "truncated xml": lambda: truncated("confclerk-fosdem2010-pentabarf.xml"),
    "malformed xml": lambda: b"<schedule><day><room></day></schedule>",
    "xml bomb": lambda: BILLION_LAUGHS,
    "external entity": lambda: EXTERNAL_ENTITY,
    "not a schedule": lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
    "json array": lambda: b"[1, 2, 3]",
    "json without events": lambda: b'{"schedule": {"version": "1"}}',
    "wrong json types": lambda: json.dumps(
        {"schedule": {"conference": {"title": 5, "days": "monday"}}}
    ).encode(),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@pytest.mark.parametrize("how", ["multipart", "raw"])
def test_bad_file_is_refused_and_nothing_written(
    clean_app: Flask, organizer: Api, conference: str, import_file: Callable[..., Any],
    kind: str, how: str,
) -> None:
    import_file("voc-pretalx-democon.json", slug=conference)
    before = table_counts(clean_app)
    listing = organizer.get(f"/api/v1/conferences/{conference}/sessions").get_json()
    send = upload_multipart if how == "multipart" else upload_raw

    response = send(organizer, conference, BAD_FILES[kind]())

    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_schedule"
    assert error["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    assert table_counts(clean_app) == before
    assert organizer.get(f"/api/v1/conferences/{conference}/sessions").get_json() == listing


def test_error_names_the_place_in_the_file(organizer: Api, conference: str) -> None:
    data = json.loads(schedule_bytes("voc-pretalx-democon.json"))
    event = data["schedule"]["conference"]["days"][1]["rooms"]["Gray Room"][2]
    event["date"] = "not a date"

    response = upload_raw(organizer, conference, json.dumps(data).encode())

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_schedule"
    assert error.get("location")


def test_empty_upload_is_422(clean_app: Flask, organizer: Api, conference: str) -> None:
    before = table_counts(clean_app)

    response = upload_raw(organizer, conference, b"")

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "empty_file"
    assert table_counts(clean_app) == before


def test_multipart_without_the_file_field_is_422(organizer: Api, conference: str) -> None:
    response = organizer.client.post(
        f"/api/v1/conferences/{conference}/imports",
        data={"schedule": (io.BytesIO(b"{}"), "x.json")},
        content_type="multipart/form-data",
        headers=organizer._headers(None),
    )

    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "file"


@pytest.mark.parametrize("how", ["multipart", "raw"])
def test_oversized_upload_is_413(
    clean_app: Flask, organizer: Api, conference: str, how: str
) -> None:
    before = table_counts(clean_app)
    data = b"{" + b" " * MAX_SCHEDULE_BYTES + b"}"
    send = upload_multipart if how == "multipart" else upload_raw

    response = send(organizer, conference, data)

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert table_counts(clean_app) == before


def test_attendee_may_not_import(
    clean_app: Flask, make_user: Callable[..., Api], conference: str
) -> None:
    users = [make_user("attendee"), make_user("moderator")]
    before = table_counts(clean_app)
    for user in users:
        response = upload_raw(user, conference, schedule_bytes("voc-hub-schedule2.json"))
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    assert upload_raw(Api(clean_app.test_client()), conference, b"{}").status_code == 401
    assert table_counts(clean_app) == before


def test_import_into_unknown_conference_is_404(clean_app: Flask, organizer: Api) -> None:
    before = table_counts(clean_app)

    response = upload_raw(organizer, "nope", schedule_bytes("voc-hub-schedule2.json"))

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert table_counts(clean_app) == before


def test_upload_records_an_import_run(
    clean_app: Flask, organizer: Api, conference: str
) -> None:
    upload_raw(organizer, conference, schedule_bytes("voc-hub-schedule2.json"))

    with clean_app.app_context():
        runs = db.session.scalars(select(ImportRun)).all()
        assert [(r.source, r.status) for r in runs] == [("upload", "succeeded")]
        assert runs[0].user_id is not None
        db.session.remove()


# --- from a URL -----------------------------------------------------------------------------


class Served:
    def __init__(self, root: Path, base: str) -> None:
        self.root = root
        self.base = base
        self.requests: list[dict[str, str]] = []

    def put(self, name: str, data: bytes) -> str:
        (self.root / name).write_bytes(data)
        return f"{self.base}/{name}"


def _handler(served: Served, etags: bool) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(served.root), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            served.requests.append(dict(self.headers.items()))
            path = served.root / self.path.lstrip("/")
            if etags and path.is_file():
                tag = '"' + hashlib.sha1(path.read_bytes()).hexdigest() + '"'
                if self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.end_headers()
                    return
                body = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", tag)
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

    return Handler


def _serve(tmp_path: Path, etags: bool) -> Iterator[Served]:
    root = tmp_path / ("etag" if etags else "plain")
    root.mkdir()
    served = Served(root, "")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served, etags))
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture()
def web(tmp_path: Path) -> Iterator[Served]:
    yield from _serve(tmp_path, etags=True)


@pytest.fixture()
def plain_web(tmp_path: Path) -> Iterator[Served]:
    yield from _serve(tmp_path, etags=False)


def moved_democon() -> bytes:
    data = json.loads(schedule_bytes("voc-pretalx-democon.json"))
    event = data["schedule"]["conference"]["days"][0]["rooms"]["Gray Room"][0]
    assert event["title"] == "Focused 5thgeneration hardware"
    event["date"] = "2020-12-14T10:30:00+01:00"
    event["start"] = "10:30"
    return json.dumps(data).encode()


def stored_source(app: Flask, slug: str) -> tuple[str | None, int | None, str | None]:
    with app.app_context():
        conf = db.session.scalar(select(Conference).where(Conference.slug == slug))
        assert conf is not None
        found = (conf.source_url, conf.source_refresh_minutes, conf.source_etag)
        db.session.remove()
    return found


def refresh(app: Flask, at: datetime) -> dict[str, str]:
    with app.app_context():
        try:
            return refresh_due(at)
        finally:
            db.session.remove()


def test_import_from_url_then_refresh(
    clean_app: Flask, organizer: Api, conference: str, web: Served
) -> None:
    url = web.put("democon.json", schedule_bytes("voc-pretalx-democon.json"))

    response = organizer.post(
        f"/api/v1/conferences/{conference}/imports/url",
        json={"url": url, "refresh_minutes": 15},
    )

    assert response.status_code == 201, response.get_json()
    check_report(response.get_json(), 36)
    source_url, minutes, etag = stored_source(clean_app, conference)
    assert (source_url, minutes) == (url, 15)
    assert etag is not None and etag.startswith('"')
    assert "Backchannel" in web.requests[-1]["User-Agent"]

    # Not due yet: nothing is fetched.
    fetched = len(web.requests)
    assert refresh(clean_app, datetime.now(UTC) + timedelta(minutes=5)) == {}
    assert len(web.requests) == fetched

    # The programme changes at the source: the refresh applies it.
    web.put("democon.json", moved_democon())
    assert refresh(clean_app, datetime.now(UTC) + timedelta(hours=1)) == {conference: "changed"}
    items = organizer.get(f"/api/v1/conferences/{conference}/sessions?q=Focused+5thgeneration")
    (moved,) = items.get_json()["items"]
    assert datetime.fromisoformat(moved["start"]) == datetime(2020, 12, 14, 9, 30, tzinfo=UTC)
    with clean_app.app_context():
        runs = db.session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        assert [r.source for r in runs] == ["url", "refresh"]
        assert runs[-1].report["moved"] == 1
        db.session.remove()

    # Unchanged since: the server answers 304 to our If-None-Match.
    assert refresh(clean_app, datetime.now(UTC) + timedelta(hours=2)) == {
        conference: "not modified"
    }
    assert web.requests[-1]["If-None-Match"] == stored_source(clean_app, conference)[2]


def test_refresh_without_etags_reports_unchanged(
    clean_app: Flask, organizer: Api, conference: str, plain_web: Served
) -> None:
    url = plain_web.put("hub.json", schedule_bytes("voc-hub-schedule2.json"))
    assert organizer.post(
        f"/api/v1/conferences/{conference}/imports/url", json={"url": url, "refresh_minutes": 5}
    ).status_code == 201
    before = table_counts(clean_app)

    outcome = refresh(clean_app, datetime.now(UTC) + timedelta(hours=1))

    assert outcome == {conference: "unchanged"}
    after = table_counts(clean_app)
    assert after["talks"] == before["talks"]
    assert after["import_runs"] == before["import_runs"] + 1


def test_refresh_of_a_broken_source_changes_nothing(
    clean_app: Flask, organizer: Api, conference: str, web: Served
) -> None:
    url = web.put("democon.json", schedule_bytes("voc-pretalx-democon.json"))
    organizer.post(
        f"/api/v1/conferences/{conference}/imports/url", json={"url": url, "refresh_minutes": 5}
    )
    listing = organizer.get(f"/api/v1/conferences/{conference}/sessions").get_json()
    before = table_counts(clean_app)

    web.put("democon.json", b'{"schedule": ')
    outcome = refresh(clean_app, datetime.now(UTC) + timedelta(hours=1))

    assert outcome == {conference: "failed: invalid_schedule"}
    assert table_counts(clean_app) == before
    assert organizer.get(f"/api/v1/conferences/{conference}/sessions").get_json() == listing


def test_import_from_url_without_refresh(
    clean_app: Flask, organizer: Api, conference: str, web: Served
) -> None:
    url = web.put("hub.json", schedule_bytes("voc-hub-schedule2.json"))

    response = organizer.post(f"/api/v1/conferences/{conference}/imports/url", json={"url": url})

    assert response.status_code == 201
    assert stored_source(clean_app, conference)[:2] == (url, None)
    assert refresh(clean_app, datetime.now(UTC) + timedelta(days=1)) == {}


def test_url_answering_404_is_502_and_nothing_written(
    clean_app: Flask, organizer: Api, conference: str, web: Served
) -> None:
    before = table_counts(clean_app)

    response = organizer.post(
        f"/api/v1/conferences/{conference}/imports/url",
        json={"url": f"{web.base}/missing.json", "refresh_minutes": 30},
    )

    assert response.status_code == 502
    error = response.get_json()["error"]
    assert error["code"] == "fetch_failed"
    assert "404" in error["message"]
    assert table_counts(clean_app) == before
    assert stored_source(clean_app, conference) == (None, None, None)


def test_unreachable_url_is_502(clean_app: Flask, organizer: Api, conference: str) -> None:
    before = table_counts(clean_app)

    response = organizer.post(
        f"/api/v1/conferences/{conference}/imports/url",
        json={"url": "http://127.0.0.1:9/schedule.json"},
    )

    assert response.status_code == 502
    assert response.get_json()["error"]["code"] == "fetch_failed"
    assert table_counts(clean_app) == before


def test_url_serving_a_bad_file_is_422(
    clean_app: Flask, organizer: Api, conference: str, web: Served
) -> None:
    url = web.put("bomb.xml", BILLION_LAUGHS)
    before = table_counts(clean_app)

    response = organizer.post(f"/api/v1/conferences/{conference}/imports/url", json={"url": url})

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_schedule"
    assert table_counts(clean_app) == before
    assert stored_source(clean_app, conference) == (None, None, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/schedule.json"}, "url"),
        ({"url": "not a url"}, "url"),
        ({}, "url"),
        ({"url": "http://127.0.0.1/x.json", "refresh_minutes": 1}, "refresh_minutes"),
        ({"url": "http://127.0.0.1/x.json", "refresh_minutes": "often"}, "refresh_minutes"),
        ({"url": "http://127.0.0.1/x.json", "every": 5}, "every"),
    ],
)
def test_import_from_url_bad_body_is_422(
    clean_app: Flask, organizer: Api, conference: str, body: dict[str, Any], field: str
) -> None:
    before = table_counts(clean_app)

    response = organizer.post(f"/api/v1/conferences/{conference}/imports/url", json=body)

    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field
    assert table_counts(clean_app) == before


def test_import_from_url_needs_an_organizer(
    clean_app: Flask, attendee: Api, conference: str, web: Served
) -> None:
    url = web.put("hub.json", schedule_bytes("voc-hub-schedule2.json"))

    response = attendee.post(f"/api/v1/conferences/{conference}/imports/url", json={"url": url})

    assert response.status_code == 403
    assert web.requests == []
