"""Control messages for live sockets: close every connection of an account, on every process.

Blocking a user must cut their open sockets at once (ASVS 7.4.2: disabling an account ends
its sessions). One process only knows its own socket ids, so:

* without ``REDIS_URL`` (one process) the sockets are closed directly;
* with ``REDIS_URL`` the process that took the decision closes its own sockets and publishes
  ``{"op": "disconnect_user", "user_id": N}`` on the Redis channel :data:`CHANNEL`; every
  process that serves sockets subscribes to it (on its first socket connection, before that
  connection is accepted) and closes its local sockets of that user.

A message published while a process is cut off from Redis is lost for that process; the
user stays refused on every post and report (the database says blocked), and a reconnect is
refused at the handshake.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import redis
from flask_socketio import SocketIO

log = logging.getLogger(__name__)

CHANNEL = "backchannel:control"
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)

#: ``sids_of(user_id)``: the ids of this process's sockets signed in as that user.
SidSource = Callable[[int], list[str]]


class LiveControl:
    """Closes sockets by account; one per app (see :func:`install_control`)."""

    def __init__(
        self,
        socketio: SocketIO,
        namespace: str,
        sids_of: SidSource,
        redis_url: str | None = None,
        channel: str = CHANNEL,
    ) -> None:
        self.socketio = socketio
        self.namespace = namespace
        self.sids_of = sids_of
        self.redis_url = redis_url
        self.channel = channel
        self._lock = threading.Lock()
        self._pubsub: Any = None
        self._started = threading.Event()
        self._stopped = threading.Event()

    # -- closing -----------------------------------------------------------------------------
    def disconnect_local(self, user_id: int) -> int:
        """Close this process's sockets of ``user_id``; how many were open."""
        sids = self.sids_of(user_id)
        for sid in sids:
            self.socketio.server.disconnect(sid, namespace=self.namespace, ignore_queue=True)
        if sids:
            log.info("closed %d socket(s) of blocked user %s", len(sids), user_id)
        return len(sids)

    def disconnect_user(self, user_id: int) -> None:
        """Close the user's sockets here and, through Redis, on every other process."""
        self.disconnect_local(user_id)
        if self.redis_url:
            message = json.dumps({"op": "disconnect_user", "user_id": user_id})
            client = redis.Redis.from_url(self.redis_url)
            try:
                client.publish(self.channel, message)
            finally:
                client.close()

    def handle(self, data: bytes | str) -> None:
        """Act on one control message (unknown or malformed ones are ignored)."""
        try:
            message = json.loads(data)
        except (ValueError, TypeError):
            log.warning("ignored a malformed control message")
            return
        if not isinstance(message, dict) or message.get("op") != "disconnect_user":
            return
        user_id = message.get("user_id")
        if isinstance(user_id, int) and not isinstance(user_id, bool):
            self.disconnect_local(user_id)

    # -- listening ---------------------------------------------------------------------------
    def ensure_listening(self) -> None:
        """Subscribe (once per process) before the caller accepts a socket, then listen."""
        if not self.redis_url or self._started.is_set():
            return
        with self._lock:
            if self._started.is_set() or self._stopped.is_set():
                return
            try:
                pubsub = self._subscribe()
            except redis.RedisError:
                log.exception("control channel unavailable; will retry in the background")
                pubsub = None
            self._pubsub = pubsub
            self._started.set()
            self.socketio.start_background_task(self._listen, pubsub)

    def _subscribe(self) -> Any:
        assert self.redis_url
        client = redis.Redis.from_url(self.redis_url)
        pubsub = client.pubsub(ignore_subscribe_messages=False)  # type: ignore[no-untyped-call]
        pubsub.subscribe(self.channel)
        # Wait for the confirmation: from here on no message to the channel can be missed.
        confirmation = pubsub.get_message(timeout=5.0)
        while confirmation is not None and confirmation.get("type") != "subscribe":
            confirmation = pubsub.get_message(timeout=5.0)
        return pubsub

    def _listen(self, pubsub: Any) -> None:
        failures = 0
        while not self._stopped.is_set():
            try:
                if pubsub is None:
                    pubsub = self._subscribe()
                    self._pubsub = pubsub
                for message in pubsub.listen():
                    if self._stopped.is_set():
                        return
                    failures = 0
                    if message.get("type") == "message":
                        self.handle(message["data"])
            except Exception:
                if self._stopped.is_set():
                    return
                log.warning("control channel lost; resubscribing", exc_info=True)
                pubsub = None
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                self.socketio.sleep(delay)

    def stop(self) -> None:
        """Stop listening (tests; process shutdown)."""
        self._stopped.set()
        pubsub = self._pubsub
        if pubsub:
            try:
                pubsub.unsubscribe()
                pubsub.close()
            except Exception:  # closing a dead connection
                log.debug("closing the control subscription failed", exc_info=True)


_control: list[LiveControl] = []


def install_control(control: LiveControl) -> None:
    _control[:] = [control]


def ensure_listening() -> None:
    """Called on every socket connection: the first one starts this process's listener."""
    if _control:
        _control[0].ensure_listening()
