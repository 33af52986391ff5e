"""Sends committed events to Socket.IO rooms (through Redis when several processes run)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from server.services.events import install_commit_hooks, set_publisher

NAMESPACE = "/live"


def install_publisher(app: Flask, socketio: SocketIO) -> None:
    def publish(event: str, payload: dict[str, Any], rooms: list[str]) -> None:
        for room in rooms:
            socketio.emit(event, payload, to=room, namespace=NAMESPACE)

    install_commit_hooks()
    set_publisher(app, publish)
