"""The live wall over Socket.IO: join with catch-up, post with ack, fan-out, removals."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from server.extensions import db, socketio
from server.models import Talk
from server.services.demo import do_load_demo
from tests.conftest import Api

pytestmark = pytest.mark.db

CONF = "conference:nrc26"


@pytest.fixture()
def demo(clean_app: Flask) -> dict[str, int]:
    with clean_app.app_context():
        do_load_demo()
        ids = {t.code: t.id for t in db.session.query(Talk).all() if t.code}
        db.session.remove()
    return ids


def connect(app: Flask, api: Api | None = None) -> Any:
    auth = {"token": api.token} if api and api.token else None
    client = socketio.test_client(app, namespace="/live", auth=auth)
    assert client.is_connected("/live")
    return client


def events(client: Any, name: str) -> list[dict[str, Any]]:
    return [e["args"][0] for e in client.get_received("/live") if e["name"] == name]


def test_a_socket_post_is_acked_after_commit_and_fans_out(
    demo: dict[str, int], clean_app: Flask, attendee: Api, anon: Api
) -> None:
    poster, follower = connect(clean_app, attendee), connect(clean_app)
    assert follower.emit("join", {"room": CONF}, namespace="/live", callback=True)["ok"] is True

    ack = poster.emit(
        "post",
        {"room": CONF, "text": "Live from the plenary", "client_id": str(uuid.uuid4())},
        namespace="/live",
        callback=True,
    )

    assert ack["ok"] is True and ack["post"]["seq"] == 1
    received = events(follower, "posts")
    assert received == [{"room": CONF, "posts": [ack["post"]]}]
    stored = anon.get("/api/v1/conferences/nrc26/posts").get_json()["items"]
    assert stored == [ack["post"]]


def test_the_same_client_id_posts_once(
    demo: dict[str, int], clean_app: Flask, attendee: Api
) -> None:
    poster = connect(clean_app, attendee)
    payload = {"room": CONF, "text": "retry me", "client_id": str(uuid.uuid4())}

    first = poster.emit("post", payload, namespace="/live", callback=True)
    again = poster.emit("post", payload, namespace="/live", callback=True)

    assert first == again and first["ok"] is True


def test_http_posts_reach_the_session_room_and_the_conference_room(
    demo: dict[str, int], clean_app: Flask, attendee: Api
) -> None:
    session_room = f"session:{demo['HW01']}"
    in_session, in_conference, elsewhere = (connect(clean_app) for _ in range(3))
    in_session.emit("join", {"room": session_room}, namespace="/live", callback=True)
    in_conference.emit("join", {"room": CONF}, namespace="/live", callback=True)
    elsewhere.emit("join", {"room": f"session:{demo['PL01']}"}, namespace="/live", callback=True)

    attendee.post(
        "/api/v1/conferences/nrc26/posts",
        json={"text": "hands-on!", "session_id": demo["HW01"]},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )

    assert [p["text"] for e in events(in_session, "posts") for p in e["posts"]] == ["hands-on!"]
    assert [p["text"] for e in events(in_conference, "posts") for p in e["posts"]] == ["hands-on!"]
    assert events(elsewhere, "posts") == []


def test_rejoining_with_a_cursor_replays_what_was_missed(
    demo: dict[str, int], clean_app: Flask, make_user: Callable[..., Api]
) -> None:
    author = make_user()
    wall = "/api/v1/conferences/nrc26/posts"
    ids = []
    for i in range(6):
        r = author.post(
            wall, json={"text": f"p{i}"}, headers={"Idempotency-Key": str(uuid.uuid4())}
        )
        ids.append(r.get_json()["id"])
    author.delete(f"/api/v1/posts/{ids[1]}")
    follower = connect(clean_app)

    ack = follower.emit("join", {"room": CONF, "since": 3}, namespace="/live", callback=True)

    assert ack["ok"] is True and ack["seq"] == 7  # six posts and one removal
    texts = [p["text"] for p in ack["posts"] if p["seq"] > 3]
    assert texts == ["p3", "p4", "p5"]
    assert ids[1] in ack["removed"]
    assert all(p["id"] != ids[1] for p in ack["posts"])


def test_removals_reach_viewers_live(demo: dict[str, int], clean_app: Flask, attendee: Api) -> None:
    follower = connect(clean_app)
    follower.emit("join", {"room": CONF}, namespace="/live", callback=True)
    created = attendee.post(
        "/api/v1/conferences/nrc26/posts",
        json={"text": "oops"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    ).get_json()
    follower.get_received("/live")

    attendee.delete(f"/api/v1/posts/{created['id']}")

    removed = events(follower, "post_removed")
    assert removed == [{"room": CONF, "id": created["id"], "seq": 2}]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"room": CONF, "since": 99}, "invalid_resume_point"),
        ({"room": CONF, "since": -1}, "invalid_resume_point"),
        ({"room": CONF, "since": "3"}, "validation_error"),
        ({"room": "conference:nope"}, "not_found"),
        ({"room": "wall"}, "validation_error"),
        ("not an object", "validation_error"),
    ],
)
def test_bad_joins_get_error_acks(
    demo: dict[str, int], clean_app: Flask, payload: Any, code: str
) -> None:
    client = connect(clean_app)

    ack = client.emit("join", payload, namespace="/live", callback=True)

    assert ack["ok"] is False and ack["error"]["code"] == code


def test_a_cursor_too_far_behind_is_told_to_resync(
    demo: dict[str, int], clean_app: Flask, attendee: Api
) -> None:
    from server.models import Conference

    with clean_app.app_context():
        conference = db.session.query(Conference).filter_by(slug="nrc26").one()
        conference.post_seq = 1000
        db.session.commit()
        db.session.remove()
    client = connect(clean_app)

    ack = client.emit("join", {"room": CONF, "since": 10}, namespace="/live", callback=True)

    assert ack == {"ok": True, "room": CONF, "seq": 1000, "resync": True}


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"room": CONF, "text": "x"}, "validation_error"),
        ({"room": CONF, "text": 5, "client_id": "k"}, "validation_error"),
        ({"room": CONF, "text": "x", "client_id": "k", "seq": 1}, "validation_error"),
        ({"room": CONF, "text": "", "client_id": "k"}, "empty_post"),
    ],
)
def test_bad_socket_posts_get_error_acks(
    demo: dict[str, int], clean_app: Flask, attendee: Api, payload: dict[str, Any], code: str
) -> None:
    client = connect(clean_app, attendee)

    ack = client.emit("post", payload, namespace="/live", callback=True)

    assert ack["ok"] is False and ack["error"]["code"] == code


def test_followers_without_an_account_cannot_post(demo: dict[str, int], clean_app: Flask) -> None:
    client = connect(clean_app)

    ack = client.emit(
        "post", {"room": CONF, "text": "hi", "client_id": "k"}, namespace="/live", callback=True
    )

    assert ack["ok"] is False and ack["error"]["code"] == "auth_required"
