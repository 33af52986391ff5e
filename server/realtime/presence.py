"""Open sockets per account, counted across every server process (the connection cap).

One process serving every socket (no ``REDIS_URL``) counts its own, which is the truth.
With ``REDIS_URL`` an account's open sockets are a sorted set in Redis, one member
``<process>:<sid>`` each, scored with the Redis time at which the entry lapses. Checking the
cap and taking a place is one script, so two tabs connecting at once cannot both take the
last place. Each process renews its entries every :data:`RENEW_SECONDS`; the sockets of a
process that died stop counting after :data:`TTL_SECONDS`. If Redis cannot be reached, the
process falls back to its own count (a cap per process) rather than refusing everyone.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

import redis

log = logging.getLogger(__name__)

TTL_SECONDS = 90
RENEW_SECONDS = 30
#: ``{deployment}`` is a digest of the database URL: deployments sharing a Redis never mix.
KEY = "backchannel:{deployment}:sockets:user:{user_id}"

# KEYS[1] the account's set; ARGV: member, cap, ttl (s). Scores are lapse times in Redis
# milliseconds. 1 = placed (or already there), 0 = full.
_CLAIM = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lapse = now + tonumber(ARGV[3]) * 1000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], lapse, ARGV[1])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], lapse, ARGV[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""

# KEYS: sets; ARGV[1] ttl, then one member per key. Renews this process's entries.
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + ttl * 1000, ARGV[i + 1])
  redis.call('EXPIRE', key, ttl)
end
return #KEYS
"""

#: ``(user_id, sid)`` of this process's signed-in sockets.
Sockets = Callable[[], list[tuple[int, str]]]


class Presence:
    """The cap on sockets per account; one per app."""

    def __init__(
        self,
        cap: int,
        local_count: Callable[[int], int],
        redis_url: str | None = None,
        deployment: str = "",
        ttl: int = TTL_SECONDS,
    ) -> None:
        self.cap = cap
        self.deployment = hashlib.sha256(deployment.encode()).hexdigest()[:12]
        self.local_count = local_count
        self.redis_url = redis_url
        self.ttl = ttl
        #: Tells this process's entries apart from other processes' (sids may repeat).
        self.process = secrets.token_hex(6)
        self._client: Any = None
        self._claim: Any = None
        self._renew: Any = None
        self._renewing = False

    def _redis(self) -> Any:
        if self._client is None:
            assert self.redis_url
            self._client = redis.Redis.from_url(
                self.redis_url, socket_timeout=2.0, socket_connect_timeout=2.0
            )
            self._claim = self._client.register_script(_CLAIM)
            self._renew = self._client.register_script(_RENEW)
        return self._client

    def key(self, user_id: int) -> str:
        return KEY.format(deployment=self.deployment, user_id=user_id)

    def member(self, sid: str) -> str:
        return f"{self.process}:{sid}"

    def claim(self, user_id: int, sid: str) -> bool:
        """Take a place for a new socket of ``user_id``; False when the account is at the cap."""
        if self.local_count(user_id) >= self.cap:
            return False
        if not self.redis_url:
            return True
        try:
            self._redis()
            placed = self._claim(
                keys=[self.key(user_id)], args=[self.member(sid), self.cap, self.ttl]
            )
        except redis.RedisError:
            log.warning("socket registry unreachable; counting this process only", exc_info=True)
            return True
        return bool(placed)

    def release(self, user_id: int, sid: str) -> None:
        if not self.redis_url:
            return
        try:
            self._redis().zrem(self.key(user_id), self.member(sid))
        except redis.RedisError:
            log.warning("socket registry unreachable; the entry lapses by itself", exc_info=True)

    def renew(self, sockets: list[tuple[int, str]]) -> int:
        """Push the lapse time of this process's entries forward; how many were renewed."""
        if not self.redis_url or not sockets:
            return 0
        self._redis()
        keys = [self.key(user_id) for user_id, _ in sockets]
        members = [self.member(sid) for _, sid in sockets]
        return int(self._renew(keys=keys, args=[self.ttl, *members]))

    def start_renewing(
        self, spawn: Callable[..., Any], sockets: Sockets, sleep: Callable[[float], Any]
    ) -> None:
        """Start :meth:`keep_renewing` once per process (with Redis only)."""
        if self.redis_url and not self._renewing:
            self._renewing = True
            spawn(self.keep_renewing, sockets, sleep)

    def keep_renewing(self, sockets: Sockets, sleep: Callable[[float], Any]) -> None:
        """The background loop: renew every :data:`RENEW_SECONDS`."""
        while True:
            sleep(RENEW_SECONDS)
            try:
                self.renew(sockets())
            except redis.RedisError:
                log.warning("could not renew the socket registry", exc_info=True)
