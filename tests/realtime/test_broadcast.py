"""The lean fan-out's parts on real sockets: frames, the parser, the backlog, coalescing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import gevent
import pytest
from gevent import socket as gsocket

from server.realtime import broadcast
from server.realtime.broadcast import (
    CLOSE_PROTOCOL,
    CLOSE_TOO_BIG,
    OP_BINARY,
    OP_CLOSE,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    DirectQueue,
    LeanWebSocket,
    ProtocolError,
    accept_key,
    frame,
)
from server.realtime.publisher import coalesce


def client_frame(payload: bytes, opcode: int = OP_TEXT, *, fin: bool = True) -> bytes:
    """A masked frame as a browser sends it (random mask)."""
    size = len(payload)
    first = (0x80 if fin else 0) | opcode
    if size < 126:
        head = bytes((first, 0x80 | size))
    elif size < 65536:
        head = bytes((first, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((first, 0x80 | 127)) + size.to_bytes(8, "big")
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_frames(sock: Any, count: int) -> list[tuple[int, bytes]]:
    """Server frames off the peer socket (unmasked)."""
    data = b""
    frames: list[tuple[int, bytes]] = []
    while len(frames) < count:
        data += sock.recv(65536)
        while len(data) >= 2:
            length, head = data[1] & 0x7F, 2
            if length == 126:
                length, head = int.from_bytes(data[2:4], "big"), 4
            elif length == 127:
                length, head = int.from_bytes(data[2:10], "big"), 10
            if len(data) < head + length:
                break
            frames.append((data[0] & 0x0F, data[head : head + length]))
            data = data[head + length :]
    return frames


@pytest.fixture()
def pair() -> Iterator[tuple[LeanWebSocket, Any]]:
    server, peer = gsocket.socketpair()
    ws = LeanWebSocket(server, max_message=1024)
    yield ws, peer
    server.close()
    peer.close()


def test_accept_key_matches_rfc_6455_example() -> None:
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_server_frames_use_the_three_length_forms() -> None:
    assert frame(b"hi") == b"\x81\x02hi"
    assert frame(b"x" * 200)[:4] == b"\x81\x7e\x00\xc8"
    assert frame(b"x" * 70000, OP_BINARY)[:10] == b"\x82\x7f" + (70000).to_bytes(8, "big")


def test_parser_returns_whole_messages_across_chunks_and_fragments(
    pair: tuple[LeanWebSocket, Any],
) -> None:
    ws, _ = pair
    data = (
        client_frame("héllo".encode())
        + client_frame(b"40/live,", fin=False)
        + client_frame(b'{"a":1}', 0x0)
        + client_frame(b"\x00\x01", OP_BINARY)
    )
    messages: list[str | bytes] = []
    for i in range(0, len(data), 3):  # the network hands bytes over in odd pieces
        messages += ws.feed(data[i : i + 3])
    assert messages == ["héllo", '40/live,{"a":1}', b"\x00\x01"]


def test_a_ping_is_answered_and_a_close_is_echoed(pair: tuple[LeanWebSocket, Any]) -> None:
    ws, peer = pair
    assert ws.feed(client_frame(b"are you there", OP_PING)) == []
    assert ws.feed(client_frame((1000).to_bytes(2, "big"), OP_CLOSE)) == []
    assert read_frames(peer, 2) == [(OP_PONG, b"are you there"), (OP_CLOSE, b"\x03\xe8")]
    assert ws.peer_closed is True and ws.connected is False


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\x81\x05hello", CLOSE_PROTOCOL),  # unmasked
        (client_frame(b"x" * 2000), CLOSE_TOO_BIG),  # over max_message
        (client_frame(b"ab", 0x3), CLOSE_PROTOCOL),  # reserved opcode
        (client_frame(b"ab", 0x0), CLOSE_PROTOCOL),  # continuation of nothing
        (client_frame(b"\xff\xfe"), 1007),  # text that is not UTF-8
    ],
)
def test_protocol_errors_name_their_close_code(
    pair: tuple[LeanWebSocket, Any], data: bytes, code: int
) -> None:
    ws, _ = pair
    with pytest.raises(ProtocolError) as caught:
        ws.feed(data)
    assert caught.value.code == code


def test_a_fragmented_message_is_capped_as_a_whole(pair: tuple[LeanWebSocket, Any]) -> None:
    ws, _ = pair
    ws.feed(client_frame(b"x" * 600, fin=False))
    with pytest.raises(ProtocolError) as caught:
        ws.feed(client_frame(b"x" * 600, 0x0))
    assert caught.value.code == CLOSE_TOO_BIG


def test_a_full_socket_keeps_frames_in_order_in_the_backlog(
    pair: tuple[LeanWebSocket, Any],
) -> None:
    ws, peer = pair
    frames = [frame(f"{i:06d}".encode() * 500) for i in range(200)]  # 3 KB each, 600 KB
    for data in frames:
        ws.write(data)  # never blocks, even when the kernel's buffer is full
    assert ws._backlog is not None  # the kernel did not take it all
    received = b""
    expected = b"".join(frames)
    while len(received) < len(expected):
        gevent.sleep(0)  # lets the flusher run
        received += peer.recv(1 << 20)
    assert received == expected
    gevent.sleep(0)
    assert ws._backlog is None


def _engine(ws: LeanWebSocket, **state: bool) -> SimpleNamespace:
    """The attributes of python-engineio's ``Socket`` that the fan-out reads."""
    flags = {"upgraded": True, "upgrading": False, "closing": False, "closed": False, **state}
    return SimpleNamespace(queue=DirectQueue(ws, Exception), **flags)


