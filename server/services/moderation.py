"""Moderation: pre-approval, hide/restore/delete, blocks, watched words, reports, audit log.

Organizers and moderators (the global roles) moderate every conference. Every action they
take writes an :class:`AuditLog` row in the same transaction as the change; a signed-in
user without the role who tries a moderator route gets 403 and an audit row of the attempt.

Visibility rules (the projector wall must never show an unapproved post):

* a post waits as ``pending`` when the conference has pre-approval on or a watched word
  says *hold*; pending posts have no sequence number and reach no public socket;
* approving takes the conference's next sequence number and publishes ``posts``; a post
  whose session is still embargoed is approved into ``held`` and published when the
  embargo lifts (:func:`release_due_embargoes`);
* hiding or deleting a visible post takes a removal number (``post_removed`` live and on
  catch-up, via :func:`server.services.posts.do_remove_post`); restoring publishes it again
  under a new sequence number.

Events go out after commit; the moderators' room ``moderation:<slug>`` hears about new
queue items (``pending_post``, ``flagged_post``) and decisions (``moderated``).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from server.clock import now
from server.domain import watched_words as ww
from server.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from server.extensions import db
from server.models import AuditLog, Conference, Post, Report, Talk, User, WatchedWord
from server.services import posts as wall
from server.services import wall_rules
from server.services.events import queue_event
from server.services.programme import valid_id

log = logging.getLogger(__name__)

MODERATOR_ROLES = ("moderator", "organizer")
MAX_WATCHED_WORDS = 2000
MAX_REASON_CHARS = 500
MIN_THRESHOLD, MAX_THRESHOLD = 1, 100
QUEUE_KINDS = ("pending", "flagged", "reported")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def moderation_room(conference: Conference) -> str:
    return f"moderation:{conference.slug}"


# ------------------------------------------------------------------------------------------
# Audit log and authorisation
# ------------------------------------------------------------------------------------------
def request_id() -> str | None:
    """The caller's ``X-Request-Id`` when it is sane, else one made up for this request."""
    if not has_request_context():
        return None
    cached = g.get("moderation_request_id")
    if isinstance(cached, str):
        return cached
    sent = request.headers.get("X-Request-Id", "")
    value = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
    g.moderation_request_id = value
    return value


