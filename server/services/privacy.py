"""Privacy rights: export everything stored about me (GDPR Art. 15/20), delete my account (Art. 17).

:data:`USER_LINKS` declares every column that points at ``users.id`` (by foreign key) and
where the export shows it; a test compares it with the models, so a new user-linked table
cannot be forgotten by the export or the deletion.

Deleting an account is one transaction:

* its posts are removed the way a moderator deletes them (a removal number, ``post_removed``
  live and on catch-up), then erased: no text, no images (rows and files), no author. The
  row stays as a tombstone carrying only its removal number;
* drafts, stars, the calendar feed, handles, follows (and others' follows *of* the person),
  reports it made, tokens and browser sessions are deleted; its RSVPs are withdrawn (the
  waitlist moves up); tweetups it proposed lose their proposer and are cancelled unless over;
  tweetchats it hosts stay without a host (organizers can run them); schedule imports and
  watched words it created stay without their author;
* audit-log rows that name the account (as actor, or as the target of a block) keep a
  pseudonym (``erased-<hmac>``) in ``details`` instead of the id;
* the user row goes. After the commit its open sockets are closed and unused image files
  are removed from disk.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import String, cast, delete, or_, select, update

from server.clock import now
from server.errors import Conflict, Forbidden
from server.extensions import db
from server.models import (
    AgendaItem,
    AuditLog,
    AuthToken,
    Conference,
    Draft,
    Follow,
    ImportRun,
    Post,
    Report,
    Talk,
    Tweetchat,
    Tweetup,
    TweetupRsvp,
    Upload,
    User,
    UserHandle,
    WatchedWord,
)
from server.services import moderation, tweetups
from server.services import posts as wall
from server.services.accounts import password_matches
from server.services.events import queue_event
from server.services.uploads import image_wire, media_path

log = logging.getLogger(__name__)

EXPORT_FORMAT = "backchannel-export/1"

#: (table, column) pointing at ``users.id`` -> the export's section listing those rows
#: (a dotted path into the document).
USER_LINKS: dict[tuple[str, str], str] = {
    ("user_handles", "user_id"): "profile.handles",
    ("auth_tokens", "user_id"): "tokens",
    ("posts", "author_id"): "posts",
    ("uploads", "owner_id"): "uploads",
    ("drafts", "user_id"): "drafts",
    ("agenda_items", "user_id"): "agenda",
    ("follows", "user_id"): "follows",
    ("tweetups", "proposer_id"): "tweetups_proposed",
    ("tweetup_rsvps", "user_id"): "rsvps",
    ("tweetchats", "host_id"): "chats_hosted",
    ("reports", "reporter_id"): "reports",
    ("import_runs", "user_id"): "imports",
    ("watched_words", "created_by"): "watched_words_added",
}

#: Columns holding a user id without a foreign key: follows of a person
#: (``kind == "person"``: deleted with the account) and the audit log's actor and
#: ``target_type == "user"`` target (pseudonymised).
SOFT_USER_LINKS: tuple[tuple[str, str], ...] = (
    ("follows", "target_id"),
    ("audit_log", "actor_id"),
    ("audit_log", "target_id"),
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def pseudonym(user_id: int) -> str:
    """A stable stand-in for an erased account in the audit log (the same for all its rows)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"erased-user:{user_id}".encode(), hashlib.sha256).hexdigest()
    return f"erased-{digest[:12]}"


