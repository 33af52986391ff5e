"""Rate limits per account (HTTP and socket), and the caps: sockets per account, message size.

Limits are off in most tests; here a second app has them on. Socket buckets get a frozen
clock (time is the outside boundary), so a slow machine cannot refill them mid-test.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from server.ratelimit import POST_BURST
from server.realtime import live
from server.realtime.guard import MAX_MESSAGE_BYTES
from server.realtime.throttle import (
    ABUSE_STRIKES,
    EVENT_BURST,
    Throttle,
    TokenBucket,
)
from tests.conftest import Api, table_counts
from tests.images import photo

pytestmark = pytest.mark.db

NS = "/live"
CONF = "conference:nrc26"
WALL = "/api/v1/conferences/nrc26/posts"


def frozen_throttles(app: Flask) -> None:
    """The app's per-socket event buckets, with a clock that does not move. (Posting counts
    in the limiter's storage over a moving window of ten seconds: a test's burst of ten
    posts takes far less.)"""
    app.extensions["backchannel_socket_throttles"] = {
        "event": Throttle(EVENT_BURST, 5.0, clock=lambda: 1000.0),
    }


def http_post(client: FlaskClient, api: Api, text: str) -> Any:
    return client.post(
        WALL,
        json={"text": text},
        headers={"Authorization": f"Bearer {api.token}", "Idempotency-Key": str(uuid.uuid4())},
    )


def check_429(response: Any, longest: int) -> None:
    assert response.status_code == 429
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited"
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit() and 0 < int(retry_after) <= longest
    assert abs(error["retry_after"] - int(retry_after)) <= 1


def socket_post(client: SocketIOTestClient, text: str) -> Any:
    return client.emit(
        "post",
        {"room": CONF, "text": text, "client_id": str(uuid.uuid4())},
        namespace=NS,
        callback=True,
    )


# --- HTTP -----------------------------------------------------------------------------------


def test_http_posting_is_limited_per_account_not_per_address(
    clean_app: Flask, limited_app: Flask, demo: dict[str, int], make_user: Callable[..., Api]
) -> None:
    alice, bob = make_user(), make_user()
    client = limited_app.test_client()  # one address for everybody, as at a congress
    statuses = [http_post(client, alice, f"slide {i}").status_code for i in range(POST_BURST)]
    assert statuses == [201] * POST_BURST
    before = table_counts(clean_app)

    refused = http_post(client, alice, "one more")

    check_429(refused, 10)
    assert table_counts(clean_app) == before
    assert http_post(client, bob, "my first").status_code == 201


def test_uploads_are_limited_per_account(limited_app: Flask, make_user: Callable[..., Api]) -> None:
    alice, bob = make_user(), make_user()
    client = limited_app.test_client()
    image = photo((32, 32))

    def upload(api: Api) -> Any:
        return client.post(
            "/api/v1/uploads",
            data={"file": (io.BytesIO(image), "a.jpg")},
            content_type="multipart/form-data",
            headers={"Authorization": f"Bearer {api.token}"},
        )

    assert [upload(alice).status_code for _ in range(10)] == [201] * 10
    check_429(upload(alice), 60)
    assert upload(bob).status_code == 201


def test_reports_are_limited_per_account(
    limited_app: Flask, demo: dict[str, int], make_user: Callable[..., Api]
) -> None:
    author, reporter = make_user(), make_user()
    client = limited_app.test_client()
    post_id = http_post(client, author, "report me").get_json()["id"]

    def report() -> Any:
        return client.post(
            f"/api/v1/posts/{post_id}/reports",
            json={"reason": "spam"},
            headers={"Authorization": f"Bearer {reporter.token}"},
        )

    statuses = [report().status_code for _ in range(10)]
    assert statuses == [201] + [200] * 9  # reporting again is idempotent, but counted
    check_429(report(), 60)


def test_deleting_my_account_is_limited_and_guessing_the_password_there_stops(
    limited_app: Flask, make_user: Callable[..., Api]
) -> None:
    """A stolen session cannot guess the password through DELETE /me; the account stays."""
    victim = make_user()
    client = limited_app.test_client()
    auth = {"Authorization": f"Bearer {victim.token}"}

    def guess(password: str) -> Any:
        return client.delete("/api/v1/me", json={"password": password}, headers=auth)

    statuses = [guess(f"guess number {n}").status_code for n in range(5)]
    assert statuses == [403] * 5
    check_429(guess("still guessing"), 3600)
    assert client.get("/api/v1/me", headers=auth).status_code == 200  # nothing was deleted
    # Someone else's budget is their own.
    other = make_user()
    assert (
        client.delete(
            "/api/v1/me",
            json={"password": "not it"},
            headers={"Authorization": f"Bearer {other.token}"},
        ).status_code
        == 403
    )


def test_exports_are_limited_per_account(limited_app: Flask, make_user: Callable[..., Api]) -> None:
    person = make_user()
    client = limited_app.test_client()
    auth = {"Authorization": f"Bearer {person.token}"}
    assert [client.get("/api/v1/me/export", headers=auth).status_code for _ in range(10)] == [
        200
    ] * 10
    check_429(client.get("/api/v1/me/export", headers=auth), 3600)


# --- socket buckets ---------------------------------------------------------------------------


def test_token_bucket_refills_at_its_rate() -> None:
    bucket = TokenBucket(capacity=10, rate=1.0, tokens=10, updated=0.0)

    assert [bucket.take(0.0) for _ in range(10)] == [0.0] * 10
    assert bucket.take(0.0) == 1.0
    assert bucket.take(0.5) == 0.5
    assert bucket.take(1.0) == 0.0  # one token back after a second
    assert bucket.take(1.0) == 1.0
    assert bucket.take(100.0) == 0.0
    assert bucket.tokens == 9  # refilled to the capacity, not beyond


def test_socket_posting_is_limited_per_account(
    limited_app: Flask,
    demo: dict[str, int],
    make_user: Callable[..., Api],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    frozen_throttles(limited_app)
    alice, bob = make_user(), make_user()
    first, second = sockets(limited_app, alice.token), sockets(limited_app, alice.token)
    other = sockets(limited_app, bob.token)
    acks = [socket_post(first, f"live {i}")["ok"] for i in range(POST_BURST)]
    assert acks == [True] * POST_BURST

    refused = socket_post(first, "one too many")
    from_the_other_socket = socket_post(second, "other tab")

    for ack in (refused, from_the_other_socket):
        assert ack["ok"] is False
        assert ack["error"]["code"] == "rate_limited"
        assert 1 <= ack["error"]["retry_after"] <= 10  # when the oldest of the ten leaves
    assert first.is_connected(NS)
    assert socket_post(other, "bob is fine")["ok"] is True


def test_a_client_that_keeps_sending_after_rate_limited_is_disconnected(
    limited_app: Flask,
    demo: dict[str, int],
    attendee: Api,
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    frozen_throttles(limited_app)
    client = sockets(limited_app, attendee.token)
    for i in range(POST_BURST):
        socket_post(client, f"fine {i}")
    refusals = 0
    while client.is_connected(NS) and refusals < ABUSE_STRIKES + 5:
        socket_post(client, f"spam {refusals}")
        refusals += 1

    assert not client.is_connected(NS)
    assert refusals == ABUSE_STRIKES


def test_any_event_flood_is_limited_per_socket(
    limited_app: Flask, demo: dict[str, int], sockets: Callable[..., SocketIOTestClient]
) -> None:
    frozen_throttles(limited_app)
    flooder, neighbour = sockets(limited_app), sockets(limited_app)
    acks = [
        flooder.emit("join", {"room": CONF}, namespace=NS, callback=True)["ok"]
        for _ in range(EVENT_BURST)
    ]
    assert acks == [True] * EVENT_BURST

    refused = flooder.emit("join", {"room": CONF}, namespace=NS, callback=True)

    assert refused["ok"] is False and refused["error"]["code"] == "rate_limited"
    assert neighbour.emit("join", {"room": CONF}, namespace=NS, callback=True)["ok"] is True


def test_socket_limits_are_off_when_rate_limiting_is(
    clean_app: Flask,
    demo: dict[str, int],
    attendee: Api,
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    client = sockets(token=attendee.token)

    acks = [socket_post(client, f"burst {i}")["ok"] for i in range(POST_BURST + 5)]

    assert acks == [True] * (POST_BURST + 5)


# --- caps -----------------------------------------------------------------------------------


def _forget_stale(user_id: int) -> None:
    """Earlier tests' never-closed test clients can carry a reused user id; drop them."""
    for sid in live.sids_of_user(user_id):
        live._connections.pop(sid, None)


