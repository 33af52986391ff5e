"""Who may call what: every write route and every /live event, per role; CSRF on cookie
writes; origins; text returned as written; security headers on API, page and media responses.

The route table is checked against ``app.url_map``: a new write route (or /me, /auth route)
without a row fails here. The moderation blueprint has its own matrix, with its audit rows of
denied attempts, in tests/api/test_moderation.py, which checks it covers every moderation
route. Denied calls must write nothing.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from sqlalchemy import select

from server.app import create_app
from server.extensions import db
from server.models import Speaker, Talk, Track
from tests.conftest import Api, base_config, table_counts
from tests.images import photo
from tests.shared_data import REPO, schedule_bytes

pytestmark = pytest.mark.db

ROLES = ("anonymous", "attendee", "moderator", "organizer")
PASSWORD = "correct horse battery"
ORIGIN = "http://127.0.0.1:5000"
NS = "/live"
#: Covered by tests/api/test_moderation.py (its own matrix and coverage check).
OWN_MATRIX_BLUEPRINTS = ("moderation",)
OPEN = (200, 200, 200, 200)

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
    # The only organizer of the world cannot leave (409 last_organizer).
    ("DELETE", "/api/v1/me", "password", (401, 204, 204, 409)),
    ("GET", "/api/v1/me/export", "none", (401, 200, 200, 200)),
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
    # The live wall.
    ("POST", "/api/v1/conferences/hub/posts", "post", (401, 201, 201, 201)),
    # Only the author deletes through this route (moderators use /posts/<id>/delete).
    ("DELETE", "/api/v1/posts/{post}", "none", (401, 404, 404, 404)),
    ("POST", "/api/v1/uploads", "image", (401, 201, 201, 201)),
    # The drafter: computing is open to everyone, drafts are one's own.
    ("POST", "/api/v1/compose/measure", "text", OPEN),
    ("POST", "/api/v1/compose/check", "text", OPEN),
    ("POST", "/api/v1/compose/draft", "compose", OPEN),
    ("POST", "/api/v1/compose/thread", "thread", OPEN),
    ("POST", "/api/v1/compose/intents", "text", OPEN),
    ("PUT", "/api/v1/me/drafts/{draft}", "draft", (401, 201, 201, 201)),
    ("DELETE", "/api/v1/me/drafts/{draft}", "none", (401, 204, 204, 204)),
    ("GET", "/api/v1/me/drafts", "none", (401, 200, 200, 200)),
    ("GET", "/api/v1/me/drafts/{draft}", "none", (401, 404, 404, 404)),
    # Tweetups (the world's is proposed by "author"), tweetchats (hosted by "author"), follows.
    ("POST", "/api/v1/conferences/hub/tweetups", "tweetup", (401, 201, 201, 201)),
    ("PATCH", "/api/v1/tweetups/{tweetup_id}", "conference_edit", (401, 403, 403, 200)),
    ("PUT", "/api/v1/tweetups/{tweetup_id}/rsvp", "rsvp", (401, 200, 200, 200)),
    ("DELETE", "/api/v1/tweetups/{tweetup_id}/rsvp", "none", (401, 204, 204, 204)),
    ("POST", "/api/v1/conferences/hub/chats", "chat", (401, 201, 201, 201)),
    ("PATCH", "/api/v1/chats/{chat_id}", "conference_edit", (401, 403, 403, 200)),
    ("PUT", "/api/v1/chats/{chat_id}/questions", "questions", (401, 403, 403, 200)),
    ("POST", "/api/v1/chats/{chat_id}/next", "none", (401, 403, 403, 200)),
    ("POST", "/api/v1/chats/{chat_id}/end", "none", (401, 403, 403, 200)),
    ("POST", "/api/v1/chats/{chat_id}/compose", "none", OPEN),
    ("GET", "/api/v1/me/following", "none", (401, 200, 200, 200)),
    ("POST", "/api/v1/me/following", "follow", (401, 201, 201, 201)),
    ("DELETE", "/api/v1/me/following/{follow_id}", "none", (401, 204, 204, 204)),  # not theirs
    ("POST", "/api/v1/me/following/{follow_id}/seen", "none", (401, 404, 404, 404)),
]

BODIES: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
    "signup": lambda role, w: {"json": {"username": f"new_{role}", "password": PASSWORD,
                                     "display_name": "New"}},
    "credentials": lambda role, w: {"json": {"username": "known", "password": PASSWORD}},
    "none": lambda role, w: {},
    "profile": lambda role, w: {"json": {"display_name": "Changed"}},
    "password": lambda role, w: {"json": {"password": PASSWORD}},
    "conference": lambda role, w: {"json": {"slug": "newconf", "title": "New conference"}},
    "conference_edit": lambda role, w: {"json": {"title": "Renamed"}},
    "hashtags": lambda role, w: {"json": {"hashtags": ["RadOnc"]}},
    "tag": lambda role, w: {"json": {"tag": "NEWTAG1"}},
    "handles": lambda role, w: {"json": {"handles": {"x": "someone"}}},
    "schedule": lambda role, w: {"data": schedule_bytes("voc-hub-schedule2.json"),
                              "content_type": "application/json"},
    "url": lambda role, w: {"json": {"url": "http://127.0.0.1:9/schedule.json"}},
    "post": lambda role, w: {"json": {"text": f"Live from {role}"},
                          "headers": {"Idempotency-Key": str(uuid.uuid4())}},
    "image": lambda role, w: {"data": {"file": (io.BytesIO(photo((40, 30))), "slide.jpg")},
                           "content_type": "multipart/form-data"},
    "text": lambda role, w: {"json": {"text": "Great talk #RSNA26"}},
    "compose": lambda role, w: {"json": {"session_id": w["talk"], "network": "x"}},
    "thread": lambda role, w: {"json": {"text": "Great talk " * 40, "network": "x"}},
    "draft": lambda role, w: {"json": {"text": "a draft"}},
    "tweetup": lambda role, w: {"json": {"title": "Meet", "start": w["soon"], "end": w["later"],
                                         "place": "Hall B"}},
    "rsvp": lambda role, w: {"json": {"status": "going"}},
    "chat": lambda role, w: {"json": {"title": "Chat", "hashtag": "HubChat", "start": w["soon"],
                                      "end": w["later"], "questions": ["Why?"]}},
    "questions": lambda role, w: {"json": {"questions": ["Why?", "How?"]}},
    "follow": lambda role, w: {"json": {"kind": "session", "id": w["talk"]}},
}


def _rule_key(rule: str) -> str:
    rule = re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule)
    rule = rule.replace("{slug}", "hub")
    return re.sub(r"\{(talk_id|speaker_id|track_id|post_id|draft_id)\}", "{id}", rule)


def _template_key(path: str) -> str:
    return re.sub(r"\{(talk|speaker|track|post|draft)\}", "{id}", path)


def test_matrix_covers_every_write_and_me_route(app: Flask) -> None:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in OWN_MATRIX_BLUEPRINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method != "GET" or rule.rule.startswith(("/api/v1/me", "/api/v1/auth")):
                routes.add((method, _rule_key(rule.rule)))

    covered = {(method, _template_key(path)) for method, path, _, _ in MATRIX}

    assert routes == covered


@pytest.fixture()
def world(clean_app: Flask, import_file: Callable[..., Any],
          make_user: Callable[..., Api]) -> dict[str, Any]:
    """The hub programme, a known account, a post by someone else, a draft id."""
    import_file("voc-hub-schedule2.json", slug="hub")
    make_user("attendee", username="known")
    author = make_user("attendee", username="author")
    post = author.post("/api/v1/conferences/hub/posts", json={"text": "by the author"},
                       headers={"Idempotency-Key": str(uuid.uuid4())})
    with clean_app.app_context():
        ids = {
            "talk": db.session.scalars(select(Talk.id).order_by(Talk.id)).first(),
            "speaker": db.session.scalars(select(Speaker.id).order_by(Speaker.id)).first(),
            "track": db.session.scalars(select(Track.id).order_by(Track.id)).first(),
        }
        db.session.remove()
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    later = (datetime.now(UTC) + timedelta(days=1, hours=1)).isoformat()
    tweetup = author.post("/api/v1/conferences/hub/tweetups", json={
        "title": "Hub meetup", "start": soon, "end": later, "place": "Lobby"})
    chat = author.post("/api/v1/conferences/hub/chats", json={
        "title": "Hub chat", "hashtag": "HubTalk", "start": soon, "end": later,
        "questions": ["Why?"]})
    follow = author.post("/api/v1/me/following", json={"kind": "session", "id": ids["talk"]})
    return {**ids, "post": post.get_json()["id"], "draft": str(uuid.uuid4()), "author": author,
            "tweetup_id": tweetup.get_json()["id"], "chat_id": chat.get_json()["id"],
            "follow_id": follow.get_json()["id"], "soon": soon, "later": later}


def call(api: Api, method: str, path: str, body: str, world: dict[str, Any],
         role: str = "anonymous") -> Any:
    kwargs = BODIES[body](role, world)
    headers = {**api._headers(None), **kwargs.pop("headers", {})}
    return api.client.open(path.format(**world), method=method, headers=headers, **kwargs)


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

    response = call(api, method, path, body, world, role)

    want = expected[role_index]
    assert response.status_code == want, response.get_data(as_text=True)
    if want in (401, 403, 404):
        error = response.get_json()["error"]
        assert error["code"] in {"auth_required", "forbidden", "invalid_token", "not_found"}
        assert table_counts(clean_app) == before


def test_the_author_may_delete_their_post(world: dict[str, Any]) -> None:
    author: Api = world["author"]

    assert author.delete(f"/api/v1/posts/{world['post']}").status_code == 204
    assert author.get(f"/api/v1/posts/{world['post']}").status_code == 404


def test_revoked_bearer_is_refused_everywhere(
    clean_app: Flask, world: dict[str, Any], make_user: Callable[..., Api]
) -> None:
    organizer = make_user("organizer")
    assert organizer.delete("/api/v1/auth/token").status_code == 204
    before = table_counts(clean_app)

    for method, path, body, expected in MATRIX:
        if expected == OPEN:
            continue  # no account needed, so no token is read... but a bad one is refused:
        response = call(organizer, method, path, body, world, "organizer")
        assert response.status_code == 401, (method, path)
        assert response.get_json()["error"]["code"] == "invalid_token"
    assert table_counts(clean_app) == before


def test_a_revoked_bearer_is_refused_on_open_routes_too(
    world: dict[str, Any], make_user: Callable[..., Api]
) -> None:
    organizer = make_user("organizer")
    organizer.delete("/api/v1/auth/token")

    response = call(organizer, "POST", "/api/v1/compose/measure", "text", world)

    assert response.status_code == 401


# --- /live events by role ---------------------------------------------------------------------

#: (event, payload template, expected ack error code per role, or None for ok)
EVENTS: list[tuple[str, Any, tuple[str | None, str | None, str | None, str | None]]] = [
    ("join", {"room": "conference:hub"}, (None, None, None, None)),
    ("join", {"room": "session:{talk}", "since": 0}, (None, None, None, None)),
    ("join", {"room": "moderation:hub"}, ("auth_required", "forbidden", None, None)),
    ("join", {"room": "tweetup:{tweetup_id}", "since": 0}, (None, None, None, None)),
    ("join", {"room": "chat:{chat_id}", "since": 0}, (None, None, None, None)),
    ("join", {"room": "chat:2147483647"}, ("not_found",) * 4),
    ("post", {"room": "tweetup:{tweetup_id}", "text": "see you", "client_id": "{uuid}"},
     ("auth_required", None, None, None)),
    ("post", {"room": "chat:{chat_id}", "text": "A1 hi", "client_id": "{uuid}"},
     ("auth_required", None, None, None)),
    ("leave", {"room": "conference:hub"}, ("not_found",) * 4),  # not joined
    ("post", {"room": "conference:hub", "text": "live!", "client_id": "{uuid}"},
     ("auth_required", None, None, None)),
    ("post", {"room": "session:{talk}", "text": "live!", "client_id": "{uuid}"},
     ("auth_required", None, None, None)),
    ("approve", {"post": "{post}"}, ("unknown_event",) * 4),
    ("disconnect", "client namespace disconnect", ("unknown_event",) * 4),
    ("connect", {"token": "{author_token}"}, ("unknown_event",) * 4),
]


def _fill(template: Any, world: dict[str, Any]) -> Any:
    if isinstance(template, dict):
        return {k: _fill(v, world) for k, v in template.items()}
    if isinstance(template, str):
        values = {**world, "uuid": str(uuid.uuid4()), "author_token": world["author"].token}
        for name, value in values.items():
            if template == f"{{{name}}}":
                return value
            template = template.replace(f"{{{name}}}", str(value))
    return template


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize(
    ("event", "payload", "expected"), EVENTS,
    ids=[f"{e} {p.get('room', '') if isinstance(p, dict) else ''}" for e, p, _ in EVENTS],
)
def test_event_by_role(
    clean_app: Flask, world: dict[str, Any], make_user: Callable[..., Api],
    sockets: Callable[..., SocketIOTestClient],
    event: str, payload: Any, expected: tuple[str | None, ...], role_index: int,
) -> None:
    role = ROLES[role_index]
    client = sockets(token=None if role == "anonymous" else make_user(role).token)
    before = table_counts(clean_app)

    ack = client.emit(event, _fill(payload, world), namespace=NS, callback=True)

    want = expected[role_index]
    if want is None:
        assert ack["ok"] is True, ack
    else:
        assert ack["ok"] is False and ack["error"]["code"] == want, ack
        assert ack["error"]["message"]
        if want != "forbidden":  # a denied moderator-room join is audited (one row)
            assert table_counts(clean_app) == before
    assert client.is_connected(NS)


# --- CSRF on cookie-authenticated writes ------------------------------------------------------


def browser_login(client: FlaskClient, username: str) -> str:
    response = client.post("/api/v1/auth/session", json={"username": username,
                                                          "password": PASSWORD})
    assert response.status_code == 200
    return str(response.get_json()["csrf_token"])


@pytest.mark.parametrize(
    ("method", "path", "body", "ok"),
    [
        ("POST", "/api/v1/conferences/hub/posts", "post", 201),
        ("POST", "/api/v1/uploads", "image", 201),
        ("DELETE", "/api/v1/posts/{post}", "none", 204),
        ("DELETE", "/api/v1/me", "password", 204),
    ],
)
def test_cookie_writes_need_the_csrf_token_and_an_allowed_origin(
    clean_app: Flask, world: dict[str, Any], method: str, path: str, body: str, ok: int
) -> None:
    browser = clean_app.test_client()
    token = browser_login(browser, "author")
    url = path.format(**world)
    before = table_counts(clean_app)

    def send(headers: dict[str, str]) -> Any:
        kwargs = BODIES[body]("author", world)
        return browser.open(url, method=method, headers={**kwargs.pop("headers", {}),
                                                         **headers}, **kwargs)

    missing = send({})
    wrong = send({"X-CSRF-Token": "not-the-token"})
    cross_site = send({"X-CSRF-Token": token, "Origin": "https://evil.example"})

    for response in (missing, wrong, cross_site):
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "csrf_failed"
    assert table_counts(clean_app) == before
    assert send({"X-CSRF-Token": token, "Origin": ORIGIN}).status_code == ok


def test_a_cookie_socket_from_a_foreign_origin_is_refused(
    wsgi_socket_app: Flask, world: dict[str, Any]
) -> None:
    browser = wsgi_socket_app.test_client()
    browser_login(browser, "author")

    foreign = browser.get("/socket.io/?EIO=4&transport=polling",
                          headers={"Origin": "https://evil.example"})
    same_site = browser.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": ORIGIN})

    assert foreign.status_code == 400
    assert same_site.status_code == 200


# --- allowed origins come from configuration, never "*" ---------------------------------------


def test_no_wildcard_origin_anywhere_in_the_server() -> None:
    offenders = []
    for path in sorted((REPO / "server").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assigns_wildcard = re.search(
                r"""(cors_allowed_origins|ALLOWED_ORIGINS)["']?\s*[:=]\s*\[?\s*["']\*""", line
            )
            if assigns_wildcard or "Access-Control-Allow-Origin" in line:
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")

    assert offenders == []


