"""Moderation over HTTP: settings, queue, decisions on posts, blocks, watched words, reports,
and the audit log.

Every route but reporting is for moderators and organizers. The role check runs before the
body is parsed: anonymous callers get 401, other roles 403 and an audit row of the attempt.
The audit log has no write routes (PUT/PATCH/DELETE answer 405).
"""

from __future__ import annotations

from typing import Any

from flask import g, request

from server.api.common import Blueprint, query_args
from server.api.security import current_user, require_user
from server.errors import NotFound
from server.extensions import limiter
from server.models import User
from server.ratelimit import REPORT_LIMIT
from server.schemas.moderation import (
    AuditEntrySchema,
    AuditPageSchema,
    AuditQuerySchema,
    BlockSchema,
    ModeratedUserSchema,
    ModerationSettingsPatchSchema,
    ModerationSettingsSchema,
    QueueItemSchema,
    QueuePageSchema,
    QueueQuerySchema,
    ReasonSchema,
    ReportCreateSchema,
    ReportListSchema,
    ReportSchema,
    WatchedWordCreateSchema,
    WatchedWordListSchema,
    WatchedWordPatchSchema,
    WatchedWordSchema,
    WatchedWordTestResultSchema,
    WatchedWordTestSchema,
)
from server.services import moderation, programme
from server.services.programme import valid_id

blp = Blueprint(
    "moderation", __name__, url_prefix="/api/v1", description="Moderation (moderators, organizers)"
)

#: Routes any signed-in user may call; every other route of this blueprint is moderators'.
_OPEN_ENDPOINTS = frozenset({"moderation.report_post"})


@blp.before_request
def _moderators_only() -> None:
    if request.endpoint in _OPEN_ENDPOINTS:
        return
    args = request.view_args or {}
    ids = {k: v for k, v in args.items() if k.endswith("_id")}
    in_range = all(isinstance(v, int) and valid_id(v) for v in ids.values())
    conference_id: int | None = None
    target_type: str | None = None
    target_id: int | None = None
    if "slug" in args:
        conference_id = moderation.conference_id_for(str(args["slug"]))
        target_type, target_id = "conference", conference_id
    if "post_id" in args and in_range:
        target_type, target_id = "post", int(args["post_id"])
        conference_id = moderation.post_conference_id(target_id)
    if "user_id" in args and in_range:
        target_type, target_id = "user", int(args["user_id"])
    g.moderator = moderation.authorize(
        current_user(),
        str(request.endpoint),
        conference_id=conference_id,
        target_type=target_type,
        target_id=target_id,
    )
    if not in_range:  # ids the database cannot hold: nothing there
        raise NotFound("There is nothing at this address.")


def _moderator() -> User:
    user: User = g.moderator
    return user


def _reason(body: dict[str, Any] | None) -> str | None:
    value = (body or {}).get("reason")
    return value if isinstance(value, str) else None


# --- settings --------------------------------------------------------------------------------


@blp.route("/conferences/<slug>/moderation", methods=["GET"])
@blp.response(200, ModerationSettingsSchema)
def get_settings(slug: str) -> dict[str, Any]:
    """The conference's moderation settings"""
    return moderation.settings_wire(programme.get_conference(slug))


@blp.route("/conferences/<slug>/moderation", methods=["PATCH"])
@blp.arguments(ModerationSettingsPatchSchema)
@blp.response(200, ModerationSettingsSchema)
def update_settings(body: dict[str, Any], slug: str) -> dict[str, Any]:
    """Turn pre-approval on or off; set the report threshold.

    Turning pre-approval off does not publish waiting posts: approve them from the queue.
    """
    conference = moderation.do_update_settings(
        _moderator(),
        programme.get_conference(slug),
        premoderation=body.get("premoderation"),
        report_threshold=body.get("report_threshold"),
        reason=_reason(body),
    )
    return moderation.settings_wire(conference)


# --- queue and decisions ---------------------------------------------------------------------


@blp.route("/conferences/<slug>/moderation/queue", methods=["GET"])
@query_args(blp, QueueQuerySchema)
@blp.response(200, QueuePageSchema)
def queue(args: dict[str, Any], slug: str) -> dict[str, Any]:
    """Posts waiting for a decision (pending, flagged, reported), oldest first"""
    items = moderation.moderation_queue(
        programme.get_conference(slug),
        kind=args.get("kind"),
        after=args["after"],
        limit=args["limit"] + 1,
    )
    more = len(items) > args["limit"]
    items = items[: args["limit"]]
    return {"items": items, "next": items[-1]["post"]["id"] if more and items else None}


def _decision(result: moderation.Decision) -> dict[str, Any]:
    counts = moderation.report_count(result.post.id)
    return moderation.queue_item(result.post, counts)


@blp.route("/posts/<int:post_id>/approve", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, QueueItemSchema)
def approve_post(body: dict[str, Any], post_id: int) -> dict[str, Any]:
    """Approve a pending post (published now, or when its session's embargo lifts), or keep a
    flagged one (it leaves the queue)"""
    return _decision(moderation.do_approve(_moderator(), post_id, _reason(body)))


@blp.route("/posts/<int:post_id>/hide", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, QueueItemSchema)
def hide_post(body: dict[str, Any], post_id: int) -> dict[str, Any]:
    """Hide a post; viewers get ``post_removed`` live and on catch-up"""
    return _decision(moderation.do_hide(_moderator(), post_id, _reason(body)))


@blp.route("/posts/<int:post_id>/restore", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, QueueItemSchema)
def restore_post(body: dict[str, Any], post_id: int) -> dict[str, Any]:
    """Show a hidden post again, under a new sequence number"""
    return _decision(moderation.do_restore(_moderator(), post_id, _reason(body)))


