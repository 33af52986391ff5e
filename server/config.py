"""Settings read from the environment, so one build runs on a laptop or behind a balancer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULT_SECRET = "dev-only-secret-change-me"


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def instance_dir() -> Path:
    """Where the embedded database and uploads live (``BACKCHANNEL_INSTANCE``)."""
    return Path(os.environ.get("BACKCHANNEL_INSTANCE", Path.cwd() / "instance")).resolve()


def default_database_url() -> str:
    return f"sqlite:///{instance_dir() / 'backchannel.db'}"


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` spelling that hosting platforms hand out."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def from_environment() -> dict[str, Any]:
    """The app configuration as the environment sets it."""
    public_url = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET),
        "ENV_NAME": os.environ.get("BACKCHANNEL_ENV", "development"),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_database_url()
        ),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "PUBLIC_URL": public_url,
        # Origins allowed to open sockets and send cookie-authenticated writes.
        "ALLOWED_ORIGINS": _list("ALLOWED_ORIGINS", [public_url, "http://localhost:5000"]),
        "SESSION_COOKIE_SECURE": public_url.startswith("https://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "IMPORT_REFRESH_ENABLED": _bool("IMPORT_REFRESH_ENABLED", True),
        "EMBARGO_RELEASE_ENABLED": _bool("EMBARGO_RELEASE_ENABLED", True),
        # Live posts committed this close together share one frame (0: one event per post).
        "LIVE_BATCH_MS": int(os.environ.get("LIVE_BATCH_MS", "40")),
        # Reverse proxies in front whose X-Forwarded-For/-Proto are trusted (0: none).
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0")),
        "ARGON2_PROFILE": os.environ.get("ARGON2_PROFILE", "default"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Tests only: a URL template such as http://127.0.0.1:8123/{host} that replaces
        # https://{host} when looking up a Mastodon instance's post limit (a fake instance on
        # loopback); unset, only HTTPS to public addresses is allowed.
        "MASTODON_TEST_URL": os.environ.get("BACKCHANNEL_MASTODON_TEST_URL") or None,
    }


def check_production(config: dict[str, Any]) -> None:
    """Refuse to boot a production server with the development secret or a test setting."""
    if config.get("ENV_NAME") == "production" and config.get("SECRET_KEY") == DEFAULT_SECRET:
        raise RuntimeError("SECRET_KEY must be set in production (BACKCHANNEL_ENV=production)")
    if config.get("ENV_NAME") == "production" and config.get("MASTODON_TEST_URL"):
        # It lets instance look-ups reach loopback over plain HTTP: a test fake's door.
        raise RuntimeError("BACKCHANNEL_MASTODON_TEST_URL is for tests; unset it in production")
    if any(origin.strip() in ("*", "null") for origin in config.get("ALLOWED_ORIGINS", [])):
        # A wildcard would let any site open sockets and send writes with a user's cookie.
        raise RuntimeError("ALLOWED_ORIGINS must list origins; '*' and 'null' are refused")


def migrations_dir() -> Path:
    """The Alembic folder: beside the package in a checkout."""
    return Path(__file__).resolve().parent.parent / "migrations"
