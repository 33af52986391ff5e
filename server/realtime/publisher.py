"""Sends committed events to Socket.IO rooms (through Redis when several processes run).

A post's wire form is built once by the service (``post_wire``) and its frame once per room
emit (:mod:`server.realtime.broadcast`). In the gevent server, events also pass through a
:class:`Broadcaster`: posts committed within ``LIVE_BATCH_MS`` of the last flush to a room
ride in one ``posts`` event (the contract allows a list), so at high post rates a member gets
one frame carrying several posts instead of one frame per post. The first post after a quiet
spell goes out at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from server.services.events import install_commit_hooks, set_publisher

NAMESPACE = "/live"
DEFAULT_BATCH_MS = 40
log = logging.getLogger(__name__)

#: ``(event, payload, rooms)`` as :func:`server.services.events.queue_event` queued it.
Item = tuple[str, dict[str, Any], list[str]]
#: ``emit(event, payload, room)``
Emit = Callable[[str, dict[str, Any], str], None]


def _mergeable(event: str, payload: dict[str, Any], room: str) -> bool:
    return (
        event == "posts"
        and payload.keys() == {"room", "posts"}
        and payload["room"] == room
        and isinstance(payload["posts"], list)
    )


def coalesce(items: list[Item]) -> list[tuple[str, str, dict[str, Any]]]:
    """``(event, room, payload)`` to emit, in order, with ``posts`` runs per room merged.

    A room's posts merge until another event for that room (a removal, say) comes between
    them, so every room still sees its events in commit order.
    """
    out: list[tuple[str, str, dict[str, Any]]] = []
    open_posts: dict[str, list[dict[str, Any]]] = {}
    for event, payload, rooms in items:
        for room in rooms:
            if _mergeable(event, payload, room):
                batch = open_posts.get(room)
                if batch is not None:
                    batch.extend(payload["posts"])
                    continue
                batch = list(payload["posts"])
                open_posts[room] = batch
                out.append((event, room, {"room": room, "posts": batch}))
            else:
                open_posts.pop(room, None)
                out.append((event, room, payload))
    return out


class Broadcaster:
    """One greenlet that emits queued events, at most once per ``interval`` seconds."""

    def __init__(self, socketio: SocketIO, emit: Emit, interval: float) -> None:
        self.socketio = socketio
        self.emit = emit
        self.interval = interval
        self._items: list[Item] = []
        self._wake: Any = None
        self._last = 0.0

    def publish(self, event: str, payload: dict[str, Any], rooms: list[str]) -> None:
        if self._wake is None:
            self._wake = self.socketio.server.eio.create_event()
            self.socketio.start_background_task(self._run)
        self._items.append((event, payload, rooms))
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            delay = self._last + self.interval - time.monotonic()
            if delay > 0:
                self.socketio.sleep(delay)
            self._last = time.monotonic()
            self.flush()

    def flush(self) -> None:
        items, self._items = self._items, []
        for event, room, payload in coalesce(items):
            try:
                self.emit(event, payload, room)
            except Exception:  # committed data: clients catch up on rejoin
                log.exception("publishing %s to %s failed", event, room)


def _serving_with_gevent(socketio: SocketIO) -> bool:
    """Batching needs a hub that runs: the gevent server, not a one-shot CLI process."""
    if socketio.async_mode != "gevent":
        return False
    from gevent import monkey  # noqa: PLC0415 -- only in gevent mode

    return bool(monkey.is_module_patched("socket"))


def install_publisher(app: Flask, socketio: SocketIO) -> None:
    def emit(event: str, payload: dict[str, Any], room: str) -> None:
        socketio.emit(event, payload, to=room, namespace=NAMESPACE)

    batch_ms = int(app.config.get("LIVE_BATCH_MS", DEFAULT_BATCH_MS))
    if batch_ms > 0 and _serving_with_gevent(socketio):
        publish = Broadcaster(socketio, emit, batch_ms / 1000.0).publish
    else:

        def publish(event: str, payload: dict[str, Any], rooms: list[str]) -> None:
            for name, room, data in coalesce([(event, payload, rooms)]):
                emit(name, data, room)

    install_commit_hooks()
    set_publisher(app, publish)
