"""The ``/live`` namespace: connections, room joins with catch-up, and posting.

Connect with ``auth: {"token": ...}`` (API clients) or the PWA's session cookie; with
neither the connection is a read-only follower. Every client event answers through its ack
with ``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, join_room, leave_room

from server.errors import AppError, NotFound, Unauthorized, ValidationFailed
from server.extensions import db
from server.models import User
from server.services import accounts
from server.services.accounts import SESSION_COOKIE
from server.services.posts import (
    PostRequest,
    catch_up,
    do_create_post,
    parse_room,
    post_wire,
)

log = logging.getLogger(__name__)
MAX_ROOMS_PER_SOCKET = 20
MAX_SOCKETS_PER_USER = 10
_connections: dict[str, dict[str, Any]] = {}


def _sid() -> str:
    """The Socket.IO session id Flask-SocketIO puts on the request."""
    return str(request.sid)  # type: ignore[attr-defined]


def _error(exc: AppError) -> dict[str, Any]:
    return {"ok": False, **exc.to_dict()}


def _handled(handler: Callable[[Any], dict[str, Any]], data: Any) -> dict[str, Any]:
    """Run an event handler: errors become error acks, the DB session is always released."""
    try:
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


class LiveNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
        try:
            token = auth.get("token") if isinstance(auth, dict) else None
            if token:
                user = accounts.user_for_token(str(token), "api")
                if user is None:
                    raise ConnectionRefusedError(
                        {"code": "invalid_token", "message": "That token is unknown or revoked."}
                    )
            else:
                cookie = request.cookies.get(SESSION_COOKIE)
                user = accounts.user_for_token(cookie, "cookie") if cookie else None
            if user is not None:
                open_sockets = sum(1 for c in _connections.values() if c["user_id"] == user.id)
                if open_sockets >= MAX_SOCKETS_PER_USER:
                    raise ConnectionRefusedError(
                        {
                            "code": "too_many_connections",
                            "message": f"At most {MAX_SOCKETS_PER_USER} connections per account.",
                        }
                    )
                join_room(f"user:{user.id}")
            _connections[_sid()] = {"user_id": user.id if user else None, "rooms": set()}
        finally:
            db.session.remove()

    def on_disconnect(self, reason: Any = None) -> None:
        _connections.pop(_sid(), None)

    def on_join(self, data: Any = None) -> dict[str, Any]:
        return _handled(self._join, data)

    def _join(self, data: Any) -> dict[str, Any]:
        room = _room_arg(data)
        since = data.get("since")
        if since is not None and (not isinstance(since, int) or isinstance(since, bool)):
            raise ValidationFailed("since must be an integer sequence number.", field="since")
        conference, talk_id = parse_room(room)
        state = _state()
        if room not in state["rooms"] and len(state["rooms"]) >= MAX_ROOMS_PER_SOCKET:
            raise AppError(
                f"A connection can be in at most {MAX_ROOMS_PER_SOCKET} rooms.",
                code="too_many_rooms",
            )
        # Join first, then read: anything committed after the read arrives live, anything
        # before is in the replay; the client de-duplicates the overlap by post id.
        join_room(room)
        state["rooms"].add(room)
        result = catch_up(conference, talk_id, since)
        ack: dict[str, Any] = {"ok": True, "room": room, "seq": result.latest}
        if since is not None:
            if result.resync:
                ack["resync"] = True
            else:
                ack["posts"] = [post_wire(p) for p in result.posts]
                ack["removed"] = [pid for pid, _ in result.removed]
        return ack

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
        allowed = {"room", "text", "client_id", "session_id", "confirm_findings", "allow_duplicate"}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ValidationFailed(f"Unknown field: {unknown[0]}.", field=unknown[0])
        text, client_id = data.get("text"), data.get("client_id")
        if not isinstance(text, str):
            raise ValidationFailed("text must be a string.", field="text")
        if not isinstance(client_id, str):
            raise ValidationFailed("client_id must be a UUID string.", field="client_id")
        conference, room_talk = parse_room(room)
        talk_id = data.get("session_id", room_talk)
        if talk_id is not None and (not isinstance(talk_id, int) or isinstance(talk_id, bool)):
            raise ValidationFailed("session_id must be an integer.", field="session_id")
        if room_talk is not None and talk_id != room_talk:
            raise ValidationFailed("session_id does not match the room.", field="session_id")
        post, _ = do_create_post(
            user,
            conference,
            PostRequest(
                text=text,
                talk_id=talk_id,
                confirm_findings=data.get("confirm_findings") is True,
                allow_duplicate=data.get("allow_duplicate") is True,
            ),
            client_id,
        )
        return {"ok": True, "post": post_wire(post)}
