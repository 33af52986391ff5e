"""The ``/live`` namespace: connections, room joins with catch-up, and posting.

Connect with ``auth: {"token": ...}`` (API clients) or the PWA's session cookie; with
neither the connection is a read-only follower. Every client event answers through its ack
with ``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, Namespace, disconnect, join_room, leave_room

from server.errors import AppError, NotFound, Unauthorized, ValidationFailed
from server.extensions import db, limiter, socketio
from server.models import User
from server.realtime import control
from server.realtime.presence import Presence
from server.realtime.throttle import AccountPostLimit, Throttle, event_throttle
from server.services import accounts, moderation
from server.services.accounts import SESSION_COOKIE
from server.services.posts import (
    PostRequest,
    catch_up,
    do_create_post,
    post_wire,
    room_scope,
)
from server.services.programme import valid_id

log = logging.getLogger(__name__)
MAX_ROOMS_PER_SOCKET = 20
MAX_SOCKETS_PER_USER = 10
_connections: dict[str, dict[str, Any]] = {}
_POST_FIELDS = frozenset(
    {"room", "text", "client_id", "session_id", "confirm_findings", "allow_duplicate", "image_ids",
     "question", "reply_to_id"}
)
MAX_IMAGES = 4


class RateLimited(AppError):
    status = 429
    code = "rate_limited"


def _throttles() -> dict[str, Throttle]:
    return current_app.extensions.setdefault(  # type: ignore[no-any-return]
        "backchannel_socket_throttles", {"event": event_throttle()}
    )


class Refused(ConnectionRefusedError):
    """A refused connection; the client's ``connect_error`` gets ``{"code", "message"}``
    (python-socketio would send ``{"message": str(arg)}``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.error_args = {"code": code, "message": message}


def _local_sockets(user_id: int) -> int:
    return sum(1 for c in list(_connections.values()) if c["user_id"] == user_id)


def _signed_in_sockets() -> list[tuple[int, str]]:
    return [(c["user_id"], sid) for sid, c in list(_connections.items()) if c["user_id"]]


def _presence() -> Presence:
    """The sockets-per-account cap (across processes with ``REDIS_URL``)."""
    presence = current_app.extensions.get("backchannel_presence")
    if presence is None:
        presence = current_app.extensions["backchannel_presence"] = Presence(
            MAX_SOCKETS_PER_USER,
            _local_sockets,
            current_app.config.get("REDIS_URL"),
            deployment=str(current_app.config["SQLALCHEMY_DATABASE_URI"]),
        )
        presence.start_renewing(socketio.start_background_task, _signed_in_sockets, socketio.sleep)
    return cast(Presence, presence)


def _post_limit() -> AccountPostLimit:
    limit = current_app.extensions.get("backchannel_post_limit")
    if limit is None or limit.storage is not limiter.storage:
        limit = current_app.extensions["backchannel_post_limit"] = AccountPostLimit(
            limiter.storage
        )
    return cast(AccountPostLimit, limit)


def _throttle(kind: str, key: int | str) -> None:
    """Spend a post of account ``key`` or an event of socket ``key``; refuse with
    ``retry_after``, and disconnect a client that keeps hammering after being told to wait."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    post = kind == "post"
    verdict = _post_limit().hit(int(key), _sid()) if post else _throttles()[kind].hit(key)
    if verdict.allowed:
        return
    if verdict.abusive:
        log.warning("disconnecting %s: kept sending after rate_limited", _sid())
        disconnect()
    raise RateLimited(
        f"Too many {'posts' if kind == 'post' else 'events'}; retry in {verdict.retry_after} s.",
        details={"retry_after": verdict.retry_after},
    )


def _sid() -> str:
    """The Socket.IO session id Flask-SocketIO puts on the request."""
    return str(request.sid)  # type: ignore[attr-defined]


def _error(exc: AppError) -> dict[str, Any]:
    return {"ok": False, **exc.to_dict()}


def _handled(handler: Callable[[Any], dict[str, Any]], data: Any) -> dict[str, Any]:
    """Run an event handler: errors become error acks, the DB session is always released."""
    try:
        _throttle("event", _sid())
        return handler(data)
    except AppError as exc:
        db.session.rollback()
        return _error(exc)
    except Exception:
        db.session.rollback()
        log.exception("socket event failed")
        return _error(
            AppError("Something went wrong on our side.", code="internal_error", status=500)
        )
    finally:
        db.session.remove()


def sids_of_user(user_id: int) -> list[str]:
    """This process's sockets signed in as ``user_id`` (closed when the user is blocked)."""
    return [sid for sid, c in list(_connections.items()) if c["user_id"] == user_id]


def _state() -> dict[str, Any]:
    return _connections.setdefault(_sid(), {"user_id": None, "rooms": set()})


def _user() -> User:
    user_id = _state()["user_id"]
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        raise Unauthorized("Sign in to post.")
    return user


def _room_arg(data: Any) -> str:
    room = data.get("room") if isinstance(data, dict) else None
    if not isinstance(room, str) or ":" not in room or len(room) > 100 or not room.isprintable():
        raise ValidationFailed(
            "room must look like 'conference:<slug>' or 'session:<id>'.", field="room"
        )
    return room


def _int_arg(data: dict[str, Any], name: str, default: Any = None) -> int | None:
    value = data.get(name, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not valid_id(value):
        raise ValidationFailed(f"{name} must be a positive integer id.", field=name)
    return value


def _image_ids(data: dict[str, Any]) -> tuple[int, ...]:
    ids = data.get("image_ids", [])
    if not isinstance(ids, list) or len(ids) > MAX_IMAGES:
        raise ValidationFailed(
            f"image_ids must be a list of at most {MAX_IMAGES} upload ids.", field="image_ids"
        )
    for value in ids:
        if not isinstance(value, int) or isinstance(value, bool) or not valid_id(value):
            raise ValidationFailed("image_ids must hold upload ids.", field="image_ids")
    return tuple(ids)


def _unknown_event(event: Any) -> dict[str, Any]:
    name = event if isinstance(event, str) else type(event).__name__
    return _error(
        AppError(f"There is no event {name[:40]!r} on /live.", code="unknown_event", status=400)
    )


class LiveNamespace(Namespace):
    #: Events a client may send (each has an ``on_<event>`` method).
    CLIENT_EVENTS = frozenset({"join", "leave", "post"})

    def trigger_event(self, event: Any, *args: Any) -> Any:
        """Dispatch only the client events, and ``connect``/``disconnect`` only when the
        framework raises them: a client can also *send* an event named ``disconnect`` (or
        ``connect``), which would otherwise run the handler on a live socket (dropping its
        bookkeeping and with it the socket and room caps)."""
        if event in ("connect", "disconnect"):
            sid = args[0] if args else None
            if self.server is not None and self.server.manager.is_connected(sid, self.namespace):
                return _unknown_event(event)  # a live socket sent it: not the framework
            return super().trigger_event(event, *args)
        if not isinstance(event, str) or event not in self.CLIENT_EVENTS:
            return _unknown_event(event)
        if len(args) > 2:  # (sid, payload): a handler called with more would raise
            return _error(ValidationFailed(f"Send one payload with {event!r}, not several."))
        return super().trigger_event(event, *args)

    def on_connect(self, auth: Any = None) -> None:
        control.ensure_listening()  # subscribed before any socket is accepted
        try:
            token = auth.get("token") if isinstance(auth, dict) else None
            if token:
                user = accounts.user_for_token(str(token), "api")
                if user is None:
                    raise Refused("invalid_token", "That token is unknown or revoked.")
            else:
                cookie = request.cookies.get(SESSION_COOKIE)
                user = accounts.user_for_token(cookie, "cookie") if cookie else None
            if user is not None and user.blocked_at is not None:
                raise Refused("blocked", "This account is blocked from the walls.")
            if user is not None:
                if not _presence().claim(user.id, _sid()):
                    raise Refused(
                        "too_many_connections",
                        f"At most {MAX_SOCKETS_PER_USER} connections per account.",
                    )
                join_room(f"user:{user.id}")
            _connections[_sid()] = {"user_id": user.id if user else None, "rooms": set()}
        finally:
            db.session.remove()

    def on_disconnect(self, reason: Any = None) -> None:
        gone = _connections.pop(_sid(), None)
        if gone is not None and gone["user_id"] is not None:
            _presence().release(gone["user_id"], _sid())
        _throttles()["event"].forget(_sid())
        post_limit = current_app.extensions.get("backchannel_post_limit")
        if post_limit is not None:  # made on the first post with rate limits on
            post_limit.forget(_sid())

    def on_join(self, data: Any = None) -> dict[str, Any]:
        return _handled(self._join, data)

    def _join(self, data: Any) -> dict[str, Any]:
        room = _room_arg(data)
        since = data.get("since")
        if since is not None and (not isinstance(since, int) or isinstance(since, bool)):
            raise ValidationFailed("since must be an integer sequence number.", field="since")
        if room.startswith("moderation:"):
            return self._join_moderation(room)
        state = _state()
        viewer = db.session.get(User, state["user_id"]) if state["user_id"] else None
        scope = room_scope(room, viewer)
        if room not in state["rooms"] and len(state["rooms"]) >= MAX_ROOMS_PER_SOCKET:
            raise AppError(
                f"A connection can be in at most {MAX_ROOMS_PER_SOCKET} rooms.",
                code="too_many_rooms",
            )
        # Join first, then read: anything committed after the read arrives live, anything
        # before is in the replay; the client de-duplicates the overlap by post id.
        join_room(room)
        state["rooms"].add(room)
        result = catch_up(
            scope.conference,
            scope.talk_id,
            since,
            tweetup_id=scope.tweetup_id,
            chat_id=scope.chat_id,
        )
        ack: dict[str, Any] = {"ok": True, "room": room, "seq": result.latest}
        if since is not None:
            if result.resync:
                ack["resync"] = True
            else:
                ack["posts"] = [post_wire(p) for p in result.posts]
                ack["removed"] = [pid for pid, _ in result.removed]
        return ack

    def _join_moderation(self, room: str) -> dict[str, Any]:
        """The moderators' room of a conference: queue events; 403 (audited) for others."""
        state = _state()
        user = db.session.get(User, state["user_id"]) if state["user_id"] else None
        conference = moderation.open_moderation_room(user, room.partition(":")[2])
        if room not in state["rooms"] and len(state["rooms"]) >= MAX_ROOMS_PER_SOCKET:
            raise AppError(
                f"A connection can be in at most {MAX_ROOMS_PER_SOCKET} rooms.",
                code="too_many_rooms",
            )
        join_room(room)
        state["rooms"].add(room)
        return {"ok": True, "room": room, "queue": moderation.queue_size(conference)}

    def on_leave(self, data: Any = None) -> dict[str, Any]:
        def leave(payload: Any) -> dict[str, Any]:
            room = _room_arg(payload)
            state = _state()
            if room not in state["rooms"]:
                raise NotFound("You are not in that room.")
            leave_room(room)
            state["rooms"].discard(room)
            return {"ok": True, "room": room}

        return _handled(leave, data)

    def on_post(self, data: Any = None) -> dict[str, Any]:
        return _handled(self._post, data)

    def _post(self, data: Any) -> dict[str, Any]:
        user = _user()
        room = _room_arg(data)
        unknown = sorted(set(data) - _POST_FIELDS)
        if unknown:
            raise ValidationFailed(f"Unknown field: {unknown[0]}.", field=unknown[0])
        text, client_id = data.get("text"), data.get("client_id")
        if not isinstance(text, str):
            raise ValidationFailed("text must be a string.", field="text")
        if not isinstance(client_id, str):
            raise ValidationFailed("client_id must be a UUID string.", field="client_id")
        image_ids = _image_ids(data)
        scope = room_scope(room, user)
        conference, room_talk = scope.conference, scope.talk_id
        talk_id = _int_arg(data, "session_id", room_talk)
        if room_talk is not None and talk_id != room_talk:
            raise ValidationFailed("session_id does not match the room.", field="session_id")
        _throttle("post", user.id)
        created = do_create_post(
            user,
            conference,
            PostRequest(
                text=text,
                talk_id=talk_id,
                confirm_findings=data.get("confirm_findings") is True,
                allow_duplicate=data.get("allow_duplicate") is True,
                image_ids=image_ids,
                tweetup_id=scope.tweetup_id,
                chat_id=scope.chat_id,
                question=_int_arg(data, "question"),
                reply_to_id=_int_arg(data, "reply_to_id"),
            ),
            client_id,
        )
        return {"ok": True, "post": created.wire}