def test_push_writes_only_to_settled_websockets_and_keeps_order_behind_a_backlog(
    pair: tuple[LeanWebSocket, Any],
) -> None:
    ws, peer = pair
    assert ws.push(frame(b"early")) is False  # no engine.io socket yet
    ws.engine = _engine(ws, upgrading=True)
    assert ws.push(frame(b"upgrading")) is False  # engine.io's own path takes it
    ws.engine = _engine(ws)
    frames = [frame(f"{i:06d}".encode() * 500) for i in range(200)]  # 600 KB: a backlog

    assert all(ws.push(data) for data in frames)
    assert ws._backlog is not None
    received, expected = b"", b"".join(frames)
    while len(received) < len(expected):
        gevent.sleep(0)
        received += peer.recv(1 << 20)
    assert received == expected


def test_push_to_a_connection_that_is_gone_closes_it_quietly(
    pair: tuple[LeanWebSocket, Any],
) -> None:
    ws, peer = pair
    ws.engine = _engine(ws)
    peer.close()
    for _ in range(50):  # the first sends may still land in the kernel's buffer
        assert ws.push(frame(b"x" * 1000)) is True
        if not ws.connected:
            break
    assert ws.connected is False
    assert ws.push(frame(b"late")) is False


def test_a_client_that_stops_reading_is_cut_off(
    pair: tuple[LeanWebSocket, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, _ = pair
    monkeypatch.setattr(broadcast, "MAX_BACKLOG_BYTES", 64 * 1024)
    with pytest.raises(OSError):
        for _ in range(10_000):
            ws.write(frame(b"x" * 1000))
    assert ws.connected is False
    with pytest.raises(OSError):
        ws.write(frame(b"late"))


def _posts(room: str, *ids: int) -> dict[str, Any]:
    return {"room": room, "posts": [{"id": i} for i in ids]}


def test_coalesce_merges_a_rooms_posts_until_another_event_comes_between() -> None:
    conf, talk = "conference:c", "session:7"
    items = [
        ("posts", _posts(conf, 1), [conf]),
        ("posts", _posts(talk, 2), [talk]),
        ("posts", _posts(conf, 2), [conf]),
        ("post_removed", {"room": conf, "id": 1, "seq": 9}, [conf]),
        ("posts", _posts(conf, 3), [conf]),
        ("posts", _posts(talk, 4), [talk]),
    ]
    assert coalesce(items) == [
        ("posts", conf, _posts(conf, 1, 2)),
        ("posts", talk, _posts(talk, 2, 4)),
        ("post_removed", conf, {"room": conf, "id": 1, "seq": 9}),
        ("posts", conf, _posts(conf, 3)),
    ]


def test_coalesce_leaves_the_queued_payloads_untouched() -> None:
    first = _posts("conference:c", 1)
    coalesce(
        [("posts", first, ["conference:c"]), ("posts", _posts("conference:c", 2), ["conference:c"])]
    )
    assert first == _posts("conference:c", 1)
