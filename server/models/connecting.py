"""Tweetups and their RSVPs, tweetchats and their questions, and follows from afar."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, UTCDateTime, utcnow
from server.models.user import User

#: going/maybe/not_going are what people choose; waitlisted is "going" past the capacity.
RSVP_STATUSES = ("going", "maybe", "not_going", "waitlisted")
FOLLOW_KINDS = ("session", "track", "person")


class Tweetup(Base):
    """A meetup proposed by anyone for a conference; organizers feature or hide it."""

    __tablename__ = "tweetups"
    __table_args__ = (
        UniqueConstraint("conference_id", "key"),
        Index("ix_tweetups_conference_start", "conference_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: A stable name for loaders (the demo's slugs); ``None`` for tweetups proposed in the app.
    key: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(300))
    #: Without ``#``.
    hashtag: Mapped[str | None] = mapped_column(String(64))
    #: Places for "going"; past it people are waitlisted. ``None``: no limit.
    capacity: Mapped[int | None] = mapped_column(Integer)
    featured: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: Hidden by an organizer: gone from listings and its room for everyone but organizers.
    hidden: Mapped[bool] = mapped_column(default=False, server_default="0")
    cancelled: Mapped[bool] = mapped_column(default=False, server_default="0")
    talk_id: Mapped[int | None] = mapped_column(ForeignKey("talks.id", ondelete="SET NULL"))
    #: Bumped by every RSVP change: its row lock orders concurrent RSVPs at the capacity.
    rsvp_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposer: Mapped[User | None] = relationship(lazy="joined")


class TweetupRsvp(Base):
    __tablename__ = "tweetup_rsvps"
    __table_args__ = (
        UniqueConstraint("tweetup_id", "user_id"),
        Index("ix_tweetup_rsvps_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tweetup_id: Mapped[int] = mapped_column(ForeignKey("tweetups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    #: When the person last asked to go, and the tweetup's ``rsvp_version`` then: the
    #: waitlist's order (the version is taken under the row lock, so it never ties).
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class Tweetchat(Base):
    """A scheduled hashtag chat: the host releases prepared questions one by one."""

    __tablename__ = "tweetchats"
    __table_args__ = (
        UniqueConstraint("conference_id", "key"),
        Index("ix_tweetchats_conference_start", "conference_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    key: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    #: Without ``#``.
    hashtag: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The last released question (0: not started).
    current_question: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    host: Mapped[User | None] = relationship(lazy="joined")
    questions: Mapped[list[TweetchatQuestion]] = relationship(
        cascade="all, delete-orphan", order_by="TweetchatQuestion.number", lazy="selectin"
    )


class TweetchatQuestion(Base):
    __tablename__ = "tweetchat_questions"
    __table_args__ = (UniqueConstraint("chat_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("tweetchats.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Follow(Base):
    """Someone following a session, a track or a person, and when they last looked."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    #: A talk id, a track id or a user id, by ``kind`` (removed with it by the services).
    target_id: Mapped[int] = mapped_column(Integer)
    #: Posts published after this are "new" for the follower.
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