@pytest.mark.parametrize("origins", [["*"], ["http://127.0.0.1:5000", "*"], ["null"]])
def test_a_wildcard_origin_refuses_to_boot(
    database_url: str, tmp_path: Path, origins: list[str]
) -> None:
    config = base_config(database_url, tmp_path)
    config["ALLOWED_ORIGINS"] = origins

    with pytest.raises(RuntimeError, match="ALLOWED_ORIGINS"):
        create_app(config)


def test_socket_origins_are_the_configured_ones(clean_app: Flask) -> None:
    server = clean_app.extensions["socketio"].server
    assert server.eio.cors_allowed_origins == clean_app.config["ALLOWED_ORIGINS"]


# --- user text: stored and returned as written ------------------------------------------------

HOSTILE = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)"> and <a href="javascript:alert(1)">click</a>',
    "javascript:alert(document.cookie) data:text/html;base64,PHNjcmlwdD4=",
    "{{7*7}} ${7*7} <%= 7*7 %> ' OR 1=1; --",
    "Ünïcödé ‮bidi‮ \u200b zero-width 🦴 https://example.org/?q=<b>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_post_text_comes_back_exactly_as_written(
    world: dict[str, Any], anon: Api, text: str
) -> None:
    author: Api = world["author"]

    created = author.post("/api/v1/conferences/hub/posts", json={"text": text},
                          headers={"Idempotency-Key": str(uuid.uuid4())})

    assert created.status_code == 201, created.get_json()
    assert created.headers["Content-Type"] == "application/json"
    assert created.get_json()["text"] == text
    listed = anon.get("/api/v1/conferences/hub/posts")
    assert listed.headers["X-Content-Type-Options"] == "nosniff"
    assert listed.get_json()["items"][-1]["text"] == text


