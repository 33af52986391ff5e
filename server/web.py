"""Serves the PWA in ``web/``: the app shell for every page path, static files by name."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, send_from_directory

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
_PAGES = ("", "programme", "sessions/<int:talk_id>", "agenda", "login", "profile", "c/<slug>")


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
