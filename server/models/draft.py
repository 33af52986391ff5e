"""Drafts people keep while composing, identified by an id the client chose (offline-safe)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UTCDateTime, utcnow


class Draft(Base):
    __tablename__ = "drafts"
    __table_args__ = (
        UniqueConstraint("user_id", "client_id"),
        Index("ix_drafts_user_updated", "user_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The client's UUID: a re-sent save finds the same row instead of creating another.
    client_id: Mapped[str] = mapped_column(String(36))
    talk_id: Mapped[int | None] = mapped_column(ForeignKey("talks.id", ondelete="SET NULL"))
    network: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
