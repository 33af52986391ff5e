"""The application factory: configuration, extensions, routes, sockets, CLI."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from server import config as settings
from server.api import register_api
from server.api.security import init_security
from server.errors import register_error_handlers
from server.extensions import api, compress, db, limiter, migrate, socketio
from server.importers import MAX_SCHEDULE_BYTES
from server.realtime import register_realtime
from server.web import register_web


class _IsoJSONProvider(DefaultJSONProvider):
    """Dates and datetimes as ISO 8601 (Flask's default is the HTTP date format)."""

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, date | datetime):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build an app from the environment, with ``config`` overriding it (tests do that)."""
    app = Flask(__name__, static_folder=None)
    app.json = _IsoJSONProvider(app)
    app.config.update(settings.from_environment())
    app.config.update(
        API_TITLE="Backchannel API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH=None,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        MAX_CONTENT_LENGTH=MAX_SCHEDULE_BYTES + 64 * 1024,
        JSON_SORT_KEYS=False,
        COMPRESS_MIMETYPES=[
            "application/json",
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "text/calendar",
            "image/svg+xml",
        ],
        COMPRESS_MIN_SIZE=500,
        COMPRESS_ALGORITHM=["br", "gzip"],
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_STORAGE_URI=None,
        # Redis holds the shared counters; while it is down each process counts in memory
        # (and a storage error lets the request through) rather than failing every post.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
    )
    if config:
        app.config.update(config)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    settings.check_production(app.config)
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    logging.getLogger("alembic").setLevel(logging.WARNING)

    _prepare_sqlite(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.migrations_dir()), render_as_batch=True)
    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    register_api(api)
    limiter.init_app(app)
    compress.init_app(app)
    init_security(app)
    register_error_handlers(app)
    register_realtime(app, socketio)
    register_web(app)
    app.after_request(_security_headers)
    hops = int(app.config.get("PROXY_HOPS", 0))
    if hops:
        # Behind a balancer every request comes from its address: per-address limits would
        # count a whole congress as one client. Trust exactly that many proxies' headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app


def _prepare_sqlite(app: Flask) -> None:
    uri = str(app.config["SQLALCHEMY_DATABASE_URI"])
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:///:memory:"):
        path = Path(uri.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'; manifest-src 'self'; worker-src 'self'"
)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure or str(request.headers.get("X-Forwarded-Proto", "")) == "https":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
