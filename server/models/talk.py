"""Sessions of the programme ("Talk" in code) and the people who speak in them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, UTCDateTime, utcnow
from server.models.conference import Conference, Room, Track


class Speaker(Base):
    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("conference_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    #: Identity of the person in the imported file, stable across re-imports.
    key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    biography: Mapped[str | None] = mapped_column(Text)
    #: Handles as the file gives them (network -> normalised handle).
    file_handles: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Organizer edits; they win over the file and survive re-imports. ``""`` removes one.
    handle_overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    @property
    def handles(self) -> dict[str, str]:
        merged = {**self.file_handles, **self.handle_overrides}
        return {network: handle for network, handle in merged.items() if handle}


class Talk(Base):
    __tablename__ = "talks"
    __table_args__ = (
        UniqueConstraint("conference_id", "key"),
        UniqueConstraint("conference_id", "tag_key"),
        Index("ix_talks_conference_start", "conference_id", "start_at", "id"),
        Index("ix_talks_conference_day", "conference_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(300))
    code: Mapped[str | None] = mapped_column(String(64))
    #: The session tag without ``#``; ``tag_key`` is its case-folded uniqueness key.
    tag: Mapped[str] = mapped_column(String(64))
    tag_key: Mapped[str] = mapped_column(String(64))
    tag_overridden: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(500))
    subtitle: Mapped[str | None] = mapped_column(String(500))
    abstract: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    day: Mapped[date] = mapped_column(Date)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    type: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(String(1000))
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: "scheduled", or "cancelled" when a re-import no longer has it (kept for what hangs on it).
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    policy: Mapped[str] = mapped_column(String(16), default="open")
    policy_note: Mapped[str | None] = mapped_column(String(500))
    embargo_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Case-folded, accent-free title, abstract and speaker names for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conference: Mapped[Conference] = relationship()
    room: Mapped[Room | None] = relationship(lazy="joined")
    track: Mapped[Track | None] = relationship(lazy="joined")
    talk_speakers: Mapped[list[TalkSpeaker]] = relationship(
        cascade="all, delete-orphan", order_by="TalkSpeaker.position", lazy="selectin"
    )


class TalkSpeaker(Base):
    __tablename__ = "talk_speakers"
    __table_args__ = (UniqueConstraint("talk_id", "speaker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"))
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    speaker: Mapped[Speaker] = relationship(lazy="joined")
