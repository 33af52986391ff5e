"""The lean websocket and fan-out of a real ``backchannel serve``, from real clients.

python-socketio's client over a direct websocket, over long-polling upgraded to a websocket,
and over long-polling only all see every post once and in order, however the server
batches them; raw sockets check the websocket handshake and protocol answers.
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.e2e.live_server import (
    NAMESPACE,
    ROOM,
    Deployment,
    ServerProcess,
    socketio,
    sqlite_url,
    token_for,
    wait_until,
)
from tests.words import unique_word

pytestmark = pytest.mark.e2e

POSTS = 30


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp("websocket")
    deployment = Deployment(workdir, sqlite_url(workdir / "data"))
    deployment.seed()
    try:
        yield deployment.server(0).start()
    finally:
        deployment.stop_all()


class Wall:
    def __init__(self, url: str, transports: list[str]) -> None:
        self.events: list[dict[str, Any]] = []
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("posts", self.events.append, namespace=NAMESPACE)
        self.sio.connect(url, namespaces=[NAMESPACE], transports=transports, wait_timeout=20)
        ack = self.sio.call("join", {"room": ROOM}, namespace=NAMESPACE, timeout=30)
        assert ack["ok"] is True

    def seqs(self) -> list[int]:
        return [post["seq"] for event in self.events for post in event["posts"]]


def test_every_transport_gets_every_post_once_in_order(server: ServerProcess) -> None:
    walls = {
        "websocket": Wall(server.url, ["websocket"]),
        "upgraded": Wall(server.url, ["polling", "websocket"]),
        "polling": Wall(server.url, ["polling"]),
    }
    assert wait_until(lambda: walls["upgraded"].sio.transport() == "websocket", timeout=20)
    token = token_for(server.url, "ren")
    seqs: list[int] = []
    lock = threading.Lock()

    def post(n: int) -> None:  # several writers at once: commits land close together
        for i in range(n, POSTS, 3):
            response = requests.post(
                f"{server.url}/api/v1/conferences/nrc26/posts",
                json={"text": f"Fan-out check {i} {unique_word()}"},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
                timeout=30,
            )
            assert response.status_code == 201, response.text
            with lock:
                seqs.append(response.json()["seq"])

    writers = [threading.Thread(target=post, args=(n,)) for n in range(3)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    expected = sorted(seqs)
    for name, wall in walls.items():
        assert wait_until(lambda w=wall: len(w.seqs()) >= POSTS, timeout=30), name
        assert sorted(wall.seqs()) == expected, name
        assert all(event["room"] == ROOM for event in wall.events), name
    assert walls["websocket"].sio.transport() == "websocket"
    for wall in walls.values():
        wall.sio.disconnect()


def _handshake(server: ServerProcess, key: str) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(
        b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: " + key.encode() + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return sock, data


def _read_frame(sock: socket.socket, buffer: bytearray) -> tuple[int, bytes]:
    while True:
        if len(buffer) >= 2:
            length, head = buffer[1] & 0x7F, 2
            if length == 126:
                length, head = int.from_bytes(buffer[2:4], "big"), 4
            if len(buffer) >= head + length:
                opcode, payload = buffer[0] & 0x0F, bytes(buffer[head : head + length])
                del buffer[: head + length]
                return opcode, payload
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk


def test_the_handshake_and_protocol_answers(server: ServerProcess) -> None:
    _, reply = _handshake(server, "not-a-key")
    assert reply.startswith(b"HTTP/1.1 400")

    key = base64.b64encode(os.urandom(16)).decode()
    sock, reply = _handshake(server, key)
    assert reply.startswith(b"HTTP/1.1 101")
    buffer = bytearray(reply.split(b"\r\n\r\n", 1)[1])
    opcode, payload = _read_frame(sock, buffer)
    assert opcode == 0x1 and payload.startswith(b'0{"sid":')  # engine.io's open packet
    mask = os.urandom(4)
    sock.sendall(bytes((0x89, 0x84)) + mask + bytes(b ^ mask[i] for i, b in enumerate(b"ping")))
    assert _read_frame(sock, buffer) == (0xA, b"ping")
    sock.sendall(b"\x81\x01x")  # an unmasked client frame
    assert _read_frame(sock, buffer) == (
        0x8,
        (1002).to_bytes(2, "big") + b"client frames must be masked",
    )
    sock.settimeout(10)
    assert sock.recv(100) == b""  # and the connection is closed
    sock.close()