@blp.route("/posts/<int:post_id>/delete", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, QueueItemSchema)
def delete_post(body: dict[str, Any], post_id: int) -> dict[str, Any]:
    """Delete a post for good; viewers get ``post_removed``"""
    return _decision(moderation.do_delete(_moderator(), post_id, _reason(body)))


@blp.route("/posts/<int:post_id>/reports", methods=["GET"])
@blp.response(200, ReportListSchema)
def list_reports(post_id: int) -> dict[str, Any]:
    """What users reported about a post"""
    if moderation.post_conference_id(post_id) is None:
        raise NotFound(f"There is no post {post_id}.")
    return {"items": [moderation.report_wire(r) for r in moderation.reports_of(post_id)]}


@blp.route("/posts/<int:post_id>/reports", methods=["POST"])
@limiter.limit(REPORT_LIMIT)
@blp.arguments(ReportCreateSchema)
@blp.response(201, ReportSchema)
@blp.alt_response(200, schema=ReportSchema, description="Already reported by you")
def report_post(body: dict[str, Any], post_id: int) -> Any:
    """Report a post (any signed-in user). Reporting again changes nothing (200).

    At the conference's threshold of distinct reporters the post is hidden for review.
    """
    report, created = moderation.do_report(require_user(), post_id, body["reason"])
    return moderation.report_wire(report), 201 if created else 200


# --- blocks ----------------------------------------------------------------------------------


@blp.route("/users/<int:user_id>/block", methods=["POST"])
@blp.arguments(BlockSchema)
@blp.response(200, ModeratedUserSchema)
def block_user(body: dict[str, Any], user_id: int) -> dict[str, Any]:
    """Block an account: its posts and reports are refused and its sockets closed at once"""
    user, _ = moderation.do_block(
        _moderator(), user_id, reason=_reason(body), remove_posts=body["remove_posts"]
    )
    return moderation.user_wire(user)


@blp.route("/users/<int:user_id>/block", methods=["DELETE"])
@blp.response(200, ModeratedUserSchema)
def unblock_user(user_id: int) -> dict[str, Any]:
    """Lift a block"""
    user, _ = moderation.do_unblock(_moderator(), user_id)
    return moderation.user_wire(user)


# --- watched words ---------------------------------------------------------------------------


@blp.route("/conferences/<slug>/watched-words", methods=["GET"])
@blp.response(200, WatchedWordListSchema)
def list_watched_words(slug: str) -> dict[str, Any]:
    """The conference's watched words"""
    words = moderation.list_watched_words(programme.get_conference(slug))
    return {"items": [moderation.watched_word_wire(w) for w in words]}


@blp.route("/conferences/<slug>/watched-words", methods=["POST"])
@blp.arguments(WatchedWordCreateSchema)
@blp.response(201, WatchedWordSchema)
def add_watched_word(body: dict[str, Any], slug: str) -> dict[str, Any]:
    """Watch a word or phrase: ``block`` refuses posts, ``hold`` waits for approval, ``flag``
    posts and queues for review"""
    word = moderation.do_add_watched_word(
        _moderator(), programme.get_conference(slug), body["pattern"], body["action"]
    )
    return moderation.watched_word_wire(word)


@blp.route("/conferences/<slug>/watched-words/<int:word_id>", methods=["PATCH"])
@blp.arguments(WatchedWordPatchSchema)
@blp.response(200, WatchedWordSchema)
def update_watched_word(body: dict[str, Any], slug: str, word_id: int) -> dict[str, Any]:
    """Change what a watched word does"""
    word = moderation.do_update_watched_word(
        _moderator(), programme.get_conference(slug), word_id, body["action"]
    )
    return moderation.watched_word_wire(word)


@blp.route("/conferences/<slug>/watched-words/<int:word_id>", methods=["DELETE"])
@blp.response(204)
def delete_watched_word(slug: str, word_id: int) -> None:
    """Stop watching a word"""
    moderation.do_delete_watched_word(_moderator(), programme.get_conference(slug), word_id)


@blp.route("/conferences/<slug>/watched-words/test", methods=["POST"])
@blp.arguments(WatchedWordTestSchema)
@blp.response(200, WatchedWordTestResultSchema)
def try_watched_words(body: dict[str, Any], slug: str) -> dict[str, Any]:
    """What the current list would do to a text (nothing is stored)"""
    matches = moderation.try_watched_words(programme.get_conference(slug), body["text"])
    actions = {m["action"] for m in matches}
    action = next((a for a in ("block", "hold", "flag") if a in actions), None)
    return {"action": action, "matches": matches}


# --- audit log -------------------------------------------------------------------------------


@blp.route("/conferences/<slug>/audit", methods=["GET"])
@query_args(blp, AuditQuerySchema)
@blp.response(200, AuditPageSchema)
def audit_log(args: dict[str, Any], slug: str) -> dict[str, Any]:
    """The audit log, newest first: this conference's rows and account-wide ones (blocks).
    Append-only: there is no way to change or delete an entry."""
    rows = moderation.audit_entries(
        programme.get_conference(slug), before=args.get("before"), limit=args["limit"] + 1
    )
    more = len(rows) > args["limit"]
    rows = rows[: args["limit"]]
    return {
        "items": [moderation.audit_wire(r) for r in rows],
        "next": rows[-1].id if more and rows else None,
    }


@blp.route("/conferences/<slug>/audit/<int:entry_id>", methods=["GET"])
@blp.response(200, AuditEntrySchema)
def audit_entry(slug: str, entry_id: int) -> dict[str, Any]:
    """One audit entry"""
    row = moderation.get_audit_entry(programme.get_conference(slug), entry_id)
    return moderation.audit_wire(row)
