"""Real socket clients that drop and come back while the wall moves: nobody misses a post.

Twenty followers sit in the conference room of a real server and lose their connection at
random moments (a clean disconnect or a cut TCP connection), come back and rejoin with the
last seq they saw, de-duplicating by post id as the PWA does. A writer posts over its own
socket meanwhile. At the end every follower shows every post exactly once, in seq order. A
follower away for longer than the replay window is told to resync and pages over HTTP.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from server.services.posts import REPLAY_LIMIT
from tests.e2e.live_server import (
    DEMO_PASSWORD,
    Deployment,
    LiveClient,
    ServerProcess,
    page_posts,
    sqlite_url,
    token_for,
)
from tests.words import unique_word

pytestmark = pytest.mark.e2e

FOLLOWERS = 20
POSTS = 200
WRITER = ("ren", DEMO_PASSWORD)
SEED = int(os.environ.get("BACKCHANNEL_E2E_SEED", "0")) or random.randrange(1, 10**6)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp("reconnect")
    deployment = Deployment(workdir, sqlite_url(workdir / "data"))
    deployment.seed()
    try:
        yield deployment.server(0).start()
    finally:
        deployment.stop_all()


class Follower(threading.Thread):
    """Drops off and comes back at random until told to stop; ends connected and joined."""

    def __init__(self, url: str, rng: random.Random, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.client = LiveClient(url)
        self.rng, self.stop = rng, stop
        self.drops = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.client.connect().join(0)
            while not self.stop.wait(self.rng.uniform(0.2, 1.2)):
                if self.rng.random() < 0.5:
                    self.client.disconnect()
                else:
                    self.client.drop()
                self.drops += 1
                time.sleep(self.rng.uniform(0.05, 0.6))
                self.client.connect().rejoin()
        except BaseException as exc:
            self.error = exc


def write(writer: LiveClient, count: int, label: str, pause: float) -> list[dict[str, Any]]:
    acked = []
    for number in range(count):
        ack = writer.post(f"{label} {number:03d} {unique_word()}")
        assert ack["ok"] is True, ack
        acked.append(ack["post"])
        time.sleep(pause)
    return acked


def write_in_parallel(url: str, token: str, count: int, label: str) -> list[dict[str, Any]]:
    """``count`` posts from four sockets of the same account at once (a burst)."""
    posters = [LiveClient(url, token).connect() for _ in range(4)]
    shares = [list(range(i, count, len(posters))) for i in range(len(posters))]
    acked: list[dict[str, Any]] = []
    lock = threading.Lock()

    def run(poster: LiveClient, numbers: list[int]) -> None:
        for number in numbers:
            ack = poster.post(f"{label} {number:03d} {unique_word()}")
            with lock:
                acked.append(ack)

    pairs = zip(posters, shares, strict=True)
    threads = [threading.Thread(target=run, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for poster in posters:
        poster.disconnect()
    assert [a for a in acked if a.get("ok") is not True] == []
    assert len(acked) == count
    return [a["post"] for a in acked]


def test_followers_that_drop_at_random_end_with_every_post_exactly_once(
    server: ServerProcess,
) -> None:
    rng = random.Random(SEED)
    stop = threading.Event()
    writer = LiveClient(server.url, token_for(server.url, *WRITER)).connect()
    writer.join(0)
    followers = [Follower(server.url, random.Random(rng.random()), stop) for _ in range(FOLLOWERS)]
    for follower in followers:
        follower.start()

    acked = write(writer, POSTS, "live", 0.02)
    stop.set()
    for follower in followers:
        follower.join(timeout=60)

    assert [f.error for f in followers] == [None] * FOLLOWERS, f"seed {SEED}"
    assert sum(f.drops for f in followers) >= FOLLOWERS
    ids = {p["id"] for p in acked}
    expected = sorted(acked, key=lambda p: p["seq"])
    for follower in followers:
        client = follower.client
        assert client.wait_for(ids), f"seed {SEED}: {len(ids - client.posts.keys())} missing"
        assert client.wall() == expected, f"seed {SEED}"
        assert client.live_repeats == 0
        assert client.inconsistent == []
    assert writer.wall() == expected
    assert page_posts(server.url)[0] == expected
    for client in [writer, *(f.client for f in followers)]:
        client.disconnect()


def test_a_follower_away_past_the_replay_window_resyncs_over_http(server: ServerProcess) -> None:
    token = token_for(server.url, *WRITER)
    writer = LiveClient(server.url, token).connect()
    writer.join(None)
    away = LiveClient(server.url).connect()
    away.join(None)
    start = away.last_seq
    acked = write(writer, 3, "before the follower leaves", 0.0)
    assert away.wait_for({p["id"] for p in acked})
    away.disconnect()
    acked += write_in_parallel(server.url, token, REPLAY_LIMIT + 1, "while it is away")

    away.connect()
    assert away.join(away.last_seq) == {
        "ok": True,
        "room": away.room,
        "seq": max(p["seq"] for p in acked),
        "resync": True,
    }
    away.catch_up_over_http()  # pages of 100 from its cursor
    assert away.join(away.last_seq)["ok"] is True  # now within the window: live again
    after = write(writer, 2, "back live", 0.0)
    assert away.wait_for({p["id"] for p in after})

    expected = sorted(acked + after, key=lambda p: p["seq"])
    assert [p for p in away.wall() if p["seq"] > start] == expected
    assert away.resyncs == 1 and away.live_repeats == 0 and away.inconsistent == []
    writer.disconnect()
    away.disconnect()


def test_a_rejoin_while_posts_arrive_loses_none(server: ServerProcess) -> None:
    """The join-then-read order: a post committed during the join is live or replayed."""
    writer = LiveClient(server.url, token_for(server.url, *WRITER)).connect()
    writer.join(None)
    reader = LiveClient(server.url).connect()
    reader.join(None)
    start = reader.last_seq
    acked: list[dict[str, Any]] = []
    done = threading.Event()

    def post_stream() -> None:
        acked.extend(write(writer, 60, "during rejoins", 0.0))
        done.set()

    thread = threading.Thread(target=post_stream, daemon=True)
    thread.start()
    while not done.is_set():
        reader.disconnect()
        reader.connect().rejoin()
    thread.join(timeout=60)
    assert reader.wait_for({p["id"] for p in acked})
    assert [p for p in reader.wall() if p["seq"] > start] == sorted(acked, key=lambda p: p["seq"])
    assert reader.inconsistent == []
    writer.disconnect()
    reader.disconnect()
