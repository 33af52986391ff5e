"""Images uploaded for posts: re-encoded files on disk, described here with their alt text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UTCDateTime, utcnow


class Upload(Base):
    """One uploaded image: a display version and a thumbnail, content-addressed on disk.

    It belongs to its uploader until a post of theirs claims it (``post_id``); a claimed
    image cannot be claimed again. The files are named by the SHA-256 of their bytes, so two
    uploads of the same picture share them.
    """

    __tablename__ = "uploads"
    __table_args__ = (
        Index("ix_uploads_post_position", "post_id", "position"),
        Index("ix_uploads_owner_created", "owner_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    #: Order among the post's images.
    position: Mapped[int] = mapped_column(Integer, default=0)
    content_type: Mapped[str] = mapped_column(String(32))
    #: File names under the uploads folder (``<sha256>.<ext>``), served at ``/media/<name>``.
    name: Mapped[str] = mapped_column(String(80))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    thumb_name: Mapped[str] = mapped_column(String(80))
    thumb_width: Mapped[int] = mapped_column(Integer)
    thumb_height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    alt: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
