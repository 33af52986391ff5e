"""Fixtures: a real database (SQLite by default, PostgreSQL with BACKCHANNEL_TEST_DATABASE_URL).

The schema is created by the Alembic migrations once per run; every test starts from empty
tables. Nothing of our own is mocked: requests go through the Flask test client.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from sqlalchemy import create_engine, inspect, text

from server.app import create_app
from server.config import normalise_database_url
from server.extensions import db, socketio
from tests.shared_data import SCHEDULES

PG_ENV = "BACKCHANNEL_TEST_DATABASE_URL"


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get(PG_ENV)
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_root / 'test.db'}"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def base_config(url: str, tmp_root: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "SOCKETIO_ASYNC_MODE": "threading",
        "RATELIMIT_ENABLED": False,
        "IMPORT_REFRESH_ENABLED": False,
        "ARGON2_PROFILE": "cheapest",
        "REDIS_URL": None,
        "PUBLIC_URL": "http://127.0.0.1:5000",
        "ALLOWED_ORIGINS": ["http://127.0.0.1:5000"],
        "UPLOAD_DIR": str(tmp_root / "uploads"),
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("db")
    url = _database_url(root)
    if url.startswith("postgresql"):
        _reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from flask_migrate import upgrade

    application = create_app(base_config(database_url, tmp_path_factory.mktemp("app")))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


def _empty_tables(application: Flask) -> None:
    with application.app_context():
        names = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
            else:
                for name in names:
                    conn.execute(text(f"DELETE FROM {name}"))
        db.session.remove()


@pytest.fixture()
def clean_app(app: Flask) -> Iterator[Flask]:
    """The session app with empty tables before and after the test."""
    _empty_tables(app)
    yield app
    _empty_tables(app)


@pytest.fixture()
def client(clean_app: Flask) -> FlaskClient:
    return clean_app.test_client()


@pytest.fixture()
def ctx(clean_app: Flask) -> Iterator[Flask]:
    """An app context for calling services directly."""
    with clean_app.app_context():
        yield clean_app
        db.session.remove()


class Api:
    """A thin JSON helper over the test client that carries a bearer token."""

    def __init__(self, client: FlaskClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.get(path, headers=self._headers(headers), **kw)

    def post(
        self, path: str, json: Any = None, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        return self.client.post(path, json=json, headers=self._headers(headers), **kw)

    def put(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.put(path, json=json, headers=self._headers(headers))

    def patch(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.patch(path, json=json, headers=self._headers(headers))

    def delete(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.delete(path, headers=self._headers(headers))


@pytest.fixture()
def anon(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture()
def make_user(clean_app: Flask, client: FlaskClient) -> Callable[..., Api]:
    """``make_user(role="organizer")`` -> an :class:`Api` signed in with a fresh token."""
    counter = {"n": 0}

    def make(role: str = "attendee", username: str | None = None) -> Api:
        from server.services.accounts import do_create_user, do_issue_token

        counter["n"] += 1
        name = username or f"{role}{counter['n']}"
        with clean_app.app_context():
            user = do_create_user(name, "correct horse battery", name.title(), role=role)
            token = do_issue_token(user, "api")
            db.session.remove()
        return Api(clean_app.test_client(), token)

    return make


@pytest.fixture()
def organizer(make_user: Callable[..., Api]) -> Api:
    return make_user("organizer")


@pytest.fixture()
def attendee(make_user: Callable[..., Api]) -> Api:
    return make_user("attendee")


@pytest.fixture()
def import_file(clean_app: Flask) -> Callable[..., Any]:
    """Import a file of ``shared/data/schedules`` (or any path) through the service."""

    def do(name: str | Path, slug: str = "conf", timezone: str | None = None) -> Any:
        from server.services.programme_import import do_import_programme

        path = name if isinstance(name, Path) else SCHEDULES / name
        with clean_app.app_context():
            report = do_import_programme(
                path.read_bytes(), slug=slug, source="cli", default_timezone=timezone
            )
            db.session.remove()
        return report

    return do


def table_counts(application: Flask) -> dict[str, int]:
    """Row counts of every table: what "nothing written" is checked against."""
    with application.app_context():
        counts = {}
        with db.engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                if name == "alembic_version":
                    continue
                counts[name] = conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
        db.session.remove()
        return counts


@pytest.fixture()
def sockets(clean_app: Flask) -> Iterator[Callable[..., SocketIOTestClient]]:
    """Socket.IO test clients on /live (with a bearer token, or anonymous), closed afterwards."""
    opened: list[SocketIOTestClient] = []

    def make(token: str | None = None) -> SocketIOTestClient:
        client = socketio.test_client(
            clean_app, namespace="/live", auth={"token": token} if token else None
        )
        opened.append(client)
        return client

    yield make
    for client in opened:
        if client.is_connected("/live"):
            client.disconnect("/live")
