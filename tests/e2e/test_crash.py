"""``kill -9`` of the server during a stream of retried posts, on SQLite and on PostgreSQL.

A client posts one post after another over HTTP, each with its own ``Idempotency-Key``,
and retries the same key on connection errors and 5xx until the post is acknowledged, as
a phone on congress Wi-Fi does. Meanwhile the server is killed several times at random
moments (mid-request, mid-commit) and started again. Afterwards every acknowledged post is
stored exactly once, as acknowledged, and the sequence numbers are unique and increasing.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.live_server import (
    DEMO_PASSWORD,
    Deployment,
    page_posts,
    post_http,
    postgres_database,
    sqlite_url,
    token_for,
    wait_until,
)

pytestmark = pytest.mark.e2e

#: A demo attendee (``backchannel demo`` creates the account).
POSTER = ("lina", DEMO_PASSWORD)
POSTS = 60
KILLS = 3
SEED = int(os.environ.get("BACKCHANNEL_E2E_SEED", "0")) or random.randrange(1, 10**6)
#: The writer gives up on a post after this long (the test then fails): bounded, never hung.
GIVE_UP_SECONDS = 60.0


class Writer(threading.Thread):
    """Posts ``count`` posts in order, retrying each with its own key until acknowledged."""

    def __init__(self, url: str, token: str, count: int) -> None:
        super().__init__(daemon=True)
        self.url, self.token, self.count = url, token, count
        self.acked: dict[str, dict[str, Any]] = {}  # key -> the acknowledged post
        self.retries = 0
        self.replayed = 0
        self.errors: list[str] = []

    def run(self) -> None:
        for number in range(self.count):
            key = str(uuid.uuid4())
            if not self._post(f"Live note {number:03d} ({key})", key):
                return

    def _post(self, text: str, key: str) -> bool:
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while time.monotonic() < deadline:
            try:
                response = post_http(self.url, self.token, text, key, timeout=10)
            except requests.RequestException:
                response = None  # refused, reset or timed out: the server is down
            if response is not None and response.status_code == 201:
                self.acked[key] = response.json()
                self.replayed += response.headers.get("Idempotent-Replayed") == "true"
                return True
            if response is not None and response.status_code < 500:
                self.errors.append(f"{key}: {response.status_code} {response.text}")
                return False
            self.retries += 1
            time.sleep(0.05)
        self.errors.append(f"{key}: not acknowledged within {GIVE_UP_SECONDS} s")
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    if request.param == "sqlite":
        deployment = Deployment(tmp_path, sqlite_url(tmp_path / "data"))
        yield deployment
        deployment.stop_all()
        return
    with postgres_database("crash") as url:
        deployment = Deployment(tmp_path, url)
        try:
            yield deployment
        finally:
            deployment.stop_all()


def test_every_acknowledged_post_is_stored_exactly_once_across_kill_9(
    deployment: Deployment,
) -> None:
    rng = random.Random(SEED)
    deployment.seed()
    server = deployment.server(0).start()
    writer = Writer(server.url, token_for(server.url, *POSTER), POSTS)
    writer.start()
    for kill in range(1, KILLS + 1):
        # Let the stream run, then kill at a random instant inside a request.
        progress = kill * POSTS // (KILLS + 1)
        assert wait_until(lambda p=progress: len(writer.acked) >= p or not writer.is_alive())
        time.sleep(rng.uniform(0, 0.05))
        server.kill9()
        server.start()
    writer.join(timeout=GIVE_UP_SECONDS * 2)
    print(f"seed {SEED}: {writer.retries} retries, {writer.replayed} acknowledged as replays")

    assert writer.errors == [], f"seed {SEED}"
    assert not writer.is_alive()
    assert len(writer.acked) == POSTS
    stored = [p for p in page_posts(server.url)[0] if p["author"]["username"] == POSTER[0]]
    acked = sorted(writer.acked.values(), key=lambda p: p["seq"])
    # Exactly once: every acknowledged post, stored as acknowledged, nothing more.
    by_id = {p["id"]: p for p in stored}
    missing = [p for p in acked if p["id"] not in by_id]
    changed = [(p, by_id[p["id"]]) for p in acked if p["id"] in by_id and by_id[p["id"]] != p]
    extra = [p for p in stored if p["id"] not in {a["id"] for a in acked}]
    assert (missing, changed, extra) == ([], [], []), f"seed {SEED}"
    assert stored == acked, f"seed {SEED}"
    assert Counter(p["text"] for p in stored).most_common(1)[0][1] == 1
    seqs = [p["seq"] for p in stored]
    assert seqs == sorted(set(seqs))
    server.stop()
    if deployment.database_url.startswith("sqlite:///"):
        path = deployment.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
