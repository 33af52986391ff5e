"""Message-size cap and origin check on a real ``backchannel serve`` (gevent, real WebSocket).

The in-process tests cover long-polling through the WSGI stack; this drives the transport
browsers use, raw Engine.IO v4 frames over a WebSocket, against the installed command.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.e2e.live_server import ROOM, Deployment, ServerProcess, sqlite_url

websocket = pytest.importorskip("websocket", reason="pip install websocket-client==1.9.2")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp("socket-limits")
    deployment = Deployment(workdir, sqlite_url(workdir / "data"))
    deployment.seed()
    process = deployment.server().start()
    yield process
    deployment.stop_all()


def open_live(server: ServerProcess, origin: str | None = None) -> Any:
    url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    ws = websocket.create_connection(url, timeout=20, origin=origin or server.url)
    assert ws.recv().startswith("0{")  # engine.io open
    ws.send("40/live,")
    while not ws.recv().startswith("40/live,"):
        pass
    return ws


def join(ws: Any, ack_id: int) -> dict[str, Any]:
    ws.send(f"42/live,{ack_id}" + json.dumps(["join", {"room": ROOM}]))
    prefix = f"43/live,{ack_id}"
    while not (frame := ws.recv()).startswith(prefix):
        pass
    result: dict[str, Any] = json.loads(frame[len(prefix):])[0]
    return result


def test_an_oversized_websocket_message_closes_that_connection_only(
    server: ServerProcess,
) -> None:
    bystander = open_live(server)
    sender = open_live(server)
    assert join(sender, 1)["ok"] is True
    huge = json.dumps(["post", {"room": ROOM, "text": "x" * (70 * 1024), "client_id": "big"}])

    sender.send(f"42/live,2{huge}")

    with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError)):
        while True:  # whatever was queued, then the close
            if sender.recv() == "":
                raise websocket.WebSocketConnectionClosedException("closed")
    assert join(bystander, 3)["ok"] is True  # the process and other sockets carry on
    fresh = open_live(server)
    assert join(fresh, 4)["ok"] is True
    for ws in (bystander, fresh):
        ws.close()
    posts = requests.get(f"{server.url}/api/v1/conferences/nrc26/posts", timeout=10).json()
    assert all(p["text"] != "x" * (70 * 1024) for p in posts["items"])


def test_an_oversized_long_polling_message_is_answered_413_at_once(
    server: ServerProcess,
) -> None:
    session = requests.Session()
    base = f"{server.url}/socket.io/?EIO=4&transport=polling"
    sid = json.loads(session.get(base, timeout=10).text[1:])["sid"]
    url = f"{base}&sid={sid}"
    assert session.post(url, data="40/live,", timeout=10).status_code == 200
    session.get(url, timeout=10)

    response = session.post(url, data="42/live,1" + json.dumps(["join", {"pad": "x" * 70_000}]),
                            timeout=10)

    assert response.status_code == 413
    assert session.post(url, data="42/live,2" + json.dumps(["join", {"room": ROOM}]),
                        timeout=10).status_code == 200
    assert '"ok":true' in session.get(url, timeout=10).text


def test_a_websocket_from_a_foreign_origin_is_refused(server: ServerProcess) -> None:
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        open_live(server, origin="https://evil.example")

    assert refused.value.status_code == 400
    open_live(server).close()

