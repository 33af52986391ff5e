"""Accounts, their handles per network, and their login/API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.models.base import Base, UTCDateTime, utcnow

ROLES = ("attendee", "moderator", "organizer")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    #: NFKC + casefold of ``username``: the uniqueness key, so ``Admin`` and ``admin`` collide.
    username_key: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="attendee")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Hash of the secret in the private iCalendar feed URL; ``None`` when no feed exists.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Set when a moderator blocks the account: it can no longer post, its sockets are closed.
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The post limit of the person's Mastodon instance (1..100,000); ``None``: the default 500.
    mastodon_limit: Mapped[int | None] = mapped_column(Integer)

    handles: Mapped[list[UserHandle]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserHandle.network"
    )


class UserHandle(Base):
    """A person's account on one network and the follower count they state for it."""

    __tablename__ = "user_handles"
    __table_args__ = (UniqueConstraint("user_id", "network"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(16))
    handle: Mapped[str] = mapped_column(String(120))
    followers: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship(back_populates="handles")


class AuthToken(Base):
    """A bearer token or a browser login session; only the SHA-256 of the secret is stored."""

    __tablename__ = "auth_tokens"
    __table_args__ = (Index("ix_auth_tokens_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # "api" or "cookie"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
