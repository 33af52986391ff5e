"""The installable-app parts of the PWA: manifest, service worker, vendored npm files.

* ``/manifest.webmanifest`` (``application/manifest+json``).
* ``/sw.js`` at the root scope, never cached by HTTP (``no-cache``): its text carries a version
  hashed from every file it precaches, so any change to the app shell installs a new worker
  and the page offers the update.
* ``/vendor/<name>``: the few files of npm packages (``node_modules``, installed by
  ``npm ci``) the browser loads, through an explicit allow-list; nothing else under
  ``node_modules`` is reachable.
* ``/static/gen/text-rules.js``: the counting rules for the browser's live counter, generated
  from the server's own (see :mod:`server.domain.text.browser_rules`).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, abort, request, send_file
from werkzeug.wrappers import Response as BaseResponse

from server.domain.text.browser_rules import browser_rules_module

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "node_modules"

#: Page paths the app shell answers besides the ones in server/web.py.
PWA_PAGES = (
    "wall",
    "wall/<slug>",
    "wall/<slug>/projector",
    "compose",
    "drafts",
    "outbox",
    "moderation",
    "moderation/<slug>",
    "analytics",
)

#: URL name -> file under node_modules (pinned in package.json / package-lock.json).
VENDOR = {
    "socket.io.esm.min.js": "socket.io-client/dist/socket.io.esm.min.js",
    "qrcode.mjs": "qrcode-generator/dist/qrcode.mjs",
}

#: Files the service worker precaches (the app shell); everything else is cached at run time.
_SHELL_STATIC = ("app.css", "icon.svg", "icons/icon-192.png", "icons/icon-512.png")
_SHELL_VENDOR = ("socket.io.esm.min.js",)
RULES_PATH = "/static/gen/text-rules.js"

MANIFEST = {
    "id": "/",
    "name": "Backchannel",
    "short_name": "Backchannel",
    "description": "The conference programme, your agenda, the live wall and the right "
    "hashtags to post with.",
    "start_url": "/?source=pwa",
    "scope": "/",
    "display": "standalone",
    "orientation": "any",
    "theme_color": "#1f4e79",
    "background_color": "#f6f7f9",
    "categories": ["productivity", "social"],
    "icons": [
        {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {
            "src": "/static/icons/maskable-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"},
    ],
    "shortcuts": [
        {"name": "Programme", "url": "/programme"},
        {"name": "Live wall", "url": "/wall"},
        {"name": "My agenda", "url": "/agenda"},
    ],
}


def _shell_files(web_dir: Path) -> list[tuple[str, Path | None]]:
    """(URL, file) of everything precached; the rules module has no file (None)."""
    files: list[tuple[str, Path | None]] = [
        ("/", web_dir / "index.html"),
        ("/offline.html", web_dir / "offline.html"),
    ]
    files += [(f"/static/{name}", web_dir / "static" / name) for name in _SHELL_STATIC]
    for path in sorted((web_dir / "static" / "js").rglob("*.js")):
        files.append((f"/static/{path.relative_to(web_dir / 'static').as_posix()}", path))
    files += [(f"/vendor/{name}", NODE_MODULES / VENDOR[name]) for name in _SHELL_VENDOR]
    files.append((RULES_PATH, None))
    return files


@lru_cache(maxsize=4)
def _worker_source(web_dir: Path, stamp: float) -> tuple[str, str]:
    """(sw.js text, version): the version hashes every precached file's bytes."""
    digest = hashlib.sha256()
    urls = []
    for url, path in _shell_files(web_dir):
        urls.append(url)
        digest.update(url.encode())
        if path is None:
            digest.update(browser_rules_module().encode())
        elif path.is_file():
            digest.update(path.read_bytes())
    version = digest.hexdigest()[:12]
    template = (web_dir / "sw.js").read_text(encoding="utf-8")
    source = template.replace('"__VERSION__"', json.dumps(version)).replace(
        '["__PRECACHE__"]', json.dumps(urls)
    )
    return source, version


def _newest_mtime(web_dir: Path) -> float:
    """Changes to any shell file (in development) give the worker a new version."""
    return max(
        (p.stat().st_mtime for _, p in _shell_files(web_dir) if p is not None and p.exists()),
        default=0.0,
    )


def register_pwa(app: Flask, web_dir: Path) -> None:
    @app.route("/manifest.webmanifest")
    def manifest() -> Response:
        response = app.response_class(
            json.dumps(MANIFEST, indent=1), mimetype="application/manifest+json"
        )
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    @app.route("/sw.js")
    def service_worker() -> BaseResponse:
        source, version = _worker_source(web_dir, _newest_mtime(web_dir))
        response = app.response_class(source, mimetype="text/javascript")
        response.headers["Cache-Control"] = "no-cache"
        response.set_etag(version)
        return response.make_conditional(request)

    @app.route("/offline.html")
    def offline_page() -> Response:
        response = send_file(web_dir / "offline.html", max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response

    @app.route(RULES_PATH)
    def text_rules() -> BaseResponse:
        body = browser_rules_module()
        response = app.response_class(body, mimetype="text/javascript")
        response.headers["Cache-Control"] = "no-cache"
        response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:16])
        return response.make_conditional(request)

    @app.route("/vendor/<name>")
    def vendor(name: str) -> Response:
        relative = VENDOR.get(name)
        if relative is None:
            abort(404)
        path = NODE_MODULES / relative
        if not path.is_file():
            abort(404, description="Run `npm ci` to install the browser packages.")
        return send_file(path, mimetype="text/javascript", max_age=86400)
