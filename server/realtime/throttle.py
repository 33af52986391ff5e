"""Token buckets for Socket.IO events, which Flask-Limiter never sees (they are not routes).

Posting is limited per account (all of a user's sockets in this process share one bucket);
every other event per socket. A client refused again and again is abusing the server, not
retrying politely, and gets disconnected. Buckets live in this process: with several
processes an account's budget is per process (the HTTP limits are the shared ones).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from server.ratelimit import POST_BURST, POST_RATE_PER_SECOND

#: Any event (join, leave, unknown names...) per socket: generous for a client, cheap to hold.
EVENT_BURST = 30
EVENT_RATE_PER_SECOND = 5.0
#: Refusals in a row after which the socket is closed.
ABUSE_STRIKES = 20
_MAX_KEYS = 50_000


@dataclass
class TokenBucket:
    """``capacity`` tokens, refilled at ``rate`` per second; each event takes one."""

    capacity: float
    rate: float
    tokens: float
    updated: float
    strikes: int = 0

    def take(self, now: float) -> float:
        """Take a token: 0 when allowed, else the seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.strikes = 0
            return 0.0
        self.strikes += 1
        return (1 - self.tokens) / self.rate


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0
    abusive: bool = False


@dataclass
class Throttle:
    """Buckets by key, safe to share between greenlets and threads."""

    capacity: float
    rate: float
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[Hashable, TokenBucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: Hashable) -> Verdict:
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= _MAX_KEYS:
                    self._prune(now)
                bucket = self._buckets[key] = TokenBucket(
                    self.capacity, self.rate, self.capacity, now
                )
            wait = bucket.take(now)
            if wait == 0:
                return Verdict(True)
            return Verdict(False, max(1, math.ceil(wait)), bucket.strikes >= ABUSE_STRIKES)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._buckets.pop(key, None)

    def _prune(self, now: float) -> None:
        """Drop buckets that have refilled: they hold no information."""
        full = [
            key
            for key, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.updated) * bucket.rate >= bucket.capacity
        ]
        for key in full:
            del self._buckets[key]


def post_throttle() -> Throttle:
    return Throttle(POST_BURST, POST_RATE_PER_SECOND)


def event_throttle() -> Throttle:
    return Throttle(EVENT_BURST, EVENT_RATE_PER_SECOND)
