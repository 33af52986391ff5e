"""Events published after commit, never before (and never for a rolled-back change).

Services call :func:`queue_event`; the events ride in the SQLAlchemy session until it
commits, then go to the publisher the transport installed (Socket.IO in the server, the
message queue in other processes). A rollback drops them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from server.extensions import db

log = logging.getLogger(__name__)

#: ``publish(event_name, payload, rooms)``; the payload is sent to each room.
Publisher = Callable[[str, dict[str, Any], list[str]], None]
_PENDING = "pending_events"
_publishers: list[Publisher] = []


def set_publisher(app: Flask, publisher: Publisher) -> None:
    app.extensions["backchannel_publisher"] = publisher
    _publishers[:] = [publisher]


def queue_event(name: str, payload: dict[str, Any], rooms: list[str]) -> None:
    db.session.info.setdefault(_PENDING, []).append((name, payload, rooms))


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not _publishers:
        return
    publish = _publishers[0]
    for name, payload, rooms in pending:
        try:
            publish(name, payload, rooms)
        except Exception:  # the data is committed; clients catch up on rejoin
            log.exception("publishing %s failed", name)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def install_commit_hooks() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
