"""Posts on the live walls, with their delivery sequence and idempotency key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, UTCDateTime, utcnow
from server.models.upload import Upload
from server.models.user import User

#: visible: on the walls; pending: awaiting a moderator (pre-approval); held: embargoed
#: session, published when the embargo lifts; hidden/deleted: removed.
POST_STATUSES = ("visible", "pending", "held", "hidden", "deleted")


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("conference_id", "seq"),
        UniqueConstraint("conference_id", "removed_seq"),
        UniqueConstraint("author_id", "idempotency_key"),
        Index("ix_posts_conference_talk_seq", "conference_id", "talk_id", "seq"),
        Index("ix_posts_author_created", "author_id", "created_at"),
        Index("ix_posts_conference_review", "conference_id", "needs_review"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    talk_id: Mapped[int | None] = mapped_column(ForeignKey("talks.id", ondelete="SET NULL"))
    #: NULL only on the tombstone of an erased account's post (status ``deleted``, no text,
    #: kept for its ``removed_seq``), which nothing renders; typed as set for everything else.
    author_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    #: Position in the conference's stream, taken when the post became visible (in the same
    #: transaction); ``None`` while pending or held.
    seq: Mapped[int | None] = mapped_column(Integer)
    #: Position of its removal in the same stream, so clients that were away learn of it.
    removed_seq: Mapped[int | None] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the request that created it: the same key with another body is an error.
    request_hash: Mapped[str] = mapped_column(String(64))
    #: PHI/policy rules the author confirmed when posting (moderators see them).
    confirmed_findings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why moderators should look at it: ``{"kind": "watched_word"|"reports", ...}`` items.
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    #: In the moderation queue (pending, flagged or reported) until a moderator decides.
    needs_review: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: A tweetup's or a tweetchat's room the post was written in (it is on the conference's
    #: wall too); ``chat_question`` groups a chat answer under its question.
    tweetup_id: Mapped[int | None] = mapped_column(
        ForeignKey("tweetups.id", ondelete="SET NULL"), index=True
    )
    chat_id: Mapped[int | None] = mapped_column(
        ForeignKey("tweetchats.id", ondelete="SET NULL"), index=True
    )
    chat_question: Mapped[int | None] = mapped_column(Integer)
    #: The post this one replies to: replies keep their thread.
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )

    author: Mapped[User] = relationship(lazy="joined")
    #: Attached images in order; loaded with the post (one query per batch of posts).
    images: Mapped[list[Upload]] = relationship(
        lazy="selectin", order_by="Upload.position", passive_deletes=True
    )
