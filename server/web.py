"""Serves the PWA in ``web/``: the app shell for every page path, static files by name."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, send_file, send_from_directory

from server.pwa import PWA_PAGES, register_pwa
from server.services.uploads import CONTENT_TYPES, media_path

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
MEDIA_MAX_AGE = 365 * 24 * 3600
_PAGES = (
    "", "programme", "sessions/<int:talk_id>", "agenda", "login", "profile", "c/<slug>",
    *PWA_PAGES,
    # Connecting: tweetups, tweetchats, following from afar.
    "tweetups", "tweetups/new", "tweetups/<int:tweetup_id>", "chats", "chats/<int:chat_id>",
    "chats/<int:chat_id>/transcript", "sessions/<int:talk_id>/live", "following",
)


def register_web(app: Flask) -> None:
    def shell(**_: object) -> Response:
        response = send_from_directory(WEB_DIR, "index.html", max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response

    for page in _PAGES:
        app.add_url_rule(f"/{page}", f"page_{page or 'home'}".replace("/", "_").replace("<", "")
                         .replace(">", "").replace(":", "_"), shell)

    @app.route("/static/<path:filename>")
    def static_file(filename: str) -> Response:
        if not (WEB_DIR / "static").is_dir():
            abort(404)
        response = send_from_directory(WEB_DIR / "static", filename, max_age=3600)
        return response

    register_pwa(app, WEB_DIR)

    @app.route("/media/<name>")
    def media(name: str) -> Response:
        """Uploaded images: content-addressed, so cached for a year and never revalidated."""
        path = media_path(name)
        if path is None or not path.is_file():
            abort(404)
        response = send_file(
            path, mimetype=CONTENT_TYPES[path.suffix[1:]], max_age=MEDIA_MAX_AGE, etag=True
        )
        response.headers["Cache-Control"] = f"public, max-age={MEDIA_MAX_AGE}, immutable"
        # An image needs no script, style or framing even if a browser is told to render it.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; frame-ancestors 'none'; sandbox"
        )
        response.headers["Content-Disposition"] = f"inline; filename={name}"
        return response
