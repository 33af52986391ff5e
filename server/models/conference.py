"""A conference and the places and tracks of its programme."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UTCDateTime, utcnow


class Conference(Base):
    __tablename__ = "conferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    acronym: Mapped[str | None] = mapped_column(String(64))
    #: The official hashtag, stored without ``#``.
    hashtag: Mapped[str | None] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    venue: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    #: The last sequence number given out on this conference's walls (posts and removals).
    post_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Pre-approval: posts wait for a moderator before any public socket sees them.
    premoderation: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: Distinct reporters that hide a post for review.
    report_threshold: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    #: Rewritten (random) by every change to the watch list or the running tweetchats;
    #: processes key their copy of those rules by it (server.services.wall_rules).
    rules_stamp: Mapped[str] = mapped_column(
        String(32), default=lambda: secrets.token_hex(8), server_default="0"
    )
    #: Bumped by every change to the programme; listings derive their ETag from it.
    programme_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # The programme's published URL, refreshed periodically when set.
    source_url: Mapped[str | None] = mapped_column(String(500))
    source_refresh_minutes: Mapped[int | None] = mapped_column(Integer)
    source_etag: Mapped[str | None] = mapped_column(String(200))
    source_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("conference_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Track(Base):
    __tablename__ = "tracks"
    __table_args__ = (UniqueConstraint("conference_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    color: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Organizer-defined topic hashtags for the drafter, without ``#``.
    hashtags: Mapped[list[Any]] = mapped_column(JSON, default=list)
