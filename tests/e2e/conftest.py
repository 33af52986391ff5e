"""A real ``backchannel serve`` with the DemoCon programme, and a headless Chromium at phone size.

Nothing is mocked: the server is the installed command in a subprocess with its own SQLite
instance folder; the browser is the system Chromium (never downloaded). Screenshots go to
``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.shared_data import REPO, SCHEDULES

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("BACKCHANNEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = REPO / "artifacts" / "screenshots"
BIN = Path(sys.executable).parent / "backchannel"
ORGANIZER = ("e2e-organizer", "organiser passphrase 42")
#: Markup in organiser-entered text: it must show as text, never run.
XSS_NOTE = '<img src=x onerror="window.__pwned=1">Embargo: <b>results</b> under wraps'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(BIN), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"backchannel {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def _request(method: str, url: str, body: Any = None, token: str | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


@dataclass
class LiveServer:
    url: str
    slug: str
    sessions: list[dict[str, Any]] = field(default_factory=list)
    #: Session ids given a policy for the badges: {"opted_out": id, "no_photos": id, ...}
    policies: dict[str, int] = field(default_factory=dict)
    #: The session whose speaker has handles on every network.
    with_handles: int = 0
    #: The server's environment, for ``backchannel`` commands against the same instance.
    env: dict[str, str] = field(default_factory=dict)

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        return _request(method, f"{self.url}/api/v1{path}", body, token)

    def cli(self, *args: str) -> str:
        """Run ``backchannel ARGS`` on the running server's instance (e.g. another import)."""
        return _run(list(args), self.env)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/conferences", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within 30 s:\n{log.read_text()}")


def _decorate(server: LiveServer) -> None:
    """As an organiser: policies on three sessions and handles for one speaker."""
    token = server.api("POST", "/auth/token", {"username": ORGANIZER[0], "password": ORGANIZER[1]})[
        "token"
    ]
    items = server.api("GET", f"/conferences/{server.slug}/sessions?limit=500")["items"]
    server.sessions = items
    day2 = [s for s in items if s["day"] == items[-1]["day"]]
    picks = {"opted_out": day2[0], "no_photos": day2[1], "embargoed": day2[2]}
    for policy, talk in picks.items():
        body: dict[str, Any] = {"policy": policy}
        if policy == "embargoed":
            body["embargo_until"] = talk["end"]
            body["policy_note"] = XSS_NOTE
        if policy == "no_photos":
            body["policy_note"] = "The speaker asks that slides are not photographed."
        server.api("PATCH", f"/sessions/{talk['id']}", body, token)
        server.policies[policy] = talk["id"]
    first = items[0]
    server.api(
        "PATCH",
        f"/speakers/{first['speakers'][0]['id']}",
        {
            "handles": {
                "x": "brianrobinson",
                "bluesky": "brian.bsky.social",
                "mastodon": "brian@med.social",
                "threads": "brian.robinson",
                "linkedin": "in/brian-robinson",
            }
        },
        token,
    )
    server.with_handles = first["id"]


@contextmanager
def serving(instance: Path, extra_env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """A real ``backchannel serve`` on loopback (SQLite in ``instance``, DemoCon imported);
    ``extra_env`` adds settings (a password for ``user create``, a fake outside service)."""
    if not BIN.exists():
        pytest.skip(f"{BIN} is not installed (pip install -e .)")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "BACKCHANNEL_INSTANCE": str(instance),
            "SECRET_KEY": "e2e-secret-key-not-for-production",
            "PUBLIC_URL": url,
            "ALLOWED_ORIGINS": url,
            "IMPORT_REFRESH_ENABLED": "0",
            "RATELIMIT_ENABLED": "0",
            "ARGON2_PROFILE": "cheapest",
            **(extra_env or {}),
        }
    )
    _run(["import", str(SCHEDULES / "voc-pretalx-democon.json"), "--conference", "democon"], env)
    log = instance / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url, process, log)
        yield LiveServer(url=url, slug="democon", env=env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("instance")
    with serving(instance, {"BACKCHANNEL_PASSWORD": ORGANIZER[1]}) as server:
        server.cli("user", "create", ORGANIZER[0], "--role", "organizer")
        _decorate(server)
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with playwright_sync.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class PageErrors(list[str]):
    """Uncaught exceptions and failed console errors seen by a page."""


@pytest.fixture()
def context_factory(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        settings = {
            "viewport": PHONE,
            "device_scale_factor": 1,
            "base_url": live_server.url,
            "locale": "en-GB",
            **options,
        }
        ctx = browser.new_context(**settings)
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture()
def page(context_factory: Callable[..., Any]) -> Iterator[Any]:
    """A phone-sized page; the test fails if the app throws an uncaught exception."""
    tab = context_factory().new_page()
    errors = PageErrors()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Failed to load resource" not in msg.text
            else None
        ),
    )
    tab.errors = errors
    yield tab
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture()
def shot() -> Callable[[Any, str], Path]:
    """``shot(page, "name")`` saves ``artifacts/screenshots/name.png`` (full page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(tab: Any, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path

    return take