def audit(
    action: str,
    *,
    actor: User | None,
    conference_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit row to the current transaction (it commits with the change it records)."""
    row = AuditLog(
        conference_id=conference_id,
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        details=details or {},
        request_id=request_id(),
        created_at=now(),
    )
    db.session.add(row)
    return row


def authorize(
    user: User | None,
    action: str,
    *,
    conference_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
) -> User:
    """A moderator or organizer; otherwise 401, or 403 with an audit row of the attempt."""
    if user is None:
        raise Unauthorized("Sign in or send a bearer token.")
    if user.role in MODERATOR_ROLES:
        return user
    db.session.rollback()  # record the attempt alone, whatever the request had read
    audit(
        "denied",
        actor=user,
        conference_id=conference_id,
        target_type=target_type,
        target_id=target_id,
        details={
            "attempted": action,
            "role": user.role,
            "path": request.path if has_request_context() else None,
        },
    )
    db.session.commit()
    raise Forbidden("This needs the moderator or organizer role.")


def conference_id_for(slug: str) -> int | None:
    """The conference's id for an audit row, without failing on an unknown slug."""
    return db.session.scalar(select(Conference.id).where(Conference.slug == slug))


def post_conference_id(post_id: int) -> int | None:
    return db.session.scalar(select(Post.conference_id).where(Post.id == post_id))


def check_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    reason = reason.strip()
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationFailed(
            f"A reason is at most {MAX_REASON_CHARS} characters.", code="too_long", field="reason"
        )
    return reason or None


def audit_entries(conference: Conference, *, before: int | None, limit: int) -> list[AuditLog]:
    """The conference's audit rows and the account-wide ones (blocks), newest first."""
    query = select(AuditLog).where(
        or_(AuditLog.conference_id == conference.id, AuditLog.conference_id.is_(None))
    )
    if before is not None:
        query = query.where(AuditLog.id < before)
    return list(db.session.scalars(query.order_by(AuditLog.id.desc()).limit(limit)))


def get_audit_entry(conference: Conference, entry_id: int) -> AuditLog:
    row = db.session.get(AuditLog, entry_id)
    if row is None or row.conference_id not in (conference.id, None):
        raise NotFound(f"There is no audit entry {entry_id} for this conference.")
    return row


def audit_wire(row: AuditLog) -> dict[str, Any]:
    return {
        "id": row.id,
        "action": row.action,
        "actor_id": row.actor_id,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "reason": row.reason,
        "details": row.details,
        "request_id": row.request_id,
        "created_at": row.created_at.isoformat(),
    }


# ------------------------------------------------------------------------------------------
# Checks on new posts (called by server.services.posts.do_create_post)
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Screening:
    """What the watch list made of a post's text."""

    matches: tuple[ww.Match, ...] = ()

    @property
    def action(self) -> ww.Action | None:
        return ww.strongest(self.matches)

    def flags(self) -> list[dict[str, Any]]:
        seen: dict[str, str] = {}
        for match in self.matches:
            seen.setdefault(match.pattern, match.action)
        return [{"kind": "watched_word", "pattern": p, "action": a} for p, a in seen.items()]


def check_author(user: User) -> None:
    """Blocked accounts may read but not post or report."""
    if user.blocked_at is not None:
        raise Forbidden("Your account is blocked from posting on the walls.", code="blocked")


def screen_text(conference: Conference, text: str) -> Screening:
    """Run the watch list; a *block* term refuses the post (the list itself stays private)."""
    screening = Screening(tuple(wall_rules.rules_for(conference).matcher.find(text)))
    if screening.action == "block":
        raise ValidationFailed(
            "This post contains a term that is not allowed on this wall (a blocked term). "
            "Reword it to post.",
            code="blocked_term",
            field="text",
        )
    return screening


def initial_status(conference: Conference, screening: Screening, embargoed: bool) -> str:
    """Approval first: a held-for-approval post is never released by its embargo alone."""
    if conference.premoderation or screening.action == "hold":
        return "pending"
    return "held" if embargoed else "visible"


def review_fields(screening: Screening, status: str, phi_rules: Iterable[str]) -> dict[str, Any]:
    """``flags`` and ``needs_review`` for a new post."""
    flags = screening.flags()
    rules = sorted(set(phi_rules))
    if rules:
        flags.append({"kind": "phi", "rules": rules})
    return {"flags": flags, "needs_review": status == "pending" or bool(flags)}


def queue_review(conference: Conference, post: Post) -> None:
    """Tell the moderators' room about a new queue item (sent after commit)."""
    if not post.needs_review:
        return
    room = moderation_room(conference)
    name = "pending_post" if post.status == "pending" else "flagged_post"
    queue_event(name, {"room": room, "item": queue_item(post, 0)}, [room])


# ------------------------------------------------------------------------------------------
# Conference settings
# ------------------------------------------------------------------------------------------
def settings_wire(conference: Conference) -> dict[str, Any]:
    return {
        "premoderation": conference.premoderation,
        "report_threshold": conference.report_threshold,
    }


def do_update_settings(
    actor: User,
    conference: Conference,
    *,
    premoderation: bool | None = None,
    report_threshold: int | None = None,
    reason: str | None = None,
) -> Conference:
    if report_threshold is not None and not MIN_THRESHOLD <= report_threshold <= MAX_THRESHOLD:
        raise ValidationFailed(
            f"report_threshold must be between {MIN_THRESHOLD} and {MAX_THRESHOLD}.",
            field="report_threshold",
        )
    reason = check_reason(reason)
    changes: dict[str, Any] = {}
    if premoderation is not None and premoderation != conference.premoderation:
        changes["premoderation"] = [conference.premoderation, premoderation]
        conference.premoderation = premoderation
    if report_threshold is not None and report_threshold != conference.report_threshold:
        changes["report_threshold"] = [conference.report_threshold, report_threshold]
        conference.report_threshold = report_threshold
    if changes:
        audit(
            "conference.moderation",
            actor=actor,
            conference_id=conference.id,
            target_type="conference",
            target_id=conference.id,
            reason=reason,
            details=changes,
        )
    db.session.commit()
    return conference


# ------------------------------------------------------------------------------------------
# The queue
# ------------------------------------------------------------------------------------------
def _report_counts(post_ids: list[int]) -> dict[int, int]:
    if not post_ids:
        return {}
    rows = db.session.execute(
        select(Report.post_id, func.count())
        .where(Report.post_id.in_(post_ids))
        .group_by(Report.post_id)
    )
    return {pid: int(n) for pid, n in rows}


def report_count(post_id: int) -> int:
    return _report_counts([post_id]).get(post_id, 0)


def queue_item(post: Post, report_count: int) -> dict[str, Any]:
    return {
        "post": wall.post_wire(post),
        "flags": list(post.flags),
        "needs_review": post.needs_review,
        "report_count": report_count,
        "confirmed_findings": list(post.confirmed_findings),
    }


def moderation_queue(
    conference: Conference, *, kind: str | None, after: int, limit: int
) -> list[dict[str, Any]]:
    """Posts waiting for a decision, oldest first: pending, flagged, or reported."""
    query = select(Post).where(
        Post.conference_id == conference.id,
        Post.needs_review.is_(True),
        Post.status != "deleted",
        Post.id > after,
    )
    reported = select(Report.post_id).where(Report.post_id == Post.id).exists()
    if kind == "pending":
        query = query.where(Post.status == "pending")
    elif kind == "flagged":
        query = query.where(Post.status != "pending", ~reported)
    elif kind == "reported":
        query = query.where(reported)
    found = list(db.session.scalars(query.order_by(Post.id).limit(limit)))
    counts = _report_counts([p.id for p in found])
    return [queue_item(p, counts.get(p.id, 0)) for p in found]


def queue_size(conference: Conference) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(
                Post.conference_id == conference.id,
                Post.needs_review.is_(True),
                Post.status != "deleted",
            )
        )
        or 0
    )


