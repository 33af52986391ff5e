"""The ``/live`` Socket.IO namespace: connect auth, join/leave acks and their errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient
from sqlalchemy import select

from server.extensions import db, socketio
from server.models import Talk
from tests.conftest import Api

pytestmark = pytest.mark.db

NS = "/live"


@pytest.fixture()
def connect(clean_app: Flask) -> Iterator[Callable[..., SocketIOTestClient]]:
    clients: list[SocketIOTestClient] = []

    def make(auth: Any = None, flask_client: Any = None) -> SocketIOTestClient:
        client = socketio.test_client(
            clean_app, namespace=NS, auth=auth, flask_test_client=flask_client
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        if client.is_connected(NS):
            client.disconnect(NS)


@pytest.fixture()
def talks(clean_app: Flask, import_file: Callable[..., Any]) -> list[int]:
    import_file("voc-pretalx-democon.json", slug="democon")
    with clean_app.app_context():
        ids = list(db.session.scalars(select(Talk.id).order_by(Talk.id)))
        db.session.remove()
    return ids


def join(client: SocketIOTestClient, payload: Any) -> Any:
    return client.emit("join", payload, namespace=NS, callback=True)


# --- connect --------------------------------------------------------------------------------


def test_anonymous_connect_is_allowed(connect: Callable[..., SocketIOTestClient]) -> None:
    client = connect()

    assert client.is_connected(NS)


def test_connect_with_a_valid_token(
    connect: Callable[..., SocketIOTestClient], attendee: Api
) -> None:
    client = connect(auth={"token": attendee.token})

    assert client.is_connected(NS)


@pytest.mark.parametrize("token", ["nonsense", "x" * 500, 12345])
def test_bad_token_is_refused(connect: Callable[..., SocketIOTestClient], token: Any) -> None:
    client = connect(auth={"token": token})

    assert not client.is_connected(NS)


def test_revoked_token_is_refused(
    connect: Callable[..., SocketIOTestClient], attendee: Api
) -> None:
    assert attendee.delete("/api/v1/auth/token").status_code == 204

    client = connect(auth={"token": attendee.token})

    assert not client.is_connected(NS)


def test_cookie_session_id_is_not_a_socket_token(
    clean_app: Flask, connect: Callable[..., SocketIOTestClient], anon: Api
) -> None:
    anon.post("/api/v1/auth/signup", json={"username": "alice", "password": "correct horse battery",
                                           "display_name": "Alice"})
    browser = clean_app.test_client()
    browser.post("/api/v1/auth/session",
                 json={"username": "alice", "password": "correct horse battery"})
    cookie = browser.get_cookie("bc_session")
    assert cookie is not None

    as_token = connect(auth={"token": cookie.value})
    with_cookie = connect(flask_client=browser)

    assert not as_token.is_connected(NS)
    assert with_cookie.is_connected(NS)


# --- join -----------------------------------------------------------------------------------


def test_join_a_conference_room(
    connect: Callable[..., SocketIOTestClient], talks: list[int]
) -> None:
    client = connect()

    ack = join(client, {"room": "conference:democon"})

    assert ack == {"ok": True, "room": "conference:democon", "seq": 0}


def test_join_a_session_room_with_since(
    connect: Callable[..., SocketIOTestClient], talks: list[int]
) -> None:
    client = connect()

    ack = join(client, {"room": f"session:{talks[0]}", "since": 0})

    assert ack["ok"] is True
    assert ack["room"] == f"session:{talks[0]}"
    assert isinstance(ack["seq"], int)


def test_joining_twice_is_harmless(
    connect: Callable[..., SocketIOTestClient], talks: list[int]
) -> None:
    client = connect()

    first = join(client, {"room": "conference:democon"})
    second = join(client, {"room": "conference:democon"})

    assert first == second


@pytest.mark.parametrize(
    "room",
    ["conference:nope", "session:999999", f"session:{10**20}", "session:abc", "session:²",
     "tweetup:nope:x"],
)
def test_unknown_room_is_not_found(
    connect: Callable[..., SocketIOTestClient], talks: list[int], room: str
) -> None:
    client = connect()

    ack = join(client, {"room": room})

    assert ack["ok"] is False
    assert ack["error"]["code"] == "not_found"
    assert ack["error"]["message"]


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "conference:democon",
        ["conference:democon"],
        42,
        {},
        {"room": None},
        {"room": 5},
        {"room": "democon"},
        {"room": "conference:" + "x" * 200},
        {"room": "conference:demo\x00con"},
        {"room": "conference:democon", "since": "yesterday"},
        {"room": "conference:democon", "since": True},
    ],
)
def test_malformed_join_is_a_validation_error(
    connect: Callable[..., SocketIOTestClient], talks: list[int], payload: Any
) -> None:
    client = connect()

    ack = join(client, payload)

    assert ack["ok"] is False
    assert ack["error"]["code"] == "validation_error"
    assert ack["error"]["message"]
    assert client.is_connected(NS)
    assert join(client, {"room": "conference:democon"})["ok"] is True


def test_negative_since_is_refused(
    connect: Callable[..., SocketIOTestClient], talks: list[int]
) -> None:
    client = connect()

    ack = join(client, {"room": "conference:democon", "since": -1})

    assert ack["ok"] is False
    assert ack["error"]["code"] in {"validation_error", "invalid_resume_point"}
    assert ack["error"]["field"] == "since"


def test_more_than_twenty_rooms_is_refused(
    connect: Callable[..., SocketIOTestClient], talks: list[int]
) -> None:
    client = connect()
    rooms = ["conference:democon"] + [f"session:{t}" for t in talks[:19]]
    assert [join(client, {"room": r})["ok"] for r in rooms] == [True] * 20

    ack = join(client, {"room": f"session:{talks[19]}"})

    assert ack["ok"] is False
    assert ack["error"]["code"] == "too_many_rooms"
    assert join(client, {"room": "conference:democon"})["ok"] is True  # already in: fine


def test_leaving_frees_a_room_slot(
    connect: Callable[..., SocketIOTestClient], talks: list[int]
) -> None:
    client = connect()
    for talk in talks[:20]:
        join(client, {"room": f"session:{talk}"})

    left = client.emit("leave", {"room": f"session:{talks[0]}"}, namespace=NS, callback=True)

    assert left == {"ok": True, "room": f"session:{talks[0]}"}
    assert join(client, {"room": f"session:{talks[20]}"})["ok"] is True


def test_leave_a_room_you_are_not_in(
    connect: Callable[..., SocketIOTestClient], talks: list[int]
) -> None:
    client = connect()

    ack = client.emit("leave", {"room": "conference:democon"}, namespace=NS, callback=True)

    assert ack["ok"] is False
    assert ack["error"]["code"] == "not_found"


@pytest.mark.parametrize("payload", [None, "conference:democon", {"room": 5}, {}])
def test_malformed_leave_is_a_validation_error(
    connect: Callable[..., SocketIOTestClient], talks: list[int], payload: Any
) -> None:
    client = connect()

    ack = client.emit("leave", payload, namespace=NS, callback=True)

    assert ack["ok"] is False
    assert ack["error"]["code"] == "validation_error"


def test_rooms_are_per_connection(
    connect: Callable[..., SocketIOTestClient], talks: list[int]
) -> None:
    first, second = connect(), connect()
    for talk in talks[:20]:
        join(first, {"room": f"session:{talk}"})

    assert join(second, {"room": f"session:{talks[20]}"})["ok"] is True
