"""A WSGI guard in front of Engine.IO for oversized long-polling messages.

python-engineio answers a long-polling POST over ``max_http_buffer_size`` by closing the
session, and that close then waits for a poll that never comes: the request never returns
(one stuck worker and connection per oversized message, in 4.15.1). Refusing the body here,
before engine.io reads it, answers 413 at once and leaves the session usable. WebSocket
frames are capped by engine.io itself (the same limit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

#: The largest Socket.IO message accepted (engine.io's ``max_http_buffer_size``).
MAX_MESSAGE_BYTES = 64 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class PollingBodyCap:
    def __init__(self, app: WSGIApp, limit: int, path: str = "/socket.io") -> None:
        self.app = app
        self.limit = limit
        self.path = path.rstrip("/") + "/"

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST" and str(
            environ.get("PATH_INFO", "")
        ).startswith(self.path):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = self.limit + 1
            if length > self.limit:
                body = f"Socket.IO messages are at most {self.limit} bytes.".encode()
                start_response(
                    "413 Payload Too Large",
                    [("Content-Type", "text/plain; charset=utf-8"),
                     ("Content-Length", str(len(body)))],
                )
                return [body]
        return self.app(environ, start_response)