def open_moderation_room(user: User | None, slug: str) -> Conference:
    """Who may join ``moderation:<slug>`` on /live: moderators and organizers only."""
    authorize(
        user, "join moderation room", conference_id=conference_id_for(slug), target_type="room"
    )
    conference = db.session.scalar(select(Conference).where(Conference.slug == slug))
    if conference is None:
        raise NotFound(f"There is no conference {slug!r}.")
    return conference


def reports_of(post_id: int) -> list[Report]:
    return list(db.session.scalars(select(Report).where(Report.post_id == post_id)))


# ------------------------------------------------------------------------------------------
# Decisions on posts
# ------------------------------------------------------------------------------------------
def _locked_post(post_id: int) -> Post:
    """The post, row-locked for the decision (PostgreSQL; SQLite has one writer anyway)."""
    post = db.session.scalar(
        select(Post)
        .where(Post.id == post_id)
        .with_for_update(of=Post)
        .execution_options(populate_existing=True)
    )
    if post is None:
        raise NotFound(f"There is no post {post_id}.")
    return post


def _embargoed(post: Post, at: datetime | None = None) -> bool:
    if post.talk_id is None:
        return False
    talk = db.session.get(Talk, post.talk_id)
    when = at or now()
    return bool(
        talk and talk.policy == "embargoed" and talk.embargo_until and when < talk.embargo_until
    )


