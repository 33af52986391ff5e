"""Sign-up, sign-in, tokens and profiles."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from server.domain.accounts import password_problem, username_key, username_problem
from server.domain.handles import normalize_handle
from server.domain.instances import MAX_LIMIT, MIN_LIMIT
from server.domain.programme import NETWORKS
from server.errors import AppError, Conflict, Unauthorized, ValidationFailed
from server.extensions import db
from server.models import AuthToken, User, UserHandle
from server.models.base import utcnow
from server.models.user import ROLES

#: The browser session cookie (HttpOnly); its value is a login token of kind "cookie".
SESSION_COOKIE = "bc_session"

# Verifying against this keeps the timing of "unknown user" close to "wrong password".
_DUMMY_HASH_CACHE: dict[str, str] = {}


def _hasher() -> PasswordHasher:
    if current_app.config.get("ARGON2_PROFILE") == "cheapest":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy token: enough, since tokens are random, not passwords."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _dummy_hash() -> str:
    profile = str(current_app.config.get("ARGON2_PROFILE"))
    if profile not in _DUMMY_HASH_CACHE:
        _DUMMY_HASH_CACHE[profile] = _hasher().hash(secrets.token_hex(16))
    return _DUMMY_HASH_CACHE[profile]


def check_new_account(username: str, password: str, display_name: str) -> None:
    # The collision check comes first: a full-width or differently-cased spelling of an
    # existing name is "taken" (409), not merely "badly formed".
    taken = db.session.scalar(select(User.id).where(User.username_key == username_key(username)))
    if taken is not None:
        raise Conflict("That username is taken.", code="username_taken", field="username")
    problem = username_problem(username)
    if problem:
        raise ValidationFailed(problem, code="invalid_username", field="username")
    pw = password_problem(password, username=username)
    if pw:
        raise ValidationFailed(pw[1], code=pw[0], field="password")
    if not display_name.strip():
        raise ValidationFailed("Give a display name.", field="display_name")


def do_create_user(
    username: str, password: str, display_name: str, *, role: str = "attendee"
) -> User:
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", field="role")
    check_new_account(username, password, display_name)
    user = User(
        username=username,
        username_key=username_key(username),
        display_name=display_name.strip(),
        password_hash=_hasher().hash(password),
        role=role,
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(username: str, password: str) -> User:
    """The user with these credentials; one error for unknown user and wrong password."""
    user = db.session.scalar(select(User).where(User.username_key == username_key(username)))
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise Unauthorized("Wrong username or password.", code="invalid_credentials")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        db.session.commit()
    return user


def password_matches(user: User, password: str) -> bool:
    """Re-authentication for a grave step (deleting the account): nothing is changed."""
    try:
        return bool(_hasher().verify(user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def do_issue_token(user: User, kind: str) -> str:
    """A new random token for ``user``; only its hash is stored."""
    secret = secrets.token_urlsafe(32)
    db.session.add(AuthToken(user_id=user.id, kind=kind, token_hash=hash_secret(secret)))
    db.session.commit()
    return secret


def user_for_token(secret: str, kind: str) -> User | None:
    if not secret or len(secret) > 200:
        return None
    result = db.session.execute(_USER_FOR_TOKEN, {"hash": hash_secret(secret), "kind": kind})
    return result.unique().scalar_one_or_none()


#: Built once: every authenticated request runs it. One query for the token, the user and
#: their handles (a post's wire form shows them; a few rows per user).
_USER_FOR_TOKEN = (
    select(User)
    .options(joinedload(User.handles))
    .join(AuthToken, AuthToken.user_id == User.id)
    .where(
        AuthToken.token_hash == bindparam("hash"),
        AuthToken.kind == bindparam("kind"),
        AuthToken.revoked_at.is_(None),
    )
)


def do_revoke_token(secret: str) -> None:
    token = db.session.scalar(select(AuthToken).where(AuthToken.token_hash == hash_secret(secret)))
    if token and token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()


def csrf_token_for(session_secret: str) -> str:
    """The CSRF token bound to a browser session: an HMAC, so nothing more is stored."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"csrf:" + session_secret.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class HandleInput:
    network: str
    handle: str
    followers: int


class _Keep(Enum):
    KEEP = "keep"


#: ``do_update_profile(mastodon_limit=KEEP)``: leave the stored limit as it is.
KEEP = _Keep.KEEP


def check_mastodon_limit(value: object) -> int | None:
    """A Mastodon post limit to store: a whole number in range, or ``None`` (not stated)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_LIMIT <= value <= MAX_LIMIT:
        raise ValidationFailed(
            f"Your instance's post limit is a whole number from {MIN_LIMIT} to {MAX_LIMIT:,}.",
            field="mastodon_limit",
        )
    return value


def do_update_profile(
    user: User,
    *,
    display_name: str | None = None,
    handles: list[HandleInput] | None = None,
    mastodon_limit: int | Literal[_Keep.KEEP] | None = KEEP,
) -> User:
    """Change the display name, replace the handles (an empty handle removes one) and/or set
    the Mastodon post limit (``None`` forgets it). Nothing is committed unless all are valid."""
    limit = user.mastodon_limit if mastodon_limit is KEEP else check_mastodon_limit(mastodon_limit)
    if display_name is not None:
        if not display_name.strip():
            raise ValidationFailed("Give a display name.", field="display_name")
        user.display_name = display_name.strip()
    if handles is not None:
        wanted: dict[str, tuple[str, int]] = {}
        for item in handles:
            if item.network not in NETWORKS:
                raise ValidationFailed(
                    f"Unknown network {item.network!r}; use one of {', '.join(NETWORKS)}.",
                    code="unknown_network",
                    field="handles",
                )
            if item.followers < 0:
                raise ValidationFailed("Follower counts cannot be negative.", field="handles")
            if not item.handle.strip():
                continue
            try:
                wanted[item.network] = (normalize_handle(item.network, item.handle), item.followers)
            except ValueError as exc:
                raise ValidationFailed(str(exc), code="invalid_handle", field="handles") from exc
        existing = {h.network: h for h in user.handles}
        for network, row in existing.items():
            if network not in wanted:
                user.handles.remove(row)
        for network, (handle, followers) in wanted.items():
            current = existing.get(network)
            if current is None:
                user.handles.append(UserHandle(network=network, handle=handle, followers=followers))
            else:
                current.handle, current.followers = handle, followers
    user.mastodon_limit = limit
    db.session.commit()
    return user


def do_set_role(user: User, role: str) -> User:
    if role not in ROLES:
        raise AppError(f"Role must be one of {', '.join(ROLES)}.", code="invalid_role")
    user.role = role
    db.session.commit()
    return user
