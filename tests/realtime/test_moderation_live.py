"""Moderation on /live: pending posts never reach public sockets, removals reach viewers live
and on catch-up, blocked users are cut off at once, the moderators' room is theirs alone, and
embargoed posts go out when the embargo lifts.

Followers are Flask-SocketIO test clients; what they did *not* receive is asserted on the
full list of events they got.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from flask import Flask

from server.clock import now
from server.extensions import db, socketio
from server.models import AuditLog, Talk
from server.realtime.control import LiveControl
from server.realtime.live import sids_of_user
from server.services.demo import do_load_demo
from server.services.moderation import release_due_embargoes
from tests.conftest import Api

pytestmark = pytest.mark.db

SLUG = "nrc26"
CONF = f"conference:{SLUG}"
MOD = f"moderation:{SLUG}"
WALL = f"/api/v1/conferences/{SLUG}/posts"
SETTINGS = f"/api/v1/conferences/{SLUG}/moderation"


@pytest.fixture()
def demo(clean_app: Flask) -> dict[str, int]:
    with clean_app.app_context():
        do_load_demo()
        ids = {t.code: t.id for t in db.session.query(Talk).all() if t.code}
        db.session.remove()
    return ids


@pytest.fixture()
def moderator(make_user: Callable[..., Api]) -> Api:
    return make_user("moderator")


def connect(app: Flask, api: Api | None = None) -> Any:
    auth = {"token": api.token} if api and api.token else None
    client = socketio.test_client(app, namespace="/live", auth=auth)
    assert client.is_connected("/live")
    return client


def join(client: Any, room: str, since: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"room": room}
    if since is not None:
        payload["since"] = since
    ack: dict[str, Any] = client.emit("join", payload, namespace="/live", callback=True)
    return ack


def received(client: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(e["name"], e["args"][0]) for e in client.get_received("/live")]


def socket_post(client: Any, room: str, text: str, **extra: Any) -> dict[str, Any]:
    ack: dict[str, Any] = client.emit(
        "post",
        {"room": room, "text": text, "client_id": str(uuid.uuid4()), **extra},
        namespace="/live",
        callback=True,
    )
    return ack


def http_post(api: Api, text: str, **body: Any) -> Any:
    return api.post(
        WALL, json={"text": text, **body}, headers={"Idempotency-Key": str(uuid.uuid4())}
    )


def user_id(api: Api) -> int:
    return int(api.get("/api/v1/me").get_json()["id"])


def test_pending_posts_never_reach_public_sockets(
    demo: dict[str, int], clean_app: Flask, attendee: Api, moderator: Api
) -> None:
    moderator.patch(SETTINGS, json={"premoderation": True})
    session_room = f"session:{demo['HW01']}"
    follower, session_follower = connect(clean_app), connect(clean_app)
    join(follower, CONF)
    join(session_follower, session_room)
    mod = connect(clean_app, moderator)
    assert join(mod, MOD) == {"ok": True, "room": MOD, "queue": 0}
    poster = connect(clean_app, attendee)
    join(poster, CONF)

    ack = socket_post(poster, session_room, "pending over the socket")
    http = http_post(attendee, "pending over HTTP").get_json()

    assert ack["ok"] is True
    assert (ack["post"]["status"], ack["post"]["seq"]) == ("pending", None)
    assert received(follower) == []
    assert received(session_follower) == []
    assert received(poster) == []  # even the author's room subscription stays quiet
    pending = received(mod)
    assert [(name, p["item"]["post"]["id"]) for name, p in pending] == [
        ("pending_post", ack["post"]["id"]),
        ("pending_post", http["id"]),
    ]
    late = connect(clean_app)
    assert join(late, CONF, since=0) == {
        "ok": True,
        "room": CONF,
        "seq": 0,
        "posts": [],
        "removed": [],
    }

    moderator.post(f"/api/v1/posts/{ack['post']['id']}/approve")

    (event,) = received(follower)
    assert event[0] == "posts"
    assert [(p["id"], p["seq"], p["status"]) for p in event[1]["posts"]] == [
        (ack["post"]["id"], 1, "visible"),
    ]
    assert [p["id"] for _, e in received(session_follower) for p in e["posts"]] == [
        ack["post"]["id"]
    ]
    assert received(mod) == [
        (
            "moderated",
            {"room": MOD, "id": ack["post"]["id"], "action": "approve", "status": "visible"},
        )
    ]


def test_a_hold_term_over_the_socket_waits_for_a_moderator(
    demo: dict[str, int], clean_app: Flask, attendee: Api, moderator: Api
) -> None:
    moderator.post(
        f"/api/v1/conferences/{SLUG}/watched-words", json={"pattern": "casino", "action": "hold"}
    )
    follower, mod, poster = (
        connect(clean_app),
        connect(clean_app, moderator),
        connect(clean_app, attendee),
    )
    join(follower, CONF)
    join(mod, MOD)

    ack = socket_post(poster, CONF, "C a s i n o night!")
    moderator.post(
        f"/api/v1/conferences/{SLUG}/watched-words", json={"pattern": "escort", "action": "block"}
    )
    blocked_term = socket_post(poster, CONF, "escort services")

    assert ack["post"]["status"] == "pending"
    assert received(follower) == []
    assert [name for name, _ in received(mod)] == ["pending_post"]
    assert blocked_term["ok"] is False
    assert blocked_term["error"]["code"] == "blocked_term"


def test_removals_reach_viewers_live_and_on_catch_up(
    demo: dict[str, int], clean_app: Flask, attendee: Api, moderator: Api
) -> None:
    first = http_post(attendee, "first").get_json()
    http_post(attendee, "second")
    viewer = connect(clean_app)
    join(viewer, CONF)

    moderator.post(f"/api/v1/posts/{first['id']}/hide", json={"reason": "check"})

    assert received(viewer) == [("post_removed", {"room": CONF, "id": first["id"], "seq": 3})]
    away = connect(clean_app)
    ack = join(away, CONF, since=2)
    assert (ack["seq"], ack["removed"]) == (3, [first["id"]])
    assert first["id"] not in [p["id"] for p in ack["posts"]]

    moderator.post(f"/api/v1/posts/{first['id']}/restore")

    ((name, event),) = received(viewer)
    assert (name, [(p["id"], p["seq"]) for p in event["posts"]]) == ("posts", [(first["id"], 4)])
    back = join(connect(clean_app), CONF, since=3)
    assert ([p["id"] for p in back["posts"] if p["seq"] > 3], back["removed"]) == (
        [first["id"]],
        [],
    )


def test_reports_at_the_threshold_remove_the_post_live(
    demo: dict[str, int], clean_app: Flask, make_user: Callable[..., Api]
) -> None:
    target = http_post(make_user(), "report me").get_json()
    viewer = connect(clean_app)
    join(viewer, CONF)

    for _ in range(3):
        make_user().post(f"/api/v1/posts/{target['id']}/reports", json={"reason": "spam"})

    assert received(viewer) == [("post_removed", {"room": CONF, "id": target["id"], "seq": 2})]


def test_a_blocked_users_sockets_are_closed_and_stay_closed(
    demo: dict[str, int], clean_app: Flask, attendee: Api, moderator: Api
) -> None:
    phone, laptop = connect(clean_app, attendee), connect(clean_app, attendee)
    bystander = connect(clean_app, moderator)
    join(phone, CONF)

    response = moderator.post(f"/api/v1/users/{user_id(attendee)}/block", json={"reason": "x"})

    assert response.status_code == 200
    assert phone.is_connected("/live") is False
    assert laptop.is_connected("/live") is False
    assert bystander.is_connected("/live") is True
    again = socketio.test_client(clean_app, namespace="/live", auth={"token": attendee.token})
    assert again.is_connected("/live") is False
    refused = http_post(attendee, "let me back in")
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "blocked")
    with clean_app.app_context():
        assert sids_of_user(user_id(attendee)) == []
        db.session.remove()


def test_the_moderation_room_is_for_moderators_only(
    demo: dict[str, int],
    clean_app: Flask,
    attendee: Api,
    moderator: Api,
    make_user: Callable[..., Api],
) -> None:
    anonymous, member = connect(clean_app), connect(clean_app, attendee)

    refused_anonymous = join(anonymous, MOD)
    refused_member = join(member, MOD)

    assert (refused_anonymous["ok"], refused_anonymous["error"]["code"]) == (False, "auth_required")
    assert (refused_member["ok"], refused_member["error"]["code"]) == (False, "forbidden")
    with clean_app.app_context():
        rows = [
            (r.action, r.actor_id, r.target_type, r.details["attempted"])
            for r in db.session.query(AuditLog).all()
        ]
        db.session.remove()
    assert rows == [("denied", user_id(attendee), "room", "join moderation room")]
    http_post(make_user(), "nothing for you")  # posts are not queue events
    assert received(member) == []
    assert join(connect(clean_app, make_user("organizer")), MOD)["ok"] is True
    assert join(connect(clean_app, moderator), "moderation:nope")["error"]["code"] == ("not_found")


def test_embargoed_posts_reach_the_session_room_when_the_embargo_lifts(
    demo: dict[str, int], clean_app: Flask, attendee: Api
) -> None:
    lifts = now() + timedelta(hours=1)
    with clean_app.app_context():
        talk = db.session.get_one(Talk, demo["LB01"])
        talk.policy, talk.embargo_until = "embargoed", lifts
        db.session.commit()
        db.session.remove()
    room = f"session:{demo['LB01']}"
    follower = connect(clean_app)
    join(follower, room)
    held = [
        http_post(attendee, f"result {i}", session_id=demo["LB01"]).get_json() for i in range(2)
    ]
    assert received(follower) == []

    with clean_app.app_context():
        assert release_due_embargoes(lifts) == 2
        db.session.remove()

    ((name, event),) = received(follower)
    assert name == "posts"
    assert [(p["id"], p["seq"], p["status"]) for p in event["posts"]] == [
        (held[0]["id"], 1, "visible"),
        (held[1]["id"], 2, "visible"),
    ]


# ------------------------------------------------------------------------------------------
# Several processes: the Redis control channel
# ------------------------------------------------------------------------------------------
@pytest.fixture()
def redis_url() -> Iterator[str]:
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        pytest.fail("Redis must run on 127.0.0.1:6379 (scripts/services-up)")
    yield url


def _wait_until(condition: Callable[[], bool], limit: float = 10.0) -> bool:
    """Wait for an asynchronous delivery (not a timing assertion: the limit only stops a
    hung test)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_a_block_on_one_process_closes_the_sockets_on_another(
    demo: dict[str, int], clean_app: Flask, attendee: Api, redis_url: str
) -> None:
    """Process A (no local sockets of the user) publishes; process B, subscribed to the
    same Redis channel, closes the user's socket it holds."""
    channel = f"backchannel:control:test:{uuid.uuid4().hex}"
    process_a = LiveControl(socketio, "/live", lambda _uid: [], redis_url, channel)
    process_b = LiveControl(socketio, "/live", sids_of_user, redis_url, channel)
    phone = connect(clean_app, attendee)
    uid = user_id(attendee)
    try:
        process_b.ensure_listening()
        process_a.disconnect_user(uid + 1000)  # someone else: nothing happens here
        process_a.disconnect_user(uid)

        # The client sees the close before the server's disconnect handler has run.
        assert _wait_until(lambda: not phone.is_connected("/live") and not sids_of_user(uid))
    finally:
        process_b.stop()


def test_malformed_control_messages_are_ignored(
    demo: dict[str, int], clean_app: Flask, attendee: Api
) -> None:
    control = LiveControl(socketio, "/live", sids_of_user)
    phone = connect(clean_app, attendee)

    for message in (
        b"not json",
        b"[]",
        b'{"op": "reboot"}',
        b'{"op": "disconnect_user"}',
        b'{"op": "disconnect_user", "user_id": true}',
    ):
        control.handle(message)

    assert phone.is_connected("/live") is True
    control.handle(f'{{"op": "disconnect_user", "user_id": {user_id(attendee)}}}')
    assert phone.is_connected("/live") is False