def _publish(conference: Conference, post: Post, at: datetime | None = None) -> None:
    """Make it visible under the conference's next number; ``posts`` goes out after commit."""
    post.status = "visible"
    post.removed_seq = None
    post.seq = wall.next_seq(conference.id)
    post.published_at = at or now()
    wall.publish_posts(conference, [post])


def _kept(post: Post, actor: User) -> None:
    """A moderator looked and kept it: reports so far no longer count toward hiding."""
    post.needs_review = False
    reports = db.session.scalar(
        select(func.count()).select_from(Report).where(Report.post_id == post.id)
    )
    post.flags = [*post.flags, {"kind": "kept", "reports": int(reports or 0), "by": actor.id}]


def _decided(conference: Conference, post: Post, action: str) -> None:
    room = moderation_room(conference)
    queue_event(
        "moderated",
        {"room": room, "id": post.id, "action": action, "status": post.status},
        [room],
    )


@dataclass(frozen=True)
class Decision:
    post: Post
    changed: bool


def do_approve(actor: User, post_id: int, reason: str | None = None) -> Decision:
    """Pending -> visible (or held, under embargo); a flagged post is kept and leaves the queue."""
    reason = check_reason(reason)
    post = _locked_post(post_id)
    if post.status in ("hidden", "deleted"):
        raise Conflict("This post was removed; restore it to show it again.", code="not_pending")
    if post.status != "pending" and not post.needs_review:
        db.session.commit()
        return Decision(post, False)
    conference = db.session.get_one(Conference, post.conference_id)
    before = post.status
    if post.status == "pending":
        if _embargoed(post):
            post.status = "held"
        else:
            _publish(conference, post)
    return _settled("approve", actor, conference, post, reason, {"from": before, "to": post.status})


def _settled(
    action: str,
    actor: User,
    conference: Conference,
    post: Post,
    reason: str | None,
    details: dict[str, Any],
) -> Decision:
    """A post kept by a moderator: off the queue, audited, announced, committed."""
    _kept(post, actor)
    audit(
        f"post.{action}",
        actor=actor,
        conference_id=conference.id,
        target_type="post",
        target_id=post.id,
        reason=reason,
        details=details,
    )
    _decided(conference, post, action)
    db.session.commit()
    return Decision(post, True)


def do_hide(actor: User, post_id: int, reason: str | None = None) -> Decision:
    return _remove(actor, post_id, "hidden", reason)


def do_delete(actor: User, post_id: int, reason: str | None = None) -> Decision:
    return _remove(actor, post_id, "deleted", reason)


def _remove(actor: User, post_id: int, status: str, reason: str | None) -> Decision:
    reason = check_reason(reason)
    post = _locked_post(post_id)
    if post.status == status:
        db.session.commit()
        return Decision(post, False)
    if post.status == "deleted":
        raise Conflict("This post was deleted.", code="post_deleted")
    conference = db.session.get_one(Conference, post.conference_id)
    audit(
        "post.hide" if status == "hidden" else "post.delete",
        actor=actor,
        conference_id=conference.id,
        target_type="post",
        target_id=post.id,
        reason=reason,
        details={"from": post.status, "was_public": post.status == "visible"},
    )
    post.needs_review = False
    room = moderation_room(conference)
    queue_event(
        "moderated", {"room": room, "id": post.id, "action": status, "status": status}, [room]
    )
    wall.do_remove_post(post, status)  # removal number + post_removed live; commits
    return Decision(post, True)


def do_restore(actor: User, post_id: int, reason: str | None = None) -> Decision:
    """Hidden -> visible again under a new sequence number (held while still embargoed)."""
    reason = check_reason(reason)
    post = _locked_post(post_id)
    if post.status == "visible":
        db.session.commit()
        return Decision(post, False)
    if post.status != "hidden":
        raise Conflict(
            "Only hidden posts can be restored; approve pending posts instead.",
            code="not_hidden",
        )
    conference = db.session.get_one(Conference, post.conference_id)
    if _embargoed(post):
        post.status = "held"
        post.removed_seq = None
    else:
        _publish(conference, post)
    details = {"to": post.status, "seq": post.seq}
    return _settled("restore", actor, conference, post, reason, details)


