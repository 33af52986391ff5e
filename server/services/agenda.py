"""A person's agenda: starred sessions, overlaps, and the private calendar feed token."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select

from server.domain.schedule import Slot, overlapping_ids
from server.extensions import db
from server.models import AgendaItem, Talk, User
from server.services.accounts import hash_secret
from server.services.programme import get_talk


def do_star(user: User, talk_id: int) -> Talk:
    """Star a session; starring twice is harmless."""
    talk = get_talk(talk_id)
    exists = db.session.scalar(
        select(AgendaItem.id).where(AgendaItem.user_id == user.id, AgendaItem.talk_id == talk.id)
    )
    if exists is None:
        db.session.add(AgendaItem(user_id=user.id, talk_id=talk.id))
        db.session.commit()
    return talk


def do_unstar(user: User, talk_id: int) -> None:
    get_talk(talk_id)
    db.session.execute(
        delete(AgendaItem).where(AgendaItem.user_id == user.id, AgendaItem.talk_id == talk_id)
    )
    db.session.commit()


def agenda_talks(user: User, conference_id: int | None = None) -> list[Talk]:
    query = (
        select(Talk)
        .join(AgendaItem, AgendaItem.talk_id == Talk.id)
        .where(AgendaItem.user_id == user.id)
        .order_by(Talk.start_at, Talk.id)
    )
    if conference_id is not None:
        query = query.where(Talk.conference_id == conference_id)
    return list(db.session.scalars(query))


def agenda_with_overlaps(user: User, conference_id: int | None = None) -> list[tuple[Talk, bool]]:
    """The agenda with a flag on each session that clashes with another starred one.

    Cancelled sessions stay listed (so people notice) but never count as clashing.
    """
    talks = agenda_talks(user, conference_id)
    clashing = overlapping_ids(
        [
            Slot(t.id, t.start_at, t.end_at, None)
            for t in talks
            if t.status == "scheduled"
        ]
    )
    return [(t, t.id in clashing) for t in talks]


def agenda_fingerprint(user: User | None) -> str | None:
    """A short value that changes whenever ``user``'s stars change (part of listing ETags)."""
    if user is None:
        return None
    starred = db.session.scalars(
        select(AgendaItem.talk_id).where(AgendaItem.user_id == user.id).order_by(AgendaItem.talk_id)
    )
    digest = hashlib.sha1(usedforsecurity=False)
    for talk_id in starred:
        digest.update(f"{talk_id},".encode())
    return f"{user.id}:{digest.hexdigest()[:16]}"


def starred_ids(user: User, talk_ids: list[int]) -> set[int]:
    if not talk_ids:
        return set()
    rows = db.session.scalars(
        select(AgendaItem.talk_id).where(
            AgendaItem.user_id == user.id, AgendaItem.talk_id.in_(talk_ids)
        )
    )
    return set(rows)


def do_rotate_calendar_token(user: User) -> str:
    """A new secret for the private feed; the old URL stops working at once."""
    secret = secrets.token_urlsafe(24)
    user.calendar_token_hash = hash_secret(secret)
    db.session.commit()
    return secret


def do_revoke_calendar_token(user: User) -> None:
    user.calendar_token_hash = None
    db.session.commit()


def user_for_calendar_token(secret: str) -> User | None:
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(select(User).where(User.calendar_token_hash == hash_secret(secret)))
