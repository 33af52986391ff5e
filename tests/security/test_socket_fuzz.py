"""Generated payloads for every /live event: the answer is always an ok or a structured error ack.

Wrong types, missing and unknown keys, huge and odd strings, big numbers, nested junk,
extra arguments, unknown event names (``connect``/``disconnect`` sent by a client
included). No handler may raise (an ``internal_error`` ack counts as a failure), the socket
stays connected, and afterwards the server still joins and posts normally.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api
from tests.words import unique_word

pytestmark = pytest.mark.db

NS = "/live"
CONF = "conference:nrc26"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

big_ints = st.integers(min_value=-(2**70), max_value=2**70)
odd_text = st.one_of(
    st.text(max_size=30),
    # Lone surrogates, control characters, combining marks, format characters (bidi).
    st.text(alphabet=st.characters(categories=["Cs", "Cc", "Mn", "Cf"]), max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\u202e",
            "e\u0301" * 50,
            "🦴" * 20,
            "conference:",
            "session:",
            "session:-1",
            "session:1e9",
            "session:٣",
            "session:²",
            f"session:{2**63}",
            "conference:nrc26\x00",
            "moderation:nrc26",
            "tweetup:1",
            "chat:x",
            "x" * 5000,
        ]
    ),
    st.builds(lambda n: "x" * n, st.integers(min_value=40_000, max_value=60_000)),
)
leaves = st.one_of(st.none(), st.booleans(), big_ints, st.floats(allow_nan=False), odd_text)
junk = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
rooms = st.one_of(st.just(CONF), st.builds(lambda i: f"session:{i}", big_ints), odd_text, junk)


def object_with(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Dicts with some of ``keys`` (each valid-ish or junk) plus, sometimes, unknown keys."""
    fields = st.fixed_dictionaries({}, optional={k: st.one_of(v, junk) for k, v in keys.items()})
    extra = st.dictionaries(st.text(max_size=8), junk, max_size=2)
    return st.one_of(fields, st.builds(lambda a, b: {**b, **a}, fields, extra), junk)


JOIN = object_with({"room": rooms, "since": st.one_of(big_ints, st.integers(0, 5))})
LEAVE = object_with({"room": rooms})
POST = object_with(
    {
        "room": rooms,
        "text": odd_text,
        "client_id": st.one_of(st.uuids().map(str), odd_text),
        "session_id": big_ints,
        "confirm_findings": st.booleans(),
        "allow_duplicate": st.booleans(),
        "image_ids": st.lists(big_ints, max_size=6),
    }
)
#: Extra positional arguments after the payload.
EXTRA_ARGS = st.lists(junk, max_size=2)


def check_ack(ack: Any) -> None:
    assert isinstance(ack, dict), ack
    assert isinstance(ack.get("ok"), bool), ack
    if not ack["ok"]:
        error = ack["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str), ack
        assert error["code"] != "internal_error", ack


@pytest.fixture()
def poster(
    demo: dict[str, int], attendee: Api, sockets: Callable[..., SocketIOTestClient]
) -> SocketIOTestClient:
    return sockets(token=attendee.token)


def still_works(client: SocketIOTestClient) -> None:
    assert client.is_connected(NS)
    joined = client.emit("join", {"room": CONF, "since": 0}, namespace=NS, callback=True)
    assert joined["ok"] is True, joined
    payload = {"room": CONF, "text": f"still here {unique_word()}", "client_id": str(uuid.uuid4())}
    posted = client.emit("post", payload, namespace=NS, callback=True)
    assert posted["ok"] is True, posted


@pytest.mark.parametrize(("event", "payloads"), [("join", JOIN), ("leave", LEAVE), ("post", POST)])
def test_fuzzed_payloads_get_a_structured_answer(
    poster: SocketIOTestClient, event: str, payloads: st.SearchStrategy[Any]
) -> None:
    @FUZZ
    @given(payload=payloads, extra=EXTRA_ARGS)
    def run(payload: Any, extra: list[Any]) -> None:
        ack = poster.emit(event, payload, *extra, namespace=NS, callback=True)
        check_ack(ack)
        if extra:
            assert ack["ok"] is False and ack["error"]["code"] == "validation_error"
        assert poster.is_connected(NS)

    run()
    still_works(poster)


def test_anonymous_fuzzed_posts_are_refused_cleanly(
    demo: dict[str, int], sockets: Callable[..., SocketIOTestClient]
) -> None:
    client = sockets()

    @FUZZ
    @given(payload=POST)
    def run(payload: Any) -> None:
        ack = client.emit("post", payload, namespace=NS, callback=True)
        check_ack(ack)
        assert ack["ok"] is False

    run()
    assert client.is_connected(NS)


@FUZZ
@given(
    name=st.one_of(
        st.text(min_size=1, max_size=40).filter(lambda n: n not in {"join", "leave", "post"}),
        st.sampled_from(
            [
                "connect",
                "disconnect",
                "connect_error",
                "__class__",
                "on_join",
                "_join",
                "trigger_event",
                "message",
                "json",
                "error",
                "POST",
            ]
        ),
    ),
    payload=junk,
)
def test_unknown_events_are_answered_not_dispatched(
    poster: SocketIOTestClient, name: str, payload: Any
) -> None:
    ack = poster.emit(name, payload, namespace=NS, callback=True)

    check_ack(ack)
    assert ack["ok"] is False and ack["error"]["code"] == "unknown_event"
    assert poster.is_connected(NS)


def test_the_server_keeps_working_after_the_fuzzing(
    clean_app: Flask, poster: SocketIOTestClient, sockets: Callable[..., SocketIOTestClient]
) -> None:
    for event, payload in [
        ("join", None),
        ("post", []),
        ("leave", 5),
        ("nope", {}),
        ("disconnect", None),
        ("post", {"room": CONF}),
    ]:
        check_ack(poster.emit(event, payload, namespace=NS, callback=True))

    still_works(poster)
    follower = sockets()
    assert follower.emit("join", {"room": CONF}, namespace=NS, callback=True)["ok"] is True