# ------------------------------------------------------------------------------------------
# Blocking accounts
# ------------------------------------------------------------------------------------------
SessionCloser = Callable[[int], None]
_session_closers: list[SessionCloser] = []


def set_session_closer(closer: SessionCloser) -> None:
    """The transport's way to close every live socket of an account (on every process)."""
    _session_closers[:] = [closer]


def close_sessions(user_id: int) -> None:
    """Close every live socket of the account now (after the commit that revoked it)."""
    _close_sessions(user_id)


def _close_sessions(user_id: int) -> None:
    for closer in _session_closers:
        try:
            closer(user_id)
        except Exception:  # the block is committed; posting is refused either way
            log.exception("closing the sockets of user %s failed", user_id)


def user_wire(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "blocked_at": user.blocked_at.isoformat() if user.blocked_at else None,
    }


def do_block(
    actor: User, user_id: int, *, reason: str | None = None, remove_posts: bool = False
) -> tuple[User, bool]:
    """Block an account: no more posts or reports, its open sockets are closed at once.

    With ``remove_posts`` its visible, pending and held posts are hidden too (spam waves).
    """
    reason = check_reason(reason)
    target = db.session.get(User, user_id)
    if target is None:
        raise NotFound(f"There is no user {user_id}.")
    if target.id == actor.id:
        raise ValidationFailed("You cannot block yourself.", code="cannot_block_self")
    if target.role in MODERATOR_ROLES:
        raise Conflict(
            "Moderators and organizers cannot be blocked; change their role first.",
            code="cannot_block_staff",
        )
    changed = target.blocked_at is None
    if changed:
        target.blocked_at = now()
    post_ids: list[int] = []
    if remove_posts:
        post_ids = list(
            db.session.scalars(
                select(Post.id)
                .where(Post.author_id == target.id, Post.status.in_(("visible", "pending", "held")))
                .order_by(Post.id)
            )
        )
    if changed or post_ids:
        audit(
            "user.block",
            actor=actor,
            target_type="user",
            target_id=target.id,
            reason=reason,
            details={"removed_posts": post_ids, "already_blocked": not changed},
        )
    db.session.commit()
    for post_id in post_ids:
        post = _locked_post(post_id)
        if post.status in ("visible", "pending", "held"):
            post.needs_review = False
            wall.do_remove_post(post, "hidden")
    _close_sessions(target.id)  # after commit: a reconnect is refused as blocked
    return target, changed


def do_unblock(actor: User, user_id: int, *, reason: str | None = None) -> tuple[User, bool]:
    reason = check_reason(reason)
    target = db.session.get(User, user_id)
    if target is None:
        raise NotFound(f"There is no user {user_id}.")
    if target.blocked_at is None:
        db.session.commit()
        return target, False
    target.blocked_at = None
    audit("user.unblock", actor=actor, target_type="user", target_id=target.id, reason=reason)
    db.session.commit()
    return target, True


# ------------------------------------------------------------------------------------------
# Watched words
# ------------------------------------------------------------------------------------------
def watched_word_wire(word: WatchedWord) -> dict[str, Any]:
    return {
        "id": word.id,
        "pattern": word.pattern,
        "action": word.action,
        "created_by": word.created_by,
        "created_at": word.created_at.isoformat(),
    }


def list_watched_words(conference: Conference) -> list[WatchedWord]:
    return list(
        db.session.scalars(
            select(WatchedWord)
            .where(WatchedWord.conference_id == conference.id)
            .order_by(WatchedWord.pattern)
        )
    )


def _check_action(action: str) -> ww.Action:
    for known in ww.ACTIONS:
        if action == known:
            return known
    raise ValidationFailed(f"action must be one of {', '.join(ww.ACTIONS)}.", field="action")


