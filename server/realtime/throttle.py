"""Limits for Socket.IO events, which Flask-Limiter never sees (they are not routes).

Posting is limited per account, with the HTTP posting limits, in Flask-Limiter's storage
(:class:`AccountPostLimit`): Redis with ``REDIS_URL``, so every socket of the account on
every process draws on one budget. Every other event is limited per socket with a token
bucket in this process (a socket lives in one process). A client refused again and again is
abusing the server, not retrying politely, and gets disconnected.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from limits import parse_many
from limits.storage import Storage
from limits.strategies import MovingWindowRateLimiter

from server.ratelimit import POST_LIMIT

log = logging.getLogger(__name__)

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


def event_throttle() -> Throttle:
    return Throttle(EVENT_BURST, EVENT_RATE_PER_SECOND)


class AccountPostLimit:
    """The posting limits per account, counted in a ``limits`` storage shared by processes.

    A moving window (the last 10 seconds, the last hour), so a burst cannot straddle a
    window's edge. Refusals in a row are counted per socket for :data:`ABUSE_STRIKES`.
    If the storage fails (Redis down) the post goes through, as the HTTP limits let it.
    """

    def __init__(self, storage: Storage, limits: str = POST_LIMIT) -> None:
        self.items = parse_many(limits)
        self.storage = storage
        self.window = MovingWindowRateLimiter(storage)
        self._strikes: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def hit(self, user_id: int, socket_key: Hashable) -> Verdict:
        account = f"user:{user_id}"
        try:
            if all(self.window.test(item, "socket-post", account) for item in self.items):
                for item in self.items:
                    self.window.hit(item, "socket-post", account)
                with self._lock:
                    self._strikes.pop(socket_key, None)
                return Verdict(True)
            wait = max(
                self.window.get_window_stats(item, "socket-post", account).reset_time
                for item in self.items
                if not self.window.test(item, "socket-post", account)
            )
        except Exception:  # storage unreachable: let the post through (HTTP does the same)
            log.warning("the posting limit's storage failed; post allowed", exc_info=True)
            return Verdict(True)
        with self._lock:
            strikes = self._strikes[socket_key] = self._strikes.get(socket_key, 0) + 1
            if len(self._strikes) > _MAX_KEYS:
                self._strikes.clear()
        retry_after = max(1, math.ceil(wait - time.time()))
        return Verdict(False, retry_after, strikes >= ABUSE_STRIKES)

    def forget(self, socket_key: Hashable) -> None:
        with self._lock:
            self._strikes.pop(socket_key, None)
