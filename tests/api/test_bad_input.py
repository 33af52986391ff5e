"""Bad input (reliability.md (c)): each gets the right status, a stable code, nothing written.

Every error body is exactly ``{"error": {"code", "message", ...}}`` and never a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.extensions import db
from server.models import Speaker, Talk, Track
from tests.conftest import Api, table_counts

pytestmark = pytest.mark.db

BIG = 10**20


@pytest.fixture()
def hub(clean_app: Flask, import_file: Callable[..., Any]) -> dict[str, int]:
    import_file("voc-hub-schedule2.json", slug="hub")
    with clean_app.app_context():
        found = {
            "talk": db.session.scalars(select(Talk.id).order_by(Talk.id)).first(),
            "speaker": db.session.scalars(select(Speaker.id).order_by(Speaker.id)).first(),
            "track": db.session.scalars(select(Track.id).order_by(Track.id)).first(),
        }
        db.session.remove()
    assert all(found.values())
    return found  # type: ignore[return-value]


def check_error(response: Any, status: int, code: str | set[str]) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == ["error"]
    error = body["error"]
    assert isinstance(error["message"], str) and error["message"]
    assert error["code"] in ({code} if isinstance(code, str) else code)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text
    return error


def write_routes(hub: dict[str, int]) -> list[tuple[str, str]]:
    """JSON-bodied write routes (method, path)."""
    return [
        ("POST", "/api/v1/auth/signup"),
        ("POST", "/api/v1/auth/token"),
        ("POST", "/api/v1/auth/session"),
        ("PATCH", "/api/v1/me"),
        ("POST", "/api/v1/conferences"),
        ("PATCH", "/api/v1/conferences/hub"),
        ("PATCH", f"/api/v1/conferences/hub/tracks/{hub['track']}"),
        ("PATCH", f"/api/v1/sessions/{hub['talk']}"),
        ("PATCH", f"/api/v1/speakers/{hub['speaker']}"),
        ("POST", "/api/v1/conferences/hub/imports/url"),
    ]


def send(api: Api, method: str, path: str, **kw: Any) -> Any:
    headers = api._headers(kw.pop("headers", None))
    return api.client.open(path, method=method, headers=headers, **kw)


# --- malformed bodies -----------------------------------------------------------------------


MALFORMED = {
    "truncated": b'{"username": "alice", ',
    "single quotes": b"{'username': 'alice'}",
    "trailing comma": b'{"username": "alice",}',
    "not json": b"username=alice",
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "deep objects": b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
    "blank": b"   \n",
    "empty": b"",
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_malformed_json_is_400_on_every_write_route(
    clean_app: Flask, organizer: Api, hub: dict[str, int], kind: str
) -> None:
    before = table_counts(clean_app)
    for method, path in write_routes(hub):
        response = send(
            organizer, method, path, data=MALFORMED[kind], content_type="application/json"
        )
        error = check_error(response, 400, "invalid_json")
        assert "field" not in error
    assert table_counts(clean_app) == before


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data"],
)
def test_wrong_content_type_is_415(
    clean_app: Flask, organizer: Api, hub: dict[str, int], content_type: str
) -> None:
    body = json.dumps({"display_name": "Changed"}).encode()
    before = table_counts(clean_app)
    for method, path in write_routes(hub):
        response = send(organizer, method, path, data=body, content_type=content_type)
        check_error(response, 415, "unsupported_media_type")
    assert table_counts(clean_app) == before
    assert organizer.get("/api/v1/me").get_json()["display_name"] != "Changed"


def test_json_with_a_charset_parameter_is_fine(anon: Api) -> None:
    body = {"username": "alice", "password": "correct horse battery", "display_name": "A"}

    response = anon.client.post(
        "/api/v1/auth/signup",
        data=json.dumps(body),
        content_type="application/json; charset=utf-8",
    )

    assert response.status_code == 201


def test_invalid_utf8_is_400(clean_app: Flask, anon: Api) -> None:
    before = table_counts(clean_app)

    response = anon.client.post(
        "/api/v1/auth/signup",
        data=b'{"username": "al\xffice", "password": "correct horse battery", "display_name": "A"}',
        content_type="application/json",
    )

    check_error(response, 400, "invalid_encoding")
    assert table_counts(clean_app) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "al\x00ice", "password": "correct horse battery", "display_name": "A"},
         "username"),
        ({"username": "alice", "password": "correct horse\x00", "display_name": "A"}, "password"),
        ({"username": "alice", "password": "correct horse battery", "display_name": "A\x00"},
         "display_name"),
    ],
)
def test_nul_bytes_in_strings_are_400(
    clean_app: Flask, anon: Api, body: dict[str, str], field: str
) -> None:
    before = table_counts(clean_app)

    response = anon.post("/api/v1/auth/signup", json=body)

    error = check_error(response, 400, "invalid_encoding")
    assert error["field"] == field
    assert table_counts(clean_app) == before


def test_lone_surrogate_is_400(clean_app: Flask, anon: Api) -> None:
    before = table_counts(clean_app)
    raw = (
        b'{"username": "alice", "password": "correct horse battery", '
        b'"display_name": "Ada \\ud83d"}'
    )

    response = anon.client.post("/api/v1/auth/signup", data=raw, content_type="application/json")

    error = check_error(response, 400, "invalid_encoding")
    assert error["field"] == "display_name"
    assert table_counts(clean_app) == before


def test_escaped_nul_in_a_nested_value_is_400(
    clean_app: Flask, organizer: Api, hub: dict[str, int]
) -> None:
    response = organizer.patch(
        "/api/v1/me", json={"handles": [{"network": "x", "handle": "ada\x00"}]}
    )

    error = check_error(response, 400, "invalid_encoding")
    assert error["field"] == "handles"
    assert organizer.get("/api/v1/me").get_json()["handles"] == []


def test_a_surrogate_pair_emoji_is_fine(attendee: Api) -> None:
    response = attendee.client.patch(
        "/api/v1/me",
        data=b'{"display_name": "Ada \\ud83e\\uddb4"}',
        content_type="application/json",
        headers=attendee._headers(None),
    )

    assert response.status_code == 200
    assert response.get_json()["display_name"] == "Ada 🦴"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conferences/hu%00b",
        "/api/v1/conferences/hub/sessions?q=a%00b",
        "/api/v1/conferences/hub/sessions?track=%00",
        "/api/v1/agenda/abc%00.ics",
        "/programme%00",
    ],
)
def test_nul_bytes_in_the_address_are_400(hub: dict[str, int], anon: Api, path: str) -> None:
    check_error(anon.get(path), 400, "invalid_encoding")


# --- fields ---------------------------------------------------------------------------------


SIGNUP = {"username": "alice", "password": "correct horse battery", "display_name": "Alice"}


@pytest.mark.parametrize("missing", sorted(SIGNUP))
def test_missing_field_is_422_naming_it(clean_app: Flask, anon: Api, missing: str) -> None:
    body = {k: v for k, v in SIGNUP.items() if k != missing}
    before = table_counts(clean_app)

    error = check_error(anon.post("/api/v1/auth/signup", json=body), 422, "validation_error")

    assert error["field"] == missing
    assert missing in error["message"]
    assert table_counts(clean_app) == before


@pytest.mark.parametrize("extra", ["role", "id", "is_admin", "password_hash"])
def test_unknown_extra_field_is_422(clean_app: Flask, anon: Api, extra: str) -> None:
    before = table_counts(clean_app)

    response = anon.post("/api/v1/auth/signup", json={**SIGNUP, extra: "organizer"})

    error = check_error(response, 422, "validation_error")
    assert error["field"] == extra
    assert error["message"] == f"Unknown field: {extra}."
    assert table_counts(clean_app) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("username", 5), ("username", None), ("password", ["a"]), ("display_name", {"a": 1}),
     ("display_name", True)],
)
def test_wrong_types_are_422(clean_app: Flask, anon: Api, field: str, value: Any) -> None:
    before = table_counts(clean_app)

    response = anon.post("/api/v1/auth/signup", json={**SIGNUP, field: value})

    error = check_error(response, 422, "validation_error")
    assert error["field"] == field
    assert table_counts(clean_app) == before


@pytest.mark.parametrize("body", [[SIGNUP], "alice", 42, None])
def test_body_that_is_not_an_object_is_422(clean_app: Flask, anon: Api, body: Any) -> None:
    before = table_counts(clean_app)

    response = anon.client.post(
        "/api/v1/auth/signup", data=json.dumps(body), content_type="application/json"
    )

    check_error(response, 422, "validation_error")
    assert table_counts(clean_app) == before


@pytest.mark.parametrize(
    "body",
    [
        {"handles": [{"network": "x"}]},
        {"handles": [{"network": "x", "handle": "ada", "followers": "many"}]},
        {"handles": [{"network": "x", "handle": "ada", "followers": 10**11}]},
        {"handles": {"x": "ada"}},
        {"handles": [{"network": "x", "handle": "a"}] * 11},
        {"display_name": ""},
        {"display_name": "   "},
        {"display_name": "x" * 81},
    ],
)
def test_bad_profile_updates_are_422(attendee: Api, body: dict[str, Any]) -> None:
    before = attendee.get("/api/v1/me").get_json()

    response = attendee.patch("/api/v1/me", json=body)

    error = check_error(response, 422, "validation_error")
    assert error["field"] in {"handles", "display_name"}
    assert attendee.get("/api/v1/me").get_json() == before


# --- ids, sizes, methods --------------------------------------------------------------------


def test_huge_ids_are_404_not_500(clean_app: Flask, organizer: Api, hub: dict[str, int]) -> None:
    before = table_counts(clean_app)
    checks = [
        organizer.get(f"/api/v1/sessions/{BIG}"),
        organizer.get(f"/api/v1/sessions/{2**31}"),
        organizer.get(f"/api/v1/sessions/{BIG}/calendar.ics"),
        organizer.get(f"/api/v1/speakers/{BIG}"),
        organizer.put(f"/api/v1/me/agenda/{BIG}"),
        organizer.delete(f"/api/v1/me/agenda/{BIG}"),
        organizer.patch(f"/api/v1/sessions/{BIG}", json={"tag": "x1"}),
        organizer.patch(f"/api/v1/speakers/{BIG}", json={"handles": {}}),
        organizer.patch(f"/api/v1/conferences/hub/tracks/{BIG}", json={"hashtags": []}),
    ]
    for response in checks:
        check_error(response, 404, "not_found")
    assert table_counts(clean_app) == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"speaker={BIG}", "speaker"),
        ("at=9999-12-31T23:59:59", "at"),
        ("at=0001-01-01T00:00:00", "at"),
        ("at=2024-12-27T10:00:00%2B99:00", "at"),
        ("at=" + "1" * 41, "at"),
        ("cursor=OTk5OS0xMi0zMVQyMzo1OTo1OSswMDowMHwxMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA", "cursor"),
    ],
)
def test_out_of_range_query_values_are_422(
    hub: dict[str, int], anon: Api, query: str, field: str
) -> None:
    error = check_error(
        anon.get(f"/api/v1/conferences/hub/sessions?{query}"),
        422,
        {"validation_error", "invalid_datetime", "invalid_cursor"},
    )

    assert error["field"] == field


@pytest.mark.parametrize("value", [str(BIG), "²", "٣", "0"])
def test_odd_numeric_track_and_room_values_match_nothing(
    hub: dict[str, int], anon: Api, value: str
) -> None:
    for name in ("track", "room"):
        response = anon.get(f"/api/v1/conferences/hub/sessions?{name}={value}")
        assert response.status_code == 200
        assert response.get_json() == {"items": [], "next": None}


def test_huge_offset_on_speakers_is_422(hub: dict[str, int], anon: Api) -> None:
    error = check_error(
        anon.get(f"/api/v1/conferences/hub/speakers?offset={BIG}"), 422, "validation_error"
    )
    assert error["field"] == "offset"


def test_embargo_far_in_the_past_or_future_is_422(organizer: Api, hub: dict[str, int]) -> None:
    for when in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        response = organizer.patch(
            f"/api/v1/sessions/{hub['talk']}", json={"policy": "embargoed", "embargo_until": when}
        )
        error = check_error(response, 422, {"invalid_datetime", "validation_error"})
        assert error["field"] == "embargo_until"
    assert organizer.get(f"/api/v1/sessions/{hub['talk']}").get_json()["policy"] == "open"


def test_huge_json_body_is_413_before_parsing(clean_app: Flask, anon: Api) -> None:
    before = table_counts(clean_app)
    body = json.dumps({**SIGNUP, "display_name": "x" * (5 * 2**20)})

    response = anon.client.post("/api/v1/auth/signup", data=body, content_type="application/json")

    check_error(response, 413, "payload_too_large")
    assert table_counts(clean_app) == before


def test_body_over_the_server_limit_is_413(
    clean_app: Flask, organizer: Api, hub: dict[str, int]
) -> None:
    body = b"x" * (clean_app.config["MAX_CONTENT_LENGTH"] + 1)

    response = organizer.client.post(
        "/api/v1/conferences/hub/imports", data=body, content_type="application/octet-stream",
        headers=organizer._headers(None),
    )

    check_error(response, 413, "payload_too_large")


def test_unknown_route_and_method(anon: Api) -> None:
    check_error(anon.get("/api/v1/nothing-here"), 404, "not_found")
    error = check_error(anon.client.put("/api/v1/conferences"), 405, "method_not_allowed")
    assert error == {
        "code": "method_not_allowed",
        "message": "This address does not accept that method.",
    }
    allowed = anon.client.put("/api/v1/conferences").headers["Allow"]
    assert set(allowed.replace(" ", "").split(",")) >= {"GET", "POST"}


def test_unexpected_exception_is_a_500_without_details(
    clean_app: Flask, anon: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from server.services import programme

    def boom() -> None:
        raise RuntimeError("secret internals: /etc/passwd")

    monkeypatch.setattr(programme, "list_conferences", boom)

    response = anon.get("/api/v1/conferences")

    error = check_error(response, 500, "internal_error")
    assert error == {
        "code": "internal_error",
        "message": "Something went wrong on our side; it has been logged.",
    }
    assert "secret internals" not in response.get_data(as_text=True)
    assert "secret internals" in caplog.text