def check_pattern(raw: str) -> str:
    try:
        pattern = ww.normalise_pattern(raw)
    except ww.PatternError as exc:
        raise ValidationFailed(str(exc), code="invalid_pattern", field="pattern") from exc
    if ww.medical_term(pattern):
        raise ValidationFailed(
            f"'{pattern}' is clinical vocabulary at a medical meeting; watching it would "
            "catch ordinary posts.",
            code="medical_term",
            field="pattern",
        )
    return pattern


def _get_word(conference: Conference, word_id: int) -> WatchedWord:
    word = db.session.get(WatchedWord, word_id)
    if word is None or word.conference_id != conference.id:
        raise NotFound(f"There is no watched word {word_id} in this conference.")
    return word


def do_add_watched_word(
    actor: User, conference: Conference, pattern: str, action: str
) -> WatchedWord:
    checked = check_pattern(pattern)
    checked_action = _check_action(action)
    existing = db.session.scalar(
        select(WatchedWord.id).where(
            WatchedWord.conference_id == conference.id, WatchedWord.pattern == checked
        )
    )
    if existing is not None:
        raise Conflict(
            f"'{checked}' is already watched here; change its action instead.",
            code="duplicate_pattern",
            field="pattern",
            details={"id": existing},
        )
    count = db.session.scalar(
        select(func.count())
        .select_from(WatchedWord)
        .where(WatchedWord.conference_id == conference.id)
    )
    if (count or 0) >= MAX_WATCHED_WORDS:
        raise Conflict(
            f"A conference can watch at most {MAX_WATCHED_WORDS} terms.", code="too_many_words"
        )
    word = WatchedWord(
        conference_id=conference.id,
        pattern=checked,
        action=checked_action,
        created_by=actor.id,
        created_at=now(),
    )
    db.session.add(word)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same pattern added concurrently
        db.session.rollback()
        raise Conflict(
            f"'{checked}' is already watched here.", code="duplicate_pattern", field="pattern"
        ) from exc
    audit(
        "watched_word.add",
        actor=actor,
        conference_id=conference.id,
        target_type="watched_word",
        target_id=word.id,
        details={"pattern": checked, "action": checked_action},
    )
    wall_rules.restamp(conference)
    db.session.commit()
    return word


def do_update_watched_word(
    actor: User, conference: Conference, word_id: int, action: str
) -> WatchedWord:
    checked_action = _check_action(action)
    word = _get_word(conference, word_id)
    if word.action != checked_action:
        audit(
            "watched_word.update",
            actor=actor,
            conference_id=conference.id,
            target_type="watched_word",
            target_id=word.id,
            details={"pattern": word.pattern, "action": [word.action, checked_action]},
        )
        word.action = checked_action
        wall_rules.restamp(conference)
    db.session.commit()
    return word


def do_delete_watched_word(actor: User, conference: Conference, word_id: int) -> None:
    word = _get_word(conference, word_id)
    audit(
        "watched_word.delete",
        actor=actor,
        conference_id=conference.id,
        target_type="watched_word",
        target_id=word.id,
        details={"pattern": word.pattern, "action": word.action},
    )
    db.session.delete(word)
    wall_rules.restamp(conference)
    db.session.commit()


def try_watched_words(conference: Conference, text: str) -> list[dict[str, Any]]:
    """What the current list would do to ``text`` (the moderators' "test" box)."""
    return [
        {"pattern": m.pattern, "action": m.action, "start": m.start, "end": m.end}
        for m in wall_rules.load_matcher(conference.id).find(text)
    ]


# ------------------------------------------------------------------------------------------
# Reports from users
# ------------------------------------------------------------------------------------------
def report_wire(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "post_id": report.post_id,
        "reason": report.reason,
        "created_at": report.created_at.isoformat(),
    }