def test_at_most_ten_sockets_per_account(
    clean_app: Flask,
    attendee: Api,
    make_user: Callable[..., Api],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    me = attendee.get("/api/v1/me").get_json()["id"]
    _forget_stale(me)
    open_ = [sockets(token=attendee.token) for _ in range(live.MAX_SOCKETS_PER_USER)]
    assert all(c.is_connected(NS) for c in open_)

    eleventh = sockets(token=attendee.token)
    someone_else = sockets(token=make_user().token)

    assert not eleventh.is_connected(NS)
    assert someone_else.is_connected(NS)
    open_[0].disconnect(NS)
    assert sockets(token=attendee.token).is_connected(NS)  # a closed one frees its slot


def test_a_client_sent_disconnect_event_does_not_free_a_slot(
    clean_app: Flask, attendee: Api, sockets: Callable[..., SocketIOTestClient]
) -> None:
    me = attendee.get("/api/v1/me").get_json()["id"]
    _forget_stale(me)
    open_ = [sockets(token=attendee.token) for _ in range(live.MAX_SOCKETS_PER_USER)]

    acks = [
        c.emit("disconnect", "io client disconnect", namespace=NS, callback=True) for c in open_
    ]

    assert {a["error"]["code"] for a in acks} == {"unknown_event"}
    assert all(c.is_connected(NS) for c in open_)
    assert not sockets(token=attendee.token).is_connected(NS)


def test_a_client_sent_connect_event_cannot_switch_accounts(
    clean_app: Flask,
    demo: dict[str, int],
    make_user: Callable[..., Api],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    alice, mallory = make_user(username="alice"), make_user(username="mallory")
    client = sockets(token=mallory.token)

    ack = client.emit("connect", {"token": alice.token}, namespace=NS, callback=True)
    posted = socket_post(client, "who am I")

    assert ack["ok"] is False and ack["error"]["code"] == "unknown_event"
    assert posted["post"]["author"]["username"] == "mallory"


# --- message size (engine.io, over HTTP long-polling through the WSGI stack) -----------------


class Polling:
    """A raw Engine.IO v4 long-polling client over the Flask test client."""

    def __init__(self, client: FlaskClient, origin: str | None = None) -> None:
        self.client = client
        self.headers = {"Origin": origin} if origin else {}
        self.sid: str | None = None

    def _url(self) -> str:
        return "/socket.io/?EIO=4&transport=polling" + (f"&sid={self.sid}" if self.sid else "")

    def handshake(self) -> Any:
        response = self.client.get(self._url(), headers=self.headers)
        if response.status_code == 200:
            self.sid = json.loads(response.get_data(as_text=True)[1:])["sid"]
        return response

    def send(self, packet: str) -> Any:
        return self.client.post(
            self._url(),
            data=packet.encode(),
            headers=self.headers,
            content_type="text/plain;charset=UTF-8",
        )

    def receive(self) -> list[str]:
        return (
            self.client.get(self._url(), headers=self.headers).get_data(as_text=True).split("\x1e")
        )

    def open_live(self) -> None:
        assert self.handshake().status_code == 200
        assert self.send("40/live,").status_code == 200
        assert any(p.startswith("40/live,") for p in self.receive())

    def join(self, ack_id: int) -> str:
        self.send(f'42/live,{ack_id}["join",{{"room":"{CONF}"}}]')
        return next(p for p in self.receive() if p.startswith(f"43/live,{ack_id}"))


def test_an_oversized_socket_message_is_refused_and_the_server_keeps_working(
    clean_app: Flask, wsgi_socket_app: Flask, demo: dict[str, int]
) -> None:
    before = table_counts(clean_app)
    sender = Polling(wsgi_socket_app.test_client())
    sender.open_live()
    huge = json.dumps(["post", {"room": CONF, "text": "x" * (70 * 1024), "client_id": "big"}])

    response = sender.send(f"42/live,1{huge}")

    assert response.status_code == 413  # over max_http_buffer_size (64 KiB): not read at all
    assert table_counts(clean_app) == before
    assert '"ok":true' in sender.join(2)  # the same connection still works
    fresh = Polling(wsgi_socket_app.test_client())
    fresh.open_live()
    assert '"ok":true' in fresh.join(3)


def test_a_message_just_under_the_cap_is_processed(
    wsgi_socket_app: Flask, demo: dict[str, int]
) -> None:
    sender = Polling(wsgi_socket_app.test_client())
    sender.open_live()
    padding = "x" * (MAX_MESSAGE_BYTES - 200)
    message = "42/live,4" + json.dumps(["join", {"room": CONF, "pad": padding}])
    assert len(message.encode()) <= MAX_MESSAGE_BYTES

    sender.send(message)

    ack = next(p for p in sender.receive() if p.startswith("43/live,4"))
    assert '"validation_error"' not in ack and '"ok":true' in ack


def test_a_socket_handshake_from_a_foreign_origin_is_refused(wsgi_socket_app: Flask) -> None:
    client = wsgi_socket_app.test_client()
    foreign = Polling(client, origin="https://evil.example")
    allowed = Polling(client, origin=wsgi_socket_app.config["ALLOWED_ORIGINS"][0])

    assert foreign.handshake().status_code == 400
    assert foreign.sid is None
    assert allowed.handshake().status_code == 200
