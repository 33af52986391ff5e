"""The demo's tweetups and tweetchats (``extras.json``), moved by the same days as its
programme. Re-running updates them in place (by their slug), so RSVPs and posts stay."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from server.clock import now
from server.domain.accounts import username_key
from server.domain.connecting import question_text
from server.extensions import db
from server.models import (
    Conference,
    Talk,
    Tweetchat,
    TweetchatQuestion,
    Tweetup,
    TweetupRsvp,
    User,
)
from server.services import wall_rules


def _user(username: str | None) -> User | None:
    if not username:
        return None
    return db.session.scalar(select(User).where(User.username_key == username_key(username)))


def _when(value: str, days: int) -> datetime:
    return datetime.fromisoformat(value) + timedelta(days=days)


def load(conference: Conference, extras: dict[str, Any], days: int) -> tuple[int, int]:
    """Create or refresh the demo's tweetups and tweetchats; ``(tweetups, chats)``."""
    talks = {
        t.code: t.id
        for t in db.session.scalars(select(Talk).where(Talk.conference_id == conference.id))
        if t.code
    }
    for spec in extras.get("tweetups", []):
        tweetup = db.session.scalar(
            select(Tweetup).where(
                Tweetup.conference_id == conference.id, Tweetup.key == spec["slug"]
            )
        )
        host = _user(spec.get("host"))
        if tweetup is None:
            tweetup = Tweetup(conference_id=conference.id, key=spec["slug"], created_at=now())
            db.session.add(tweetup)
        tweetup.title = spec["title"]
        tweetup.description = spec.get("description")
        tweetup.start_at = _when(spec["start"], days)
        tweetup.end_at = _when(spec["end"], days)
        tweetup.place = spec["place"]
        tweetup.hashtag = (spec.get("hashtag") or "").removeprefix("#") or None
        tweetup.capacity = spec.get("capacity")
        tweetup.proposer_id = host.id if host else None
        tweetup.talk_id = talks.get(spec.get("related_session") or "")
        tweetup.featured = tweetup.proposer_id is not None and host is not None and (
            host.role == "organizer"
        )
        tweetup.updated_at = now()
        db.session.flush()
        if host is not None:
            going = db.session.scalar(
                select(TweetupRsvp).where(
                    TweetupRsvp.tweetup_id == tweetup.id, TweetupRsvp.user_id == host.id
                )
            )
            if going is None:
                db.session.add(
                    TweetupRsvp(tweetup_id=tweetup.id, user_id=host.id, status="going",
                                requested_at=now(), updated_at=now())
                )
    for spec in extras.get("tweetchats", []):
        chat = db.session.scalar(
            select(Tweetchat).where(
                Tweetchat.conference_id == conference.id, Tweetchat.key == spec["slug"]
            )
        )
        host = _user(spec.get("host"))
        if chat is None:
            chat = Tweetchat(conference_id=conference.id, key=spec["slug"], created_at=now())
            db.session.add(chat)
        chat.title = spec["title"]
        chat.description = spec.get("description")
        chat.hashtag = spec["hashtag"].removeprefix("#")
        chat.start_at = _when(spec["start"], days)
        chat.end_at = _when(spec["end"], days)
        chat.host_id = host.id if host else None
        if not chat.current_question:
            for question in list(chat.questions):
                chat.questions.remove(question)
            db.session.flush()
            chat.questions += [
                TweetchatQuestion(number=n, text=question_text(n, text))
                for n, text in enumerate(spec["questions"], start=1)
            ]
    wall_rules.restamp(conference)  # chats' hashtags may have changed under a running server
    db.session.commit()
    return len(extras.get("tweetups", [])), len(extras.get("tweetchats", []))
