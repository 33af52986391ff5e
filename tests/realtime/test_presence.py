"""The sockets-per-account cap across processes, on the machine's real Redis.

Two :class:`Presence` objects stand for two server processes of one deployment (each has
its own process id, as each ``backchannel serve`` does); the local counts are what each
process's own bookkeeping would say.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
import redis

from server.realtime.presence import Presence

REDIS_URL = "redis://127.0.0.1:6379/0"
CAP = 3
USER = 7


@pytest.fixture()
def deployment() -> Iterator[str]:
    """A deployment name of its own (its keys are removed afterwards)."""
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.fail("Redis must run on 127.0.0.1:6379 (scripts/services-up)")
    name = f"test-{uuid.uuid4()}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(Presence(CAP, lambda _u: 0, REDIS_URL, deployment=name).key(USER))


class Process:
    """One server process: its registry and its own sockets."""

    def __init__(self, deployment: str, ttl: int = 90, redis_url: str = REDIS_URL) -> None:
        self.local: Counter[int] = Counter()
        self.sids: list[str] = []
        self.presence = Presence(CAP, self.local.__getitem__, redis_url, deployment, ttl=ttl)

    def connect(self) -> bool:
        sid = uuid.uuid4().hex
        if not self.presence.claim(USER, sid):
            return False
        self.local[USER] += 1
        self.sids.append(sid)
        return True

    def close_one(self) -> None:
        sid = self.sids.pop()
        self.local[USER] -= 1
        self.presence.release(USER, sid)


def test_the_cap_counts_the_sockets_of_every_process(deployment: str) -> None:
    a, b = Process(deployment), Process(deployment)

    assert [a.connect(), a.connect(), b.connect()] == [True, True, True]
    assert b.connect() is False and a.connect() is False

    a.close_one()

    assert b.connect() is True
    assert a.connect() is False


def test_deployments_sharing_a_redis_do_not_count_each_other(deployment: str) -> None:
    mine, theirs = Process(deployment), Process(f"{deployment}-staging")
    for _ in range(CAP):
        assert theirs.connect() is True

    assert mine.connect() is True


def test_the_sockets_of_a_dead_process_stop_counting_and_renewal_keeps_live_ones(
    deployment: str,
) -> None:
    dead, alive, newcomer = (Process(deployment, ttl=1) for _ in range(3))
    assert dead.connect() and alive.connect() and alive.connect()
    assert newcomer.connect() is False

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not newcomer.connect():
        alive.presence.renew([(USER, sid) for sid in alive.sids])  # the live process renews
        time.sleep(0.2)

    assert newcomer.sids, "the dead process's socket never lapsed"
    assert alive.connect() is False  # the live process's two sockets still count


def test_without_redis_each_process_counts_its_own(deployment: str) -> None:
    cut_off = Process(deployment, redis_url="redis://127.0.0.1:1/0")

    assert [cut_off.connect() for _ in range(CAP + 1)] == [True] * CAP + [False]
