"""Shared by the security tests: an app with rate limits on, Socket.IO clients that are closed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient

from server.app import create_app
from server.extensions import db, limiter, socketio
from server.models import Talk
from server.services.demo import do_load_demo
from tests.conftest import base_config

NS = "/live"


def _second_app(database_url: str, tmp_path: Path, **overrides: Any) -> Iterator[Flask]:
    """Another app on the same database. The extensions are singletons: Flask-Limiter's
    ``enabled`` flag and storage, and the Socket.IO server, follow the newest app, so the
    limiter is reset around the test and its flag switched back for the session app."""
    was_enabled = limiter.enabled
    config = base_config(database_url, tmp_path)
    config.update(overrides)
    second = create_app(config)
    if limiter.enabled:
        limiter.reset()
    yield second
    if limiter.enabled:
        limiter.reset()
    limiter.enabled = was_enabled
    with second.app_context():
        db.session.remove()


@pytest.fixture()
def limited_app(clean_app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """Rate limits on (most tests run without)."""
    yield from _second_app(database_url, tmp_path, RATELIMIT_ENABLED=True)


@pytest.fixture()
def wsgi_socket_app(clean_app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app whose WSGI stack wraps the current Socket.IO server, for raw Engine.IO requests
    (the session app's middleware keeps the server of its own creation)."""
    yield from _second_app(database_url, tmp_path)


@pytest.fixture()
def demo(clean_app: Flask) -> dict[str, int]:
    """The demo congress (slug ``nrc26``); talk ids by session code."""
    with clean_app.app_context():
        do_load_demo()
        ids = {t.code: t.id for t in db.session.query(Talk).all() if t.code}
        db.session.remove()
    return ids


@pytest.fixture()
def sockets(clean_app: Flask) -> Iterator[Callable[..., SocketIOTestClient]]:
    """``sockets(app=None, token=None, **kw)`` -> a connected (or refused) test client; all
    are disconnected afterwards."""
    opened: list[SocketIOTestClient] = []

    def make(app: Flask | None = None, token: str | None = None, **kw: Any) -> SocketIOTestClient:
        auth = {"token": token} if token else kw.pop("auth", None)
        client = socketio.test_client(app or clean_app, namespace=NS, auth=auth, **kw)
        opened.append(client)
        return client

    yield make
    for client in opened:
        if client.is_connected(NS):
            client.disconnect(NS)