# ------------------------------------------------------------------------------------------
# Export
# ------------------------------------------------------------------------------------------
def _slugs(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(Conference.id, Conference.slug).where(Conference.id.in_(ids))
    return {row[0]: row[1] for row in db.session.execute(query)}


def _talks(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(Talk.id, Talk.title).where(Talk.id.in_(ids))
    return {row[0]: row[1] for row in db.session.execute(query)}


def _session(talks: dict[int, str], talk_id: int | None) -> dict[str, Any] | None:
    return None if talk_id is None else {"id": talk_id, "title": talks.get(talk_id)}


_Row = TypeVar("_Row")


def _owned(model: type[_Row], column: Any, uid: int) -> list[_Row]:
    """The rows of ``model`` whose ``column`` names the user, oldest first."""
    return list(db.session.scalars(select(model).where(column == uid).order_by(model.id)))  # type: ignore[attr-defined]


def export_data(user: User) -> dict[str, Any]:
    """Everything stored about ``user`` and nothing about anyone else."""
    uid = user.id
    posts = _owned(Post, Post.author_id, uid)
    uploads = _owned(Upload, Upload.owner_id, uid)
    drafts = _owned(Draft, Draft.user_id, uid)
    stars = _owned(AgendaItem, AgendaItem.user_id, uid)
    follows = _owned(Follow, Follow.user_id, uid)
    proposed = _owned(Tweetup, Tweetup.proposer_id, uid)
    rsvps = _owned(TweetupRsvp, TweetupRsvp.user_id, uid)
    chats = _owned(Tweetchat, Tweetchat.host_id, uid)
    reports = _owned(Report, Report.reporter_id, uid)
    tokens = _owned(AuthToken, AuthToken.user_id, uid)
    imports = _owned(ImportRun, ImportRun.user_id, uid)
    words = _owned(WatchedWord, WatchedWord.created_by, uid)
    audit_rows = _audit_rows(uid)
    rsvp_tweetups = (
        {
            t.id: t
            for t in db.session.scalars(
                select(Tweetup).where(Tweetup.id.in_({r.tweetup_id for r in rsvps}))
            )
        }
        if rsvps
        else {}
    )
    slugs = _slugs(
        {p.conference_id for p in posts}
        | {t.conference_id for t in proposed}
        | {t.conference_id for t in rsvp_tweetups.values()}
        | {c.conference_id for c in chats}
        | {i.conference_id for i in imports}
        | {w.conference_id for w in words}
    )
    talk_ids = {p.talk_id for p in posts} | {d.talk_id for d in drafts} | {s.talk_id for s in stars}
    talks = _talks({t for t in talk_ids if t is not None})
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now().isoformat(),
        "profile": {
            "id": uid,
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "created_at": _iso(user.created_at),
            "blocked_at": _iso(user.blocked_at),
            "mastodon_limit": user.mastodon_limit,
            "handles": [
                {"network": h.network, "handle": h.handle, "followers": h.followers}
                for h in db.session.scalars(
                    select(UserHandle).where(UserHandle.user_id == uid).order_by(UserHandle.id)
                )
            ],
            # Whether a private calendar feed exists; its secret is never shown again.
            "calendar_feed": {"exists": user.calendar_token_hash is not None},
        },
        "posts": [
            {
                "id": p.id,
                "conference": slugs.get(p.conference_id),
                "session": _session(talks, p.talk_id),
                "tweetup_id": p.tweetup_id,
                "chat_id": p.chat_id,
                "chat_question": p.chat_question,
                "reply_to_id": p.reply_to_id,
                "status": p.status,
                "text": p.text,
                "created_at": _iso(p.created_at),
                "published_at": _iso(p.published_at),
                "images": [image_wire(image) for image in p.images],
            }
            for p in posts
        ],
        "uploads": [
            {**image_wire(u), "post_id": u.post_id, "created_at": _iso(u.created_at)}
            for u in uploads
        ],
        "drafts": [
            {
                "id": d.client_id,
                "session": _session(talks, d.talk_id),
                "network": d.network,
                "text": d.text,
                "created_at": _iso(d.created_at),
                "updated_at": _iso(d.updated_at),
            }
            for d in drafts
        ],
        "agenda": [
            {"session": _session(talks, s.talk_id), "starred_at": _iso(s.created_at)} for s in stars
        ],
        "follows": [
            {
                "kind": f.kind,
                "target_id": f.target_id,
                "created_at": _iso(f.created_at),
                "seen_at": _iso(f.seen_at),
            }
            for f in follows
        ],
        "tweetups_proposed": [
            {
                "id": t.id,
                "conference": slugs.get(t.conference_id),
                "title": t.title,
                "description": t.description,
                "start": _iso(t.start_at),
                "end": _iso(t.end_at),
                "place": t.place,
                "hashtag": t.hashtag,
                "capacity": t.capacity,
                "cancelled": t.cancelled,
                "created_at": _iso(t.created_at),
            }
            for t in proposed
        ],
        "rsvps": [
            {
                "tweetup_id": r.tweetup_id,
                "title": rsvp_tweetups[r.tweetup_id].title,
                "conference": slugs.get(rsvp_tweetups[r.tweetup_id].conference_id),
                "status": r.status,
                "requested_at": _iso(r.requested_at),
                "updated_at": _iso(r.updated_at),
            }
            for r in rsvps
        ],
        "chats_hosted": [
            {
                "id": c.id,
                "conference": slugs.get(c.conference_id),
                "title": c.title,
                "description": c.description,
                "hashtag": c.hashtag,
                "start": _iso(c.start_at),
                "end": _iso(c.end_at),
                "questions": [q.text for q in c.questions],
                "created_at": _iso(c.created_at),
            }
            for c in chats
        ],
        "reports": [
            {"post_id": r.post_id, "reason": r.reason, "created_at": _iso(r.created_at)}
            for r in reports
        ],
        # Metadata only: never the token or its hash.
        "tokens": [
            {
                "id": t.id,
                "kind": "api" if t.kind == "api" else "browser_session",
                "created_at": _iso(t.created_at),
                "last_used_at": _iso(t.last_used_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in tokens
        ],
        "imports": [
            {
                "id": i.id,
                "conference": slugs.get(i.conference_id),
                "source": i.source,
                "format": i.format,
                "status": i.status,
                "created_at": _iso(i.created_at),
            }
            for i in imports
        ],
        "watched_words_added": [
            {
                "id": w.id,
                "conference": slugs.get(w.conference_id),
                "pattern": w.pattern,
                "action": w.action,
                "created_at": _iso(w.created_at),
            }
            for w in words
        ],
        "audit_log": [moderation.audit_wire(row) for row in audit_rows],
    }


# ------------------------------------------------------------------------------------------
# Deletion
# ------------------------------------------------------------------------------------------
def _check_not_last_organizer(user: User) -> None:
    if user.role != "organizer":
        return
    # Row locks on the organizers (PostgreSQL): two of them leaving at once are serialised,
    # and the second sees the first gone.
    organizers = db.session.scalars(
        select(User.id).where(User.role == "organizer").with_for_update()
    ).all()
    if not [uid for uid in organizers if uid != user.id]:
        raise Conflict(
            "You are the last organizer: make someone else an organizer before deleting "
            "your account.",
            code="last_organizer",
        )


def _erase_posts(uid: int) -> tuple[list[int], set[str]]:
    """Remove (as a moderator's delete does) and erase the account's posts."""
    posts = list(
        db.session.scalars(
            select(Post)
            .where(Post.author_id == uid)
            .order_by(Post.id)
            .with_for_update(of=Post)
            .execution_options(populate_existing=True)
        )
    )
    removed = []
    for post in posts:
        if post.status != "deleted":
            removed.append(post.id)
        if post.needs_review:
            conference = db.session.get_one(Conference, post.conference_id)
            room = moderation.moderation_room(conference)
            queue_event(
                "moderated",
                {"room": room, "id": post.id, "action": "deleted", "status": "deleted"},
                [room],
            )
        wall.remove_post(post, "deleted")
        post.text = ""
        post.flags = []
        post.confirmed_findings = []
        post.needs_review = False
        post.request_hash = ""
        post.idempotency_key = f"erased:{post.id}"
    files: set[str] = set()
    for upload in db.session.scalars(select(Upload).where(Upload.owner_id == uid)):
        files.update((upload.name, upload.thumb_name))
    db.session.execute(delete(Upload).where(Upload.owner_id == uid))
    db.session.execute(update(Post).where(Post.author_id == uid).values(author_id=None))
    return removed, files


def _audit_rows(uid: int) -> list[AuditLog]:
    """Audit rows naming the account: as the actor, or as the target of a block. The export
    shows exactly the rows that deletion pseudonymises."""
    return list(
        db.session.scalars(
            select(AuditLog)
            .where(
                or_(
                    AuditLog.actor_id == uid,
                    (AuditLog.target_type == "user") & (AuditLog.target_id == uid),
                )
            )
            .order_by(AuditLog.id)
        )
    )


def _pseudonymise_audit(uid: int, alias: str) -> None:
    for row in _audit_rows(uid):
        details = dict(row.details or {})
        if row.actor_id == uid:
            row.actor_id = None
            details["actor"] = alias
        if row.target_type == "user" and row.target_id == uid:
            row.target_id = None
            details["target"] = alias
        row.details = details


def _pseudonymise_moderator_marks(uid: int, alias: str) -> None:
    """A moderator's "kept" marks on others' posts name them by id."""
    candidates = db.session.scalars(select(Post).where(cast(Post.flags, String).contains("kept")))
    for post in candidates:
        if any(isinstance(f, dict) and f.get("by") == uid for f in post.flags):
            post.flags = [
                {**f, "by": alias} if isinstance(f, dict) and f.get("by") == uid else f
                for f in post.flags
            ]


def do_delete_account(user: User, password: str) -> None:
    """Delete the account after checking its password again; all or nothing."""
    if not password_matches(user, password):
        raise Forbidden("That password is not right; nothing was deleted.", code="wrong_password")
    _check_not_last_organizer(user)
    uid = user.id
    alias = pseudonym(uid)
    staff = user.role in moderation.MODERATOR_ROLES
    try:
        removed, files = _erase_posts(uid)
        cancelled = tweetups.release_account(uid)
        db.session.execute(update(Tweetchat).where(Tweetchat.host_id == uid).values(host_id=None))
        db.session.execute(update(ImportRun).where(ImportRun.user_id == uid).values(user_id=None))
        db.session.execute(
            update(WatchedWord).where(WatchedWord.created_by == uid).values(created_by=None)
        )
        db.session.execute(
            delete(Follow).where(
                or_(Follow.user_id == uid, (Follow.kind == "person") & (Follow.target_id == uid))
            )
        )
        db.session.execute(delete(Draft).where(Draft.user_id == uid))
        db.session.execute(delete(AgendaItem).where(AgendaItem.user_id == uid))
        db.session.execute(delete(AuthToken).where(AuthToken.user_id == uid))
        db.session.execute(delete(UserHandle).where(UserHandle.user_id == uid))
        db.session.execute(delete(Report).where(Report.reporter_id == uid))
        _pseudonymise_audit(uid, alias)
        if staff:
            _pseudonymise_moderator_marks(uid, alias)
        moderation.audit(
            "account.delete",
            actor=None,
            target_type="user",
            details={
                "account": alias,
                "removed_posts": removed,
                "cancelled_tweetups": cancelled,
            },
        )
        db.session.execute(delete(User).where(User.id == uid))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    moderation.close_sessions(uid)
    _remove_unused_files(files)


def _remove_unused_files(names: set[str]) -> None:
    """Image files no remaining upload uses (files are shared by identical pictures)."""
    if not names:
        return
    used = set(db.session.scalars(select(Upload.name).where(Upload.name.in_(names))))
    used |= set(db.session.scalars(select(Upload.thumb_name).where(Upload.thumb_name.in_(names))))
    for name in sorted(names - used):
        path = media_path(name)
        if path is None:
            continue
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the account is gone; a stray file is logged, not fatal
            log.exception("removing %s failed", path)
