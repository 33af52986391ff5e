"""The straightforward Flask-SocketIO broadcast server the fan-out benchmark compares against.

What most tutorials and most production code do: Flask-SocketIO on gevent, a ``/live``
namespace with an acknowledged ``join``, and an HTTP POST that calls
``socketio.emit("posts", payload, to=room)``. No database and no checks, so every
microsecond it spends is the Socket.IO fan-out itself. The payload has the same shape and
about the same size as Backchannel's post (``server.services.posts.post_wire``).

The websocket layer is whatever engineio picks: gevent-websocket when it can be imported
(put it on ``PYTHONPATH``), simple-websocket otherwise; ``/stats`` says which.

    python bench/fanout/plain_server.py --port 5700
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse
import itertools
from datetime import UTC, datetime
from typing import Any

from flask import Flask, request
from flask_socketio import SocketIO, join_room

NAMESPACE = "/live"
AUTHOR = {
    "id": 4,
    "username": "ren",
    "display_name": "Dr. Ren Takeda",
    "handles": {
        "bluesky": "rentakeda-neuro.bsky.social",
        "linkedin": "in/ren-takeda-md-demo",
        "mastodon": "rtakeda@fediscience.org",
        "threads": "ren.takeda.rad",
        "x": "RenTakedaNeuro",
    },
}

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins=[], logger=False)
_ids = itertools.count(1)


@socketio.on("join", namespace=NAMESPACE)  # type: ignore[untyped-decorator]
def on_join(data: Any) -> dict[str, Any]:
    room = str(data.get("room")) if isinstance(data, dict) else ""
    join_room(room)
    return {"ok": True, "room": room, "seq": 0}


@app.post("/publish")
def publish() -> tuple[dict[str, Any], int]:
    body = request.get_json(force=True)
    room = str(body.get("room", "conference:nrc26"))
    post_id = next(_ids)
    post = {
        "id": post_id,
        "seq": post_id,
        "text": str(body["text"]),
        "session_id": None,
        "status": "visible",
        "created_at": datetime.now(UTC).isoformat(),
        "author": AUTHOR,
    }
    socketio.emit("posts", {"room": room, "posts": [post]}, to=room, namespace=NAMESPACE)
    return post, 201


@app.get("/stats")
def stats() -> dict[str, Any]:
    try:
        import geventwebsocket  # type: ignore[import-not-found]  # noqa: F401

        websocket = "gevent-websocket"
    except ImportError:
        websocket = "simple-websocket"
    return {"websocket": websocket}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5700)
    args = parser.parse_args()
    socketio.run(app, host=args.host, port=args.port, log_output=False)


if __name__ == "__main__":
    main()