# --- security headers ------------------------------------------------------------------------


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
        ("GET", "/api/v1/conferences/hub/posts", 200),
        ("GET", "/api/v1/conferences/nope", 404),
        ("GET", "/api/v1/me", 401),
        ("PUT", "/api/v1/conferences", 405),
        ("POST", "/api/v1/auth/signup", 400),
        ("POST", "/api/v1/uploads", 401),
        ("GET", "/api/v1/sessions/{talk}/calendar.ics", 200),
        ("GET", "/api/openapi.json", 200),
        ("GET", "/", 200),
        ("GET", "/programme", 200),
        ("GET", "/sessions/{talk}", 200),
        ("GET", "/no-such-page", 404),
        ("GET", "/media/nope.jpg", 404),
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


def test_security_headers_on_media(clean_app: Flask, world: dict[str, Any]) -> None:
    author: Api = world["author"]
    image = author.post("/api/v1/uploads", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(photo()), "p.jpg")}).get_json()

    response = clean_app.test_client().get(image["url"])

    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert {d.strip() for d in csp.split(";")} >= {
        "default-src 'none'", "frame-ancestors 'none'", "sandbox"
    }
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Type"] == "image/jpeg"
    assert "Strict-Transport-Security" not in response.headers
    secure = clean_app.test_client().get(image["url"], headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


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


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_ids_past_the_column_range_are_not_found(
    world: dict[str, Any], method: str
) -> None:
    # Found by schemathesis on PostgreSQL: 2**48 overflowed the integer column (500).
    author: Api = world["author"]

    response = author.client.open(f"/api/v1/posts/{2**48}", method=method,
                                  headers=author._headers(None))

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
