"""Who may call what: every write route and every /me route of the programme API, per role.

The table is checked against ``app.url_map`` so a new route of these blueprints without a
row fails here. Denied calls must write nothing. Security headers on API and page responses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.extensions import db
from server.models import Speaker, Talk, Track
from tests.conftest import Api, table_counts
from tests.shared_data import schedule_bytes

pytestmark = pytest.mark.db

ROLES = ("anonymous", "attendee", "moderator", "organizer")
BLUEPRINTS = ("auth", "conferences", "sessions", "speakers", "agenda", "imports")
PASSWORD = "correct horse battery"

# (method, path template, body kind, expected status per role in ROLES order)
MATRIX: list[tuple[str, str, str, tuple[int, int, int, int]]] = [
    ("POST", "/api/v1/auth/signup", "signup", (201, 201, 201, 201)),
    ("POST", "/api/v1/auth/token", "credentials", (201, 201, 201, 201)),
    ("DELETE", "/api/v1/auth/token", "none", (401, 204, 204, 204)),
    ("POST", "/api/v1/auth/session", "credentials", (200, 200, 200, 200)),
    ("GET", "/api/v1/auth/session", "none", (401, 401, 401, 401)),  # browsers only
    ("DELETE", "/api/v1/auth/session", "none", (401, 204, 204, 204)),
    ("GET", "/api/v1/me", "none", (401, 200, 200, 200)),
    ("PATCH", "/api/v1/me", "profile", (401, 200, 200, 200)),
    ("GET", "/api/v1/me/agenda", "none", (401, 200, 200, 200)),
    ("PUT", "/api/v1/me/agenda/{talk}", "none", (401, 200, 200, 200)),
    ("DELETE", "/api/v1/me/agenda/{talk}", "none", (401, 204, 204, 204)),
    ("POST", "/api/v1/me/agenda/feed", "none", (401, 201, 201, 201)),
    ("DELETE", "/api/v1/me/agenda/feed", "none", (401, 204, 204, 204)),
    ("POST", "/api/v1/conferences", "conference", (401, 403, 403, 201)),
    ("PATCH", "/api/v1/conferences/hub", "conference_edit", (401, 403, 403, 200)),
    ("PATCH", "/api/v1/conferences/hub/tracks/{track}", "hashtags", (401, 403, 403, 200)),
    ("PATCH", "/api/v1/sessions/{talk}", "tag", (401, 403, 403, 200)),
    ("PATCH", "/api/v1/speakers/{speaker}", "handles", (401, 403, 403, 200)),
    ("POST", "/api/v1/conferences/hub/imports", "schedule", (401, 403, 403, 201)),
    # Authorised, then the fetch fails: the organizer gets past the role check.
    ("POST", "/api/v1/conferences/hub/imports/url", "url", (401, 403, 403, 502)),
]

BODIES: dict[str, Callable[[str], dict[str, Any]]] = {
    "signup": lambda role: {"json": {"username": f"new_{role}", "password": PASSWORD,
                                     "display_name": "New"}},
    "credentials": lambda role: {"json": {"username": "known", "password": PASSWORD}},
    "none": lambda role: {},
    "profile": lambda role: {"json": {"display_name": "Changed"}},
    "conference": lambda role: {"json": {"slug": "newconf", "title": "New conference"}},
    "conference_edit": lambda role: {"json": {"title": "Renamed"}},
    "hashtags": lambda role: {"json": {"hashtags": ["RadOnc"]}},
    "tag": lambda role: {"json": {"tag": "NEWTAG1"}},
    "handles": lambda role: {"json": {"handles": {"x": "someone"}}},
    "schedule": lambda role: {"data": schedule_bytes("voc-hub-schedule2.json"),
                              "content_type": "application/json"},
    "url": lambda role: {"json": {"url": "http://127.0.0.1:9/schedule.json"}},
}


def _rule_key(rule: str) -> str:
    for name in ("talk_id", "speaker_id", "track_id"):
        rule = rule.replace(f"<int:{name}>", "{id}")
    return rule.replace("<slug>", "hub")


def _template_key(path: str) -> str:
    for name in ("{talk}", "{speaker}", "{track}"):
        path = path.replace(name, "{id}")
    return path


def test_matrix_covers_every_write_and_me_route(app: Flask) -> None:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in BLUEPRINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method != "GET" or rule.rule.startswith(("/api/v1/me", "/api/v1/auth")):
                routes.add((method, _rule_key(rule.rule)))

    covered = {(method, _template_key(path)) for method, path, _, _ in MATRIX}

    assert routes == covered


@pytest.fixture()
def world(clean_app: Flask, import_file: Callable[..., Any],
          make_user: Callable[..., Api]) -> dict[str, Any]:
    import_file("voc-hub-schedule2.json", slug="hub")
    make_user("attendee", username="known")
    with clean_app.app_context():
        ids = {
            "talk": db.session.scalars(select(Talk.id).order_by(Talk.id)).first(),
            "speaker": db.session.scalars(select(Speaker.id).order_by(Speaker.id)).first(),
            "track": db.session.scalars(select(Track.id).order_by(Track.id)).first(),
        }
        db.session.remove()
    return ids


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_route_by_role(
    clean_app: Flask, world: dict[str, Any], make_user: Callable[..., Api],
    method: str, path: str, body: str, expected: tuple[int, ...], role_index: int,
) -> None:
    role = ROLES[role_index]
    api = Api(clean_app.test_client()) if role == "anonymous" else make_user(role)
    before = table_counts(clean_app)
    kwargs = BODIES[body](role)

    response = api.client.open(
        path.format(**world), method=method, headers=api._headers(None), **kwargs
    )

    want = expected[role_index]
    assert response.status_code == want, response.get_data(as_text=True)
    if want in (401, 403):
        error = response.get_json()["error"]
        assert error["code"] in {"auth_required", "forbidden", "invalid_token"}
        assert table_counts(clean_app) == before


def test_revoked_bearer_is_refused_everywhere(
    clean_app: Flask, world: dict[str, Any], make_user: Callable[..., Api]
) -> None:
    organizer = make_user("organizer")
    assert organizer.delete("/api/v1/auth/token").status_code == 204
    before = table_counts(clean_app)

    for method, path, body, _ in MATRIX:
        response = organizer.client.open(
            path.format(**world), method=method, headers=organizer._headers(None),
            **BODIES[body]("organizer"),
        )
        assert response.status_code == 401, (method, path)
        assert response.get_json()["error"]["code"] == "invalid_token"
    assert table_counts(clean_app) == before


# --- security headers -----------------------------------------------------------------------


def check_headers(response: Any) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert directives["object-src"] == "object-src 'none'"
    assert directives["base-uri"] == "base-uri 'none'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["default-src"] == "default-src 'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/conferences", 200),
        ("GET", "/api/v1/conferences/hub/sessions", 200),
        ("GET", "/api/v1/conferences/nope", 404),
        ("GET", "/api/v1/me", 401),
        ("PUT", "/api/v1/conferences", 405),
        ("POST", "/api/v1/auth/signup", 400),
        ("GET", "/api/v1/sessions/{talk}/calendar.ics", 200),
        ("GET", "/api/openapi.json", 200),
        ("GET", "/", 200),
        ("GET", "/programme", 200),
        ("GET", "/sessions/{talk}", 200),
        ("GET", "/no-such-page", 404),
    ],
)
def test_security_headers_on_api_and_pages(
    clean_app: Flask, world: dict[str, Any], method: str, path: str, status: int
) -> None:
    response = clean_app.test_client().open(
        path.format(**world), method=method, data=b"{", content_type="application/json"
    )

    assert response.status_code == status
    check_headers(response)
    assert "Strict-Transport-Security" not in response.headers


def test_security_headers_on_a_304(clean_app: Flask, world: dict[str, Any]) -> None:
    client = clean_app.test_client()
    etag = client.get("/api/v1/conferences/hub/sessions").headers["ETag"]

    response = client.get("/api/v1/conferences/hub/sessions", headers={"If-None-Match": etag})

    assert response.status_code == 304
    check_headers(response)


def test_hsts_behind_an_https_proxy(clean_app: Flask) -> None:
    response = clean_app.test_client().get(
        "/api/v1/conferences", headers={"X-Forwarded-Proto": "https"}
    )

    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
