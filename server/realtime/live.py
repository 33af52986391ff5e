"""The ``/live`` namespace: authenticated (or anonymous read-only) connections, room joins.

Connect with ``auth: {"token": ...}`` (API clients) or the PWA's session cookie; with
neither the connection is a read-only follower. Every event answers through its ack with
``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, join_room, leave_room

from server.errors import AppError, NotFound, ValidationFailed
from server.extensions import db
from server.services import accounts, programme
from server.services.accounts import SESSION_COOKIE


def _sid() -> str:
    """The Socket.IO session id Flask-SocketIO puts on the request."""
    return str(request.sid)  # type: ignore[attr-defined]

MAX_ROOMS_PER_SOCKET = 20
_connections: dict[str, dict[str, Any]] = {}


def _error(exc: AppError) -> dict[str, Any]:
    return {"ok": False, **exc.to_dict()}


def _resolve_room(room: Any) -> str:
    """Check that ``room`` names something that exists; return it normalised."""
    if not isinstance(room, str) or ":" not in room or len(room) > 100:
        raise ValidationFailed(
            "room must look like 'conference:<slug>' or 'session:<id>'.", field="room"
        )
    kind, _, ident = room.partition(":")
    if kind == "conference":
        programme.get_conference(ident)
    elif kind == "session":
        if not ident.isdigit():
            raise ValidationFailed("session rooms are 'session:<id>'.", field="room")
        programme.get_talk(int(ident))
    else:
        raise NotFound(f"There is no room kind {kind!r}.")
    return f"{kind}:{ident}"


class LiveNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
        user = None
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
            _connections[_sid()] = {"user_id": user.id if user else None, "rooms": set()}
        finally:
            db.session.remove()

    def on_disconnect(self, reason: Any = None) -> None:
        _connections.pop(_sid(), None)

    def on_join(self, data: Any = None) -> dict[str, Any]:
        try:
            if not isinstance(data, dict):
                raise ValidationFailed("join takes an object {room, since?}.")
            room = _resolve_room(data.get("room"))
            state = _connections.setdefault(_sid(), {"user_id": None, "rooms": set()})
            if room not in state["rooms"] and len(state["rooms"]) >= MAX_ROOMS_PER_SOCKET:
                raise AppError(
                    f"A connection can be in at most {MAX_ROOMS_PER_SOCKET} rooms.",
                    code="too_many_rooms",
                )
            join_room(room)
            state["rooms"].add(room)
            return {"ok": True, "room": room, "seq": 0}
        except AppError as exc:
            return _error(exc)
        finally:
            db.session.remove()

    def on_leave(self, data: Any = None) -> dict[str, Any]:
        room = data.get("room") if isinstance(data, dict) else None
        state = _connections.get(_sid())
        if not isinstance(room, str) or state is None or room not in state["rooms"]:
            return _error(NotFound("You are not in that room."))
        leave_room(room)
        state["rooms"].discard(room)
        return {"ok": True, "room": room}