def do_report(user: User, post_id: int, reason: str) -> tuple[Report, bool]:
    """Report a post; ``(report, created)``. A second report by the same user changes nothing.

    When the distinct reporters since a moderator last kept the post reach the conference's
    threshold, a visible post is hidden for review (removal event) and queued.
    """
    check_author(user)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Say briefly what is wrong with the post.", field="reason")
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationFailed(
            f"A reason is at most {MAX_REASON_CHARS} characters.", code="too_long", field="reason"
        )
    if not valid_id(post_id):
        raise NotFound(f"There is no post {post_id}.")
    post = _locked_post(post_id)
    if post.status not in ("visible", "hidden"):
        raise NotFound(f"There is no post {post_id}.")
    if post.author_id == user.id:
        raise ValidationFailed("You cannot report your own post.", code="cannot_report_own")
    existing = db.session.scalar(
        select(Report).where(Report.post_id == post.id, Report.reporter_id == user.id)
    )
    if existing is not None:
        db.session.commit()
        return existing, False
    report = Report(post_id=post.id, reporter_id=user.id, reason=reason, created_at=now())
    db.session.add(report)
    try:
        db.session.flush()
    except IntegrityError:  # the same user's report committed concurrently
        db.session.rollback()
        again = db.session.scalar(
            select(Report).where(Report.post_id == post_id, Report.reporter_id == user.id)
        )
        if again is None:
            raise
        return again, False
    conference = db.session.get_one(Conference, post.conference_id)
    count = int(
        db.session.scalar(select(func.count()).select_from(Report).where(Report.post_id == post.id))
        or 0
    )
    kept = max((int(f.get("reports", 0)) for f in post.flags if f.get("kind") == "kept"), default=0)
    if post.status != "visible":  # already off the walls: recorded, nothing to decide
        db.session.commit()
        return report, True
    post.needs_review = True
    if count - kept >= conference.report_threshold:
        post.flags = [*post.flags, {"kind": "reports", "count": count}]
        audit(
            "post.auto_hide",
            actor=None,
            conference_id=conference.id,
            target_type="post",
            target_id=post.id,
            details={"reports": count, "threshold": conference.report_threshold},
        )
        queue_review(conference, post)
        wall.do_remove_post(post, "hidden")  # commits the report, the flag and the removal
        return report, True
    queue_review(conference, post)
    db.session.commit()
    return report, True


# ------------------------------------------------------------------------------------------
# Embargo release
# ------------------------------------------------------------------------------------------
def release_due_embargoes(at: datetime) -> int:
    """Publish held posts whose session's embargo has lifted by ``at``; how many went out.

    Each post is claimed with a conditional update (``held`` -> ``visible``), so two server
    processes running this loop never publish a post twice; each takes the next sequence
    number of its conference as it is published, in post order.
    """
    lifted = or_(
        Post.talk_id.is_(None),
        Talk.policy != "embargoed",
        Talk.embargo_until.is_(None),
        Talk.embargo_until <= at,
    )
    due = db.session.execute(
        select(Post.id, Post.conference_id)
        .outerjoin(Talk, Talk.id == Post.talk_id)
        .where(Post.status == "held", lifted)
        .order_by(Post.conference_id, Post.id)
    ).all()
    db.session.commit()
    released = 0
    by_conference: dict[int, list[int]] = {}
    for post_id, conference_id in due:
        by_conference.setdefault(conference_id, []).append(post_id)
    for conference_id, post_ids in by_conference.items():
        conference = db.session.get_one(Conference, conference_id)
        published: list[Post] = []
        for post_id in post_ids:
            claimed = db.session.execute(
                update(Post)
                .where(Post.id == post_id, Post.status == "held")
                .values(status="visible")
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue
            post = db.session.get_one(Post, post_id, populate_existing=True)
            post.seq = wall.next_seq(conference_id)
            post.published_at = at
            post.removed_seq = None
            published.append(post)
        if published:
            wall.publish_posts(conference, published)
        db.session.commit()
        released += len(published)
    return released
